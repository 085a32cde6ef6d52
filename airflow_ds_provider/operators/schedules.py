"""Operators for OCI Data Science schedules: schedules that start job runs or pipeline runs on
OCI's side (the service starts the runs; :class:`~airflow_ds_provider.sensors.schedules.DataScienceScheduleRunSensor`
waits for the next one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.links.console import DataScienceConsoleLink
from airflow_ds_provider.operators._resource_actions import (
    ChangeCompartmentOperator,
    DeleteResourceOperator,
    LifecycleActionOperator,
    build_create_body,
    build_update_body,
    check_body,
    create_resource,
)
from airflow_ds_provider.operators._schedule_body import (
    TRIGGER_ARGS,
    check_trigger,
    schedule_action,
    schedule_trigger,
)
from airflow_ds_provider.operators.base import (
    DataScienceWaitingOperator,
    ds_template_fields,
    load_body,
    merge_body,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.client.response import Response

_SCHEDULE = "schedule"
_CREATE_FIELDS = (
    "compartment_id",
    "project_id",
    "display_name",
    "description",
    "freeform_tags",
    "defined_tags",
)
_UPDATE_FIELDS = ("display_name", "description", "freeform_tags", "defined_tags")
_WHAT = ("job_id", "pipeline_id", "run_details")
_WHEN = (*TRIGGER_ARGS, "time_start", "time_end")


def check_schedule_body(model_name: str, body: Any, field: str) -> None:
    """The shared body check plus the trigger's content (:func:`._schedule_body.check_trigger`)."""
    check_body(model_name, body, field)
    check_trigger(body.get("trigger"), f"{field}.trigger")


class DataScienceCreateScheduleOperator(DataScienceWaitingOperator):
    """Create a schedule that starts job runs or pipeline runs, and (by default) wait until it is
    ACTIVE.

    What it starts and when may be given in the body (``action``, ``trigger``) or through the
    shorthands below, which win over the body's. Everything is checked before the create, naming
    the field (cron fields and ranges, the iCal ``FREQ``, a positive interval, the window). The
    create carries a deterministic ``opc-retry-token`` and the task instance's identity tags, so
    a retry adopts the schedule an earlier try created instead of making a second one.

    :param create_schedule_details: ``CreateScheduleDetails`` in wire format (camelCase), as a
        dict, JSON text, or a ``.json`` template file name.
    :param compartment_id: compartment OCID (default: the connection's ``compartment_id``).
    :param project_id: project OCID.
    :param display_name: display name.
    :param description: description.
    :param freeform_tags: freeform tags (merged over the body's; the Airflow identity tags are added).
    :param defined_tags: defined tags (merged over the body's).
    :param job_id: the schedule starts runs of this job (``CREATE_JOB_RUN``).
    :param pipeline_id: the schedule starts runs of this pipeline (``CREATE_PIPELINE_RUN``).
    :param run_details: fields of each run's ``CreateJobRunDetails`` / ``CreatePipelineRunDetails``
        (``displayName``, ``jobConfigurationOverrideDetails``, ``stepOverrideDetails``...); the
        run's project and compartment default to the schedule's.
    :param cron: trigger: a 5-field cron expression (UTC), e.g. ``"0 3 * * *"``.
    :param ical: trigger: an iCal recurrence, e.g. ``"FREQ=WEEKLY;INTERVAL=2"``.
    :param interval_hours: trigger: every so many hours.
    :param interval_days: trigger: every so many days.
    :param time_start: the trigger's first possible time (RFC 3339, aware datetime or epoch seconds).
    :param time_end: the trigger's last possible time.
    """

    resource = _SCHEDULE
    template_fields: Sequence[str] = ds_template_fields(
        "create_schedule_details", *_CREATE_FIELDS, *_WHAT, *_WHEN
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"create_schedule_details": "json", "run_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(
        self,
        *,
        create_schedule_details: dict[str, Any] | str | None = None,
        compartment_id: str | None = None,
        project_id: str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        job_id: str | None = None,
        pipeline_id: str | None = None,
        run_details: dict[str, Any] | None = None,
        cron: str | None = None,
        ical: str | None = None,
        interval_hours: int | None = None,
        interval_days: int | None = None,
        time_start: Any = None,
        time_end: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.create_schedule_details = create_schedule_details
        self.compartment_id = compartment_id
        self.project_id = project_id
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags
        self.job_id = job_id
        self.pipeline_id = pipeline_id
        self.run_details = run_details
        self.cron = cron
        self.ical = ical
        self.interval_hours = interval_hours
        self.interval_days = interval_days
        self.time_start = time_start
        self.time_end = time_end

    def execute(self, context: Context) -> Any:
        field = "create_schedule_details"
        first_class = {name: getattr(self, name) for name in _CREATE_FIELDS}
        body = merge_body(load_body(self.create_schedule_details, field), **first_class)
        trigger = schedule_trigger(**{name: getattr(self, name) for name in _WHEN})
        if trigger is not None:
            body["trigger"] = trigger
        if self.job_id is not None or self.pipeline_id is not None:
            body["action"] = schedule_action(
                job_id=self.job_id,
                pipeline_id=self.pipeline_id,
                run_details=self.run_details,
                project_id=body.get("projectId"),
                compartment_id=self.default_compartment(body.get("compartmentId")),
            )
        elif self.run_details is not None:
            raise ValueError("run_details: give job_id or pipeline_id with it (what the schedule starts)")
        body = build_create_body(
            self, context, body, field, "CreateScheduleDetails", check=check_schedule_body, **first_class
        )
        data = create_resource(self, context, _SCHEDULE, body)
        return self.wait(context, data["id"], initial=data)


class DataScienceUpdateScheduleOperator(LifecycleActionOperator):
    """Update a schedule (trigger, action, logging, names, tags) and wait for it to settle.

    An ``ACTIVE`` schedule goes through ``UPDATING`` back to ``ACTIVE``, an ``INACTIVE`` one back
    to ``INACTIVE``; a schedule already in a transition is waited for first.

    :param schedule_id: OCID of the schedule.
    :param update_schedule_details: ``UpdateScheduleDetails`` in wire format, as a dict, JSON
        text or a ``.json`` template file name (a new ``trigger`` is checked as at create).
    :param display_name: new display name.
    :param description: new description.
    :param freeform_tags: freeform tags (merged over the body's).
    :param defined_tags: defined tags (merged over the body's).
    """

    resource = _SCHEDULE
    action = "update"
    template_fields: Sequence[str] = ds_template_fields(
        "schedule_id", "update_schedule_details", *_UPDATE_FIELDS, "if_match"
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"update_schedule_details": "json"}

    def __init__(
        self,
        *,
        schedule_id: str,
        update_schedule_details: dict[str, Any] | str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.schedule_id = schedule_id
        self.update_schedule_details = update_schedule_details
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags

    def body(self) -> dict[str, Any]:
        """The checked update body."""
        return build_update_body(
            self, _UPDATE_FIELDS, check=check_schedule_body, empty_hint="display_name/description/tags"
        )

    def check_inputs(self) -> None:
        self.body()

    def is_done(self, state: str | None) -> bool:
        return False

    def send(self, resource_id: str, data: dict[str, Any]) -> Response:
        return self.hook.update_schedule(resource_id, self.body(), if_match=self.if_match)

    def targets_for(self, data: dict[str, Any]) -> list[str]:
        return ["INACTIVE" if data.get("lifecycleState") == "INACTIVE" else "ACTIVE"]


class DataScienceActivateScheduleOperator(LifecycleActionOperator):
    """Activate an ``INACTIVE`` schedule and (by default) wait until it is ACTIVE.

    :param schedule_id: OCID of the schedule.
    """

    resource = _SCHEDULE
    action = "activate"
    template_fields: Sequence[str] = ds_template_fields("schedule_id", "if_match")

    def __init__(self, *, schedule_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.schedule_id = schedule_id


class DataScienceDeactivateScheduleOperator(LifecycleActionOperator):
    """Deactivate an ``ACTIVE`` schedule (it starts no run while INACTIVE) and (by default) wait
    until it is INACTIVE.

    :param schedule_id: OCID of the schedule.
    """

    resource = _SCHEDULE
    action = "deactivate"
    template_fields: Sequence[str] = ds_template_fields("schedule_id", "if_match")

    def __init__(self, *, schedule_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.schedule_id = schedule_id


class DataScienceDeleteScheduleOperator(DeleteResourceOperator):
    """Delete a schedule and (by default) wait until it is gone (runs it started are kept).

    :param schedule_id: OCID of the schedule.
    """

    resource = _SCHEDULE
    template_fields: Sequence[str] = ds_template_fields("schedule_id", "if_match")

    def __init__(self, *, schedule_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.schedule_id = schedule_id


class DataScienceChangeScheduleCompartmentOperator(ChangeCompartmentOperator):
    """Move a schedule to another compartment.

    :param schedule_id: OCID of the schedule.
    """

    resource = _SCHEDULE
    template_fields: Sequence[str] = ds_template_fields("schedule_id", "compartment_id")

    def __init__(self, *, schedule_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.schedule_id = schedule_id
