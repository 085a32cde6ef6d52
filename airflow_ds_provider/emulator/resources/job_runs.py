"""Job runs: ACCEPTED -> IN_PROGRESS -> SUCCEEDED | FAILED | NEEDS_ATTENTION, or cancelled."""

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
    not_found,
    related,
    require,
    resource_reply,
    tags,
)
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.scripting import ScriptError, job_run_script
from airflow_ds_provider.emulator.store import Record
from airflow_ds_provider.lifecycle import JOB_RUN, JOB_RUN_CANCELLABLE

_OVERRIDES = (
    "jobConfigurationOverrideDetails",
    "jobLogConfigurationOverrideDetails",
    "jobEnvironmentConfigurationOverrideDetails",
    "jobInfrastructureConfigurationOverrideDetails",
    "jobNodeConfigurationOverrideDetails",
    "jobStorageMountConfigurationOverrideDetailsList",
)


def log_details(
    job: Record, override: dict[str, Any] | None, field: str, region: str
) -> dict[str, str] | None:
    """``logDetails`` of a new run from its job's (or the run's override) log configuration."""
    config = override if override is not None else job.data.get("jobLogConfigurationDetails")
    if not config or not config.get("enableLogging"):
        return None
    group = config.get("logGroupId")
    if not group:
        raise invalid(f"{field}.logGroupId", "is required when enableLogging is true")
    log_id = config.get("logId")
    if not log_id:
        if not config.get("enableAutoLogCreation"):
            raise invalid(f"{field}.logId", "is required unless enableAutoLogCreation is true")
        # the service creates one log per job and log group on the job's behalf
        log_id = job.extra.setdefault("auto_logs", {}).setdefault(group, new_ocid("log", region))
    return {"logGroupId": group, "logId": log_id}


@handles("create_job_run")
def create_job_run(svc: Services, req: Request) -> Reply:
    """POST /jobRuns."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        with svc.store.lock:
            job = related(svc, "job", body.get("jobId"), "jobId", "job")
            related(svc, "project", body.get("projectId"), "projectId", "project")
            if job.data["lifecycleState"] not in ("ACTIVE", "CREATING"):
                raise incorrect_state("job", job.data["lifecycleState"], "start a run of")
            now = svc.now()
            override_log = body.get("jobLogConfigurationOverrideDetails")
            data: dict[str, Any] = {
                "id": new_ocid("job_run", svc.region),
                "timeAccepted": rfc3339(now),
                "createdBy": req.principal.user,
                "projectId": body["projectId"],
                "compartmentId": compartment,
                "jobId": job.id,
                "displayName": body.get("displayName")
                or f"{job.data.get('displayName', 'job')}-run-{int(now)}",
                "jobConfigurationOverrideDetails": body.get("jobConfigurationOverrideDetails")
                or job.data["jobConfigurationDetails"],
                "jobInfrastructureConfigurationDetails": job.data["jobInfrastructureConfigurationDetails"],
                **{k: body[k] for k in _OVERRIDES[1:] if body.get(k) is not None},
                "lifecycleState": "ACCEPTED",
                **tags(body),
            }
            field = "jobLogConfigurationOverrideDetails" if override_log else "job.jobLogConfigurationDetails"
            details = log_details(job, override_log, field, svc.region)
            if details:
                data["logDetails"] = details
            run = svc.store.add("job_run", data)
            run.extra["_t_accepted"] = now
            run.extra["tenancy"] = req.principal.tenancy
            try:
                script = job_run_script(run, job, svc.store.job_scripts)
            except ScriptError as exc:
                del svc.store.records[run.id]
                raise invalid(exc.field, str(exc).split(": ", 1)[1]) from None
            svc.lifecycles.plan_job_run(run, script)
            return resource_reply(svc, run)

    return idempotent(svc, req, create)


@handles("get_job_run")
def get_job_run(svc: Services, req: Request) -> Reply:
    """GET /jobRuns/{jobRunId}."""
    with svc.store.lock:
        return resource_reply(svc, require(svc, "job_run", req.params["jobRunId"], "job run"))


@handles("list_job_runs")
def list_job_runs(svc: Services, req: Request) -> Reply:
    """GET /jobRuns."""
    return list_reply(svc, req, "job_run", time_field="timeAccepted")


@handles("update_job_run")
def update_job_run(svc: Services, req: Request) -> Reply:
    """PUT /jobRuns/{jobRunId}: displayName and tags only."""
    with svc.store.lock:
        record = require(svc, "job_run", req.params["jobRunId"], "job run")
        check_if_match(req, record)
        if record.data["lifecycleState"] == "DELETED":
            raise incorrect_state("job run", "DELETED", "update")
        apply_update(record, req.body, ("displayName", "freeformTags", "definedTags"))
        return resource_reply(svc, record)


@handles("cancel_job_run")
def cancel_job_run(svc: Services, req: Request) -> Reply:
    """POST /jobRuns/{jobRunId}/actions/cancelJobRun: CANCELING -> CANCELED."""
    with svc.store.lock:
        record = require(svc, "job_run", req.params["jobRunId"], "job run")
        check_if_match(req, record)
        state = record.data["lifecycleState"]
        if state not in JOB_RUN_CANCELLABLE:
            raise incorrect_state("job run", state, "cancel")
        svc.lifecycles.cancel_job_run(record)
    return Reply(202, None, {})


@handles("delete_job_run")
def delete_job_run(svc: Services, req: Request) -> Reply:
    """DELETE /jobRuns/{jobRunId}: only a finished run can be deleted."""
    with svc.store.lock:
        record = require(svc, "job_run", req.params["jobRunId"], "job run")
        check_if_match(req, record)
        state = record.data["lifecycleState"]
        if state == "DELETED":
            # as for any deleted resource: gone (the SDK's delete_job_run_and_wait_for_state
            # takes a 404 as "already deleted")
            raise not_found("job run", record.id)
        if state not in JOB_RUN.terminal:
            raise ApiError(
                409, "IncorrectState", f"cannot delete a job run in state {state}; cancel it first"
            )
        svc.lifecycles.transition(record, "delete", 0)
    return Reply(204, None, {})


@handles("change_job_run_compartment")
def change_job_run_compartment(svc: Services, req: Request) -> Reply:
    """POST /jobRuns/{jobRunId}/actions/changeCompartment."""
    return change_compartment(svc, req, "job_run", "jobRunId", "job run")
