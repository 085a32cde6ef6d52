"""Sensors for Data Science schedules: the schedule's own lifecycle, and the next run it starts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import PokeReturnValue

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider._retry_policy import MissingResourceError
from airflow_ds_provider.client.errors import NotFoundError
from airflow_ds_provider.client.waiter import check_state, failure_error
from airflow_ds_provider.lifecycle import Outcome, get_lifecycle
from airflow_ds_provider.operators._adoption import store_get, store_set
from airflow_ds_provider.schedule_runs import (
    XCOM_AFTER,
    RunTarget,
    default_after,
    iso,
    list_args,
    parse_after,
    pick_run,
    run_target,
)
from airflow_ds_provider.sensors.lifecycle import DataScienceLifecycleSensor, sensor_template_fields

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.triggers.schedules import DataScienceScheduleRunTrigger

_SCHEDULE = "schedule"
#: XCom key of the OCID of the run the schedule started (the return value is its JSON).
XCOM_RUN_ID = "schedule_run_id"


class DataScienceScheduleSensor(DataScienceLifecycleSensor):
    """Wait until a schedule is ``ACTIVE`` (fails on ``FAILED``, ``DELETED``).

    :param schedule_id: OCID of the schedule (templated).

    The other parameters are those of :class:`DataScienceLifecycleSensor`.
    """

    template_fields: Sequence[str] = sensor_template_fields("schedule_id")
    id_field = "schedule_id"

    def __init__(self, *, schedule_id: str, **kwargs: Any) -> None:
        super().__init__(resource=_SCHEDULE, **kwargs)
        self.schedule_id = schedule_id


class DataScienceScheduleRunSensor(DataScienceLifecycleSensor):
    """Wait for the next run a schedule starts (a job run or a pipeline run) to finish.

    The run waited for is the first one the schedule starts at or after the starting point:
    ``after`` when given, else the moment the sensor began, on the service's clock (just after
    the newest run the schedule had started then, or its creation when it had started none). The
    starting point is computed once per try and kept: in ``reschedule`` mode in
    ``task_state_store`` (Airflow 3.3+; before, the first poke's start date), in deferrable mode
    in the trigger, so neither a reschedule nor a triggerer restart moves it. It is pushed as
    XCom ``schedule_run_after``. A run is the schedule's when it carries the freeform tag
    ``scheduleId`` naming the schedule.

    Returns (XCom) the run's JSON once it ``SUCCEEDED``; a failed run fails the task with its
    ``lifecycleDetails``. A schedule that is ``FAILED`` or ``DELETED`` before it started the run
    fails the task (it will start none); an ``INACTIVE`` one is waited for (it may be activated).
    The run's OCID is pushed as XCom ``schedule_run_id``.

    :param schedule_id: OCID of the schedule (templated).
    :param after: starting point (templated): an RFC 3339 timestamp, an aware ``datetime`` or
        epoch seconds, e.g. ``"{{ data_interval_end }}"``. Default: when the sensor began.

    The other parameters (``poll_interval``, ``timeout``, ``mode``, ``deferrable``,
    ``soft_fail``...) are those of :class:`DataScienceLifecycleSensor`.
    """

    template_fields: Sequence[str] = ("schedule_id", "after", "oci_conn_id", "region")
    id_field = "schedule_id"

    def __init__(self, *, schedule_id: str, after: Any = None, **kwargs: Any) -> None:
        super().__init__(resource=_SCHEDULE, **kwargs)
        self.schedule_id = schedule_id
        self.after = after
        self._after_ts: float | None = None
        self._target: RunTarget | None = None
        self._run_id: str | None = None

    def execute(self, context: Context) -> Any:
        """Fix the starting point, then wait (see :class:`DataScienceLifecycleSensor`)."""
        self._settings()
        self._after_ts = self._starting_point(context)
        context["ti"].xcom_push(key=XCOM_AFTER, value=iso(self._after_ts))
        return super().execute(context)

    def _starting_point(self, context: Context) -> float:
        """``after``; else the one this try recorded; else computed now and recorded.

        Computed, it is on the service's clock (:func:`~airflow_ds_provider.schedule_runs.default_after`);
        on an Airflow without ``task_state_store`` a later reschedule poke uses the first poke's
        start date instead.
        """
        given = parse_after(self.after)
        if given is not None:
            return given
        ti = context["ti"]
        key = f"{XCOM_AFTER}:{getattr(ti, 'try_number', 1)}"
        try:
            stored = parse_after(store_get(context, key, self.log), key)
        except ValueError:
            stored = None
        if stored is not None:
            return stored
        if self.reschedule and context.get("task_reschedule_count", 0):
            try:
                first = ti.get_first_reschedule_date(context)
            except Exception as exc:  # a hint only: without it the service's state is read
                self.log.warning("Could not read the first reschedule date: %s", exc)
                first = None
            if first is not None:
                return first.timestamp()
        schedule = self._schedule(self._settings()[1])
        runs = self.hook.paginate(self._target.list_operation, **list_args(self._target))  # type: ignore[union-attr]
        started = parse_after(iso(default_after(runs, schedule))) or 0.0  # the recorded value, to the ms
        store_set(context, key, iso(started), self.log)
        return started

    def _schedule(self, schedule_id: str) -> dict[str, Any]:
        """The schedule's JSON (its target noted); a 404 fails at once naming ``schedule_id``."""
        try:
            schedule = self.hook.get_schedule(schedule_id).data
        except NotFoundError as exc:
            raise MissingResourceError(self.id_field, _SCHEDULE, schedule_id, str(exc)) from None
        self._target = run_target(schedule)
        return schedule

    def poke(self, context: Context) -> PokeReturnValue:
        """Find the schedule's run (once found, read only the run); done when it has ended."""
        _, schedule_id = self._settings()
        if self._run_id is None:
            run = self._find(schedule_id)
            if run is None:
                return PokeReturnValue(is_done=False)
            self._run_id = run["id"]
            context["ti"].xcom_push(key=XCOM_RUN_ID, value=self._run_id)
        assert self._target is not None
        lifecycle = get_lifecycle(self._target.kind)
        data = self.hook.call(lifecycle.get_operation, **{lifecycle.id_param: self._run_id}).data
        check = check_state(lifecycle, self._run_id, data)
        if check.outcome is Outcome.SUCCESS:
            self.log.info("%s", check.message)
            return PokeReturnValue(is_done=True, xcom_value=data)
        if check.outcome is Outcome.FAILURE:
            raise AirflowFailException(str(failure_error(lifecycle, self._run_id, data)))
        self.log.info("%s", check.message)
        return PokeReturnValue(is_done=False)

    def _find(self, schedule_id: str) -> dict[str, Any] | None:
        schedule = self._schedule(schedule_id)
        assert self._after_ts is not None and self._target is not None
        runs = self.hook.paginate(self._target.list_operation, **list_args(self._target))
        run = pick_run(runs, schedule_id, self._after_ts)
        state = schedule.get("lifecycleState")
        if run is not None:
            self.log.info(
                "Schedule %s started %s %s; waiting for it to end",
                schedule_id,
                self._target.kind.replace("_", " "),
                run["id"],
            )
            return run
        if state in get_lifecycle(_SCHEDULE).final:
            raise AirflowFailException(f"schedule_id: schedule {schedule_id} is {state}: it starts no run")
        self.log.info(
            "No run of schedule %s since %s yet (it is %s; next run due %s)",
            schedule_id,
            iso(self._after_ts),
            state,
            schedule.get("timeNextScheduledRun") or "never",
        )
        return None

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume after the trigger: push the run's OCID, then return its JSON or fail."""
        if isinstance(event, dict) and event.get("resource") != _SCHEDULE and event.get("resource_id"):
            context["ti"].xcom_push(key=XCOM_RUN_ID, value=event["resource_id"])
        return super().execute_complete(context, event)

    def build_trigger(
        self, *, poll_interval: float, deadline: float | None = None, **_: Any
    ) -> DataScienceScheduleRunTrigger:
        """:class:`~airflow_ds_provider.triggers.schedules.DataScienceScheduleRunTrigger`, with
        the starting point and the absolute deadline (the schedule's own states do not apply)."""
        from airflow_ds_provider.triggers.schedules import DataScienceScheduleRunTrigger

        _, schedule_id = self._settings()
        assert self._after_ts is not None
        return DataScienceScheduleRunTrigger(
            schedule_id,
            self._after_ts,
            oci_conn_id=self.oci_conn_id,
            region=self.region,
            poll_interval=poll_interval,
            deadline=deadline,
        )
