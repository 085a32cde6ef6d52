"""What the ML application handlers share: lookups that forget deleted resources without a
``DELETED`` state, the ``lifecycleSubstate`` that follows every state change, work requests of
actions that leave the state alone, and scripting errors as 400s."""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.emulator.actions import plan_action
from airflow_ds_provider.emulator.resources.base import (
    Reply,
    Request,
    Services,
    change_compartment,
    idempotent,
    invalid,
    require,
)
from airflow_ds_provider.emulator.scripting import ScriptError, check_tags
from airflow_ds_provider.emulator.store import Record, Step
from airflow_ds_provider.resources import RESOURCES

#: Nominal seconds of every ML application transition (divided by the clock's speed).
DURATION = 1.0
#: Kinds whose records carry a ``lifecycleSubstate``.
_SUBSTATE_KINDS = ("ml_application_instance", "ml_application_instance_view")
#: The substate a NEEDS_ATTENTION reached by a failed action gets (recoverable: see the recover
#: operation of instance views).
FAILED_ACTION_SUBSTATE = "RECOVERABLE_SERVICE_ISSUE"


def what(kind: str) -> str:
    """The kind's name in messages (``ML application instance``)."""
    return RESOURCES[kind].display


def purge(svc: Services) -> None:
    """Forget the resources whose delete finished and that have no ``DELETED`` state."""
    now = svc.now()
    with svc.store.lock:
        for ocid, record in list(svc.store.records.items()):
            gone = record.extra.get("gone_at")
            if gone is not None and gone <= now:
                del svc.store.records[ocid]
                svc.store.artifacts.pop(ocid, None)


def live(svc: Services, kind: str, ocid: str) -> Record:
    """The resource of ``kind`` (404 once deleted)."""
    purge(svc)
    return require(svc, kind, ocid, what(kind))


def remove_at(record: Record, end: float) -> None:
    """Forget ``record`` at emulator time ``end`` (a delete of a kind without ``DELETED``)."""
    record.extra["gone_at"] = end


def with_substate(patch: dict[str, Any]) -> dict[str, Any]:
    """``patch`` plus the ``lifecycleSubstate`` its ``lifecycleState`` implies."""
    state = patch.get("lifecycleState")
    if state is None:
        return patch
    return {**patch, "lifecycleSubstate": FAILED_ACTION_SUBSTATE if state == "NEEDS_ATTENTION" else state}


def sync_substate(record: Record) -> None:
    """Make the current and the scheduled states of ``record`` carry their substate."""
    record.apply(with_substate({"lifecycleState": record.data["lifecycleState"]}))
    for step in record.steps:
        step.patch.update(with_substate(step.patch))


def scripted(
    svc: Services,
    record: Record,
    action: str,
    done: str,
    settled: str | None = None,
    operation: str | None = None,
) -> Record:
    """Plan a table action with its (tag-scripted) outcome; return its work request.

    :param operation: the work request's ``operationType`` when it is not the table's for the
        action (``Resource.work_request_type``).
    """
    operation = operation or RESOURCES[record.kind].work_request_type(action)
    try:
        work = plan_action(svc.lifecycles, record, action, DURATION, operation, done, settled)
    except ScriptError as exc:
        raise invalid(exc.field, str(exc).split(": ", 1)[1]) from None
    if record.kind in _SUBSTATE_KINDS:
        sync_substate(record)
    return work


def check_script_tags(kind: str, body: dict[str, Any]) -> None:
    """400 naming the tag when the ``emulator-*`` freeform tags of a body are malformed."""
    try:
        check_tags(kind, body.get("freeformTags"))
    except ScriptError as exc:
        raise invalid(exc.field, str(exc).split(": ", 1)[1]) from None


def state_work(svc: Services, record: Record, operation: str) -> Record:
    """A work request for an action that leaves the state alone (a move, a flow trigger)."""
    return svc.lifecycles.work_request(operation, record, "UPDATED", svc.now())


def mirror(target: Record, source: Record) -> None:
    """Give ``target`` the state and scheduled state changes of ``source`` (an instance view
    follows its instance; a recovered instance its view)."""
    fields = ("lifecycleState", "lifecycleSubstate", "lifecycleDetails")
    target.apply({k: source.data[k] for k in fields if k in source.data})
    target.schedule([Step(s.at, {k: v for k, v in s.patch.items() if k in fields}) for s in source.steps])


def move(svc: Services, req: Request, kind: str) -> Reply:
    """``change_*_compartment``: move now; with a ``<KIND>_MOVE`` work request when the spec says so."""
    param = req.op.path_params[0]

    def run() -> Reply:
        purge(svc)
        reply = change_compartment(svc, req, kind, param, what(kind))
        if not req.op.returns_work_request:
            return reply
        with svc.store.lock:
            operation = RESOURCES[kind].work_request_type("change_compartment")
            work = state_work(svc, live(svc, kind, req.params[param]), operation)
        return Reply(202, None, {"opc-work-request-id": work.id})

    return idempotent(svc, req, run)
