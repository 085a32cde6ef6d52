"""The flow of one wait, without I/O: read, classify, explain a failure, sleep, read again.

:func:`wait_flow` is a generator (like :func:`~.call_flow.call_flow` and
:class:`~airflow_ds_provider.logs.search.SearchPlan`) that yields the steps it needs
(:class:`Read` the resource, :class:`Sleep`, :class:`ReadWorkRequestErrors` to explain a failed
work request) and receives each step's result, or the exception it raised. It returns a
:class:`WaitEnd`. The sync and async clients' ``wait_for_state`` and the lifecycle trigger drive
the same generator (:mod:`~.flow_driver`), so their polling, stranded-state
checks, failure explanations and deadlines cannot drift.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import Any

from airflow_ds_provider.client.errors import NotFoundError
from airflow_ds_provider.client.waiter import (
    StateWaiter,
    check_state,
    explains_with_work_request_errors,
    failure_error,
    timeout_error,
)
from airflow_ds_provider.lifecycle import Lifecycle, Outcome

log = logging.getLogger("airflow_ds_provider.client")

#: A wait whose deadline already passed (a restarted trigger) still reads the state once, this long.
FINAL_READ_SECONDS = 10.0
#: :attr:`WaitEnd.status` values.
SUCCESS, FAILURE, TIMEOUT, GONE, NOT_FOUND = "success", "failure", "timeout", "gone", "not_found"


@dataclass(frozen=True)
class Read:
    """Read the resource once; result: its wire JSON (a ``NotFoundError`` may be thrown in).

    :param budget: seconds the read may take (``None``: unbounded); a ``TimeoutError`` thrown in
        ends the wait with :data:`TIMEOUT`.
    """

    operation: str
    args: dict[str, str]
    budget: float | None = None


@dataclass(frozen=True)
class Sleep:
    """Wait ``seconds`` before the next read."""

    seconds: float


@dataclass(frozen=True)
class ReadWorkRequestErrors:
    """List the errors of a failed work request; result: the list of error entries."""

    work_request_id: str


WaitStep = Read | Sleep | ReadWorkRequestErrors


@dataclass(frozen=True)
class WaitEnd:
    """How a wait ended.

    :param status: :data:`SUCCESS`, :data:`FAILURE`, :data:`TIMEOUT`, :data:`GONE` (404 with
        ``not_found_ok``) or :data:`NOT_FOUND` (404 otherwise, ``error`` holds it).
    :param message: the one-line summary (success and failure).
    :param state: the last observed state.
    :param data: the last read resource.
    :param error: the ``ResourceFailedError`` of a failure, the ``NotFoundError`` of a 404.
    """

    status: str
    message: str = ""
    state: str | None = None
    data: dict[str, Any] | None = None
    error: Exception | None = None


WaitFlow = Generator[WaitStep, Any, WaitEnd]


def wait_flow(
    lifecycle: Lifecycle,
    resource_id: str,
    *,
    remaining: Callable[[], float | None],
    interval: Callable[[], float],
    not_found_ok: bool = False,
    bounded_reads: bool = False,
    logger: logging.Logger | logging.LoggerAdapter[Any] = log,
) -> WaitFlow:
    """Poll ``resource_id`` until a target state, a failure (or stranded) state or the deadline.

    :param remaining: seconds left before the deadline (``None``: no deadline).
    :param interval: seconds to sleep between reads (called before each sleep; may jitter).
    :param not_found_ok: a 404 ends the wait with :data:`GONE` (a delete) instead of :data:`NOT_FOUND`.
    :param bounded_reads: the deadline bounds each read too (the trigger): a passed deadline ends
        the wait before a read, except the first one, which gets :data:`FINAL_READ_SECONDS`.
        Otherwise (the clients) reads are unbounded and the deadline is checked after each one.
    :param logger: where each change of state is logged (an unknown state as a warning).
    """
    args = {lifecycle.id_param: resource_id}
    last_state: str | None = None
    seen_pending = False
    first = True
    while True:
        budget = None
        if bounded_reads:
            left = remaining()
            if left is not None and left <= 0 and not first:
                return WaitEnd(TIMEOUT, state=last_state)
            budget = None if left is None else (max(left, FINAL_READ_SECONDS) if first else left)
        first = False
        try:
            data = yield Read(lifecycle.get_operation, args, budget)
        except NotFoundError as exc:
            return WaitEnd(GONE if not_found_ok else NOT_FOUND, state=last_state, error=exc)
        except TimeoutError:
            if not bounded_reads:
                raise
            return WaitEnd(TIMEOUT, state=last_state)
        check = check_state(lifecycle, resource_id, data, reached=seen_pending)
        seen_pending = seen_pending or check.outcome is Outcome.PENDING
        if check.state != last_state:
            level = logging.WARNING if check.outcome is Outcome.UNKNOWN else logging.INFO
            logger.log(level, "%s", check.message)
        last_state = check.state
        if check.outcome is Outcome.SUCCESS:
            return WaitEnd(SUCCESS, check.message, check.state, data)
        if check.outcome is Outcome.FAILURE:
            errors = None
            if explains_with_work_request_errors(lifecycle):
                errors = yield ReadWorkRequestErrors(resource_id)
            failed = failure_error(lifecycle, resource_id, data, errors, reached=seen_pending)
            return WaitEnd(FAILURE, str(failed), check.state, data, failed)
        left = remaining()
        if left is not None and left <= 0:
            return WaitEnd(TIMEOUT, state=last_state)
        delay = interval()
        yield Sleep(delay if left is None else min(delay, left))


@dataclass(frozen=True)
class ClientWait:
    """One ``wait_for_state`` of a client: its checked lifecycle, flow and how it ends."""

    lifecycle: Lifecycle
    resource_id: str
    timeout: float
    flow: WaitFlow

    @classmethod
    def create(
        cls,
        resource: str,
        resource_id: str,
        target_states: Iterable[str] | None,
        failure_states: Iterable[str] | None,
        poll_interval: float,
        timeout: float,
        not_found_ok: bool,
    ) -> ClientWait:
        """Check the arguments (see :meth:`StateWaiter.create`) and start the flow."""
        waiter = StateWaiter.create(
            resource, resource_id, target_states, failure_states, poll_interval, timeout, not_found_ok
        )
        started = time.monotonic()
        flow = wait_flow(
            waiter.lifecycle,
            waiter.resource_id,
            remaining=lambda: waiter.timeout - (time.monotonic() - started),
            interval=lambda: waiter.poll_interval,
            not_found_ok=not_found_ok,
        )
        return cls(waiter.lifecycle, waiter.resource_id, waiter.timeout, flow)

    def result(self, end: WaitEnd) -> dict[str, Any] | None:
        """The data of a success, ``None`` when gone; raise the failure, 404 or timeout."""
        if end.status == SUCCESS:
            return end.data
        if end.status == GONE:
            return None
        if end.error is not None:
            raise end.error
        raise timeout_error(self.lifecycle, self.resource_id, end.state, self.timeout)
