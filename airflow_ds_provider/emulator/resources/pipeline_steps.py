"""Planning a pipeline run on the emulator clock: its steps in dependency order.

A run is ACCEPTED, IN_PROGRESS after ``pipeline_run_accepted`` seconds, and then runs its steps:
a step whose dependencies all SUCCEEDED is ACCEPTED at once, IN_PROGRESS after
``pipeline_step_accepted`` seconds, and ends after its (scripted) duration in its (scripted)
outcome; independent steps run in parallel. Once a step FAILED no other step starts: every step
not started by then is SKIPPED, the ones running finish, and the run ends FAILED. The whole
timeline is computed when the run is created and recorded as :class:`Step` patches of
``stepRuns`` (nothing runs in the background), together with each step's log lines.

Log lines of a step go to the run's log (``logDetails``) with the step name as ``subject``; the
``source`` is the run's OCID, or for an ML_JOB step the OCID of its job run (so the step's lines
are found as a job run's are).
"""

from __future__ import annotations

import heapq
import uuid
from dataclasses import dataclass
from typing import Any

from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.emulator.resources.base import Services
from airflow_ds_provider.emulator.store import REMOVE, IngestedLogRecord, Record, Step
from airflow_ds_provider.kinds.pipelines import PIPELINE_STEP_RUN

#: States of a step run that is running (the ones a cancel moves to CANCELING).
RUNNING = frozenset({"ACCEPTED", "IN_PROGRESS"})


@dataclass
class StepPlan:
    """When one step of a run is accepted, starts and ends, and how."""

    name: str
    step_type: str
    script: dict[str, Any]
    job_run: str | None = None
    step_run_name: str | None = None
    ready: float | None = None
    start: float | None = None
    end: float | None = None
    outcome: str = "SKIPPED"
    details: str | None = None


def plan_steps(
    svc: Services, steps: list[dict[str, Any]], scripts: dict[str, dict[str, Any]], begin: float
) -> tuple[dict[str, StepPlan], float]:
    """The timeline of every step (``scripts``: step name -> script) of a run that is IN_PROGRESS
    at ``begin``, and the time the run ends. ``steps`` is the pipeline's ``stepDetails`` (a DAG,
    checked when the pipeline was created)."""
    clock, timings = svc.lifecycles.clock, svc.lifecycles.timings
    plans = {s["stepName"]: StepPlan(s["stepName"], s["stepType"], scripts[s["stepName"]]) for s in steps}
    deps = {s["stepName"]: list(s.get("dependsOn") or ()) for s in steps}
    waiting = {name: set(names) for name, names in deps.items()}
    children: dict[str, list[str]] = {name: [] for name in plans}
    for name, names in deps.items():
        for dep in names:
            children[dep].append(name)
    order = {name: index for index, name in enumerate(plans)}
    queue = [(begin, order[name], name) for name, names in deps.items() if not names]
    heapq.heapify(queue)
    failed_at = float("inf")
    while queue:
        ready, _, name = heapq.heappop(queue)
        if ready >= failed_at:
            continue
        plan = plans[name]
        plan.ready = ready
        plan.start = ready + clock.scaled(timings.pipeline_step_accepted)
        plan.end = plan.start + clock.scaled(plan.script.get("duration", timings.pipeline_step_in_progress))
        plan.outcome = plan.script.get("outcome", "SUCCEEDED")
        plan.details = plan.script.get("details")
        if plan.outcome == "FAILED":
            failed_at = min(failed_at, plan.end)
            if plan.details is None:
                plan.details = f"Step {name} failed with exit code 1."
            continue
        for child in children[name]:
            waiting[child].discard(name)
            if not waiting[child]:
                after = max(plans[dep].end or begin for dep in deps[child])
                heapq.heappush(queue, (after, order[child], child))
    end = max([begin, *(plan.end for plan in plans.values() if plan.end is not None)])
    for plan in plans.values():
        if plan.ready is None:  # never started: SKIPPED when the failure happens
            plan.end = min(failed_at, end)
            plan.details = "Not run: a step of the pipeline run failed."
    return plans, end


def step_run_at(plan: StepPlan, at: float, accepted: float) -> dict[str, Any]:
    """The ``PipelineStepRun`` of ``plan`` at time ``at`` (``accepted``: when the run was)."""
    entry: dict[str, Any] = {
        "stepType": plan.step_type,
        "stepName": plan.name,
        # the model requires timeStarted: a step that has not started carries the run's acceptance
        "timeStarted": rfc3339(accepted),
        "lifecycleState": "WAITING",
    }
    if plan.step_type in PIPELINE_STEP_RUN.job_run_steps:
        entry["stepRunName"] = plan.step_run_name or plan.name
    if plan.ready is None:
        if plan.end is not None and at >= plan.end:
            entry.update(
                lifecycleState="SKIPPED", timeFinished=rfc3339(plan.end), lifecycleDetails=plan.details
            )
        return entry
    if at >= plan.ready:
        entry["lifecycleState"] = "ACCEPTED"
        if plan.job_run:
            entry["jobRunId"] = plan.job_run
    if plan.start is not None and at >= plan.start:
        entry.update(lifecycleState="IN_PROGRESS", timeStarted=rfc3339(plan.start))
    if plan.end is not None and at >= plan.end:
        entry.update(lifecycleState=plan.outcome, timeFinished=rfc3339(plan.end))
        if plan.details:
            entry["lifecycleDetails"] = plan.details
    return entry


def schedule_run(svc: Services, run: Record, plans: dict[str, StepPlan], begin: float, end: float) -> None:
    """Record the run's timeline as steps: IN_PROGRESS at ``begin``, every step's changes, and
    the final state at ``end`` (FAILED when a step failed); emit the steps' log lines."""
    accepted = run.extra["_t_accepted"]
    failed = [plan for plan in plans.values() if plan.outcome == "FAILED"]
    times = {begin, end}
    for plan in plans.values():
        times.update(t for t in (plan.ready, plan.start, plan.end) if t is not None)
    patches = []
    for at in sorted(times):
        patch: dict[str, Any] = {"stepRuns": [step_run_at(plan, at, accepted) for plan in plans.values()]}
        if at == begin:
            patch.update(lifecycleState="IN_PROGRESS", timeStarted=rfc3339(begin))
        patches.append(Step(at, patch))
    final = patches[-1].patch
    final.update(lifecycleState="FAILED" if failed else "SUCCEEDED", timeFinished=rfc3339(end))
    if failed:
        first = min(failed, key=lambda plan: plan.end or 0.0)
        final["lifecycleDetails"] = f"Step {first.name} failed: {first.details}"
    run.data["stepRuns"] = [step_run_at(plan, accepted, accepted) for plan in plans.values()]
    run.schedule(patches)
    for plan in plans.values():
        if plan.job_run:
            _schedule_job_run(svc, plan)
        _emit_logs(svc, run, plan)


def _schedule_job_run(svc: Services, plan: StepPlan) -> None:
    job_run = svc.store.records.get(plan.job_run or "")
    if job_run is None:
        return
    if plan.ready is None:
        assert plan.end is not None
        job_run.schedule([Step(plan.end, {"lifecycleState": "CANCELED", "timeFinished": rfc3339(plan.end)})])
        return
    assert plan.start is not None and plan.end is not None
    final: dict[str, Any] = {"lifecycleState": plan.outcome, "timeFinished": rfc3339(plan.end)}
    final["lifecycleDetails"] = plan.details if plan.details else REMOVE
    job_run.schedule(
        [
            Step(plan.start, {"lifecycleState": "IN_PROGRESS", "timeStarted": rfc3339(plan.start)}),
            Step(plan.end, final),
        ]
    )


def _emit_logs(svc: Services, run: Record, plan: StepPlan) -> None:
    log = run.data.get("logDetails")
    if not log or plan.start is None or plan.end is None:
        return
    lines = plan.script.get("log_lines")
    if lines is None:
        lines = [f"Step {plan.name} started", f"Step {plan.name} finished"]
    delays = plan.script.get("log_delays") or []
    gap = (plan.end - plan.start) / (len(lines) + 1)
    for index, line in enumerate(lines):
        at = plan.start + gap * (index + 1)
        delay = delays[index] if index < len(delays) else svc.lifecycles.log_ingestion_delay
        svc.store.logs.append(
            IngestedLogRecord(
                id=str(uuid.uuid4()),
                datetime=at,
                ingested=at + delay,
                compartment_id=run.data["compartmentId"],
                log_group_id=log["logGroupId"],
                log_id=log["logId"],
                tenant_id=run.extra.get("tenancy") or "",
                source=plan.job_run or run.id,
                subject=plan.name,
                message=line,
            )
        )


def cancel_run(svc: Services, run: Record, graceful: bool = False) -> None:
    """CANCELING now, settled after ``pipeline_run_cancel`` seconds; no more log lines.

    A plain cancel moves the running steps (and their job runs) to CANCELING, then everything
    unfinished ends CANCELED. With ``graceful`` (``terminateGracefully=true``: the run is ended on
    purpose, e.g. by one of its steps) the running steps end SUCCEEDED, the ones not started
    SKIPPED, and the run SUCCEEDED.
    """
    now = svc.now()
    end = now + svc.lifecycles.clock.scaled(svc.lifecycles.timings.pipeline_run_cancel)
    finished = {"timeFinished": rfc3339(end)}
    running_end, waiting_end = ("SUCCEEDED", "SKIPPED") if graceful else ("CANCELED", "CANCELED")
    canceling, settled = [], []
    for entry in run.data.get("stepRuns") or []:
        state = entry.get("lifecycleState")
        if state in RUNNING:
            canceling.append(entry if graceful else {**entry, "lifecycleState": "CANCELING"})
            settled.append({**entry, "lifecycleState": running_end, **finished})
        elif state == "WAITING":
            canceling.append(entry)
            settled.append({**entry, "lifecycleState": waiting_end, **finished})
        else:
            canceling.append(entry)
            settled.append(entry)
    run.apply({"lifecycleState": "CANCELING", "stepRuns": canceling})
    final = "SUCCEEDED" if graceful else "CANCELED"
    run.schedule([Step(end, {"lifecycleState": final, "stepRuns": settled, **finished})])
    svc.lifecycles.drop_future_logs(run.id, now)
    states = {entry["stepName"]: entry.get("lifecycleState") for entry in canceling}
    for step, job_run_id in run.extra.get("job_runs", {}).items():
        job_run = svc.store.get(job_run_id, "job_run")
        if job_run is None or job_run.data["lifecycleState"] not in RUNNING:
            continue
        svc.lifecycles.drop_future_logs(job_run_id, now)
        outcome = "SUCCEEDED" if graceful and states.get(step) in RUNNING else "CANCELED"
        job_run.apply({"lifecycleState": "CANCELING"})
        job_run.schedule([Step(end, {"lifecycleState": outcome, **finished})])
