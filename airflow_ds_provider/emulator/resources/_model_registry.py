"""What the model-registry handlers share (version sets, model groups, version histories): the
project a create names, state checks read from the resource table, work-request deletes and the
timestamps every one of their resources carries."""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.emulator.resources.base import (
    ApiError,
    Reply,
    Request,
    Services,
    check_if_match,
    incorrect_state,
    related,
    require,
)
from airflow_ds_provider.emulator.store import Record
from airflow_ds_provider.resources import RESOURCES

#: States of the model deployments that still serve (a model or group they use cannot go away).
_LIVE_DEPLOYMENT = frozenset(RESOURCES["model_deployment"].states - {"DELETED", "FAILED"})


def active_project(svc: Services, body: dict[str, Any], what: str) -> Record:
    """The ACTIVE project ``body.projectId`` names (404 naming the field, 409 when not ACTIVE)."""
    project = related(svc, "project", body.get("projectId"), "projectId", "project")
    if project.data["lifecycleState"] != "ACTIVE":
        raise incorrect_state("project", project.data["lifecycleState"], f"create a {what} in")
    return project


def times(svc: Services) -> dict[str, str]:
    """``timeCreated`` and ``timeUpdated`` of a new resource."""
    now = svc.stamp()
    return {"timeCreated": now, "timeUpdated": now}


def touch(svc: Services, record: Record, patch: dict[str, Any] | None = None) -> None:
    """Apply ``patch`` (may be empty) and stamp ``timeUpdated``."""
    record.apply({**(patch or {}), "timeUpdated": svc.stamp()})


def check_action(record: Record, action: str) -> None:
    """409 ``IncorrectState`` unless the table lets ``action`` start from the record's state."""
    resource = RESOURCES[record.kind]
    state = record.data["lifecycleState"]
    if state not in resource.actions[action].sources:
        raise incorrect_state(resource.display, state, action)


def check_updatable(record: Record) -> None:
    """409 ``IncorrectState`` while the resource is being deleted or gone."""
    state = record.data["lifecycleState"]
    if state in ("DELETING", "DELETED"):
        raise incorrect_state(RESOURCES[record.kind].display, state, "update")


def lookup(svc: Services, req: Request, kind: str) -> Record:
    """The resource the path names (404), its ``if-match`` checked (412)."""
    resource = RESOURCES[kind]
    path_param = req.op.path_params[0]
    record = require(svc, kind, req.params[path_param], resource.display)
    check_if_match(req, record)
    return record


def delete_with_work_request(svc: Services, record: Record) -> tuple[Reply, float]:
    """DELETING now, DELETED after ``timings.delete``, with the kind's ``..._DELETE`` work
    request; returns the 202 reply and the end time."""
    check_action(record, "delete")
    touch(svc, record)
    end = svc.lifecycles.transition(record, "delete", svc.lifecycles.timings.delete)
    operation = RESOURCES[record.kind].work_request_type("delete")
    work = svc.lifecycles.work_request(operation, record, "DELETED", end)
    return Reply(202, None, {"opc-work-request-id": work.id}), end


def deployments_using(svc: Services, field: str, key: str, ocid: str) -> list[str]:
    """The live model deployments whose configuration's ``field.key`` is ``ocid``."""
    found = []
    for md in svc.store.of_kind("model_deployment"):
        config = (md.data.get("modelDeploymentConfigurationDetails") or {}).get(field) or {}
        if config.get(key) == ocid and md.data["lifecycleState"] in _LIVE_DEPLOYMENT:
            found.append(md.id)
    return found


def conflict(message: str) -> ApiError:
    """409 ``Conflict``."""
    return ApiError(409, "Conflict", message)
