"""Schedules: CREATING -> ACTIVE, deactivate (INACTIVE) and activate, update, move and delete, each
with a work request of the spec's ``SCHEDULE_*`` type; failures are scriptable (see
:mod:`.platform_common`). What an ACTIVE schedule starts, and when, is in :mod:`.schedule_runs`
(triggers: :mod:`.schedule_triggers`)."""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.emulator.clock import parse_rfc3339, rfc3339
from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources.base import (
    Reply,
    Request,
    Services,
    check_compartment,
    idempotent,
    invalid,
    list_reply,
    related,
    require,
    tags,
)
from airflow_ds_provider.emulator.resources.platform_common import (
    action_with_work_request,
    checked_ocid,
    checked_tags,
    create_with_work_request,
    get_one,
    move,
    path_param,
    update_patch,
    what,
)
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.resources.schedule_runs import track
from airflow_ds_provider.emulator.resources.schedule_triggers import TriggerError, parse_trigger

_KIND = "schedule"
_UPDATABLE = ("displayName", "description", "trigger", "action", "logDetails", "freeformTags", "definedTags")
#: httpActionType -> (field of the run's details, the kind and field of what it runs).
_TARGETS = {
    "CREATE_JOB_RUN": ("createJobRunDetails", "job", "jobId"),
    "CREATE_PIPELINE_RUN": ("createPipelineRunDetails", "pipeline", "pipelineId"),
}


def _checked_trigger(trigger: dict[str, Any], created: float) -> dict[str, Any]:
    """The trigger as stored: checked, its window times in the service's format (UTC, ms)."""
    try:
        parse_trigger(trigger, created)
    except TriggerError as exc:
        raise invalid(exc.field, exc.message) from None
    window = {k: rfc3339(parse_rfc3339(trigger[k])) for k in ("timeStart", "timeEnd") if trigger.get(k)}
    return {**trigger, **window}


def _check_action(svc: Services, action: dict[str, Any]) -> None:
    details = action["actionDetails"]
    kind = details["httpActionType"]
    where = "action.actionDetails"
    if kind in _TARGETS:
        field, target, id_field = _TARGETS[kind]
        run = details[field]
        check_compartment(run.get("compartmentId"), f"{where}.{field}.compartmentId")
        related(svc, target, run.get(id_field), f"{where}.{field}.{id_field}", target.replace("_", " "))
        if run.get("projectId") is not None:
            related(svc, "project", run["projectId"], f"{where}.{field}.projectId", "project")
    else:
        checked_ocid(details.get("mlApplicationInstanceViewId"), f"{where}.mlApplicationInstanceViewId")


def _check_log(log: dict[str, Any] | None) -> None:
    if log is not None:
        checked_ocid(log.get("logGroupId"), "logDetails.logGroupId", ("log_group",))
        checked_ocid(log.get("logId"), "logDetails.logId", ("log",))


@handles("create_schedule")
def create_schedule(svc: Services, req: Request) -> Reply:
    """POST /schedules."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        checked_tags(_KIND, body)
        now = svc.now()
        trigger = _checked_trigger(body["trigger"], now)
        _check_log(body.get("logDetails"))
        with svc.store.lock:
            project = related(svc, "project", body.get("projectId"), "projectId", "project")
            _check_action(svc, body["action"])
            data = {
                "id": new_ocid(_KIND, svc.region),
                "compartmentId": compartment,
                "projectId": project.id,
                "displayName": body["displayName"],
                **{k: body[k] for k in ("description", "logDetails") if body.get(k) is not None},
                "timeCreated": rfc3339(now),
                "timeUpdated": rfc3339(now),
                "createdBy": req.principal.user,
                "trigger": trigger,
                "action": body["action"],
                "systemTags": {},
                **tags(body),
            }
            reply = create_with_work_request(svc, req, _KIND, data)
            record = svc.store.records[reply.body["id"]]
            record.extra["principal"] = req.principal
            track(svc, record, now)
            return reply

    return idempotent(svc, req, create)


@handles("get_schedule")
def get_schedule(svc: Services, req: Request) -> Reply:
    """GET /schedules/{scheduleId}."""
    return get_one(svc, req, _KIND)


@handles("list_schedules")
def list_schedules(svc: Services, req: Request) -> Reply:
    """GET /schedules (filters: project, state, name, id)."""
    return list_reply(svc, req, _KIND)


@handles("update_schedule")
def update_schedule(svc: Services, req: Request) -> Reply:
    """PUT /schedules/{scheduleId}: UPDATING, then back to ACTIVE or INACTIVE."""
    body = req.body
    checked_tags(_KIND, body)
    with svc.store.lock:
        record = require(svc, _KIND, req.params[path_param(_KIND)], what(_KIND))
        if body.get("action") is not None:
            _check_action(svc, body["action"])
        _check_log(body.get("logDetails"))
        patch = update_patch(body, _UPDATABLE)
        if "trigger" in patch:
            patch["trigger"] = _checked_trigger(patch["trigger"], record.extra["created"])
        patch["timeUpdated"] = svc.stamp()
        return action_with_work_request(svc, req, _KIND, "update", patch=patch)


@handles("activate_schedule")
def activate_schedule(svc: Services, req: Request) -> Reply:
    """POST /schedules/{scheduleId}/actions/activate: INACTIVE -> UPDATING -> ACTIVE."""
    return idempotent(
        svc,
        req,
        lambda: action_with_work_request(svc, req, _KIND, "activate"),
    )


@handles("deactivate_schedule")
def deactivate_schedule(svc: Services, req: Request) -> Reply:
    """POST /schedules/{scheduleId}/actions/deactivate: ACTIVE -> UPDATING -> INACTIVE."""
    return idempotent(
        svc,
        req,
        lambda: action_with_work_request(svc, req, _KIND, "deactivate"),
    )


@handles("delete_schedule")
def delete_schedule(svc: Services, req: Request) -> Reply:
    """DELETE /schedules/{scheduleId}: DELETING -> DELETED; no run starts once it is deleting."""
    return action_with_work_request(svc, req, _KIND, "delete")


@handles("change_schedule_compartment")
def change_schedule_compartment(svc: Services, req: Request) -> Reply:
    """POST /schedules/{scheduleId}/actions/changeCompartment."""
    return move(svc, req, _KIND)
