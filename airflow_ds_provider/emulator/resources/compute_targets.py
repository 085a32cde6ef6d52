"""Compute targets (managed compute clusters): CREATING -> ACTIVE, UPDATING on update, DELETING
-> DELETED, with work requests (a move has none, as the spec says); FAILED / NEEDS_ATTENTION are
scriptable (see :mod:`.platform_common`). An update merges the configuration it names into the
stored one (naming only the scaling policy keeps the instance configuration)."""

from __future__ import annotations

import copy
from typing import Any

from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources.base import (
    Reply,
    Request,
    Services,
    check_compartment,
    idempotent,
    invalid,
    list_reply,
    require,
    tags,
)
from airflow_ds_provider.emulator.resources.platform_catalogues import COMPUTE_TARGET_SHAPES
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

_KIND = "compute_target"
_UPDATABLE = ("displayName", "description", "metadata", "freeformTags", "definedTags")
_SHAPES = {shape["name"] for shape in COMPUTE_TARGET_SHAPES}


def _check_instance(instance: dict[str, Any], field: str) -> None:
    shape = instance.get("instanceShape")
    if shape is not None and shape not in _SHAPES:
        raise invalid(f"{field}.instanceShape", f"must be one of the compute target shapes {sorted(_SHAPES)}")
    for i, ocid in enumerate(instance.get("capacityReservationIds") or []):
        checked_ocid(ocid, f"{field}.capacityReservationIds[{i}]")


def _instance_count(config: dict[str, Any]) -> int:
    policy = config.get("scalingPolicy") or {"policyType": "FIXED_SIZE", "instanceCount": 1}
    if policy["policyType"] == "FIXED_SIZE":
        return policy["instanceCount"]
    return max((p.get("initialInstanceCount", 1) for p in policy.get("autoScalingPolicies") or []), default=1)


def _system_data(config: dict[str, Any]) -> dict[str, Any]:
    return {"computeType": config["computeType"], "currentInstanceCount": _instance_count(config)}


@handles("create_compute_target")
def create_compute_target(svc: Services, req: Request) -> Reply:
    """POST /computeTargets."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        checked_tags(_KIND, body)
        config = copy.deepcopy(body["computeConfigurationDetails"])
        _check_instance(config["instanceConfiguration"], "computeConfigurationDetails.instanceConfiguration")
        data = {
            "id": new_ocid(_KIND, svc.region),
            "timeCreated": rfc3339(svc.now()),
            "createdBy": req.principal.user,
            "compartmentId": compartment,
            "displayName": body.get("displayName") or f"computetarget{int(svc.now())}",
            **{k: body[k] for k in ("description", "metadata") if body.get(k) is not None},
            "computeConfigurationDetails": config,
            "computeTargetSystemData": _system_data(config),
            **tags(body),
        }
        return create_with_work_request(svc, req, _KIND, data)

    return idempotent(svc, req, create)


@handles("get_compute_target")
def get_compute_target(svc: Services, req: Request) -> Reply:
    """GET /computeTargets/{computeTargetId}."""
    return get_one(svc, req, _KIND)


@handles("list_compute_targets")
def list_compute_targets(svc: Services, req: Request) -> Reply:
    """GET /computeTargets."""
    return list_reply(svc, req, _KIND)


@handles("update_compute_target")
def update_compute_target(svc: Services, req: Request) -> Reply:
    """PUT /computeTargets/{computeTargetId}: ACTIVE -> UPDATING -> ACTIVE."""
    body = req.body
    checked_tags(_KIND, body)
    patch = update_patch(body, _UPDATABLE)
    change = body.get("computeConfigurationDetails")
    if change is not None:
        with svc.store.lock:
            record = require(svc, _KIND, req.params[path_param(_KIND)], what(_KIND))
            config = copy.deepcopy(record.data["computeConfigurationDetails"])
        if change["computeType"] != config["computeType"]:
            raise invalid(
                "computeConfigurationDetails.computeType", f"cannot change from {config['computeType']}"
            )
        instance = change.get("instanceConfiguration")
        if instance is not None:
            _check_instance(instance, "computeConfigurationDetails.instanceConfiguration")
            config["instanceConfiguration"].update({k: v for k, v in instance.items() if v is not None})
        if change.get("scalingPolicy") is not None:
            config["scalingPolicy"] = change["scalingPolicy"]
        patch["computeConfigurationDetails"] = config
        patch["computeTargetSystemData"] = _system_data(config)
    return action_with_work_request(svc, req, _KIND, "update", patch=patch)


@handles("delete_compute_target")
def delete_compute_target(svc: Services, req: Request) -> Reply:
    """DELETE /computeTargets/{computeTargetId}: DELETING -> DELETED."""
    return action_with_work_request(svc, req, _KIND, "delete")


@handles("change_compute_target_compartment")
def change_compute_target_compartment(svc: Services, req: Request) -> Reply:
    """POST /computeTargets/{computeTargetId}/actions/changeCompartment (no work request)."""
    return move(svc, req, _KIND)
