"""ML application instance views: the provider's side of an instance, created and deleted with it
(in the implementation's compartment), following its state; ``recover`` (UPDATING -> ACTIVE) from
a recoverable NEEDS_ATTENTION; triggers enabled and disabled by name, flows started by name.

Trigger names are not read from the package: any name is accepted and starts a flow (an
``ML_APPLICATION_TRIGGER_START`` work request) unless it was disabled; a trigger that was
enabled or disabled shows as an ``ML_APPLICATION_INSTANCE_INTERNAL_TRIGGER`` instance component.
"""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources.base import (
    ApiError,
    Reply,
    Request,
    Services,
    apply_update,
    check_if_match,
    idempotent,
    incorrect_state,
    list_reply,
    resource_reply,
)
from airflow_ds_provider.emulator.resources.ml_application_shared import (
    check_script_tags,
    live,
    mirror,
    move,
    purge,
    scripted,
    state_work,
    what,
)
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.store import Record
from airflow_ds_provider.kinds.ml_applications import RECOVERABLE_SUBSTATES
from airflow_ds_provider.resources import RESOURCES

_KIND = "ml_application_instance_view"
_ID = "mlApplicationInstanceViewId"
_RECOVERABLE = RESOURCES[_KIND].actions["recover"].sources
_TRIGGER = "ML_APPLICATION_INSTANCE_INTERNAL_TRIGGER"
#: States in which triggers may be enabled or disabled (not while changing, failed or deleted).
_SETTLED = ("ACTIVE", "INACTIVE", "NEEDS_ATTENTION")
#: Instance fields a view shows as they are.
MIRRORED = (
    "displayName",
    "mlApplicationId",
    "mlApplicationName",
    "mlApplicationImplementationId",
    "mlApplicationImplementationName",
    "authConfiguration",
    "configuration",
    "isEnabled",
)


def new_view(svc: Services, instance: Record, version: Record, compartment: str) -> Record:
    """The view of a new instance (state and scheduled changes mirrored from it)."""
    data = {
        "id": new_ocid(_KIND, svc.region),
        "mlApplicationInstanceId": instance.id,
        **{k: instance.data[k] for k in MIRRORED if k in instance.data},
        "packageVersion": version.data["packageVersion"],
        "mlApplicationImplementationVersionId": version.id,
        "instanceComponents": [],
        "compartmentId": compartment,
        "timeCreated": instance.data["timeCreated"],
        "freeformTags": {},
        "definedTags": {},
    }
    view = svc.store.add(_KIND, data)
    mirror(view, instance)
    instance.extra["view"] = view.id
    return view


def start_flow(svc: Services, view: Record, owner: Record, trigger: str) -> Reply:
    """Start the flow of ``trigger`` (owner: the instance or view the request named)."""
    state = owner.data["lifecycleState"]
    if state != "ACTIVE":
        raise incorrect_state(what(owner.kind), state, "trigger a flow of")
    component = _trigger(view, trigger)
    if component is not None and not component["isEnabled"]:
        raise ApiError(409, "IncorrectState", f"triggerName: trigger {trigger!r} is disabled")
    work = state_work(svc, owner, "ML_APPLICATION_TRIGGER_START")
    return Reply(202, None, {"opc-work-request-id": work.id})


def _trigger(view: Record, name: str) -> dict[str, Any] | None:
    for component in view.data["instanceComponents"]:
        if component["type"] == _TRIGGER and component["componentName"] == name:
            return component
    return None


@handles("get_ml_application_instance_view")
def get_ml_application_instance_view(svc: Services, req: Request) -> Reply:
    """GET /mlApplicationInstanceViews/{mlApplicationInstanceViewId}."""
    with svc.store.lock:
        return resource_reply(svc, live(svc, _KIND, req.params[_ID]))


@handles("list_ml_application_instance_views")
def list_ml_application_instance_views(svc: Services, req: Request) -> Reply:
    """GET /mlApplicationInstanceViews."""
    purge(svc)
    filters = {
        name: (lambda field: lambda data, value: data[field] == value)(name)
        for name in ("mlApplicationId", "mlApplicationImplementationId", "mlApplicationInstanceId")
    }
    return list_reply(svc, req, _KIND, filters=filters)


@handles("update_ml_application_instance_view")
def update_ml_application_instance_view(svc: Services, req: Request) -> Reply:
    """PUT /mlApplicationInstanceViews/{id}: tags."""
    with svc.store.lock:
        record = live(svc, _KIND, req.params[_ID])
        check_if_match(req, record)
        check_script_tags(_KIND, req.body)
        apply_update(record, req.body, ("freeformTags", "definedTags"))
        return resource_reply(svc, record)


def _set_trigger(svc: Services, req: Request, enabled: bool) -> Reply:
    def run() -> Reply:
        with svc.store.lock:
            record = live(svc, _KIND, req.params[_ID])
            check_if_match(req, record)
            state = record.data["lifecycleState"]
            if state not in _SETTLED:
                raise incorrect_state(
                    what(_KIND), state, ("enable" if enabled else "disable") + " a trigger of"
                )
            name = req.body["triggerName"]
            components = [dict(c) for c in record.data["instanceComponents"]]
            component = next(
                (c for c in components if c["type"] == _TRIGGER and c["componentName"] == name), None
            )
            if component is None:
                component = {"type": _TRIGGER, "componentName": name, "name": name, "triggerDefinition": name}
                components.append(component)
            component["isEnabled"] = enabled
            record.apply({"instanceComponents": components})
            return resource_reply(svc, record)

    return idempotent(svc, req, run)


@handles("enable_ml_application_instance_view_trigger")
def enable_ml_application_instance_view_trigger(svc: Services, req: Request) -> Reply:
    """POST .../actions/enableTrigger."""
    return _set_trigger(svc, req, True)


@handles("disable_ml_application_instance_view_trigger")
def disable_ml_application_instance_view_trigger(svc: Services, req: Request) -> Reply:
    """POST .../actions/disableTrigger: its flow cannot be started until enabled again."""
    return _set_trigger(svc, req, False)


@handles("trigger_ml_application_instance_view_flow")
def trigger_ml_application_instance_view_flow(svc: Services, req: Request) -> Reply:
    """POST .../actions/trigger (ML_APPLICATION_TRIGGER_START)."""

    def run() -> Reply:
        with svc.store.lock:
            record = live(svc, _KIND, req.params[_ID])
            return start_flow(svc, record, record, req.body["triggerName"])

    return idempotent(svc, req, run)


@handles("recover_ml_application_instance_view")
def recover_ml_application_instance_view(svc: Services, req: Request) -> Reply:
    """POST .../actions/recover: from a recoverable substate, UPDATING -> ACTIVE, the instance too
    (work request ML_APPLICATION_INSTANCE_VIEW_UPDATE: the spec has no recover type)."""

    def run() -> Reply:
        with svc.store.lock:
            record = live(svc, _KIND, req.params[_ID])
            check_if_match(req, record)
            substate = record.data["lifecycleSubstate"]
            if record.data["lifecycleState"] not in _RECOVERABLE or substate not in RECOVERABLE_SUBSTATES:
                raise ApiError(
                    409,
                    "IncorrectState",
                    f"cannot recover {what(_KIND)} in substate {substate}; "
                    f"expected one of {sorted(RECOVERABLE_SUBSTATES)}",
                )
            work = scripted(
                svc, record, "recover", "UPDATED", operation=RESOURCES[_KIND].work_request_type("update")
            )
            instance = svc.store.get(record.data["mlApplicationInstanceId"], "ml_application_instance")
            if instance is not None:
                mirror(instance, record)
            return Reply(202, None, {"opc-work-request-id": work.id})

    return idempotent(svc, req, run)


@handles("change_ml_application_instance_view_compartment")
def change_ml_application_instance_view_compartment(svc: Services, req: Request) -> Reply:
    """POST .../actions/changeCompartment (ML_APPLICATION_INSTANCE_VIEW_MOVE)."""
    return move(svc, req, _KIND)
