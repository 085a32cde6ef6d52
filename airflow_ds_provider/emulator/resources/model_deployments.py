"""Model deployments: CREATING -> ACTIVE | FAILED, UPDATING, INACTIVE, DELETING -> DELETED (work requests).

Update, activate and deactivate can be scripted to fail (:mod:`airflow_ds_provider.emulator.actions`):
a failed update or deactivate ends NEEDS_ATTENTION, a failed activate FAILED.
"""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.emulator.actions import plan_action
from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources.base import (
    Reply,
    Request,
    Services,
    change_compartment,
    check_compartment,
    check_if_match,
    idempotent,
    incorrect_state,
    invalid,
    list_reply,
    paginate,
    related,
    require,
    resource_reply,
    tags,
)
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.scripting import ScriptError, check_tags, deployment_script
from airflow_ds_provider.emulator.store import Record

_WHAT = "model deployment"


def _model_id(config: dict[str, Any]) -> Any:
    return (config.get("modelConfigurationDetails") or {}).get("modelId")


def plan_create(svc: Services, record: Record, script: dict[str, Any]) -> Record:
    """Schedule CREATING -> outcome and the MODEL_DEPLOYMENT_CREATE work request."""
    outcome = script.get("outcome", "ACTIVE")
    details = script.get("details")
    if details is None and outcome == "FAILED":
        details = "Model deployment failed: the container did not pass its health check."
    duration = script.get("duration", svc.lifecycles.timings.deployment_create)
    end = svc.lifecycles.transition(record, "create", duration, settled=outcome, details=details)
    error = (details or "model deployment failed") if outcome == "FAILED" else None
    return svc.lifecycles.work_request("MODEL_DEPLOYMENT_CREATE", record, "CREATED", end, error=error)


@handles("create_model_deployment")
def create_model_deployment(svc: Services, req: Request) -> Reply:
    """POST /modelDeployments."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        config = body["modelDeploymentConfigurationDetails"]
        with svc.store.lock:
            project = related(svc, "project", body.get("projectId"), "projectId", "project")
            if config.get("deploymentType") == "SINGLE_MODEL":
                field = "modelDeploymentConfigurationDetails.modelConfigurationDetails.modelId"
                model = related(svc, "model", _model_id(config), field, "model")
                if model.data["lifecycleState"] != "ACTIVE":
                    raise invalid(field, f"model is {model.data['lifecycleState']}, not ACTIVE")
            now = svc.now()
            ocid = new_ocid("model_deployment", svc.region)
            data = {
                "id": ocid,
                "timeCreated": rfc3339(now),
                "displayName": body.get("displayName") or f"modeldeployment{int(now)}",
                "projectId": project.id,
                "createdBy": req.principal.user,
                "compartmentId": compartment,
                "modelDeploymentConfigurationDetails": config,
                "modelDeploymentUrl": f"https://modeldeployment.{svc.region}.oci.customer-oci.com/{ocid}",
                "lifecycleState": "CREATING",
                **tags(body),
            }
            for key in ("description", "categoryLogDetails"):
                if body.get(key) is not None:
                    data[key] = body[key]
            record = svc.store.add("model_deployment", data)
            try:
                script = deployment_script(record)
            except ScriptError as exc:
                del svc.store.records[record.id]
                raise invalid(exc.field, str(exc).split(": ", 1)[1]) from None
            work = plan_create(svc, record, script)
            return resource_reply(
                svc,
                record,
                **{"opc-work-request-id": work.id, "location": f"/20190101/modelDeployments/{ocid}"},
            )

    return idempotent(svc, req, create)


@handles("get_model_deployment")
def get_model_deployment(svc: Services, req: Request) -> Reply:
    """GET /modelDeployments/{modelDeploymentId}."""
    with svc.store.lock:
        return resource_reply(svc, require(svc, "model_deployment", req.params["modelDeploymentId"], _WHAT))


@handles("list_model_deployments")
def list_model_deployments(svc: Services, req: Request) -> Reply:
    """GET /modelDeployments."""
    return list_reply(svc, req, "model_deployment")


def _action(
    svc: Services, req: Request, action: str, sources: tuple[str, ...], operation: str, done: str
) -> Reply:
    with svc.store.lock:
        record = require(svc, "model_deployment", req.params["modelDeploymentId"], _WHAT)
        check_if_match(req, record)
        state = record.data["lifecycleState"]
        if state not in sources:
            raise incorrect_state(_WHAT, state, action)
        timings = svc.lifecycles.timings
        duration = timings.delete if action == "delete" else timings.deployment_update
        settled = None
        if action == "update":
            settled = "INACTIVE" if state == "INACTIVE" else "ACTIVE"
            try:
                check_tags("model_deployment", req.body.get("freeformTags"))
            except ScriptError as exc:
                raise invalid(exc.field, str(exc).split(": ", 1)[1]) from None
            _merge_update(svc, record, req.body)
        try:
            work = plan_action(svc.lifecycles, record, action, duration, operation, done, settled)
        except ScriptError as exc:
            raise invalid(exc.field, str(exc).split(": ", 1)[1]) from None
        return Reply(202, None, {"opc-work-request-id": work.id})


def merge_nested(current: Any, update: Any) -> Any:
    """An update's object merged into the current one, as the service merges update details:
    fields it names replace (recursively, object by object), fields it omits or sends as null
    are kept; lists and scalars replace whole."""
    if not isinstance(current, dict) or not isinstance(update, dict):
        return update
    merged = dict(current)
    for key, value in update.items():
        if value is not None:
            merged[key] = merge_nested(current.get(key), value)
    return merged


def _merge_update(svc: Services, record: Record, body: dict[str, Any]) -> None:
    patch: dict[str, Any] = {}
    for key in ("displayName", "description", "freeformTags", "definedTags"):
        if body.get(key) is not None:
            patch[key] = body[key]
    for key in ("modelDeploymentConfigurationDetails", "categoryLogDetails"):
        if isinstance(body.get(key), dict):
            patch[key] = merge_nested(record.data.get(key) or {}, body[key])
    config = patch.get("modelDeploymentConfigurationDetails")
    if config is not None and _model_id(config) != _model_id(
        record.data["modelDeploymentConfigurationDetails"]
    ):
        field = "modelDeploymentConfigurationDetails.modelConfigurationDetails.modelId"
        model = related(svc, "model", _model_id(config), field, "model")
        if model.data["lifecycleState"] != "ACTIVE":
            raise invalid(field, f"model is {model.data['lifecycleState']}, not ACTIVE")
    if patch:
        record.apply(patch)


@handles("update_model_deployment")
def update_model_deployment(svc: Services, req: Request) -> Reply:
    """PUT /modelDeployments/{modelDeploymentId}: UPDATING, then back to ACTIVE or INACTIVE."""
    return _action(
        svc, req, "update", ("ACTIVE", "INACTIVE", "NEEDS_ATTENTION"), "MODEL_DEPLOYMENT_UPDATE", "UPDATED"
    )


@handles("activate_model_deployment")
def activate_model_deployment(svc: Services, req: Request) -> Reply:
    """POST .../actions/activate: INACTIVE -> UPDATING -> ACTIVE."""
    return _action(svc, req, "activate", ("INACTIVE",), "MODEL_DEPLOYMENT_ACTIVATE", "UPDATED")


@handles("deactivate_model_deployment")
def deactivate_model_deployment(svc: Services, req: Request) -> Reply:
    """POST .../actions/deactivate: ACTIVE -> UPDATING -> INACTIVE."""
    return _action(
        svc, req, "deactivate", ("ACTIVE", "NEEDS_ATTENTION"), "MODEL_DEPLOYMENT_DEACTIVATE", "UPDATED"
    )


@handles("delete_model_deployment")
def delete_model_deployment(svc: Services, req: Request) -> Reply:
    """DELETE /modelDeployments/{modelDeploymentId}: DELETING -> DELETED."""
    sources = ("ACTIVE", "INACTIVE", "FAILED", "NEEDS_ATTENTION")
    return _action(svc, req, "delete", sources, "MODEL_DEPLOYMENT_DELETE", "DELETED")


@handles("change_model_deployment_compartment")
def change_model_deployment_compartment(svc: Services, req: Request) -> Reply:
    """POST /modelDeployments/{modelDeploymentId}/actions/changeCompartment."""
    return idempotent(
        svc, req, lambda: change_compartment(svc, req, "model_deployment", "modelDeploymentId", _WHAT)
    )


def _served_models(svc: Services, record: Record) -> list[tuple[str, str]]:
    """(model OCID, inference key) of every model the deployment serves: its model, or the
    members of the model group its configuration names."""
    config = record.data.get("modelDeploymentConfigurationDetails") or {}
    group_id = (config.get("modelGroupConfigurationDetails") or {}).get("modelGroupId")
    if group_id is None:
        model_id = _model_id(config)
        return [(model_id, "")] if model_id else []
    group = svc.store.get(group_id, "model_group")
    members = ((group.data.get("memberModelEntries") or {}).get("memberModelDetails") or []) if group else []
    return [(m["modelId"], m.get("inferenceKey") or "") for m in members]


#: Deployment state -> the state of the models it serves (when the model itself is ACTIVE).
_MODEL_STATES = {"ACTIVE": "SUCCESS", "INACTIVE": "SUCCESS", "FAILED": "FAILED", "NEEDS_ATTENTION": "FAILED"}


@handles("list_model_deployment_model_states")
def list_model_deployment_model_states(svc: Services, req: Request) -> Reply:
    """GET /modelDeployments/{modelDeploymentId}/models/modelState: the state of each served model
    (SUCCESS when deployed, FAILED when the deployment failed, INCONSISTENT while it changes or when
    the model is no longer ACTIVE)."""
    query = req.query
    for name in ("sortOrder", "sortBy"):
        allowed = req.op.query_param_allowed_values[name]
        if name in query and query[name] not in allowed:
            raise invalid(name, f"must be one of {list(allowed)}, got {query[name]!r}")
    if "compartmentId" not in query:
        raise invalid("compartmentId", "is required")
    check_compartment(query["compartmentId"])
    with svc.store.lock:
        record = require(svc, "model_deployment", req.params["modelDeploymentId"], _WHAT)
        rows = []
        for model_id, key in _served_models(svc, record):
            model = svc.store.get(model_id, "model")
            if model is None:
                continue
            state = _MODEL_STATES.get(record.data["lifecycleState"], "INCONSISTENT")
            if model.data["lifecycleState"] != "ACTIVE" and state == "SUCCESS":
                state = "INCONSISTENT"
            row = {
                "modelId": model.id,
                "projectId": model.data["projectId"],
                "displayName": model.data["displayName"],
                "inferenceKey": key or model.data["displayName"],
                "state": state,
                "freeformTags": model.data.get("freeformTags") or {},
                "definedTags": model.data.get("definedTags") or {},
                "systemTags": {},
                "_created": model.data["timeCreated"],
            }
            if model.data["compartmentId"] == query["compartmentId"] and all(
                row[name] == query[name]
                for name in ("projectId", "displayName", "inferenceKey", "modelId")
                if name in query
            ):
                rows.append(row)
    sort_by = "_created" if query.get("sortBy", "timeCreated") == "timeCreated" else "displayName"
    rows.sort(
        key=lambda r: r[sort_by],
        reverse=query.get("sortOrder", "DESC" if sort_by == "_created" else "ASC") == "DESC",
    )
    for row in rows:
        del row["_created"]
    return paginate(query, rows)
