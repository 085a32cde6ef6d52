"""What an ACTIVE schedule does on the emulator clock: start its action's run at every due time.

Nothing runs in the background: before any read of the store (any request, and the inspection
methods of the emulator) :func:`start_due_runs` walks each schedule from the last time it looked
(its cursor) to now, through the schedule's own pending state changes, and starts one run for
every due time that passed while the schedule was ACTIVE, so a client that only lists job runs
sees them, exactly once per due time, also when the clock jumps over several (at most
:data:`MAX_RUNS_PER_JUMP` per jump; older due times beyond that are skipped and the schedule's
``lastScheduleRunDetails`` says so). Times while the schedule is CREATING, UPDATING, INACTIVE,
DELETING or DELETED are not due and are never made up later.

A run is started through the operation's own handler (``create_job_run``, ``create_pipeline_run``
or ``trigger_ml_application_instance_view_flow``, looked up when the run starts), as the schedule's
creator, with the action's details as the request body plus the freeform tag
:data:`SCHEDULE_TAG` naming the schedule. A refused run (say the job was deleted) starts nothing
and is reported in ``lastScheduleRunDetails``.
"""

from __future__ import annotations

import copy
from typing import Any
from weakref import WeakKeyDictionary

from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.emulator.resources.base import ApiError, Request, Services, ticks
from airflow_ds_provider.emulator.resources.registry import REGISTERED
from airflow_ds_provider.emulator.resources.schedule_triggers import Trigger, parse_trigger
from airflow_ds_provider.emulator.store import REMOVE, Record, Store
from airflow_ds_provider.spec import operations

#: Freeform tag a scheduled run carries: the schedule's OCID.
SCHEDULE_TAG = "scheduleId"
#: Most runs one schedule starts for the due times of a single clock jump.
MAX_RUNS_PER_JUMP = 100

#: Schedule OCIDs per store (so a read that finds no schedule costs nothing).
_SCHEDULES: WeakKeyDictionary[Store, set[str]] = WeakKeyDictionary()

#: httpActionType -> (operation, the action-details field holding the body, path parameter).
_ACTIONS: dict[str, tuple[str, str, str | None]] = {
    "CREATE_JOB_RUN": ("create_job_run", "createJobRunDetails", None),
    "CREATE_PIPELINE_RUN": ("create_pipeline_run", "createPipelineRunDetails", None),
    "INVOKE_ML_APPLICATION_PROVIDER_TRIGGER": (
        "trigger_ml_application_instance_view_flow",
        "triggerMlApplicationInstanceViewFlowDetails",
        "mlApplicationInstanceViewId",
    ),
}


def track(svc: Services, record: Record, created: float) -> None:
    """Start watching a new schedule; due times count from ``created``."""
    record.extra["cursor"] = created
    record.extra["created"] = created
    _SCHEDULES.setdefault(svc.store, set()).add(record.id)


def trigger_of(record: Record) -> Trigger:
    """The schedule's parsed trigger (cached until the trigger changes)."""
    cached = record.extra.get("parsed")
    if cached is None or cached[0] is not record.data["trigger"]:
        cached = (record.data["trigger"], parse_trigger(record.data["trigger"], record.extra["created"]))
        record.extra["parsed"] = cached
    return cached[1]


@ticks
def start_due_runs(svc: Services, now: float) -> None:
    """Start the runs of every schedule due by ``now`` (called with the store lock held)."""
    ids = _SCHEDULES.get(svc.store)
    if not ids:
        return
    for ocid in sorted(ids):
        record = svc.store.records.get(ocid)
        if record is None or record.kind != "schedule":
            ids.discard(ocid)  # the store was reset
            continue
        _advance(svc, record, now)


def _advance(svc: Services, record: Record, now: float) -> None:
    cursor = record.extra["cursor"]
    while True:
        step_at = record.steps[0].at if record.steps and record.steps[0].at <= now else None
        upto = now if step_at is None else step_at
        if record.data["lifecycleState"] == "ACTIVE" and upto > cursor:
            _start_between(svc, record, cursor, upto)
        cursor = max(cursor, upto)
        if step_at is None:
            break
        record.apply(record.steps.pop(0).patch)
    record.extra["cursor"] = cursor
    following = trigger_of(record).next_after(cursor) if record.data["lifecycleState"] == "ACTIVE" else None
    wire = rfc3339(following) if following is not None else None
    if record.data.get("timeNextScheduledRun") != wire:
        record.apply({"timeNextScheduledRun": wire if wire is not None else REMOVE})


def _start_between(svc: Services, record: Record, after: float, upto: float) -> None:
    trigger = trigger_of(record)
    due = trigger.next_after(after)
    started = 0
    while due is not None and due <= upto:
        if started == MAX_RUNS_PER_JUMP:
            record.apply(
                {
                    "lastScheduleRunDetails": f"{record.data['lastScheduleRunDetails']}; due times from "
                    f"{rfc3339(due)} to {rfc3339(upto)} were skipped (more than {MAX_RUNS_PER_JUMP} at once)"
                }
            )
            return
        _start_run(svc, record, due)
        started += 1
        due = trigger.next_after(due)


def _start_run(svc: Services, record: Record, due: float) -> None:
    details = record.data["action"]["actionDetails"]
    operation, field, path_param = _ACTIONS[details["httpActionType"]]
    handler = REGISTERED.get(operation)
    if handler is None:
        message = f"not started: this emulator does not serve {operation}"
    else:
        body: Any = copy.deepcopy(details[field])
        params = {path_param: details[path_param]} if path_param else {}
        if path_param is None:
            body["freeformTags"] = {**(body.get("freeformTags") or {}), SCHEDULE_TAG: record.id}
        request = Request(operations()[operation], params, {}, {}, body, record.extra["principal"])
        try:
            reply = handler(svc, request)
        except ApiError as exc:
            message = f"not started: {operation} was refused with {exc.status} {exc.code}: {exc.message}"
        else:
            started = reply.body.get("id") if isinstance(reply.body, dict) else None
            message = f"started {started}" if started else f"{operation} accepted"
    record.apply(
        {
            "timeLastScheduleRun": rfc3339(due),
            "lastScheduleRunDetails": f"Run due at {rfc3339(due)} {message}",
        }
    )
