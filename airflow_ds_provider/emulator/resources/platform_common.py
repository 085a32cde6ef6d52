"""What the schedule, private-endpoint and compute-target handlers share: every change goes
through a work request, and the states an action may start from come from the resource table.

Failures are scriptable as for notebook sessions (:mod:`airflow_ds_provider.emulator.actions`):
the ``emulator-fail-actions`` freeform tag names the actions that fail, ``emulator-details``
says why; the outcomes a script may choose are the table's ``Action.outcomes``.
"""

from __future__ import annotations

import re
from typing import Any

from airflow_ds_provider.emulator.actions import plan_action
from airflow_ds_provider.emulator.resources.base import (
    Reply,
    Request,
    Services,
    check_compartment,
    check_if_match,
    idempotent,
    incorrect_state,
    invalid,
    require,
    resource_reply,
)
from airflow_ds_provider.emulator.scripting import ScriptError, check_tags
from airflow_ds_provider.emulator.store import Record
from airflow_ds_provider.ocids import validate_ocid
from airflow_ds_provider.resources import RESOURCES

#: Nominal seconds an action stays in its transient state (deletes use ``Timings.delete``).
DURATIONS = {"create": 2.0, "update": 1.5, "activate": 1.0, "deactivate": 1.0}


def what(kind: str) -> str:
    """The kind's name in messages (``schedule``)."""
    return RESOURCES[kind].display


def path_param(kind: str) -> str:
    """The path parameter holding the kind's OCID (``dataSciencePrivateEndpointId``)."""
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), RESOURCES[kind].id_param)


def checked_tags(kind: str, body: dict[str, Any]) -> None:
    """400 when the ``emulator-*`` freeform tags of a create or update body are malformed."""
    try:
        check_tags(kind, body.get("freeformTags"))
    except ScriptError as exc:
        raise invalid(exc.field, str(exc).split(": ", 1)[1]) from None


def checked_ocid(value: Any, field: str, kinds: tuple[str, ...] = ()) -> str:
    """An OCID of one of ``kinds`` (any kind when empty), or 400 naming ``field``."""
    try:
        return validate_ocid(value, field, kinds)
    except ValueError as exc:
        raise invalid(field, str(exc).split(": ", 1)[1]) from None


def get_one(svc: Services, req: Request, kind: str) -> Reply:
    """The ``get_<kind>`` operation."""
    with svc.store.lock:
        return resource_reply(svc, require(svc, kind, req.params[path_param(kind)], what(kind)))


#: The work request's final ``actionType`` per action (others: ``UPDATED``).
_DONE = {"create": "CREATED", "delete": "DELETED"}


def _plan(svc: Services, record: Record, action: str, settled: str | None) -> Record:
    """Plan ``action``; its work request's ``operationType`` comes from the resource table."""
    duration = svc.lifecycles.timings.delete if action == "delete" else DURATIONS[action]
    operation = RESOURCES[record.kind].work_request_type(action)
    done = _DONE.get(action, "UPDATED")
    try:
        return plan_action(svc.lifecycles, record, action, duration, operation, done, settled)
    except ScriptError as exc:
        raise invalid(exc.field, str(exc).split(": ", 1)[1]) from None


def create_with_work_request(svc: Services, req: Request, kind: str, data: dict[str, Any]) -> Reply:
    """Store a new resource (``data`` without ``lifecycleState``), plan its creation and answer
    its JSON with the work request and ``location`` (call inside :func:`idempotent`)."""
    with svc.store.lock:
        record = svc.store.add(kind, {**data, "lifecycleState": "CREATING"})
        work = _plan(svc, record, "create", None)
        location = f"/20190101/{RESOURCES[kind].collection}/{record.id}"
        headers = {"opc-work-request-id": work.id, "location": location}
        if "content-location" in req.op.response_headers:
            headers["content-location"] = location
        return resource_reply(svc, record, **headers)


def action_with_work_request(
    svc: Services,
    req: Request,
    kind: str,
    action: str,
    patch: dict[str, Any] | None = None,
    with_body: bool = False,
) -> Reply:
    """An action (update, activate, deactivate, delete) on a resource in one of the table's
    source states: apply ``patch``, plan the transition and answer with the work request
    (202, or 200 with the resource's JSON when ``with_body``)."""
    with svc.store.lock:
        record = require(svc, kind, req.params[path_param(kind)], what(kind))
        check_if_match(req, record)
        state = record.data["lifecycleState"]
        if state not in RESOURCES[kind].actions[action].sources:
            raise incorrect_state(what(kind), state, action)
        if patch:
            record.apply(patch)
        settled = state if action == "update" and kind == "schedule" else None
        work = _plan(svc, record, action, settled)
        if with_body:
            return resource_reply(svc, record, **{"opc-work-request-id": work.id})
        return Reply(202, None, {"opc-work-request-id": work.id})


def update_patch(body: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """The fields of an update body that change the resource."""
    return {k: v for k, v in body.items() if k in allowed and v is not None}


def move(svc: Services, req: Request, kind: str) -> Reply:
    """``change_<kind>_compartment``: move the resource; with a ``<KIND>_MOVE`` work request
    when the spec says the move returns one."""

    def run() -> Reply:
        with svc.store.lock:
            record = require(svc, kind, req.params[path_param(kind)], what(kind))
            check_if_match(req, record)
            target = check_compartment(req.body.get("compartmentId"))
            state = record.data["lifecycleState"]
            if state in ("CREATING", "UPDATING", "DELETING", "DELETED"):
                raise incorrect_state(what(kind), state, "move")
            record.apply({"compartmentId": target})
            if not req.op.returns_work_request:
                return Reply(200, None, {})
            operation = RESOURCES[kind].work_request_type("change_compartment")
            work = svc.lifecycles.work_request(operation, record, "UPDATED", svc.now())
            return Reply(202, None, {"opc-work-request-id": work.id})

    return idempotent(svc, req, run)
