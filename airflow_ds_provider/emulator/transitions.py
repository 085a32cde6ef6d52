"""Scheduling lifecycle transitions, as data, from the shared tables in ``airflow_ds_provider.lifecycle``.

:data:`airflow_ds_provider.lifecycle.TRANSITIONS` says which transient state an action enters
and where it settles; this module decides *when* (from :class:`Timings`, scripts and the speed
factor) and records it as :class:`~airflow_ds_provider.emulator.store.Step` objects, together
with the work requests and log records the action produces.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from typing import Any

from airflow_ds_provider.emulator.clock import Clock, rfc3339
from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.scripting import job_run_default_details
from airflow_ds_provider.emulator.store import REMOVE, IngestedLogRecord, Record, Step, Store
from airflow_ds_provider.lifecycle import JOB_RUN_CANCELLABLE, LIFECYCLES, TRANSITIONS
from airflow_ds_provider.resources import RESOURCES


@dataclass
class Timings:
    """Nominal durations in seconds (divided by the speed factor when scheduled)."""

    job_create: float = 0.5
    job_run_accepted: float = 1.0
    job_run_in_progress: float = 2.0
    job_run_cancel: float = 1.0
    deployment_create: float = 2.0
    deployment_update: float = 1.5
    notebook_create: float = 2.0
    notebook_update: float = 1.5
    pipeline_create: float = 0.0
    pipeline_run_accepted: float = 1.0
    pipeline_step_accepted: float = 0.5
    pipeline_step_in_progress: float = 2.0
    pipeline_run_cancel: float = 1.0
    delete: float = 1.0
    work_request_min: float = 1.0
    work_request_start: float = 0.3

    def update(self, **values: float) -> None:
        """Change some durations."""
        names = {f.name for f in fields(self)}
        for key, value in values.items():
            if key not in names:
                raise ValueError(f"unknown timing {key!r}; expected one of {sorted(names)}")
            setattr(self, key, float(value))


#: Kind -> (``entityType``, URI base) of the resources a work request names.
_ENTITY_TYPES = {r.name: (r.class_part, f"/{r.collection}") for r in RESOURCES.values()}


class Lifecycles:
    """Plans the transitions of one emulator's resources.

    :param store: the state.
    :param clock: the emulator clock (its speed divides every duration).
    :param region: region identifier, for OCIDs.
    :param log_ingestion_delay: seconds (emulator clock) before a log record becomes searchable;
        a run's script may set one delay per line (``log_delays``, also not divided by the speed).
    """

    def __init__(self, store: Store, clock: Clock, region: str, log_ingestion_delay: float = 0.0) -> None:
        self.store = store
        self.clock = clock
        self.region = region
        self.log_ingestion_delay = float(log_ingestion_delay)
        self.timings = Timings()

    # --- generic -------------------------------------------------------------------------

    def transition(
        self,
        record: Record,
        action: str,
        duration: float,
        settled: str | None = None,
        details: str | None = None,
    ) -> float:
        """Enter the action's transient state now and settle after ``duration``; return the end time."""
        path = TRANSITIONS[(record.kind, action)]
        now = self.clock.now()
        final = {"lifecycleState": settled or path.settled}
        if details is not None:
            final["lifecycleDetails"] = details
        if path.transient is None:
            record.steps.clear()
            record.apply(final)
            return now
        end = now + self.clock.scaled(duration)
        record.apply({"lifecycleState": path.transient})
        record.schedule([Step(end, final)])
        return end

    def set_state(self, record: Record, state: str) -> None:
        """Force a state now, dropping scheduled steps (control API)."""
        lifecycle = LIFECYCLES.get(record.kind)
        state = state.upper()
        if lifecycle is None or state not in lifecycle.states:
            allowed = sorted(lifecycle.states) if lifecycle else []
            raise ValueError(f"{state!r} is not a state of {record.kind}; expected one of {allowed}")
        now = self.clock.now()
        record.steps.clear()
        patch: dict[str, Any] = {lifecycle.state_field: state}
        if record.kind in ("job_run", "pipeline_run"):
            if state == "IN_PROGRESS" and not record.data.get("timeStarted"):
                patch["timeStarted"] = rfc3339(now)
            if state in lifecycle.terminal and not record.data.get("timeFinished"):
                patch["timeFinished"] = rfc3339(now)
            if state in lifecycle.terminal:
                self.drop_future_logs(record.id, now)
        if record.kind == "work_request" and state in lifecycle.terminal:
            patch["percentComplete"] = 100.0
            patch["timeFinished"] = rfc3339(now)
        record.apply(patch)

    # --- work requests -------------------------------------------------------------------

    def work_request(
        self,
        operation_type: str,
        target: Record,
        action_type: str,
        end: float,
        error: str | None = None,
    ) -> Record:
        """A work request for an action on ``target`` that finishes at ``end`` (FAILED with ``error``)."""
        now = self.clock.now()
        end = max(end, now + self.clock.scaled(self.timings.work_request_min))
        start = min(now + self.clock.scaled(self.timings.work_request_start), end)
        entity_type, base = _ENTITY_TYPES[target.kind]

        def resources(action: str) -> list[dict[str, str]]:
            return [
                {
                    "actionType": action,
                    "entityType": entity_type,
                    "identifier": target.id,
                    "entityUri": f"{base}/{target.id}",
                }
            ]

        data = {
            "id": new_ocid("work_request", self.region),
            "operationType": operation_type,
            "status": "ACCEPTED",
            "compartmentId": target.data["compartmentId"],
            "percentComplete": 0.0,
            "resources": resources("IN_PROGRESS"),
            "timeAccepted": rfc3339(now),
        }
        record = self.store.add("work_request", data)
        final = "FAILED" if error else "SUCCEEDED"
        record.schedule(
            [
                Step(
                    start, {"status": "IN_PROGRESS", "percentComplete": 50.0, "timeStarted": rfc3339(start)}
                ),
                Step(
                    end,
                    {
                        "status": final,
                        "percentComplete": 100.0,
                        "timeFinished": rfc3339(end),
                        "resources": resources(action_type if not error else "IN_PROGRESS"),
                    },
                ),
            ]
        )
        record.extra["logs"] = [
            (now, f"{operation_type} accepted"),
            (start, f"{operation_type} in progress on {target.id}"),
            (end, f"{operation_type} {final.lower()}" + (f": {error}" if error else "")),
        ]
        record.extra["errors"] = [(end, "InternalServerError", error)] if error else []
        return record

    def cancel_work_request(self, record: Record) -> None:
        """Cancel an ACCEPTED work request."""
        now = self.clock.now()
        end = now + self.clock.scaled(self.timings.work_request_start)
        record.apply({"status": "CANCELING"})
        record.schedule([Step(end, {"status": "CANCELED", "timeFinished": rfc3339(end)})])
        record.extra["logs"].append((now, "cancel requested"))

    # --- job runs ------------------------------------------------------------------------

    def plan_job_run(self, run: Record, script: dict[str, Any]) -> None:
        """Schedule ACCEPTED -> IN_PROGRESS -> outcome, and the log lines in between."""
        now = self.clock.now()
        if run.data["lifecycleState"] == "ACCEPTED":
            started = run.extra.get("_t_accepted", now)
            started += self.clock.scaled(self.timings.job_run_accepted)
            started = max(started, now)
        elif run.data["lifecycleState"] == "IN_PROGRESS":
            started = run.extra.get("_t_started", now)
        else:
            return
        run.extra["_t_started"] = started
        duration = self.clock.scaled(script.get("duration", self.timings.job_run_in_progress))
        end = max(started + duration, now)
        outcome = script.get("outcome", "SUCCEEDED")
        final: dict[str, Any] = {"lifecycleState": outcome, "timeFinished": rfc3339(end)}
        details = script.get("details", job_run_default_details(outcome))
        final["lifecycleDetails"] = details if details is not None else REMOVE
        steps = [Step(end, final)]
        if run.data["lifecycleState"] == "ACCEPTED":
            steps.insert(0, Step(started, {"lifecycleState": "IN_PROGRESS", "timeStarted": rfc3339(started)}))
        run.schedule(steps)
        lines = script.get("log_lines")
        if lines is None:
            lines = [f"Job run {run.data.get('displayName') or run.id} started", "Job run finished"]
        self.drop_future_logs(run.id, now)
        self._emit_logs(run, lines, started, end, script.get("log_delays") or [])

    def _emit_logs(
        self, run: Record, lines: list[str], start: float, end: float, delays: list[float]
    ) -> None:
        log = run.data.get("logDetails")
        if not log or not lines:
            return
        now = self.clock.now()
        step = (end - start) / (len(lines) + 1)
        for index, line in enumerate(lines):
            at = start + step * (index + 1)
            if at < now:
                continue
            self.store.logs.append(
                IngestedLogRecord(
                    id=str(uuid.uuid4()),
                    datetime=at,
                    ingested=at + (delays[index] if index < len(delays) else self.log_ingestion_delay),
                    compartment_id=run.data["compartmentId"],
                    log_group_id=log["logGroupId"],
                    log_id=log["logId"],
                    tenant_id=run.extra.get("tenancy") or "",
                    source=run.id,
                    message=line,
                )
            )

    def drop_future_logs(self, source: str, now: float) -> None:
        """Forget log lines a run would have emitted after ``now``."""
        self.store.logs = [r for r in self.store.logs if r.source != source or r.datetime <= now]

    def cancel_job_run(self, run: Record) -> None:
        """CANCELING now, CANCELED shortly after."""
        if run.data["lifecycleState"] not in JOB_RUN_CANCELLABLE:
            raise ValueError(run.data["lifecycleState"])
        now = self.clock.now()
        end = self.transition(run, "cancel", self.timings.job_run_cancel)
        run.steps[0].patch["timeFinished"] = rfc3339(end)
        self.drop_future_logs(run.id, now)

    # --- model deployments ---------------------------------------------------------------

    def retime_work_request(self, work: Record, end: float, error: str | None) -> None:
        """Move a pending work request's finish to ``end`` (and make it fail with ``error``)."""
        now = self.clock.now()
        end = max(end, now)
        final = "FAILED" if error else "SUCCEEDED"
        for step in work.steps:
            if step.patch.get("status") in ("SUCCEEDED", "FAILED"):
                step.at = end
                step.patch["status"] = final
                step.patch["timeFinished"] = rfc3339(end)
        work.schedule(work.steps)
        work.extra["logs"] = [entry for entry in work.extra["logs"] if entry[0] <= now]
        message = f"{work.data['operationType']} {final.lower()}" + (f": {error}" if error else "")
        work.extra["logs"].append((end, message))
        work.extra["errors"] = [(end, "InternalServerError", error)] if error else []
