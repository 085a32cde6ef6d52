"""Pure wait logic shared by the hook's sync wait, the async client, sensors and triggers.

No I/O here: a :class:`StateWaiter` reads one observed resource (wire JSON) at a time and says
whether to keep polling, stop with the data, or raise a typed error with a clear message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import field
from typing import Any

from airflow_ds_provider._lazy_dataclass import lazy_dataclass
from airflow_ds_provider.client.errors import ResourceFailedError, WaitTimeoutError
from airflow_ds_provider.lifecycle import Lifecycle, Outcome, get_lifecycle
from airflow_ds_provider.resources import EXPLAIN_WORK_REQUEST_ERRORS, get_resource

log = logging.getLogger("airflow_ds_provider.client")


@lazy_dataclass(frozen=True)
class StateCheck:
    """The reading of one observed resource.

    :param outcome: pending / success / failure / unknown (unknown is never success).
    :param state: the observed state.
    :param details: ``lifecycleDetails`` if any.
    :param message: a one-line human readable summary.
    """

    outcome: Outcome
    state: str | None
    details: str | None
    message: str


def explains_with_work_request_errors(lifecycle: Lifecycle) -> bool:
    """Whether a failure of this resource kind is explained by ``list_work_request_errors``
    (:attr:`Resource.explain <airflow_ds_provider.resources.Resource.explain>`) rather than by
    its ``lifecycleDetails``."""
    return get_resource(lifecycle.resource).explain == EXPLAIN_WORK_REQUEST_ERRORS


def with_details(message: str, details: Any) -> str:
    """``message`` with a resource's ``lifecycleDetails`` appended, unless it already holds them."""
    if isinstance(details, str) and details and details not in message:
        return f"{message}: {details}"
    return message


def check_state(
    lifecycle: Lifecycle, resource_id: str, data: dict[str, Any], *, reached: bool = False
) -> StateCheck:
    """Classify one observed resource against ``lifecycle``.

    A stranded state (:meth:`Lifecycle.stranded`: terminal, neither target nor failure, and final
    or ``reached`` from a pending state during this wait) is a failure whose message says so.

    :param reached: the waiter saw the resource in a pending state earlier in this wait.
    """
    state = lifecycle.state_of(data)
    details = lifecycle.details_of(data)
    outcome = lifecycle.classify(state)
    message = f"{lifecycle.resource} {resource_id} is {state or 'in no known state'}"
    if outcome is Outcome.SUCCESS:
        message = f"{lifecycle.resource} {resource_id} reached {state}"
    elif outcome is Outcome.FAILURE:
        message = f"{lifecycle.resource} {resource_id} reached failure state {state}"
    elif lifecycle.stranded(state, reached):
        outcome = Outcome.FAILURE
        message = (
            f"{lifecycle.resource} {resource_id} reached {state}, which is neither a target state "
            f"{sorted(lifecycle.success)} nor a failure state {sorted(lifecycle.failure)}, and it will "
            "not move on by itself: stopped waiting"
        )
    elif outcome is Outcome.UNKNOWN:
        message += f" (unknown state; waiting for one of {sorted(lifecycle.success)})"
    if details:
        message += f": {details}"
    return StateCheck(outcome, state, details, message)


def failure_error(
    lifecycle: Lifecycle,
    resource_id: str,
    data: dict[str, Any],
    errors: Iterable[dict[str, Any]] | None = None,
    *,
    reached: bool = False,
) -> ResourceFailedError:
    """The error for a failure (or stranded) state; work-request errors (``code: message``) are appended.

    :param reached: as for :func:`check_state`.
    """
    check = check_state(lifecycle, resource_id, data, reached=reached)
    entries = list(errors or [])
    message = check.message
    if entries:
        parts = [f"{e.get('code') or 'Error'}: {e.get('message') or ''}".strip() for e in entries]
        message += " (errors: " + "; ".join(parts) + ")"
    return ResourceFailedError(
        lifecycle.resource,
        resource_id,
        check.state,
        message,
        details=check.details,
        errors=entries,
        data=data,
    )


def timeout_error(
    lifecycle: Lifecycle, resource_id: str, last_state: str | None, timeout: float
) -> WaitTimeoutError:
    """The error for a wait that ran out of time."""
    message = (
        f"timed out after {timeout:g}s waiting for {lifecycle.resource} {resource_id} to reach "
        f"{sorted(lifecycle.success)}; last state: {last_state or 'never read'}"
    )
    return WaitTimeoutError(lifecycle.resource, resource_id, last_state, message, timeout)


def seconds(name: str, value: Any, *, allow_zero: bool = False, optional: bool = False) -> float | None:
    """Check a number of seconds (``poll_interval``, ``timeout``...); return it as a float.

    :param allow_zero: accept 0 (otherwise the value must be positive).
    :param optional: accept ``None`` (returned as is).
    :raises ValueError: naming ``name``, what was expected and what was given (a bool, text or a
        negative number is rejected).
    """
    if value is None and optional:
        return None
    sign = "non-negative" if allow_zero else "positive"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(
            f"{name}: expected a {sign} number of seconds, got {value!r} ({type(value).__name__})"
        )
    if (
        value != value
        or value in (float("inf"), float("-inf"))
        or value < 0
        or (value == 0 and not allow_zero)
    ):
        raise ValueError(f"{name}: expected a {sign} number of seconds, got {value!r}")
    return float(value)


@lazy_dataclass()
class StateWaiter:
    """State of one wait (deadline, last state); the sync and async loops drive it.

    :param lifecycle: the (possibly customised) lifecycle table.
    :param resource_id: the OCID waited for.
    :param poll_interval: seconds between reads.
    :param timeout: seconds before :class:`WaitTimeoutError`.
    :param not_found_ok: treat 404 as done (waiting for a delete).
    """

    lifecycle: Lifecycle
    resource_id: str
    poll_interval: float = 10.0
    timeout: float = 3600.0
    not_found_ok: bool = False
    started: float = field(default_factory=time.monotonic)
    last_state: str | None = None
    #: the resource was seen in a pending state during this wait
    seen_pending: bool = False

    @classmethod
    def create(
        cls,
        resource: str,
        resource_id: str,
        target_states: Iterable[str] | None = None,
        failure_states: Iterable[str] | None = None,
        poll_interval: float = 10.0,
        timeout: float = 3600.0,
        not_found_ok: bool = False,
    ) -> StateWaiter:
        """Build a waiter from the lifecycle table of ``resource`` (e.g. ``"job_run"``).

        :raises ValueError: naming the argument: an empty id, a state the resource does not have,
            a ``poll_interval``/``timeout`` that is not a non-negative number.
        """
        lifecycle = get_lifecycle(resource)
        if not isinstance(resource_id, str) or not resource_id.strip():
            raise ValueError(
                f"resource_id: the OCID of the {resource} to wait for is required, got {resource_id!r}"
            )
        seconds("poll_interval", poll_interval, allow_zero=True)
        seconds("timeout", timeout, allow_zero=True)
        if target_states is not None or failure_states is not None:
            lifecycle = lifecycle.with_states(target_states, failure_states)
        return cls(lifecycle, resource_id, poll_interval, timeout, not_found_ok)

    @property
    def get_operation(self) -> str:
        """The operation that reads the resource."""
        return self.lifecycle.get_operation

    @property
    def get_args(self) -> dict[str, str]:
        """Arguments of :attr:`get_operation`."""
        return {self.lifecycle.id_param: self.resource_id}

    @property
    def is_work_request(self) -> bool:
        """Failures of work requests are explained by ``list_work_request_errors``."""
        return explains_with_work_request_errors(self.lifecycle)

    def observe(self, data: dict[str, Any]) -> StateCheck:
        """Record and classify one read."""
        check = check_state(self.lifecycle, self.resource_id, data, reached=self.seen_pending)
        if check.outcome is Outcome.PENDING:
            self.seen_pending = True
        if check.state != self.last_state:
            level = logging.WARNING if check.outcome is Outcome.UNKNOWN else logging.INFO
            log.log(level, "%s", check.message)
        self.last_state = check.state
        return check

    def next_sleep(self) -> float | None:
        """Seconds to sleep before the next read, or ``None`` when the deadline has passed."""
        remaining = self.timeout - (time.monotonic() - self.started)
        if remaining <= 0:
            return None
        return min(self.poll_interval, remaining)

    def failure(
        self, data: dict[str, Any], errors: Iterable[dict[str, Any]] | None = None
    ) -> ResourceFailedError:
        """The error to raise for a failure (or stranded) state."""
        return failure_error(self.lifecycle, self.resource_id, data, errors, reached=self.seen_pending)

    def timed_out(self) -> WaitTimeoutError:
        """The error to raise at the deadline."""
        return timeout_error(self.lifecycle, self.resource_id, self.last_state, self.timeout)
