"""``DataScienceLifecycleTrigger``: wait in the triggerer until a resource settles.

The trigger carries only JSON-serializable config (connection id, region, resource id, states,
poll interval, an absolute deadline as a UNIX timestamp, the cancel-on-kill flag). ``run()``
takes a lease on the async client the event loop shares for the connection and region
(:meth:`DataScienceHook.aacquire_shared_client`: one configuration, key, connection pool and
throttling backoff for all the triggers of a connection), makes its first read after a random
part of one poll interval (so triggers re-created together after a restart do not poll as one
burst), polls with ``asyncio.sleep`` (the interval +/-10 % jitter, so they stay apart), lets the
client's bounded retry policy absorb transient errors, and yields exactly one event::

    {"status": "success" | "failure" | "timeout" | "error", "message": str,
     "resource": "job_run", "resource_id": ocid, "state": str | None, "data": dict | None}

The polling is :func:`airflow_ds_provider.client.wait_flow.wait_flow`, the same flow the
clients' ``wait_for_state`` drives, so the sync wait, the sensors and the triggers say the same
thing. An unknown state is never success: polling goes on until the deadline. A stranded
state (reached from a pending state, or final, and neither target nor failure) ends the wait
with a ``failure`` event that says so. Every argument is checked in ``__init__`` (OCID shape and
kind, states, numbers), so a task that would defer with a bad one fails in the worker instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import random
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_ds_provider.client.errors import DataScienceError
from airflow_ds_provider.hooks.data_science import DataScienceHook
from airflow_ds_provider.lifecycle import Lifecycle, get_lifecycle
from airflow_ds_provider.ocids import validate_ocid
from airflow_ds_provider.resources import get_resource

if TYPE_CHECKING:
    # The HTTP stack loads when run() first takes a client, the wait flow when run() first
    # polls and the argument checks when a trigger is first built, not when the triggerer (or
    # a DAG file) imports a trigger class (tests/triggers/test_lazy_imports.py).
    from airflow_ds_provider.client.async_client import AsyncDataScienceClient
    from airflow_ds_provider.client.shared_clients import ClientLease
    from airflow_ds_provider.client.wait_flow import WaitStep

DEFAULT_CONN_ID = DataScienceHook.default_conn_name
#: Event statuses, in the ``status`` key of every event.
SUCCESS, FAILURE, TIMEOUT, ERROR = "success", "failure", "timeout", "error"
#: ``on_kill`` gives up after this long (the triggerer's own bound is 30 s by default).
ON_KILL_SECONDS = 20.0
#: Each sleep is the poll interval +/- this fraction, so triggers that started together (say after
#: a triggerer restart) drift apart instead of hitting the service in synchronized bursts.
POLL_JITTER = 0.1
#: The first read comes after ``uniform(0, FIRST_POLL_SPREAD * poll_interval)`` seconds: the task
#: read the state just before deferring, and triggers re-created at once after a triggerer restart
#: spread their polls over one interval instead of all reading at the same moment.
FIRST_POLL_SPREAD = 1.0


def _states(values: Iterable[str] | str | None, field: str) -> list[str] | None:
    """Upper-cased state names as given (a single name may be a string); checked by ``with_states``."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    if isinstance(values, Mapping) or not isinstance(values, Iterable):
        raise ValueError(f"{field}: expected a list of state names, got {values!r}")
    values = list(values)
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise ValueError(f"{field}: expected a list of state names, got {values!r}")
    return [v.strip().upper() for v in values]


def _redact(text: str) -> str:
    """Mask any secret Airflow knows about (connection passwords, key content) in ``text``."""
    try:
        from airflow_ds_provider._compat import redact

        return str(redact(text))
    except Exception:
        return text


def check_connection_args(oci_conn_id: Any, region: Any) -> None:
    """Raise ``ValueError`` naming ``oci_conn_id`` or ``region`` unless both are usable."""
    if not isinstance(oci_conn_id, str) or not oci_conn_id.strip():
        raise ValueError(f"oci_conn_id: expected an Airflow connection id, got {oci_conn_id!r}")
    if region is not None and (not isinstance(region, str) or not region.strip()):
        raise ValueError(f"region: expected a region name such as 'us-ashburn-1' or None, got {region!r}")


def check_deadline(deadline: Any) -> float | None:
    """The absolute UNIX timestamp ``deadline`` as a float (``None`` stays); raises naming it."""
    if deadline is not None and (isinstance(deadline, bool) or not isinstance(deadline, (int, float))):
        raise ValueError(f"deadline: expected an absolute UNIX timestamp (float), got {deadline!r}")
    return float(deadline) if deadline is not None else None


def jittered(poll_interval: float) -> float:
    """``poll_interval`` +/- :data:`POLL_JITTER`."""
    return poll_interval * random.uniform(1 - POLL_JITTER, 1 + POLL_JITTER)


def first_poll_delay(poll_interval: float, remaining: float | None) -> float:
    """A random delay in the first :data:`FIRST_POLL_SPREAD` of an interval, within ``remaining``."""
    delay = random.uniform(0.0, FIRST_POLL_SPREAD * poll_interval)
    return delay if remaining is None else max(0.0, min(delay, remaining))


@functools.cache
def _default_lifecycle(resource: str) -> Lifecycle:
    """The lifecycle table of ``resource`` as ``with_states()`` returns it without overrides."""
    return get_lifecycle(resource).with_states(None, None)


class LifecycleTriggerOptions(TypedDict, total=False):
    """The keyword arguments every lifecycle trigger shares (see :class:`DataScienceLifecycleTrigger`)."""

    oci_conn_id: str
    region: str | None
    target_states: list[str] | None
    failure_states: list[str] | None
    poll_interval: float
    deadline: float | None
    not_found_ok: bool
    cancel_on_kill: bool
    stream_logs: bool
    log_position: dict[str, Any] | None


class DataScienceLifecycleTrigger(BaseTrigger):
    """Poll one Data Science resource until a target state, a failure state or a deadline.

    A thin per-resource subclass sets the class attributes ``resource`` and ``id_arg`` and takes
    ``(<id_arg>, **options)``: the OCID under its own name, then the other parameters below as
    keywords (:class:`LifecycleTriggerOptions`). ``serialize()`` returns the subclass's classpath
    and ``id_arg``, so triggers already stored in a triggerer database still load.

    :param resource: resource kind: ``job_run``, ``model_deployment``, ``work_request``,
        ``notebook_session``, ``job``, ``model`` or ``project``.
    :param resource_id: OCID of the resource.
    :param oci_conn_id: Airflow connection of type ``oci_data_science``.
    :param region: region override (default: the connection's).
    :param target_states: states that end the wait successfully (default: the lifecycle table's).
    :param failure_states: states that end the wait with a failure (default: the lifecycle table's).
    :param poll_interval: seconds between reads.
    :param deadline: absolute UNIX timestamp after which a ``timeout`` event is fired; a restarted
        trigger keeps it. ``None``: no deadline.
    :param not_found_ok: a 404 means done (waiting for a delete) instead of an error.
    :param cancel_on_kill: when a user kills the deferred task, cancel the run (kinds with a
        ``cancel`` action in the resource table: job runs, pipeline runs).
    :param stream_logs: copy the run's new log lines into the trigger's log (shown in the task
        log while deferred, Airflow 3.3+) at every poll; job runs and pipeline runs only.
    :param log_position: where the task's own copy stopped before deferring (JSON).
    """

    #: Resource kind; a class attribute in thin per-resource subclasses, set per instance here.
    resource: str
    #: Constructor argument holding the OCID in thin per-resource subclasses (None: generic).
    id_arg: ClassVar[str | None] = None

    def __init__(
        self,
        resource: str,
        resource_id: str,
        oci_conn_id: str = DEFAULT_CONN_ID,
        region: str | None = None,
        target_states: list[str] | None = None,
        failure_states: list[str] | None = None,
        poll_interval: float = 30.0,
        deadline: float | None = None,
        not_found_ok: bool = False,
        cancel_on_kill: bool = False,
        stream_logs: bool = False,
        log_position: dict[str, Any] | None = None,
    ) -> None:
        from airflow_ds_provider.client.waiter import seconds

        super().__init__()
        # Everything is checked here, so an operator or sensor that defers with a bad argument
        # fails at once in the worker, naming the argument (a ValueError: never retried).
        lifecycle = get_lifecycle(resource)
        self.resource = resource
        self.resource_id = validate_ocid(resource_id, self.id_arg or "resource_id", (resource,))
        check_connection_args(oci_conn_id, region)
        self.oci_conn_id = oci_conn_id
        self.region = region
        self.target_states = _states(target_states, "target_states")
        self.failure_states = _states(failure_states, "failure_states")
        self.poll_interval = float(seconds("poll_interval", poll_interval) or 0.0)
        self.deadline = check_deadline(deadline)
        for name, flag in (
            ("not_found_ok", not_found_ok),
            ("cancel_on_kill", cancel_on_kill),
            ("stream_logs", stream_logs),
        ):
            if not isinstance(flag, bool):
                raise ValueError(f"{name}: expected True or False, got {flag!r}")
        self.not_found_ok = not_found_ok
        self.cancel_on_kill = cancel_on_kill
        self.stream_logs = stream_logs
        self.log_position = log_position
        if stream_logs:
            from airflow_ds_provider.triggers.run_logs import streamer_class

            # raises ValueError naming stream_logs (other kinds) or log_position (bad shape)
            streamer_class(resource)().resume_after(log_position)
        # Raises ValueError naming target_states/failure_states: unknown or conflicting states.
        # Without overrides every trigger of a kind shares one (immutable) table.
        if self.target_states is None and self.failure_states is None:
            self.lifecycle: Lifecycle = _default_lifecycle(resource)
        else:
            self.lifecycle = lifecycle.with_states(self.target_states, self.failure_states)
        self._lease: ClientLease | None = None
        self._log_copier: Any = None

    # --- serialization ---------------------------------------------------------------------------

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Classpath (derived from the class itself) and JSON-serializable constructor kwargs."""
        kwargs: dict[str, Any] = {
            "oci_conn_id": self.oci_conn_id,
            "region": self.region,
            "target_states": self.target_states,
            "failure_states": self.failure_states,
            "poll_interval": self.poll_interval,
            "deadline": self.deadline,
            "not_found_ok": self.not_found_ok,
            "cancel_on_kill": self.cancel_on_kill,
        }
        if self.stream_logs:  # absent otherwise: triggers stored by older versions still load
            kwargs.update(stream_logs=True, log_position=self.log_position)
        if self.id_arg is None:
            kwargs = {"resource": self.resource, "resource_id": self.resource_id, **kwargs}
        else:
            kwargs = {self.id_arg: self.resource_id, **kwargs}
        return f"{type(self).__module__}.{type(self).__qualname__}", kwargs

    # --- running ---------------------------------------------------------------------------------

    def _hook(self) -> DataScienceHook:
        return DataScienceHook(oci_conn_id=self.oci_conn_id, region=self.region)

    def _remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.time()

    def _event(self, status: str, message: str, state: str | None = None, data: Any = None) -> dict[str, Any]:
        extra = {}
        if self._log_copier is not None:
            from airflow_ds_provider.triggers.run_logs import EVENT_LOG_LINES, EVENT_LOG_POSITION

            extra[EVENT_LOG_POSITION] = self._log_copier.position()
            extra[EVENT_LOG_LINES] = self._log_copier.streamer.last_lines()
        return {
            **extra,
            "status": status,
            "message": message,
            "resource": self.resource,
            "resource_id": self.resource_id,
            "state": state,
            "data": data if isinstance(data, dict) else None,
        }

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll until the resource settles or the deadline passes; yield exactly one event."""
        try:
            self._lease = await self._hook().aacquire_shared_client()
            event = await self._watch(self._lease)
        except asyncio.CancelledError:
            # Killed or moved: leave the lease to on_kill() (which may reuse it) and cleanup().
            raise
        except Exception as exc:
            event = self._event(ERROR, self._error_message(exc))
        await self._release_client()
        self.log.info("%s", event["message"])
        yield TriggerEvent(event)

    def _next_interval(self) -> float:
        """The poll interval +/- :data:`POLL_JITTER`."""
        return jittered(self.poll_interval)

    def _first_poll_delay(self) -> float:
        return first_poll_delay(self.poll_interval, self._remaining())

    async def _watch(self, lease: ClientLease) -> dict[str, Any]:
        from airflow_ds_provider.client import wait_flow as wait_flow_module
        from airflow_ds_provider.client.flow_driver import drive_async
        from airflow_ds_provider.client.wait_flow import wait_flow

        started = time.monotonic()
        await asyncio.sleep(self._first_poll_delay())
        flow = wait_flow(
            self.lifecycle,
            self.resource_id,
            remaining=self._remaining,
            interval=self._next_interval,
            not_found_ok=self.not_found_ok,
            bounded_reads=True,
            logger=self.log,
        )
        end = await drive_async(flow, lambda step: self._wait_step(lease, step))
        if end.status == wait_flow_module.TIMEOUT:
            return self._timeout_event(end.state, time.monotonic() - started)
        if end.status == wait_flow_module.GONE:
            return self._event(SUCCESS, f"{self.resource} {self.resource_id} no longer exists (404)")
        if end.status == wait_flow_module.NOT_FOUND:
            return self._event(
                ERROR,
                f"{self.id_arg or 'resource_id'}: {self.resource} {self.resource_id} was not found "
                f"or is not visible: {end.error}",
                end.state,
            )
        return self._event(end.status, end.message, end.state, end.data)

    async def _wait_step(self, lease: ClientLease, step: WaitStep) -> Any:
        """Carry out one step of :func:`~airflow_ds_provider.client.wait_flow.wait_flow`."""
        from airflow_ds_provider.client.wait_flow import Read, Sleep

        if isinstance(step, Sleep):
            await asyncio.sleep(step.seconds)
            return None
        client = await lease.client()  # the newest client, should the connection have changed
        if isinstance(step, Read):
            data = (await asyncio.wait_for(client.call(step.operation, **step.args), step.budget)).data
            if self.stream_logs:
                await self._copy_logs(data)
            return data
        return await self._work_request_errors(client)

    async def _copy_logs(self, run: Any) -> None:
        """Copy the run's new log lines into this trigger's log (see ``triggers/run_logs.py``)."""
        if self._log_copier is None:
            from airflow_ds_provider.triggers.run_logs import TriggerLogCopier, XComCheckpoint

            checkpoint = XComCheckpoint.of(getattr(self, "task_instance", None))
            self._log_copier = TriggerLogCopier(
                self.resource, self._hook, self.log, self.log_position, checkpoint
            )
        await self._log_copier.on_poll(run)

    async def _work_request_errors(self, client: AsyncDataScienceClient) -> list[dict[str, Any]]:
        try:
            return [
                e async for e in client.paginate("list_work_request_errors", work_request_id=self.resource_id)
            ]
        except DataScienceError as exc:
            self.log.warning("Could not list the errors of work request %s: %s", self.resource_id, exc)
            return [{"code": "Unknown", "message": f"could not list the work request errors ({exc})"}]

    def _timeout_event(self, last_state: str | None, waited: float) -> dict[str, Any]:
        from airflow_ds_provider.client.waiter import timeout_error

        message = str(timeout_error(self.lifecycle, self.resource_id, last_state, round(waited, 1)))
        if self.deadline is not None:
            when = dt.datetime.fromtimestamp(self.deadline, dt.timezone.utc).isoformat(timespec="seconds")
            message += f" (deadline {when} passed)"
        return self._event(TIMEOUT, message, last_state)

    def _error_message(self, exc: BaseException) -> str:
        # Typed errors never hold key material (client contract); anything else is redacted too.
        text = str(exc) if isinstance(exc, DataScienceError) else f"{type(exc).__name__}: {exc}"
        return _redact(f"watching {self.resource} {self.resource_id} failed: {text}")

    async def _release_client(self) -> None:
        lease, self._lease = self._lease, None
        if lease is not None:
            await lease.release()

    # --- cancellation ------------------------------------------------------------------------------

    async def cleanup(self) -> None:
        """Release the shared client if ``run()`` still holds it (it was cancelled)."""
        await self._release_client()

    async def on_kill(self) -> None:
        """The user killed the deferred task: cancel the run if ``cancel_on_kill`` (best effort)."""
        if not self.cancel_on_kill:
            return
        cancel = get_resource(self.resource).actions.get("cancel")
        if cancel is None or not cancel.sources:
            self.log.info(
                "cancel_on_kill only cancels runs; leaving %s %s alone", self.resource, self.resource_id
            )
            return
        try:
            await asyncio.wait_for(self._cancel_run(cancel.sources), ON_KILL_SECONDS)
        except Exception as exc:
            self.log.warning(
                "Could not cancel %s %s: %s",
                get_resource(self.resource).display,
                self.resource_id,
                self._error_message(exc),
            )

    async def _cancel_run(self, cancellable: frozenset[str]) -> None:
        lease = self._lease
        own = lease is None or lease.released
        if own:
            lease = await self._hook().aacquire_shared_client()
        assert lease is not None
        what = get_resource(self.resource).display
        try:
            client = await lease.client()
            args = {self.lifecycle.id_param: self.resource_id}
            state = (await client.call(self.lifecycle.get_operation, **args)).data.get("lifecycleState")
            if state not in cancellable:
                self.log.info("%s %s is %s; nothing to cancel", what.capitalize(), self.resource_id, state)
                return
            resp = await client.call(f"cancel_{self.resource}", **args)
            self.log.info(
                "Cancelled %s %s (was %s; opc-request-id %s)", what, self.resource_id, state, resp.request_id
            )
        finally:
            if own:
                await lease.release()
