"""Jobs and their artifacts."""

from __future__ import annotations

from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources.artifacts import download as download_artifact
from airflow_ds_provider.emulator.resources.artifacts import head as head_artifact
from airflow_ds_provider.emulator.resources.artifacts import upload as upload_artifact
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
from airflow_ds_provider.emulator.scripting import ScriptError, script_from_tags
from airflow_ds_provider.emulator.store import Step

_OPTIONAL = (
    "description",
    "jobEnvironmentConfigurationDetails",
    "jobLogConfigurationDetails",
    "jobStorageMountConfigurationDetailsList",
    "jobNodeConfigurationDetails",
)
_UPDATABLE = (
    "displayName",
    "description",
    "jobInfrastructureConfigurationDetails",
    "jobStorageMountConfigurationDetailsList",
    "freeformTags",
    "definedTags",
)


@handles("create_job")
def create_job(svc: Services, req: Request) -> Reply:
    """POST /jobs: CREATING, then ACTIVE."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        try:
            script_from_tags(body.get("freeformTags"), "freeformTags")
        except ScriptError as exc:
            raise invalid(exc.field, str(exc).split(": ", 1)[1]) from None
        with svc.store.lock:
            project = related(svc, "project", body.get("projectId"), "projectId", "project")
            if project.data["lifecycleState"] != "ACTIVE":
                raise incorrect_state("project", project.data["lifecycleState"], "create a job in")
            now = svc.now()
            data = {
                "id": new_ocid("job", svc.region),
                "timeCreated": rfc3339(now),
                "createdBy": req.principal.user,
                "projectId": project.id,
                "compartmentId": compartment,
                "displayName": body.get("displayName") or f"job{int(now)}",
                "jobConfigurationDetails": body.get("jobConfigurationDetails") or {"jobType": "EMPTY"},
                "jobInfrastructureConfigurationDetails": body.get("jobInfrastructureConfigurationDetails")
                or {"jobInfrastructureType": "EMPTY"},
                **{k: body[k] for k in _OPTIONAL if body.get(k) is not None},
                "lifecycleState": "CREATING",
                **tags(body),
            }
            record = svc.store.add("job", data)
            svc.lifecycles.transition(record, "create", svc.lifecycles.timings.job_create)
            return resource_reply(svc, record)

    return idempotent(svc, req, create)


@handles("get_job")
def get_job(svc: Services, req: Request) -> Reply:
    """GET /jobs/{jobId}."""
    with svc.store.lock:
        return resource_reply(svc, require(svc, "job", req.params["jobId"], "job"))


@handles("list_jobs")
def list_jobs(svc: Services, req: Request) -> Reply:
    """GET /jobs."""
    return list_reply(svc, req, "job")


@handles("update_job")
def update_job(svc: Services, req: Request) -> Reply:
    """PUT /jobs/{jobId}."""
    with svc.store.lock:
        record = require(svc, "job", req.params["jobId"], "job")
        check_if_match(req, record)
        if record.data["lifecycleState"] in ("DELETING", "DELETED"):
            raise incorrect_state("job", record.data["lifecycleState"], "update")
        apply_update(record, req.body, _UPDATABLE)
        return resource_reply(svc, record)


@handles("delete_job")
def delete_job(svc: Services, req: Request) -> Reply:
    """DELETE /jobs/{jobId}: DELETING -> DELETED with a JOB_DELETE work request.

    Without ``deleteRelatedJobRuns=true`` a job with unfinished runs cannot be deleted.
    """
    flag = req.query.get("deleteRelatedJobRuns", "false").lower()
    if flag not in ("true", "false"):
        raise invalid("deleteRelatedJobRuns", "must be true or false")
    with svc.store.lock:
        record = require(svc, "job", req.params["jobId"], "job")
        check_if_match(req, record)
        if record.data["lifecycleState"] in ("DELETING", "DELETED"):
            raise incorrect_state("job", record.data["lifecycleState"], "delete")
        runs = [r for r in svc.store.of_kind("job_run") if r.data["jobId"] == record.id]
        live = [r for r in runs if r.data["lifecycleState"] in ("ACCEPTED", "IN_PROGRESS", "CANCELING")]
        if live and flag != "true":
            raise ApiError(
                409,
                "IncorrectState",
                f"job has {len(live)} unfinished job runs; set deleteRelatedJobRuns=true",
            )
        end = svc.lifecycles.transition(record, "delete", svc.lifecycles.timings.delete)
        if flag == "true":
            for run in runs:
                if run.data["lifecycleState"] != "DELETED":
                    run.schedule([Step(end, {"lifecycleState": "DELETED"})])
                    svc.lifecycles.drop_future_logs(run.id, svc.now())
        work = svc.lifecycles.work_request("JOB_DELETE", record, "DELETED", end)
        return Reply(202, None, {"opc-work-request-id": work.id})


@handles("change_job_compartment")
def change_job_compartment(svc: Services, req: Request) -> Reply:
    """POST /jobs/{jobId}/actions/changeCompartment."""
    return change_compartment(svc, req, "job", "jobId", "job")


@handles("create_job_artifact")
def create_job_artifact(svc: Services, req: Request) -> Reply:
    """POST /jobs/{jobId}/artifact (streamed)."""
    return upload_artifact(svc, req, "job", "jobId", "job", check_etag=False)


@handles("get_job_artifact_content")
def get_job_artifact_content(svc: Services, req: Request) -> Reply:
    """GET /jobs/{jobId}/artifact/content."""
    return download_artifact(svc, req, "job", "jobId", "job")


@handles("head_job_artifact")
def head_job_artifact(svc: Services, req: Request) -> Reply:
    """HEAD /jobs/{jobId}/artifact/content."""
    return head_artifact(svc, req, "job", "jobId", "job")
