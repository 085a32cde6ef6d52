"""Fault injection: the next N requests matching a method and path pattern fail in a chosen way,
or a seeded :class:`FaultStorm` hits a share of all logical calls with bursts of random faults."""

from __future__ import annotations

import email.utils
import random
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

#: Fault kinds: an error status, added latency, a dropped connection (nothing processed), the
#: request processed and committed and then the connection dropped before the response, or
#: processed and committed with the answer held back ``latency`` seconds (a caller may die meanwhile).
KINDS = frozenset({"status", "latency", "drop", "commit_then_drop", "commit_then_latency"})

_CODES = {
    400: "InvalidParameter",
    401: "NotAuthenticated",
    403: "NotAuthorized",
    404: "NotAuthorizedOrNotFound",
    409: "Conflict",
    412: "NoEtagMatch",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


@dataclass
class Fault:
    """One injected fault rule.

    :param method: HTTP method to match (``*`` for any).
    :param path: regular expression searched in the request path (without the query).
    :param kind: one of :data:`KINDS`.
    :param status: HTTP status for ``kind="status"``.
    :param count: how many matching requests it applies to.
    :param retry_after: a ``retry-after`` header (429/503): seconds, or a string sent as it is
        (e.g. an HTTP date, see :func:`http_date`).
    :param latency: seconds to wait before handling, for ``kind="latency"``; after committing,
        before answering, for ``kind="commit_then_latency"``.
    :param error_code: OCI error code of the error body (default: the usual one for ``status``),
        e.g. ``IncorrectState`` with 409.
    :param message: message of the error body.
    """

    method: str = "GET"
    path: str = ".*"
    kind: str = "status"
    status: int = 503
    count: int = 1
    retry_after: float | str | None = None
    latency: float = 0.0
    error_code: str | None = None
    message: str | None = None
    pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(KINDS)}")
        if self.count < 1:
            raise ValueError("count must be >= 1")
        if self.kind == "status" and not 400 <= int(self.status) <= 599:
            raise ValueError("status must be an HTTP error status")
        self.method = self.method.upper()
        self.pattern = re.compile(self.path)

    @property
    def code(self) -> str:
        """The OCI error code that goes with the status."""
        if self.error_code:
            return self.error_code
        return _CODES.get(self.status, "InternalServerError" if self.status >= 500 else "InvalidParameter")

    def headers(self) -> dict[str, str]:
        """Extra headers of the error answer of a ``status`` fault."""
        if self.retry_after is None:
            return {}
        if isinstance(self.retry_after, str):
            return {"retry-after": self.retry_after}
        return {"retry-after": f"{self.retry_after:g}"}

    def to_dict(self) -> dict[str, Any]:
        """JSON form, for the control API."""
        return {
            "method": self.method,
            "path": self.path,
            "kind": self.kind,
            "status": self.status,
            "count": self.count,
            "retryAfter": self.retry_after,
            "latency": self.latency,
            "errorCode": self.error_code,
            "message": self.message,
        }


def http_date(epoch_seconds: float) -> str:
    """An RFC 9110 HTTP date, e.g. for a ``retry-after`` given as a date."""
    return email.utils.formatdate(epoch_seconds, usegmt=True)


#: The transient faults of a storm: throttling, server and gateway errors, a connection dropped
#: before the request is read, and one dropped after the request was processed and committed.
TRANSIENT_MIX: tuple[tuple[str, int, str | None], ...] = (
    ("status", 429, None),
    ("status", 500, None),
    ("status", 502, None),
    ("status", 503, None),
    ("status", 504, None),
    ("drop", 503, None),
    ("commit_then_drop", 503, None),
)
#: "Busy, try again" answers (the request was not processed).
CONFLICT_MIX: tuple[tuple[str, int, str | None], ...] = (
    ("status", 409, "IncorrectState"),
    ("status", 409, "LockConflict"),
)


@dataclass
class FaultStorm:
    """Seeded random faults on a share of the logical calls.

    A logical call is recognised by its ``opc-request-id`` (a client sends the same one on every
    retry). The first time a matching call is seen, it is hit with probability ``rate``; a hit
    call gets a burst of ``burst[0]..burst[1]`` consecutive faulty answers, each of a kind drawn
    from ``mix``, then its next attempt is served normally. The same seed and the same sequence
    of requests give the same faults.

    :param rate: share of the logical calls that are hit (0..1).
    :param mix: ``(kind, status, error_code)`` entries to draw from (:data:`TRANSIENT_MIX`).
    :param burst: the inclusive range of faulty answers per hit call.
    :param seed: seed of the random generator.
    :param methods: HTTP methods to match (``*`` for any).
    :param path: regular expression searched in the request path.
    """

    rate: float = 0.25
    mix: tuple[tuple[str, int, str | None], ...] = TRANSIENT_MIX
    burst: tuple[int, int] = (1, 3)
    seed: int = 0
    methods: tuple[str, ...] = ("*",)
    path: str = ".*"
    injected: Counter = field(default_factory=Counter, init=False)
    calls_hit: int = field(default=0, init=False)
    calls_seen: int = field(default=0, init=False)
    _rng: random.Random = field(init=False, repr=False)
    _pending: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, got {self.rate!r}")
        low, high = self.burst
        if not 1 <= low <= high:
            raise ValueError(f"burst must be (low, high) with 1 <= low <= high, got {self.burst!r}")
        if not self.mix:
            raise ValueError("mix must name at least one fault")
        for kind, status, _ in self.mix:
            Fault(kind=kind, status=status)  # validates kind and status
        self.methods = tuple(m.upper() for m in self.methods)
        self._rng = random.Random(self.seed)
        self._pattern = re.compile(self.path)

    def matches(self, method: str, path: str) -> bool:
        """Whether a request falls under the storm."""
        return ("*" in self.methods or method in self.methods) and bool(self._pattern.search(path))

    def draw(self, request_id: str | None) -> Fault | None:
        """The fault for this attempt of the call ``request_id`` (``None``: serve it normally)."""
        key = request_id or f"anonymous-{self.calls_seen}"
        if key not in self._pending:
            self.calls_seen += 1
            hit = self._rng.random() < self.rate
            self.calls_hit += hit
            self._pending[key] = self._rng.randint(*self.burst) if hit else 0
        if self._pending[key] <= 0:
            return None
        self._pending[key] -= 1
        kind, status, code = self._rng.choice(self.mix)
        label = kind if kind != "status" else f"{status} {code}" if code else str(status)
        self.injected[label] += 1
        return Fault(method="*", kind=kind, status=status, error_code=code, message=f"storm fault ({kind})")

    def to_dict(self) -> dict[str, Any]:
        """JSON form, for the control API."""
        return {
            "kind": "storm",
            "rate": self.rate,
            "burst": list(self.burst),
            "seed": self.seed,
            "methods": list(self.methods),
            "path": self.path,
            "callsSeen": self.calls_seen,
            "callsHit": self.calls_hit,
            "injected": dict(self.injected),
        }


class FaultInjector:
    """The active fault rules; each matching request consumes one use of the first matching rule."""

    def __init__(self) -> None:
        self._faults: list[Fault | FaultStorm] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault | FaultStorm) -> Fault | FaultStorm:
        """Activate a rule (a counted :class:`Fault` or a :class:`FaultStorm`)."""
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._faults.clear()

    def active(self) -> list[dict[str, Any]]:
        """The remaining rules."""
        with self._lock:
            return [f.to_dict() for f in self._faults]

    def take(self, method: str, path: str, request_id: str | None = None) -> Fault | None:
        """The fault that applies to this request, consuming one use of its rule.

        :param request_id: the request's ``opc-request-id`` (storms count faults per call).
        """
        if not self._faults:
            return None
        with self._lock:
            for rule in self._faults:
                if isinstance(rule, FaultStorm):
                    if rule.matches(method, path):
                        drawn = rule.draw(request_id)
                        if drawn is not None:
                            return drawn
                    continue
                if rule.method in ("*", method) and rule.pattern.search(path):
                    rule.count -= 1
                    if rule.count <= 0:
                        self._faults.remove(rule)
                    return rule
        return None
