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

from airflow_ds_provider.emulator.clock import Clock
from airflow_ds_provider.emulator.store import REMOVE, LogRecord, Record, Step, Store
from airflow_ds_provider.emulator.timeutil import new_ocid, rfc3339
from airflow_ds_provider.lifecycle import JOB_RUN_CANCELLABLE, LIFECYCLES, TRANSITIONS


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


#: Scripted-outcome tags (on a job run, its job, or a model deployment).
TAG_DURATION = "emulator-duration"
TAG_OUTCOME = "emulator-outcome"
TAG_DETAILS = "emulator-details"
TAG_LOGS = "emulator-logs"
#: Per-line ingestion delays (comma-separated seconds) of a job run's ``emulator-logs``.
TAG_LOG_DELAYS = "emulator-log-delays"
#: Comma-separated actions that fail (model deployments and notebook sessions), see :mod:`.actions`.
TAG_FAIL_ACTIONS = "emulator-fail-actions"

JOB_RUN_OUTCOMES = frozenset({"SUCCEEDED", "FAILED", "NEEDS_ATTENTION", "CANCELED"})
DEPLOYMENT_OUTCOMES = frozenset({"ACTIVE", "FAILED", "NEEDS_ATTENTION", "INACTIVE"})
DEPLOYMENT_ACTIONS = ("create", "update", "activate", "deactivate")
NOTEBOOK_ACTIONS = ("create", "activate", "deactivate")

_DEFAULT_DETAILS = {
    "FAILED": "Job run failed with exit code 1.",
    "NEEDS_ATTENTION": "The job run needs attention: the infrastructure reported a problem.",
}

_ENTITY_TYPES = {
    "project": ("Project", "/projects"),
    "job": ("Job", "/jobs"),
    "model_deployment": ("ModelDeployment", "/modelDeployments"),
    "notebook_session": ("NotebookSession", "/notebookSessions"),
}


class ScriptError(ValueError):
    """A scripted outcome is malformed; ``field`` names where it came from."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


def script_from_tags(tags: dict[str, str] | None, where: str) -> dict[str, Any]:
    """Read the ``emulator-*`` tags into a script dict (duration, outcome, details, log_lines)."""
    tags = tags or {}
    script: dict[str, Any] = {}
    if TAG_DURATION in tags:
        try:
            script["duration"] = float(tags[TAG_DURATION])
        except ValueError:
            raise ScriptError(f"{where}.{TAG_DURATION}", "must be a number of seconds") from None
        if script["duration"] < 0:
            raise ScriptError(f"{where}.{TAG_DURATION}", "must be >= 0")
    if TAG_OUTCOME in tags:
        script["outcome"] = tags[TAG_OUTCOME].strip().upper()
    if TAG_DETAILS in tags:
        script["details"] = tags[TAG_DETAILS]
    if TAG_LOGS in tags:
        script["log_lines"] = tags[TAG_LOGS].split("\n")
    if TAG_LOG_DELAYS in tags:
        try:
            script["log_delays"] = check_log_delays(
                [float(v) for v in tags[TAG_LOG_DELAYS].split(",") if v.strip()]
            )
        except ValueError:
            raise ScriptError(f"{where}.{TAG_LOG_DELAYS}", "must be comma-separated seconds >= 0") from None
    return script


def check_log_delays(delays: list[float]) -> list[float]:
    """Per-line ingestion delays as floats; ValueError unless every one is a number >= 0."""
    values = [float(d) for d in delays]
    if any(not v >= 0 for v in values):
        raise ValueError("log_delays: every delay must be a number of seconds >= 0")
    return values


def fail_actions(tags: dict[str, str] | None, allowed: tuple[str, ...], where: str) -> set[str]:
    """The actions named by the ``emulator-fail-actions`` tag (ScriptError on an unknown one)."""
    raw = (tags or {}).get(TAG_FAIL_ACTIONS)
    if raw is None:
        return set()
    actions = {a.strip().lower() for a in raw.split(",") if a.strip()}
    unknown = sorted(actions - set(allowed))
    if unknown:
        raise ScriptError(
            f"{where}.{TAG_FAIL_ACTIONS}", f"unknown action(s) {unknown}; expected some of {list(allowed)}"
        )
    return actions


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
        if record.kind == "job_run":
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

    def job_run_script(self, run: Record, job: Record | None) -> dict[str, Any]:
        """The effective script of a run: defaults < job tags < job control script < run tags."""
        script: dict[str, Any] = {}
        if job is not None:
            script.update(script_from_tags(job.data.get("freeformTags"), "job.freeformTags"))
            script.update(self.store.job_scripts.get(job.id, {}))
        script.update(script_from_tags(run.data.get("freeformTags"), "freeformTags"))
        script.update(run.extra.get("script", {}))
        outcome = script.get("outcome", "SUCCEEDED")
        if outcome not in JOB_RUN_OUTCOMES:
            raise ScriptError(TAG_OUTCOME, f"must be one of {sorted(JOB_RUN_OUTCOMES)}, got {outcome!r}")
        return script

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
        details = script.get("details", _DEFAULT_DETAILS.get(outcome))
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
                LogRecord(
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

    def deployment_script(self, record: Record) -> dict[str, Any]:
        """The effective script of a model deployment: tags < control script."""
        script = script_from_tags(record.data.get("freeformTags"), "freeformTags")
        failing = fail_actions(record.data.get("freeformTags"), DEPLOYMENT_ACTIONS, "freeformTags")
        if "create" in failing and "outcome" not in script:
            script["outcome"] = "FAILED"
        script.update(record.extra.get("script", {}))
        outcome = script.get("outcome", "ACTIVE")
        if outcome not in DEPLOYMENT_OUTCOMES:
            raise ScriptError(TAG_OUTCOME, f"must be one of {sorted(DEPLOYMENT_OUTCOMES)}, got {outcome!r}")
        return script

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
