"""One retry policy for the sync and async clients.

Retried: timeouts and connection errors (:class:`TransportError`), HTTP 429, 500, 502, 503,
504, and 409 with code ``IncorrectState`` or ``LockConflict``. Never a 400. Exponential
backoff with jitter, ``retry-after`` honoured (seconds or an HTTP date), bounded by attempts AND
total time, and by a separate attempt limit while the service answers 409.

:func:`classify` tells the two kinds of retryable failure apart: 429 and 409
``IncorrectState``/``LockConflict`` mean the request was **not processed**, so every operation
may send it again; a 5xx or a lost connection is **ambiguous** (it may have been carried out),
so only operations that are safe to repeat are re-sent blindly, and the others only after a
read of the resource shows the action has not taken effect (see ``client/call_flow.py``).
"""

from __future__ import annotations

import enum
import logging
import random
from dataclasses import dataclass
from typing import Any

import tenacity

from airflow_ds_provider.client.errors import ServiceError, TransportError

log = logging.getLogger("airflow_ds_provider.client")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRYABLE_CONFLICT_CODES = frozenset({"IncorrectState", "LockConflict"})


#: Statuses after which the request is known not to have been processed.
NOT_PROCESSED_STATUSES = frozenset({429})


class Disposition(str, enum.Enum):
    """What a failed attempt says about the request."""

    #: 429, 409 ``IncorrectState``/``LockConflict``: not carried out; any operation may re-send.
    NOT_PROCESSED = "not_processed"
    #: 5xx gateway/server errors, timeouts, lost connections: it may have been carried out.
    AMBIGUOUS = "ambiguous"
    #: Anything else (400, 401, 403, 404, other 409 codes, 412, 501...): never retried.
    FINAL = "final"


def is_conflict(exc: BaseException) -> bool:
    """A 409 that means "busy, try again": ``IncorrectState`` or ``LockConflict``."""
    return isinstance(exc, ServiceError) and exc.status == 409 and exc.code in RETRYABLE_CONFLICT_CODES


def classify(exc: BaseException) -> Disposition:
    """The one retry predicate, with the reason: not processed, ambiguous, or final."""
    if isinstance(exc, TransportError):
        return Disposition.AMBIGUOUS
    if isinstance(exc, ServiceError):
        if exc.status in NOT_PROCESSED_STATUSES or is_conflict(exc):
            return Disposition.NOT_PROCESSED
        if exc.status in RETRYABLE_STATUSES:
            return Disposition.AMBIGUOUS
    return Disposition.FINAL


def is_retryable(exc: BaseException) -> bool:
    """True for every failure worth another attempt (see :func:`classify`)."""
    return classify(exc) is not Disposition.FINAL


def describe(exc: BaseException | None) -> tuple[str, str | None]:
    """``("HTTP 503 ServiceUnavailable", opc-request-id)`` for a retry log line."""
    if isinstance(exc, ServiceError):
        return f"HTTP {exc.status} {exc.code}", exc.opc_request_id
    if isinstance(exc, TransportError):
        return f"transport error: {exc}", exc.opc_request_id
    return type(exc).__name__, None


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff and bounds shared by the sync and async clients.

    :param max_attempts: attempts in total (1 = no retry).
    :param max_seconds: total time budget for one logical call, retries included.
    :param base_delay: first backoff in seconds; doubles per attempt, plus ``uniform(0, base_delay)`` jitter.
    :param max_delay: cap of one backoff (a ``retry-after`` above it is still honoured).
    :param max_conflict_attempts: attempts in total while the service answers 409
        ``IncorrectState``/``LockConflict``: a resource busy for a few seconds (a job still
        CREATING) is worth waiting for, one busy for minutes (a model used by a deployment, a job
        with active runs) is not, so such a call fails within seconds instead of minutes.
    """

    max_attempts: int = 8
    max_seconds: float = 600.0
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_conflict_attempts: int = 4

    def backoff(self, attempt: int, exc: BaseException | None, elapsed: float) -> float:
        """Seconds to sleep after failed attempt number ``attempt`` (1-based)."""
        delay = min(self.base_delay * 2 ** (attempt - 1) + random.uniform(0, self.base_delay), self.max_delay)
        retry_after = exc.retry_after if isinstance(exc, ServiceError) else None
        if retry_after is not None:
            delay = max(delay, retry_after)
        return max(0.0, min(delay, self.max_seconds - elapsed))

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        return self.backoff(state.attempt_number, exc, state.seconds_since_start or 0.0)

    def _stop_on_conflict(self, state: tenacity.RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        return (
            isinstance(exc, ServiceError)
            and exc.status == 409
            and state.attempt_number >= self.max_conflict_attempts
        )

    def _kwargs(self, operation: str, allowed: bool) -> dict[str, Any]:
        attempts = self.max_attempts if allowed else 1

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            what, request_id = describe(exc)
            log.warning(
                "Retrying %s after %s (attempt %d of %d, sleeping %.2fs, opc-request-id %s)",
                operation,
                what,
                state.attempt_number,
                attempts,
                state.next_action.sleep if state.next_action else 0.0,
                request_id,
            )

        return {
            "retry": tenacity.retry_if_exception(is_retryable),
            "stop": tenacity.stop_after_attempt(attempts)
            | tenacity.stop_after_delay(self.max_seconds)
            | self._stop_on_conflict,
            "wait": self._wait,
            "before_sleep": before_sleep,
            "reraise": True,
        }

    def should_stop(self, attempt: int, conflicts: int, elapsed: float) -> bool:
        """True when no attempt may follow: ``attempt`` attempts made, ``conflicts`` of them
        answered 409 ``IncorrectState``/``LockConflict``, ``elapsed`` seconds spent."""
        return (
            attempt >= self.max_attempts
            or elapsed >= self.max_seconds
            or conflicts >= self.max_conflict_attempts
        )

    def retrying(self, operation: str, allowed: bool = True) -> tenacity.Retrying:
        """A tenacity ``Retrying`` for one logical sync call (for callers' own loops; the
        clients use :mod:`~airflow_ds_provider.client.call_flow`)."""
        return tenacity.Retrying(**self._kwargs(operation, allowed))

    def aretrying(self, operation: str, allowed: bool = True) -> tenacity.AsyncRetrying:
        """A tenacity ``AsyncRetrying`` for one logical async call."""
        return tenacity.AsyncRetrying(**self._kwargs(operation, allowed))
