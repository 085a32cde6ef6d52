"""Pipelines and their step artifacts.

A pipeline is CREATING until every CUSTOM_SCRIPT step has its artifact (``create_step_artifact``;
``isArtifactUploaded`` turns true), then ACTIVE after ``pipeline_create`` seconds (default 0: at
once, so a client may start a run right after its last upload, as ADS does); a pipeline without
such steps is answered CREATING and turns ACTIVE after that time alone. ``stepDetails`` must form a DAG: unique
step names, ``dependsOn`` naming other steps of the pipeline, no cycle.
"""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources.artifacts import download, head, upload
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
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.scripting import ScriptError, pipeline_step_script, step_tag_suffixes
from airflow_ds_provider.emulator.store import Record, Step
from airflow_ds_provider.kinds.pipelines import PIPELINE_STEP_RUN

_OPTIONAL = (
    "description",
    "configurationDetails",
    "logConfigurationDetails",
    "infrastructureConfigurationDetails",
    "storageMountConfigurationDetailsList",
    "parameters",
)
_UPDATABLE = (*_OPTIONAL, "displayName", "freeformTags", "definedTags")
_GONE = ("DELETING", "DELETED")
#: Runs of a pipeline that are not finished (they block its deletion without deleteRelatedPipelineRuns).
_LIVE_RUNS = ("ACCEPTED", "IN_PROGRESS", "CANCELING")


def check_steps(svc: Services, steps: Any) -> list[dict[str, Any]]:
    """400 (404 for an unknown job) naming the field unless ``stepDetails`` is a DAG of steps."""
    if not steps:
        raise invalid("stepDetails", "must hold at least one step")
    names: dict[str, int] = {}
    for index, step in enumerate(steps):
        if step["stepName"] in names:
            raise invalid(f"stepDetails[{index}].stepName", f"step name {step['stepName']!r} is used twice")
        names[step["stepName"]] = index
    for index, step in enumerate(steps):
        for dep in step.get("dependsOn") or ():
            if dep not in names or dep == step["stepName"]:
                raise invalid(
                    f"stepDetails[{index}].dependsOn",
                    f"{dep!r} is not another step of the pipeline; expected some of {sorted(names)}",
                )
        if step["stepType"] in PIPELINE_STEP_RUN.job_run_steps:
            job = related(svc, "job", step.get("jobId"), f"stepDetails[{index}].jobId", "job")
            if job.data["lifecycleState"] not in ("CREATING", "ACTIVE"):
                raise incorrect_state("job", job.data["lifecycleState"], "use in a pipeline step")
    cycle = _cycle({step["stepName"]: list(step.get("dependsOn") or ()) for step in steps})
    if cycle:
        raise invalid("stepDetails.dependsOn", f"the steps form a cycle: {' -> '.join(cycle)}")
    return [dict(step) for step in steps]


def _cycle(deps: dict[str, list[str]]) -> list[str]:
    """A dependency cycle (``a -> b -> a``), or an empty list."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(name: str) -> list[str]:
        state[name] = 1
        path.append(name)
        for dep in deps[name]:
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state and (found := visit(dep)):
                return found
        path.pop()
        state[name] = 2
        return []

    for name in deps:
        if name not in state and (found := visit(name)):
            return found
    return []


def check_step_tags(steps: list[dict[str, Any]], tag_values: dict[str, str] | None, where: str) -> None:
    """400 naming the tag when a step's ``emulator-*`` tag is malformed or names no step."""
    names = {step["stepName"] for step in steps}
    for tag, step in step_tag_suffixes(tag_values).items():
        if step not in names:
            raise invalid(
                f"{where}.{tag}", f"{step!r} is not a step of the pipeline; expected some of {sorted(names)}"
            )
    try:
        for name in names:
            pipeline_step_script([(tag_values, where)], name)
    except ScriptError as exc:
        raise invalid(exc.field, str(exc).split(": ", 1)[1]) from None


def _needs_artifact(step: dict[str, Any]) -> bool:
    return step["stepType"] in PIPELINE_STEP_RUN.artifact_steps and not step.get("isArtifactUploaded")


@handles("create_pipeline")
def create_pipeline(svc: Services, req: Request) -> Reply:
    """POST /pipelines: CREATING until its CUSTOM_SCRIPT steps have their artifacts, then ACTIVE."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        with svc.store.lock:
            project = related(svc, "project", body.get("projectId"), "projectId", "project")
            if project.data["lifecycleState"] != "ACTIVE":
                raise incorrect_state("project", project.data["lifecycleState"], "create a pipeline in")
            steps = check_steps(svc, body.get("stepDetails"))
            check_step_tags(steps, body.get("freeformTags"), "freeformTags")
            for step in steps:
                if step["stepType"] in PIPELINE_STEP_RUN.artifact_steps:
                    step["isArtifactUploaded"] = False
            now = svc.now()
            data = {
                "id": new_ocid("pipeline", svc.region),
                "timeCreated": rfc3339(now),
                "createdBy": req.principal.user,
                "projectId": project.id,
                "compartmentId": compartment,
                "displayName": body.get("displayName") or f"pipeline{int(now)}",
                **{k: body[k] for k in _OPTIONAL if body.get(k) is not None},
                "stepDetails": steps,
                "lifecycleState": "CREATING",
                **tags(body),
            }
            record = svc.store.add("pipeline", data)
            if not any(_needs_artifact(step) for step in steps):
                svc.lifecycles.transition(record, "create", svc.lifecycles.timings.pipeline_create)
            return resource_reply(svc, record)

    return idempotent(svc, req, create)


@handles("get_pipeline")
def get_pipeline(svc: Services, req: Request) -> Reply:
    """GET /pipelines/{pipelineId}."""
    with svc.store.lock:
        return resource_reply(svc, require(svc, "pipeline", req.params["pipelineId"], "pipeline"))


@handles("list_pipelines")
def list_pipelines(svc: Services, req: Request) -> Reply:
    """GET /pipelines."""
    return list_reply(svc, req, "pipeline")


@handles("update_pipeline")
def update_pipeline(svc: Services, req: Request) -> Reply:
    """PUT /pipelines/{pipelineId}: the top-level fields, and fields of named steps (same type)."""
    with svc.store.lock:
        record = require(svc, "pipeline", req.params["pipelineId"], "pipeline")
        check_if_match(req, record)
        if record.data["lifecycleState"] in _GONE:
            raise incorrect_state("pipeline", record.data["lifecycleState"], "update")
        steps = [dict(step) for step in record.data["stepDetails"]]
        by_name = {step["stepName"]: step for step in steps}
        for index, change in enumerate(req.body.get("stepDetails") or ()):
            step = by_name.get(change["stepName"])
            if step is None:
                raise invalid(
                    f"stepDetails[{index}].stepName",
                    f"{change['stepName']!r} is not a step of the pipeline; expected some of {sorted(by_name)}",
                )
            if change["stepType"] != step["stepType"]:
                raise invalid(
                    f"stepDetails[{index}].stepType",
                    f"step {step['stepName']!r} is a {step['stepType']} step",
                )
            step.update({k: v for k, v in change.items() if v is not None})
        check_step_tags(
            steps, req.body.get("freeformTags") or record.data.get("freeformTags"), "freeformTags"
        )
        apply_update(record, req.body, _UPDATABLE)
        if req.body.get("stepDetails"):
            record.apply({"stepDetails": steps})
        record.apply({"timeUpdated": svc.stamp()})
        return resource_reply(svc, record)


@handles("delete_pipeline")
def delete_pipeline(svc: Services, req: Request) -> Reply:
    """DELETE /pipelines/{pipelineId}: DELETING -> DELETED with a PIPELINE_DELETE work request.

    Unfinished runs block it unless ``deleteRelatedPipelineRuns=true`` (then every run of the
    pipeline is deleted with it, and with ``deleteRelatedJobRuns=true`` their steps' job runs).
    """
    flags = {name: _flag(req, name) for name in ("deleteRelatedPipelineRuns", "deleteRelatedJobRuns")}
    with svc.store.lock:
        record = require(svc, "pipeline", req.params["pipelineId"], "pipeline")
        check_if_match(req, record)
        state = record.data["lifecycleState"]
        if state in _GONE:
            raise incorrect_state("pipeline", state, "delete")
        runs = [r for r in svc.store.of_kind("pipeline_run") if r.data["pipelineId"] == record.id]
        live = [r for r in runs if r.data["lifecycleState"] in _LIVE_RUNS]
        if live and not flags["deleteRelatedPipelineRuns"]:
            raise ApiError(
                409,
                "IncorrectState",
                f"pipeline has {len(live)} unfinished pipeline runs; set deleteRelatedPipelineRuns=true",
            )
        end = svc.lifecycles.transition(record, "delete", svc.lifecycles.timings.delete)
        if flags["deleteRelatedPipelineRuns"]:
            for run in runs:
                if run.data["lifecycleState"] != "DELETED":
                    delete_run_at(svc, run, end, flags["deleteRelatedJobRuns"])
        work = svc.lifecycles.work_request("PIPELINE_DELETE", record, "DELETED", end)
        return Reply(202, None, {"opc-work-request-id": work.id})


def _flag(req: Request, name: str) -> bool:
    value = req.query.get(name, "false").lower()
    if value not in ("true", "false"):
        raise invalid(name, "must be true or false")
    return value == "true"


def delete_run_at(svc: Services, run: Record, end: float, job_runs: bool) -> None:
    """Schedule a pipeline run to be DELETED at ``end``; the job runs of its ML_JOB steps are
    DELETED too with ``job_runs``, else the unfinished ones are CANCELED."""
    now = svc.now()
    run.apply({"lifecycleState": "DELETING"})
    run.schedule([Step(end, {"lifecycleState": "DELETED"})])
    svc.lifecycles.drop_future_logs(run.id, now)
    for job_run_id in run.extra.get("job_runs", {}).values():
        svc.lifecycles.drop_future_logs(job_run_id, now)
        job_run = svc.store.get(job_run_id, "job_run")
        if job_run is None or job_run.data["lifecycleState"] == "DELETED":
            continue
        if job_runs:
            job_run.schedule([Step(end, {"lifecycleState": "DELETED"})])
        elif job_run.data["lifecycleState"] in _LIVE_RUNS:
            job_run.apply({"lifecycleState": "CANCELING"})
            job_run.schedule([Step(end, {"lifecycleState": "CANCELED", "timeFinished": rfc3339(end)})])


@handles("change_pipeline_compartment")
def change_pipeline_compartment(svc: Services, req: Request) -> Reply:
    """POST /pipelines/{pipelineId}/actions/changeCompartment."""
    return change_compartment(svc, req, "pipeline", "pipelineId", "pipeline")


def _step(svc: Services, req: Request) -> tuple[Record, dict[str, Any], str]:
    """The pipeline, the step named in the path, and the key its artifact is kept under (404s)."""
    record = require(svc, "pipeline", req.params["pipelineId"], "pipeline")
    name = req.params["stepName"]
    for step in record.data["stepDetails"]:
        if step["stepName"] == name:
            return record, step, f"{record.id}/steps/{name}"
    raise ApiError(404, "NotAuthorizedOrNotFound", f"pipeline {record.id} has no step {name!r}")


@handles("create_step_artifact")
def create_step_artifact(svc: Services, req: Request) -> Reply:
    """POST /pipelines/{pipelineId}/steps/{stepName}/artifact (streamed); the last artifact a
    CREATING pipeline waits for makes it ACTIVE."""
    with svc.store.lock:
        record, step, key = _step(svc, req)
        if step["stepType"] not in PIPELINE_STEP_RUN.artifact_steps | {"CONTAINER"}:
            raise invalid(
                "stepName", f"step {step['stepName']!r} is a {step['stepType']} step; it takes no artifact"
            )
    reply = upload(svc, req, "pipeline", "pipelineId", "pipeline step", check_etag=False, key=key)
    with svc.store.lock:
        steps = [
            {**s, "isArtifactUploaded": True} if s["stepName"] == step["stepName"] else s
            for s in record.data["stepDetails"]
        ]
        record.apply({"stepDetails": steps})
        waiting = record.data["lifecycleState"] == "CREATING" and not record.steps
        if waiting and not any(_needs_artifact(s) for s in steps):
            svc.lifecycles.transition(record, "create", svc.lifecycles.timings.pipeline_create)
    return reply


@handles("get_step_artifact_content")
def get_step_artifact_content(svc: Services, req: Request) -> Reply:
    """GET /pipelines/{pipelineId}/steps/{stepName}/artifact/content."""
    with svc.store.lock:
        _, _, key = _step(svc, req)
    return download(svc, req, "pipeline", "pipelineId", "pipeline step", key=key)


@handles("head_step_artifact")
def head_step_artifact(svc: Services, req: Request) -> Reply:
    """HEAD /pipelines/{pipelineId}/steps/{stepName}/artifact/content."""
    with svc.store.lock:
        _, _, key = _step(svc, req)
    return head(svc, req, "pipeline", "pipelineId", "pipeline step", key=key)
