"""The ``script_*`` methods of :class:`~.core.Emulator` (the rules they apply are in :mod:`.scripting`)."""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.emulator.actions import replan_action
from airflow_ds_provider.emulator.clock import Clock, parse_rfc3339
from airflow_ds_provider.emulator.scripting import (
    DEPLOYMENT_OUTCOMES,
    JOB_RUN_OUTCOMES,
    check_log_delays,
    check_script,
    deployment_script,
    job_run_script,
)
from airflow_ds_provider.emulator.store import Record, Step, Store
from airflow_ds_provider.emulator.transitions import Lifecycles, Timings


class ScriptingMixin:
    """The ``script_*`` methods (mixed into the emulator, which provides the attributes below)."""

    store: Store
    lifecycles: Lifecycles
    clock: Clock
    timings: Timings

    def script_job_run(
        self,
        job_run_or_job_id: str,
        duration: float | None = None,
        outcome: str | None = None,
        details: str | None = None,
        log_lines: list[str] | None = None,
        log_delays: list[float] | None = None,
    ) -> None:
        """Script a run (re-planned now) or every future run of a job.

        :param job_run_or_job_id: a job run OCID, or a job OCID for its later runs.
        :param duration: seconds IN_PROGRESS.
        :param outcome: SUCCEEDED, FAILED, NEEDS_ATTENTION or CANCELED.
        :param details: ``lifecycleDetails`` of the final state.
        :param log_lines: lines the run emits while IN_PROGRESS.
        :param log_delays: ingestion delay (seconds, emulator clock) of each line, by index;
            lines past the end use the emulator's delay. A line with a larger delay than a later
            one becomes searchable after it although its ``datetime`` is earlier.
        """
        script: dict[str, Any] = {}
        if duration is not None:
            script["duration"] = float(duration)
        if outcome is not None:
            script["outcome"] = outcome.upper()
            if script["outcome"] not in JOB_RUN_OUTCOMES:
                raise ValueError(f"outcome must be one of {sorted(JOB_RUN_OUTCOMES)}")
        if details is not None:
            script["details"] = details
        if log_lines is not None:
            script["log_lines"] = list(log_lines)
        if log_delays is not None:
            script["log_delays"] = check_log_delays(list(log_delays))
        with self.store.lock:
            record = self._record(job_run_or_job_id)
            if record.kind == "job":
                self.store.job_scripts.setdefault(record.id, {}).update(script)
                return
            if record.kind != "job_run":
                raise ValueError(f"{job_run_or_job_id} is a {record.kind}, not a job run or job")
            record.extra.setdefault("script", {}).update(script)
            job = self.store.get(record.data["jobId"], "job")
            self.lifecycles.plan_job_run(record, job_run_script(record, job, self.store.job_scripts))

    def script_model_deployment(
        self,
        model_deployment_id: str,
        duration: float | None = None,
        outcome: str | None = None,
        details: str | None = None,
        action: str = "create",
    ) -> None:
        """Script how an action of a deployment goes (the running one is re-planned now).

        :param duration: seconds CREATING (counted from its creation) or UPDATING (from the
            action's start).
        :param outcome: the final state. ``create``: ACTIVE, FAILED, NEEDS_ATTENTION or
            INACTIVE; ``update``: ACTIVE, INACTIVE, FAILED or NEEDS_ATTENTION; ``activate``:
            ACTIVE, FAILED or NEEDS_ATTENTION; ``deactivate``: INACTIVE, FAILED or
            NEEDS_ATTENTION. FAILED and NEEDS_ATTENTION fail the action's work request.
        :param details: ``lifecycleDetails`` of the final state (and the work request's error).
        :param action: ``create``, ``update``, ``activate`` or ``deactivate``; a script for a
            later action holds for every such action until scripted again.
        """
        if action != "create":
            self._script_action("model_deployment", model_deployment_id, action, duration, outcome, details)
            return
        with self.store.lock:
            record = self._record(model_deployment_id)
            if record.kind != "model_deployment":
                raise ValueError(f"{model_deployment_id} is a {record.kind}, not a model deployment")
            script = record.extra.setdefault("script", {})
            if duration is not None:
                script["duration"] = float(duration)
            if outcome is not None:
                if outcome.upper() not in DEPLOYMENT_OUTCOMES:
                    raise ValueError(f"outcome must be one of {sorted(DEPLOYMENT_OUTCOMES)}")
                script["outcome"] = outcome.upper()
            if details is not None:
                script["details"] = details
            if record.data["lifecycleState"] != "CREATING":
                return
            self._replan_deployment(record)

    def script_notebook_session(
        self,
        notebook_session_id: str,
        duration: float | None = None,
        outcome: str | None = None,
        details: str | None = None,
        action: str = "create",
    ) -> None:
        """Script how an action of a notebook session goes (the running one is re-planned now).

        :param duration: seconds CREATING / UPDATING, counted from the action's start.
        :param outcome: the final state: ACTIVE or FAILED (``create``, ``activate``), INACTIVE
            or FAILED (``deactivate``). FAILED fails the work request.
        :param details: ``lifecycleDetails`` of the final state (and the work request's error).
        :param action: ``create``, ``activate`` or ``deactivate``.
        """
        self._script_action("notebook_session", notebook_session_id, action, duration, outcome, details)

    def _script_action(
        self,
        kind: str,
        ocid: str,
        action: str,
        duration: float | None,
        outcome: str | None,
        details: str | None,
    ) -> None:
        outcome = check_script(kind, action, outcome)
        script: dict[str, Any] = {}
        if duration is not None:
            if float(duration) < 0:
                raise ValueError("duration must be >= 0")
            script["duration"] = float(duration)
        if outcome is not None:
            script["outcome"] = outcome
        if details is not None:
            script["details"] = details
        with self.store.lock:
            record = self._record(ocid)
            if record.kind != kind:
                raise ValueError(f"{ocid} is a {record.kind}, not a {kind.replace('_', ' ')}")
            record.extra.setdefault("action_scripts", {}).setdefault(action, {}).update(script)
            replan_action(self.lifecycles, record, action)

    def _replan_deployment(self, record: Record) -> None:
        script = deployment_script(record)
        outcome = script.get("outcome", "ACTIVE")
        details = script.get("details")
        if details is None and outcome == "FAILED":
            details = "Model deployment failed: the container did not pass its health check."
        created = parse_rfc3339(record.data["timeCreated"])
        end = max(
            self.clock.now(),
            created + self.clock.scaled(script.get("duration", self.timings.deployment_create)),
        )
        final: dict[str, Any] = {"lifecycleState": outcome}
        if details is not None:
            final["lifecycleDetails"] = details
        record.schedule([Step(end, final)])
        for work in self.store.of_kind("work_request"):
            if (
                work.data["operationType"] == "MODEL_DEPLOYMENT_CREATE"
                and work.data["resources"][0]["identifier"] == record.id
            ):
                self.lifecycles.retime_work_request(
                    work, end, (details or "failed") if outcome == "FAILED" else None
                )

    def _record(self, ocid: str) -> Record:
        record = self.store.get(ocid)
        if record is None:
            raise KeyError(f"no resource {ocid}")
        return record
