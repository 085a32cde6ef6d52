"""ML application instances: CREATING -> ACTIVE (INACTIVE when ``isEnabled`` is false), UPDATING,
DELETING -> DELETED, each with a work request; their instance view follows them.

An instance needs an ACTIVE implementation of its ML application with a deployed package (an
ACTIVE implementation version); it runs that version. The ``emulator-fail-actions`` freeform tag
(``create``, ``update``) fails an action: FAILED for a create, NEEDS_ATTENTION (substate
RECOVERABLE_SERVICE_ISSUE, so its view can be recovered) for an update.
"""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources.base import (
    ApiError,
    Reply,
    Request,
    Services,
    check_compartment,
    check_if_match,
    idempotent,
    incorrect_state,
    invalid,
    list_reply,
    related,
    resource_reply,
    tags,
)
from airflow_ds_provider.emulator.resources.ml_application_instance_views import (
    MIRRORED,
    new_view,
    start_flow,
)
from airflow_ds_provider.emulator.resources.ml_application_shared import (
    DURATION,
    check_script_tags,
    live,
    mirror,
    move,
    purge,
    scripted,
    what,
)
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.store import Record, Step
from airflow_ds_provider.resources import RESOURCES

_KIND = "ml_application_instance"
_ID = "mlApplicationInstanceId"
_ACTIONS = RESOURCES[_KIND].actions


def _deployed(svc: Services, app_id: str, implementation_id: Any) -> tuple[Record, Record]:
    """The implementation (of ``app_id``, ACTIVE) and the version it runs, or 400/404/409."""
    field = "mlApplicationImplementationId"
    implementation = related(svc, "ml_application_implementation", implementation_id, field, "implementation")
    if implementation.data["mlApplicationId"] != app_id:
        raise invalid(field, f"implementation {implementation.id} belongs to another ML application")
    state = implementation.data["lifecycleState"]
    if state != "ACTIVE":
        raise incorrect_state(what(implementation.kind), state, "instantiate")
    package = implementation.data.get("packageVersion")
    for version in svc.store.of_kind("ml_application_implementation_version"):
        if (
            version.data["mlApplicationImplementationId"] == implementation.id
            and version.data["packageVersion"] == package
            and version.data["lifecycleState"] == "ACTIVE"
        ):
            return implementation, version
    raise ApiError(
        409, "IncorrectState", f"{field}: implementation {implementation.id} has no deployed package"
    )


def _configuration(body: dict[str, Any]) -> list[dict[str, Any]] | None:
    configuration = body.get("configuration")
    if configuration is None:
        return None
    keys = [item["key"] for item in configuration]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise invalid("configuration", f"keys must be unique; repeated: {duplicates}")
    return configuration


def _view(svc: Services, instance: Record) -> Record | None:
    return svc.store.get(instance.extra.get("view", ""), "ml_application_instance_view")


def upgrade_instances(svc: Services, implementation_id: str, version: Record, at: float) -> None:
    """From ``at`` (a package upload's end), move the settled instances of the implementation to
    ``version``: UPDATING (substate UPGRADING), then back, each view with an
    ``ML_APPLICATION_INSTANCE_VIEW_UPGRADE`` work request."""
    end = at + svc.store.clock.scaled(DURATION)
    operation = RESOURCES["ml_application_instance_view"].work_request_type("upgrade")
    for instance in list(svc.store.of_kind(_KIND)):
        state = instance.data["lifecycleState"]
        if instance.data["mlApplicationImplementationId"] != implementation_id or instance.steps:
            continue
        if state not in ("ACTIVE", "INACTIVE"):
            continue
        upgrading = {"lifecycleState": "UPDATING", "lifecycleSubstate": "UPGRADING"}
        instance.schedule(
            [Step(at, upgrading), Step(end, {"lifecycleState": state, "lifecycleSubstate": state})]
        )
        view = _view(svc, instance)
        if view is None:
            continue
        mirror(view, instance)
        view.steps[-1].patch.update(
            {
                "packageVersion": version.data["packageVersion"],
                "mlApplicationImplementationVersionId": version.id,
            }
        )
        svc.lifecycles.work_request(operation, view, "UPDATED", end)


@handles("create_ml_application_instance")
def create_ml_application_instance(svc: Services, req: Request) -> Reply:
    """POST /mlApplicationInstances (ML_APPLICATION_INSTANCE_CREATE)."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        check_script_tags(_KIND, body)
        configuration = _configuration(body)
        with svc.store.lock:
            purge(svc)
            app = related(
                svc, "ml_application", body.get("mlApplicationId"), "mlApplicationId", "ML application"
            )
            implementation, version = _deployed(svc, app.id, body.get("mlApplicationImplementationId"))
            ocid = new_ocid(_KIND, svc.region)
            now = svc.stamp()
            enabled = body.get("isEnabled", True)
            data = {
                "id": ocid,
                "displayName": body.get("displayName") or f"{app.data['name']}-instance",
                "mlApplicationId": app.id,
                "mlApplicationName": app.data["name"],
                "mlApplicationImplementationId": implementation.id,
                "mlApplicationImplementationName": implementation.data["name"],
                "isEnabled": enabled,
                "compartmentId": compartment,
                "timeCreated": now,
                "timeUpdated": now,
                "lifecycleState": "CREATING",
                "lifecycleDetails": "ML application instance is being created",
                **tags(body),
            }
            if body.get("authConfiguration") is not None:
                data["authConfiguration"] = {"type": body["authConfiguration"]["type"]}
            if configuration is not None:
                data["configuration"] = configuration
            record = svc.store.add(_KIND, data)
            settled = "ACTIVE" if enabled else "INACTIVE"
            work = scripted(svc, record, "create", "CREATED", settled)
            new_view(svc, record, version, implementation.data["compartmentId"])
            location = f"/20190101/mlApplicationInstances/{ocid}"
            headers = {"opc-work-request-id": work.id, "location": location, "content-location": location}
            return resource_reply(svc, record, **headers)

    return idempotent(svc, req, create)


@handles("get_ml_application_instance")
def get_ml_application_instance(svc: Services, req: Request) -> Reply:
    """GET /mlApplicationInstances/{mlApplicationInstanceId}."""
    with svc.store.lock:
        return resource_reply(svc, live(svc, _KIND, req.params[_ID]))


@handles("list_ml_application_instances")
def list_ml_application_instances(svc: Services, req: Request) -> Reply:
    """GET /mlApplicationInstances."""
    purge(svc)
    filters = {"mlApplicationId": lambda data, value: data["mlApplicationId"] == value}
    return list_reply(svc, req, _KIND, filters=filters)


def _acting(svc: Services, req: Request, action: str) -> Record:
    record = live(svc, _KIND, req.params[_ID])
    check_if_match(req, record)
    state = record.data["lifecycleState"]
    if state not in _ACTIONS[action].sources:
        raise incorrect_state(what(_KIND), state, action)
    return record


@handles("update_ml_application_instance")
def update_ml_application_instance(svc: Services, req: Request) -> Reply:
    """PUT /mlApplicationInstances/{id} (ML_APPLICATION_INSTANCE_UPDATE): UPDATING (substate
    UPGRADING when it moves to another implementation), then ACTIVE, or INACTIVE if disabled."""
    with svc.store.lock:
        record = _acting(svc, req, "update")
        body = req.body
        check_script_tags(_KIND, body)
        patch: dict[str, Any] = {
            k: body[k] for k in ("isEnabled", "freeformTags", "definedTags") if k in body
        }
        if body.get("configuration") is not None:
            patch["configuration"] = _configuration(body)
        view = _view(svc, record)
        view_patch: dict[str, Any] = {}
        moved = body.get("mlApplicationImplementationId") not in (
            None,
            record.data["mlApplicationImplementationId"],
        )
        if moved:
            implementation, version = _deployed(
                svc, record.data["mlApplicationId"], body["mlApplicationImplementationId"]
            )
            patch["mlApplicationImplementationId"] = implementation.id
            patch["mlApplicationImplementationName"] = implementation.data["name"]
            view_patch = {
                "packageVersion": version.data["packageVersion"],
                "mlApplicationImplementationVersionId": version.id,
            }
        record.apply({**patch, "timeUpdated": svc.stamp()})
        settled = "ACTIVE" if record.data["isEnabled"] else "INACTIVE"
        work = scripted(svc, record, "update", "UPDATED", settled)
        if moved:
            record.apply({"lifecycleSubstate": "UPGRADING"})
        if view is not None:
            view.apply({**{k: record.data[k] for k in MIRRORED if k in record.data}, **view_patch})
            mirror(view, record)
        return Reply(202, None, {"opc-work-request-id": work.id})


@handles("delete_ml_application_instance")
def delete_ml_application_instance(svc: Services, req: Request) -> Reply:
    """DELETE /mlApplicationInstances/{id} (ML_APPLICATION_INSTANCE_DELETE): DELETING -> DELETED,
    its view too."""
    with svc.store.lock:
        record = _acting(svc, req, "delete")
        work = scripted(svc, record, "delete", "DELETED")
        view = _view(svc, record)
        if view is not None:
            mirror(view, record)
        return Reply(202, None, {"opc-work-request-id": work.id})


@handles("trigger_ml_application_instance_flow")
def trigger_ml_application_instance_flow(svc: Services, req: Request) -> Reply:
    """POST .../actions/trigger (ML_APPLICATION_TRIGGER_START): an ACTIVE instance, an enabled trigger."""

    def run() -> Reply:
        with svc.store.lock:
            record = live(svc, _KIND, req.params[_ID])
            view = _view(svc, record)
            if view is None:
                raise incorrect_state(what(_KIND), record.data["lifecycleState"], "trigger a flow of")
            return start_flow(svc, view, record, req.body["triggerName"])

    return idempotent(svc, req, run)


@handles("change_ml_application_instance_compartment")
def change_ml_application_instance_compartment(svc: Services, req: Request) -> Reply:
    """POST .../actions/changeCompartment (ML_APPLICATION_INSTANCE_MOVE)."""
    return move(svc, req, _KIND)
