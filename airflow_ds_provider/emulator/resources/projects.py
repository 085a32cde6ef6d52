"""Projects: create, get, list, update, delete (work request; not while the project holds live
resources), change compartment."""

from __future__ import annotations

from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources.base import (
    ApiError,
    Reply,
    Request,
    Services,
    apply_update,
    change_compartment,
    check_compartment,
    check_if_match,
    idempotent,
    incorrect_state,
    list_reply,
    require,
    resource_reply,
    tags,
)
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.store import Record
from airflow_ds_provider.resources import RESOURCES


@handles("create_project")
def create_project(svc: Services, req: Request) -> Reply:
    """POST /projects."""

    def create() -> Reply:
        body = req.body
        now = svc.now()
        data = {
            "id": new_ocid("project", svc.region),
            "timeCreated": rfc3339(now),
            "displayName": body.get("displayName") or f"project{int(now)}",
            "compartmentId": check_compartment(body.get("compartmentId")),
            "createdBy": req.principal.user,
            "lifecycleState": "ACTIVE",
            **tags(body),
            "systemTags": {},
        }
        if body.get("description") is not None:
            data["description"] = body["description"]
        with svc.store.lock:
            return resource_reply(svc, svc.store.add("project", data))

    return idempotent(svc, req, create)


@handles("get_project")
def get_project(svc: Services, req: Request) -> Reply:
    """GET /projects/{projectId}."""
    with svc.store.lock:
        return resource_reply(svc, require(svc, "project", req.params["projectId"], "project"))


@handles("list_projects")
def list_projects(svc: Services, req: Request) -> Reply:
    """GET /projects."""
    return list_reply(svc, req, "project")


@handles("update_project")
def update_project(svc: Services, req: Request) -> Reply:
    """PUT /projects/{projectId}."""
    with svc.store.lock:
        record = require(svc, "project", req.params["projectId"], "project")
        check_if_match(req, record)
        if record.data["lifecycleState"] != "ACTIVE":
            raise incorrect_state("project", record.data["lifecycleState"], "update")
        apply_update(record, req.body, ("displayName", "description", "freeformTags", "definedTags"))
        return resource_reply(svc, record)


def _check_empty(svc: Services, project: Record) -> None:
    """409 while the project holds live resources (any kind with a ``projectId``: notebook
    sessions, models, model deployments, jobs, pipelines...). A resource that has reached one of
    its final states (DELETED; a finished job run) or is being deleted does not count."""
    live: dict[str, list[str]] = {}
    for record in svc.store.records.values():
        if record.data.get("projectId") != project.id or record.kind not in RESOURCES:
            continue
        record.settle(svc.now())
        state = record.data.get(RESOURCES[record.kind].state_field)
        if state not in RESOURCES[record.kind].final and state != "DELETING":
            live.setdefault(RESOURCES[record.kind].display, []).append(record.id)
    if live:
        held = "; ".join(f"{len(ids)} {what}(s) ({', '.join(ids[:3])})" for what, ids in sorted(live.items()))
        raise ApiError(
            409,
            "Conflict",
            f"Project {project.id} cannot be deleted while it contains active resources: {held}. "
            "Delete them first.",
        )


@handles("delete_project")
def delete_project(svc: Services, req: Request) -> Reply:
    """DELETE /projects/{projectId}: DELETING -> DELETED, with a PROJECT_DELETE work request."""
    with svc.store.lock:
        record = require(svc, "project", req.params["projectId"], "project")
        check_if_match(req, record)
        if record.data["lifecycleState"] != "ACTIVE":
            raise incorrect_state("project", record.data["lifecycleState"], "delete")
        _check_empty(svc, record)
        end = svc.lifecycles.transition(record, "delete", svc.lifecycles.timings.delete)
        work = svc.lifecycles.work_request("PROJECT_DELETE", record, "DELETED", end)
        return Reply(202, None, {"opc-work-request-id": work.id})


@handles("change_project_compartment")
def change_project_compartment(svc: Services, req: Request) -> Reply:
    """POST /projects/{projectId}/actions/changeCompartment."""
    return idempotent(svc, req, lambda: change_compartment(svc, req, "project", "projectId", "project"))
