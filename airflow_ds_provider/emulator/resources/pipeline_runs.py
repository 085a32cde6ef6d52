"""Pipeline runs: ACCEPTED -> IN_PROGRESS -> SUCCEEDED | FAILED through their steps
(:mod:`.pipeline_steps`), or CANCELING -> CANCELED; deleted (DELETING -> DELETED) once finished.

Each step is scripted by ``emulator-*`` freeform tags (:func:`~airflow_ds_provider.emulator.scripting.pipeline_step_script`):
on the pipeline or the run (the run's win) for every step, suffixed ``.<stepName>`` for one step.
An ML_JOB step runs as a job run of its job (``jobRunId``), created with the pipeline run.
"""

from __future__ import annotations

from typing import Any

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
    invalid,
    list_reply,
    related,
    require,
    resource_reply,
    tags,
)
from airflow_ds_provider.emulator.resources.job_runs import log_details
from airflow_ds_provider.emulator.resources.pipeline_steps import cancel_run, plan_steps, schedule_run
from airflow_ds_provider.emulator.resources.pipelines import check_step_tags, delete_run_at
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.scripting import ScriptError, pipeline_step_script
from airflow_ds_provider.emulator.store import Record
from airflow_ds_provider.kinds.pipelines import PIPELINE_STEP_RUN
from airflow_ds_provider.resources import RESOURCES

_RUN = RESOURCES["pipeline_run"]
_OVERRIDES = (
    "configurationOverrideDetails",
    "logConfigurationOverrideDetails",
    "infrastructureConfigurationOverrideDetails",
    "storageMountConfigurationOverrideDetailsList",
    "parametersOverride",
    "stepOverrideDetails",
    "systemTags",
)


def _check_overrides(pipeline: Record, overrides: Any) -> None:
    names = {step["stepName"] for step in pipeline.data["stepDetails"]}
    seen: set[str] = set()
    for index, override in enumerate(overrides or ()):
        name = override["stepName"]
        if name not in names:
            raise invalid(
                f"stepOverrideDetails[{index}].stepName",
                f"{name!r} is not a step of the pipeline; expected some of {sorted(names)}",
            )
        if name in seen:
            raise invalid(f"stepOverrideDetails[{index}].stepName", f"step {name!r} is overridden twice")
        seen.add(name)


def _scripts(svc: Services, pipeline: Record, run_tags: dict[str, str] | None) -> dict[str, dict[str, Any]]:
    scripts = {}
    for step in pipeline.data["stepDetails"]:
        sources: list[tuple[dict[str, str] | None, str]] = []
        if step["stepType"] in PIPELINE_STEP_RUN.job_run_steps:
            job = svc.store.get(step["jobId"], "job")
            if job is not None:
                sources.append((job.data.get("freeformTags"), "job.freeformTags"))
        sources += [(pipeline.data.get("freeformTags"), "pipeline.freeformTags"), (run_tags, "freeformTags")]
        try:
            scripts[step["stepName"]] = pipeline_step_script(sources, step["stepName"])
        except ScriptError as exc:
            raise invalid(exc.field, str(exc).split(": ", 1)[1]) from None
    return scripts


def _job_run(svc: Services, req: Request, run: Record, step: dict[str, Any]) -> str | None:
    """A job run of an ML_JOB step's job (ACCEPTED now; the run's plan moves it)."""
    job = svc.store.get(step["jobId"], "job")
    if job is None:
        return None
    data = {
        "id": new_ocid("job_run", svc.region),
        "timeAccepted": run.data["timeAccepted"],
        "createdBy": req.principal.user,
        "projectId": run.data["projectId"],
        "compartmentId": run.data["compartmentId"],
        "jobId": job.id,
        "displayName": step.get("stepRunName") or f"{run.data['displayName']}-{step['stepName']}",
        "jobConfigurationOverrideDetails": job.data["jobConfigurationDetails"],
        "jobInfrastructureConfigurationDetails": job.data["jobInfrastructureConfigurationDetails"],
        "lifecycleState": "ACCEPTED",
        "freeformTags": {},
        "definedTags": {},
    }
    if run.data.get("logDetails"):
        data["logDetails"] = dict(run.data["logDetails"])
    return svc.store.add("job_run", data).id


@handles("create_pipeline_run")
def create_pipeline_run(svc: Services, req: Request) -> Reply:
    """POST /pipelineRuns: a run of an ACTIVE pipeline."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        with svc.store.lock:
            pipeline = related(svc, "pipeline", body.get("pipelineId"), "pipelineId", "pipeline")
            if pipeline.data["lifecycleState"] != "ACTIVE":
                raise incorrect_state("pipeline", pipeline.data["lifecycleState"], "start a run of")
            project = pipeline.data["projectId"]
            if body.get("projectId") is not None:
                project = related(svc, "project", body["projectId"], "projectId", "project").id
            _check_overrides(pipeline, body.get("stepOverrideDetails"))
            check_step_tags(pipeline.data["stepDetails"], body.get("freeformTags"), "freeformTags")
            scripts = _scripts(svc, pipeline, body.get("freeformTags"))
            override_log = body.get("logConfigurationOverrideDetails")
            log_config = (
                override_log if override_log is not None else pipeline.data.get("logConfigurationDetails")
            )
            field = (
                "logConfigurationOverrideDetails"
                if override_log is not None
                else "pipeline.logConfigurationDetails"
            )
            logs = log_details(pipeline, log_config or {}, field, svc.region)
            now = svc.now()
            data: dict[str, Any] = {
                "id": new_ocid("pipeline_run", svc.region),
                "timeAccepted": rfc3339(now),
                "createdBy": req.principal.user,
                "projectId": project,
                "compartmentId": compartment,
                "pipelineId": pipeline.id,
                "displayName": body.get("displayName") or f"{pipeline.data['displayName']}-run-{int(now)}",
                **{k: body[k] for k in _OVERRIDES if body.get(k) is not None},
                "lifecycleState": "ACCEPTED",
                **tags(body),
            }
            if pipeline.data.get("configurationDetails"):
                data["configurationDetails"] = pipeline.data["configurationDetails"]
            if logs:
                data["logDetails"] = logs
            run = svc.store.add("pipeline_run", data)
            run.extra.update(_t_accepted=now, tenancy=req.principal.tenancy, job_runs={})
            begin = now + svc.lifecycles.clock.scaled(svc.lifecycles.timings.pipeline_run_accepted)
            plans, end = plan_steps(svc, pipeline.data["stepDetails"], scripts, begin)
            for step in pipeline.data["stepDetails"]:
                if step["stepType"] in PIPELINE_STEP_RUN.job_run_steps:
                    job_run = _job_run(svc, req, run, step)
                    plans[step["stepName"]].job_run = job_run
                    plans[step["stepName"]].step_run_name = step.get("stepRunName")
                    run.extra["job_runs"][step["stepName"]] = job_run
            schedule_run(svc, run, plans, begin, end)
            return resource_reply(svc, run)

    return idempotent(svc, req, create)


@handles("get_pipeline_run")
def get_pipeline_run(svc: Services, req: Request) -> Reply:
    """GET /pipelineRuns/{pipelineRunId}."""
    with svc.store.lock:
        return resource_reply(svc, require(svc, "pipeline_run", req.params["pipelineRunId"], "pipeline run"))


@handles("list_pipeline_runs")
def list_pipeline_runs(svc: Services, req: Request) -> Reply:
    """GET /pipelineRuns."""
    filters = {"pipelineId": lambda data, value: data.get("pipelineId") == value}
    return list_reply(svc, req, "pipeline_run", filters=filters, time_field="timeAccepted")


@handles("update_pipeline_run")
def update_pipeline_run(svc: Services, req: Request) -> Reply:
    """PUT /pipelineRuns/{pipelineRunId}: displayName and tags only."""
    with svc.store.lock:
        record = require(svc, "pipeline_run", req.params["pipelineRunId"], "pipeline run")
        check_if_match(req, record)
        if record.data["lifecycleState"] in ("DELETING", "DELETED"):
            raise incorrect_state("pipeline run", record.data["lifecycleState"], "update")
        apply_update(record, req.body, ("displayName", "freeformTags", "definedTags"))
        record.apply({"timeUpdated": svc.stamp()})
        return resource_reply(svc, record)


@handles("cancel_pipeline_run")
def cancel_pipeline_run(svc: Services, req: Request) -> Reply:
    """POST /pipelineRuns/{pipelineRunId}/actions/cancelPipelineRun: CANCELING -> CANCELED
    (with ``terminateGracefully=true``: -> SUCCEEDED, see :func:`.pipeline_steps.cancel_run`)."""
    flag = req.query.get("terminateGracefully", "false").lower()
    if flag not in ("true", "false"):
        raise invalid("terminateGracefully", "must be true or false")
    with svc.store.lock:
        record = require(svc, "pipeline_run", req.params["pipelineRunId"], "pipeline run")
        check_if_match(req, record)
        state = record.data["lifecycleState"]
        if state not in _RUN.actions["cancel"].sources:
            raise incorrect_state("pipeline run", state, "cancel")
        cancel_run(svc, record, graceful=flag == "true")
    return Reply(200, None, {})


@handles("delete_pipeline_run")
def delete_pipeline_run(svc: Services, req: Request) -> Reply:
    """DELETE /pipelineRuns/{pipelineRunId}: only a finished run (``deleteRelatedJobRuns``: and
    its steps' job runs)."""
    value = req.query.get("deleteRelatedJobRuns", "false").lower()
    if value not in ("true", "false"):
        raise invalid("deleteRelatedJobRuns", "must be true or false")
    with svc.store.lock:
        record = require(svc, "pipeline_run", req.params["pipelineRunId"], "pipeline run")
        check_if_match(req, record)
        state = record.data["lifecycleState"]
        if state in _RUN.actions["cancel"].sources:
            raise ApiError(
                409, "IncorrectState", f"cannot delete a pipeline run in state {state}; cancel it first"
            )
        if state not in _RUN.actions["delete"].sources:
            raise incorrect_state("pipeline run", state, "delete")
        end = svc.now() + svc.lifecycles.clock.scaled(svc.lifecycles.timings.delete)
        delete_run_at(svc, record, end, value == "true")
    return Reply(204, None, {})


@handles("change_pipeline_run_compartment")
def change_pipeline_run_compartment(svc: Services, req: Request) -> Reply:
    """POST /pipelineRuns/{pipelineRunId}/actions/changeCompartment."""
    return change_compartment(svc, req, "pipeline_run", "pipelineRunId", "pipeline run")
