"""Notebook sessions: CREATING -> ACTIVE, INACTIVE on deactivate, DELETING -> DELETED (work requests).

Failures of create/activate/deactivate are scriptable (:mod:`airflow_ds_provider.emulator.actions`).
"""

from __future__ import annotations

from airflow_ds_provider.emulator.actions import plan_action
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
    invalid,
    list_reply,
    related,
    require,
    resource_reply,
    tags,
)
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.scripting import ScriptError, check_tags

_WHAT = "notebook session"
_CONFIG = (
    "notebookSessionConfigurationDetails",
    "notebookSessionConfigDetails",
    "notebookSessionRuntimeConfigDetails",
    "notebookSessionStorageMountConfigurationDetailsList",
)


@handles("create_notebook_session")
def create_notebook_session(svc: Services, req: Request) -> Reply:
    """POST /notebookSessions."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        _check_tags(body.get("freeformTags"))
        with svc.store.lock:
            project = related(svc, "project", body.get("projectId"), "projectId", "project")
            now = svc.now()
            ocid = new_ocid("notebook_session", svc.region)
            data = {
                "id": ocid,
                "timeCreated": rfc3339(now),
                "displayName": body.get("displayName") or f"notebooksession{int(now)}",
                "projectId": project.id,
                "createdBy": req.principal.user,
                "compartmentId": compartment,
                **{k: body[k] for k in _CONFIG if body.get(k) is not None},
                "notebookSessionUrl": f"https://notebook.{svc.region}.oci.oraclecloud.com/{ocid}",
                "lifecycleState": "CREATING",
                **tags(body),
            }
            record = svc.store.add("notebook_session", data)
            work = plan_action(
                svc.lifecycles,
                record,
                "create",
                svc.lifecycles.timings.notebook_create,
                "NOTEBOOK_SESSION_CREATE",
                "CREATED",
            )
            return resource_reply(
                svc,
                record,
                **{"opc-work-request-id": work.id, "location": f"/20190101/notebookSessions/{ocid}"},
            )

    return idempotent(svc, req, create)


@handles("get_notebook_session")
def get_notebook_session(svc: Services, req: Request) -> Reply:
    """GET /notebookSessions/{notebookSessionId}."""
    with svc.store.lock:
        return resource_reply(svc, require(svc, "notebook_session", req.params["notebookSessionId"], _WHAT))


@handles("list_notebook_sessions")
def list_notebook_sessions(svc: Services, req: Request) -> Reply:
    """GET /notebookSessions."""
    return list_reply(svc, req, "notebook_session")


@handles("update_notebook_session")
def update_notebook_session(svc: Services, req: Request) -> Reply:
    """PUT /notebookSessions/{notebookSessionId}: names and tags any time, configuration when INACTIVE."""
    with svc.store.lock:
        record = require(svc, "notebook_session", req.params["notebookSessionId"], _WHAT)
        check_if_match(req, record)
        state = record.data["lifecycleState"]
        if state not in ("ACTIVE", "INACTIVE"):
            raise incorrect_state(_WHAT, state, "update")
        if state != "INACTIVE" and any(req.body.get(k) is not None for k in _CONFIG):
            raise incorrect_state(_WHAT, state, "change the configuration of")
        _check_tags(req.body.get("freeformTags"))
        apply_update(record, req.body, ("displayName", "freeformTags", "definedTags", *_CONFIG))
        return resource_reply(svc, record)


def _action(
    svc: Services, req: Request, action: str, sources: tuple[str, ...], operation: str, done: str
) -> Reply:
    with svc.store.lock:
        record = require(svc, "notebook_session", req.params["notebookSessionId"], _WHAT)
        check_if_match(req, record)
        state = record.data["lifecycleState"]
        if state not in sources:
            raise incorrect_state(_WHAT, state, action)
        timings = svc.lifecycles.timings
        duration = timings.delete if action == "delete" else timings.notebook_update
        try:
            work = plan_action(svc.lifecycles, record, action, duration, operation, done)
        except ScriptError as exc:
            raise invalid(exc.field, str(exc).split(": ", 1)[1]) from None
        return Reply(202, None, {"opc-work-request-id": work.id})


def _check_tags(tags: dict[str, str] | None) -> None:
    try:
        check_tags("notebook_session", tags)
    except ScriptError as exc:
        raise invalid(exc.field, str(exc).split(": ", 1)[1]) from None


@handles("activate_notebook_session")
def activate_notebook_session(svc: Services, req: Request) -> Reply:
    """POST .../actions/activate: INACTIVE -> UPDATING -> ACTIVE."""
    return _action(svc, req, "activate", ("INACTIVE",), "NOTEBOOK_SESSION_ACTIVATE", "UPDATED")


@handles("deactivate_notebook_session")
def deactivate_notebook_session(svc: Services, req: Request) -> Reply:
    """POST .../actions/deactivate: ACTIVE -> UPDATING -> INACTIVE."""
    return _action(svc, req, "deactivate", ("ACTIVE",), "NOTEBOOK_SESSION_DEACTIVATE", "UPDATED")


@handles("delete_notebook_session")
def delete_notebook_session(svc: Services, req: Request) -> Reply:
    """DELETE /notebookSessions/{notebookSessionId}: DELETING -> DELETED."""
    sources = ("ACTIVE", "INACTIVE", "FAILED")
    return _action(svc, req, "delete", sources, "NOTEBOOK_SESSION_DELETE", "DELETED")


@handles("change_notebook_session_compartment")
def change_notebook_session_compartment(svc: Services, req: Request) -> Reply:
    """POST /notebookSessions/{notebookSessionId}/actions/changeCompartment."""
    return idempotent(
        svc, req, lambda: change_compartment(svc, req, "notebook_session", "notebookSessionId", _WHAT)
    )
