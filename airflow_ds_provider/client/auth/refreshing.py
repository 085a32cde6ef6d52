"""Credentials backed by an expiring token: one refresh at a time, shared by threads and event loops.

A subclass implements :meth:`RefreshingCredentials._fetch` (blocking I/O: read files, call the
metadata or federation service) and returns a :class:`Token`. This base class decides when to call
it and makes sure concurrent callers share one call:

* sync callers that find the token due for refresh join one in-flight refresh (a
  ``concurrent.futures.Future`` guarded by a lock); the first one runs it in its own thread;
* async callers never block the loop: the refresh runs in the default executor and every
  awaiter waits on the same future through ``asyncio.wrap_future``;
* :meth:`on_unauthorized` (a 401) refreshes at most once per token: a caller whose request was
  signed with a token that has since been replaced just retries with the new one.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextvars
import datetime
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from airflow_ds_provider.client.signing import SigningKey

log = logging.getLogger("airflow_ds_provider.client.auth")

#: Re-federate this long before a token expires (the SDK's margin).
REFRESH_MARGIN = 60.0
#: After a failed proactive refresh, keep using the still-valid token and try again this much later.
RETRY_AFTER_FAILURE = 10.0


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, decoded without verification (``{}`` when ``token`` is not a JWT)."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def token_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT as a UNIX time, or ``None``."""
    exp = jwt_claims(token).get("exp")
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def utc_text(timestamp: float) -> str:
    """``timestamp`` as ``2026-01-02 03:04:05 UTC``."""
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def federated_refresh_at(now: float, expires_at: float | None) -> float:
    """When to refresh a token fetched at ``now``: 60 s before expiry, or at half its life if shorter."""
    if expires_at is None:
        return math.inf
    return max(now + (expires_at - now) / 2, expires_at - REFRESH_MARGIN)


@dataclass(frozen=True)
class Token:
    """What a fetch produced.

    :param key: the signing key (``ST$<token>`` and the session private key).
    :param refresh_at: UNIX time at which :meth:`RefreshingCredentials._fetch` runs again.
    :param expires_at: the token's expiry (``None``: unknown); an expired token is never used.
    """

    key: SigningKey
    refresh_at: float
    expires_at: float | None = None

    def usable(self, now: float) -> bool:
        """True while the token has not expired."""
        return self.expires_at is None or now < self.expires_at


@dataclass(frozen=True)
class _Current:
    token: Token
    generation: int


class RefreshingCredentials:
    """Base class of the session-token style credentials (see the module docstring).

    :param clock: the time source (UNIX seconds); tests pass a fake one to reach expiry.
    """

    #: Human name used in log lines, e.g. "instance principal".
    kind = "session token"

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._current: _Current | None = None
        self._inflight: Future[_Current] | None = None
        self._used: contextvars.ContextVar[int | None] = contextvars.ContextVar(
            f"oci_credentials_{id(self)}", default=None
        )
        self.refresh_count = 0

    # --- for subclasses ---------------------------------------------------------------------

    def _fetch(self, current: Token | None, forced: bool) -> Token:
        """Obtain a token (blocking I/O). Return ``current`` itself when nothing changed.

        :param current: the token in use, if any.
        :param forced: True after a 401 (the current token was rejected).
        """
        raise NotImplementedError

    # --- the Credentials protocol -----------------------------------------------------------

    def signing_key(self) -> SigningKey:
        """The current key; refreshes first (once, shared with concurrent callers) when due."""
        current = self._current
        if current is None or not self._fresh(current.token):
            current = self._refresh(forced=False, seen=None)
        self._used.set(current.generation)
        return current.token.key

    async def asigning_key(self) -> SigningKey:
        """The current key; a due refresh runs in a worker thread, shared by all awaiters."""
        current = self._current
        if current is None or not self._fresh(current.token):
            future, owner = self._join(forced=False, seen=None)
            if owner:
                try:
                    asyncio.get_running_loop().run_in_executor(None, self._run, future, False)
                except BaseException as exc:  # executor shut down: never leave the others waiting
                    with self._lock:
                        self._inflight = None
                    future.set_exception(exc)
            current = await asyncio.wrap_future(future)
        self._used.set(current.generation)
        return current.token.key

    def on_unauthorized(self) -> bool:
        """Refresh after a 401 unless another caller already replaced the rejected token.

        :returns: True when the key changed, so one retry may succeed.
        :raises CredentialsError: when the refresh itself fails (the message says why).
        """
        seen = self._used.get()
        if seen is None:
            current = self._current
            seen = current.generation if current is not None else -1
        result = self._refresh(forced=True, seen=seen)
        return result.generation > seen

    # --- machinery --------------------------------------------------------------------------

    def _fresh(self, token: Token) -> bool:
        now = self._clock()
        return now < token.refresh_at and token.usable(now)

    def _refresh(self, forced: bool, seen: int | None) -> _Current:
        future, owner = self._join(forced, seen)
        if owner:
            self._run(future, forced)
        return future.result()

    def _join(self, forced: bool, seen: int | None) -> tuple[Future[_Current], bool]:
        """The future of the refresh to wait for, and whether the caller must run it."""
        with self._lock:
            current = self._current
            if current is not None and (
                (not forced and self._fresh(current.token))
                or (forced and seen is not None and current.generation > seen)
            ):
                done: Future[_Current] = Future()
                done.set_result(current)
                return done, False
            if self._inflight is not None:
                return self._inflight, False
            future: Future[_Current] = Future()
            future.set_running_or_notify_cancel()  # an awaiter's cancellation must not cancel it
            self._inflight = future
            return future, True

    def _run(self, future: Future[_Current], forced: bool) -> None:
        current = self._current
        try:
            token = self._fetch(current.token if current is not None else None, forced)
        except BaseException as exc:
            now = self._clock()
            if forced or current is None or not current.token.usable(now):
                with self._lock:
                    self._inflight = None
                future.set_exception(exc)
                return
            # A proactive refresh failed but the token still works: keep it, try again soon.
            log.warning(
                "Could not refresh the %s credentials (%s); using the current token until %s",
                self.kind,
                exc,
                utc_text(current.token.expires_at) if current.token.expires_at else "it is rejected",
            )
            retry_at = now + RETRY_AFTER_FAILURE
            if current.token.expires_at is not None:
                retry_at = min(retry_at, current.token.expires_at)
            token = Token(current.token.key, retry_at, current.token.expires_at)
        with self._lock:
            changed = current is None or token.key is not current.token.key
            generation = (current.generation + 1) if current is not None else 0
            if not changed and current is not None:
                generation = current.generation
            result = _Current(token, generation)
            self._current = result
            self._inflight = None
            if changed:
                self.refresh_count += 1
        future.set_result(result)
