"""Triggers for Data Science schedules: the schedule's own lifecycle, and the next run it starts.

:class:`DataScienceScheduleRunTrigger` carries the schedule OCID, the starting point (epoch
seconds, computed once by the sensor) and an absolute deadline, so a triggerer restart resumes
with the same starting point and deadline. It lists the runs of the schedule's job or pipeline
until one the schedule started since the starting point appears (:mod:`airflow_ds_provider.schedule_runs`),
then waits for that run exactly as :class:`DataScienceLifecycleTrigger` waits for any run (the
same flow and event shape; ``resource`` is ``job_run`` or ``pipeline_run``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_ds_provider.client.errors import DataScienceError, NotFoundError
from airflow_ds_provider.client.waiter import seconds
from airflow_ds_provider.hooks.data_science import DataScienceHook
from airflow_ds_provider.lifecycle import get_lifecycle
from airflow_ds_provider.ocids import validate_ocid
from airflow_ds_provider.schedule_runs import RunTarget, iso, list_args, pick_run, run_target, run_time
from airflow_ds_provider.triggers.lifecycle import (
    DEFAULT_CONN_ID,
    ERROR,
    FAILURE,
    TIMEOUT,
    DataScienceLifecycleTrigger,
    _redact,
    check_connection_args,
    check_deadline,
    first_poll_delay,
    jittered,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from airflow_ds_provider.client.async_client import AsyncDataScienceClient
    from airflow_ds_provider.client.shared_clients import ClientLease
    from airflow_ds_provider.triggers.lifecycle import LifecycleTriggerOptions

_SCHEDULE = "schedule"


class DataScienceScheduleTrigger(DataScienceLifecycleTrigger):
    """Wait for a schedule until it is ``ACTIVE`` (failure: ``FAILED``, ``DELETED``).

    :param schedule_id: OCID of the schedule.

    The other parameters (keywords) are those of :class:`DataScienceLifecycleTrigger`.
    """

    resource = _SCHEDULE
    id_arg = "schedule_id"

    def __init__(self, schedule_id: str, **options: Unpack[LifecycleTriggerOptions]) -> None:
        super().__init__(self.resource, schedule_id, **options)


class DataScienceScheduleRunTrigger(BaseTrigger):
    """Wait for the first run a schedule starts at or after ``after``, then for that run to end.

    Yields one event of the lifecycle trigger's shape: ``success`` / ``failure`` with the run's
    JSON (``resource`` ``job_run`` or ``pipeline_run``), ``timeout`` at the deadline (also while
    no run has started yet), ``error`` when the schedule cannot start a run to wait for.

    :param schedule_id: OCID of the schedule.
    :param after: starting point, epoch seconds: runs accepted earlier are not this wait's.
    :param oci_conn_id: Airflow connection of type ``oci_data_science``.
    :param region: region override (default: the connection's).
    :param poll_interval: seconds between reads.
    :param deadline: absolute UNIX timestamp of the ``timeout`` event (``None``: no deadline).
    """

    def __init__(
        self,
        schedule_id: str,
        after: float,
        oci_conn_id: str = DEFAULT_CONN_ID,
        region: str | None = None,
        poll_interval: float = 30.0,
        deadline: float | None = None,
    ) -> None:
        super().__init__()
        self.schedule_id = validate_ocid(schedule_id, "schedule_id", (_SCHEDULE,))
        if isinstance(after, bool) or not isinstance(after, (int, float)):
            raise ValueError(f"after: expected epoch seconds (float), got {after!r}")
        self.after = float(after)
        check_connection_args(oci_conn_id, region)
        self.oci_conn_id = oci_conn_id
        self.region = region
        self.poll_interval = float(seconds("poll_interval", poll_interval) or 0.0)
        self.deadline = check_deadline(deadline)
        self._lease: ClientLease | None = None

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Classpath (derived from the class itself) and JSON-serializable constructor kwargs."""
        return f"{type(self).__module__}.{type(self).__qualname__}", {
            "schedule_id": self.schedule_id,
            "after": self.after,
            "oci_conn_id": self.oci_conn_id,
            "region": self.region,
            "poll_interval": self.poll_interval,
            "deadline": self.deadline,
        }

    def _event(self, status: str, message: str, resource: str = _SCHEDULE, **more: Any) -> dict[str, Any]:
        return {
            "status": status,
            "message": message,
            "resource": resource,
            "resource_id": more.get("resource_id", self.schedule_id),
            "state": more.get("state"),
            "data": more.get("data"),
        }

    def _remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.time()

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Find the run, then wait for it; yield exactly one event."""
        try:
            self._lease = await DataScienceHook(
                oci_conn_id=self.oci_conn_id, region=self.region
            ).aacquire_shared_client()
            event = await self._watch(self._lease)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            text = (
                str(exc)
                if isinstance(exc, (DataScienceError, ValueError))
                else f"{type(exc).__name__}: {exc}"
            )
            event = self._event(
                ERROR, _redact(f"watching the runs of schedule {self.schedule_id} failed: {text}")
            )
        await self.cleanup()
        self.log.info("%s", event["message"])
        yield TriggerEvent(event)

    async def _watch(self, lease: ClientLease) -> dict[str, Any]:
        await asyncio.sleep(first_poll_delay(self.poll_interval, self._remaining()))
        while True:
            client = await lease.client()
            try:
                schedule = (await client.get_schedule(self.schedule_id)).data
            except NotFoundError as exc:
                return self._event(ERROR, f"schedule_id: schedule {self.schedule_id} was not found: {exc}")
            target = run_target(schedule)
            run = await self._find(client, target)
            if run is not None:
                break
            state = schedule.get("lifecycleState")
            if state in get_lifecycle(_SCHEDULE).final:
                return self._event(
                    FAILURE,
                    f"schedule {self.schedule_id} is {state}: it starts no run",
                    state=state,
                    data=schedule,
                )
            remaining = self._remaining()
            if remaining is not None and remaining <= 0:
                return self._event(
                    TIMEOUT,
                    f"schedule {self.schedule_id} started no run since {iso(self.after)} before the deadline "
                    f"(it is {state}; next run due {schedule.get('timeNextScheduledRun') or 'never'})",
                    state=state,
                )
            pause = jittered(self.poll_interval)
            await asyncio.sleep(pause if remaining is None else min(pause, remaining))
        self.log.info(
            "Schedule %s started %s %s (accepted %s); waiting for it to end",
            self.schedule_id,
            target.kind.replace("_", " "),
            run["id"],
            iso(run_time(run) or self.after),
        )
        inner = DataScienceLifecycleTrigger(
            target.kind,
            run["id"],
            oci_conn_id=self.oci_conn_id,
            region=self.region,
            poll_interval=self.poll_interval,
            deadline=self.deadline,
        )
        return await inner._watch(lease)

    async def _find(self, client: AsyncDataScienceClient, target: RunTarget) -> dict[str, Any] | None:
        """The run the schedule started since ``after`` (reads only the runs since then)."""
        since: list[dict[str, Any]] = []
        async for run in client.paginate(target.list_operation, **list_args(target)):
            since.append(run)
            at = run_time(run)
            if at is not None and at < self.after:
                break
        return pick_run(since, self.schedule_id, self.after)

    async def cleanup(self) -> None:
        """Release the shared client if ``run()`` still holds it."""
        lease, self._lease = self._lease, None
        if lease is not None:
            await lease.release()
