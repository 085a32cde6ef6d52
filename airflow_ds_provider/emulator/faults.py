"""Fault injection: the next N requests matching a method and path pattern fail in a chosen way."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

#: Fault kinds: an error status, added latency, a dropped connection (nothing processed), or
#: the request processed and committed and then the connection dropped before the response.
KINDS = frozenset({"status", "latency", "drop", "commit_then_drop"})

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
    :param retry_after: seconds for a ``retry-after`` header (429/503).
    :param latency: seconds to wait before handling, for ``kind="latency"``.
    :param error_code: OCI error code of the error body (default: the usual one for ``status``),
        e.g. ``IncorrectState`` with 409.
    :param message: message of the error body.
    """

    method: str = "GET"
    path: str = ".*"
    kind: str = "status"
    status: int = 503
    count: int = 1
    retry_after: float | None = None
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


class FaultInjector:
    """The active fault rules; each matching request consumes one use of the first matching rule."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        """Activate a rule."""
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

    def take(self, method: str, path: str) -> Fault | None:
        """The rule that applies to this request, consuming one of its uses."""
        if not self._faults:
            return None
        with self._lock:
            for fault in self._faults:
                if fault.method in ("*", method) and fault.pattern.search(path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None
