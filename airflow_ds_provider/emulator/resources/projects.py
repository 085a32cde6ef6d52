"""Projects: create, get, list, update, delete (work request), change compartment."""

from __future__ import annotations

from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources.base import (
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


@handles("delete_project")
def delete_project(svc: Services, req: Request) -> Reply:
    """DELETE /projects/{projectId}: DELETING -> DELETED, with a PROJECT_DELETE work request."""
    with svc.store.lock:
        record = require(svc, "project", req.params["projectId"], "project")
        check_if_match(req, record)
        if record.data["lifecycleState"] != "ACTIVE":
            raise incorrect_state("project", record.data["lifecycleState"], "delete")
        end = svc.lifecycles.transition(record, "delete", svc.lifecycles.timings.delete)
        work = svc.lifecycles.work_request("PROJECT_DELETE", record, "DELETED", end)
        return Reply(202, None, {"opc-work-request-id": work.id})


@handles("change_project_compartment")
def change_project_compartment(svc: Services, req: Request) -> Reply:
    """POST /projects/{projectId}/actions/changeCompartment."""
    return idempotent(svc, req, lambda: change_compartment(svc, req, "project", "projectId", "project"))
