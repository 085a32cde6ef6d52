"""Pipelines on the emulator through the hook: the step DAG, step artifacts and the CREATING ->
ACTIVE rule, updates, and the delete rules."""

from __future__ import annotations

import pytest

from airflow_ds_provider.client.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    PreconditionFailedError,
)

from .pipeline_helpers import Pipes, container_step, job_step, script_step


@pytest.fixture
def pipes(emu, ident, monkeypatch) -> Pipes:
    return Pipes(emu, ident, monkeypatch)


@pytest.mark.parametrize(
    ("steps", "field", "words"),
    [
        ([], "stepDetails", "at least one step"),
        ([script_step("a"), script_step("a")], "stepDetails[1].stepName", "used twice"),
        (
            [script_step("a"), script_step("b", "nope")],
            "stepDetails[1].dependsOn",
            "'nope' is not another step",
        ),
        ([script_step("a", "a")], "stepDetails[0].dependsOn", "'a' is not another step"),
        (
            [script_step("a", "c"), script_step("b", "a"), script_step("c", "b")],
            "stepDetails.dependsOn",
            "cycle: a -> c -> b -> a",
        ),
        (
            [script_step("a", emulator="x")],
            "stepDetails[0].emulator",
            "is not a field of PipelineCustomScriptStepDetails",
        ),
        ([{"stepType": "SQL", "stepName": "a"}], "stepDetails[0].stepType", "must be one of"),
    ],
)
def test_the_steps_must_form_a_dag(pipes: Pipes, steps, field, words) -> None:
    with pytest.raises(BadRequestError) as err:
        pipes.pipeline(steps)
    assert err.value.message.startswith(f"{field}: ") and words in err.value.message
    assert pipes.hook.list_pipelines(pipes.comp).data == []


def test_an_ml_job_step_needs_a_live_job(pipes: Pipes) -> None:
    missing = "ocid1.datasciencejob.oc1.iad.amaaaaaamissing"
    with pytest.raises(NotFoundError, match=r"stepDetails\[0\]\.jobId"):
        pipes.pipeline([job_step("train", missing)])
    job_id = pipes.job()
    pipes.hook.delete_job(job_id)
    with pytest.raises(ConflictError, match="DELETING"):
        pipes.pipeline([job_step("train", job_id)])


def test_creating_until_every_script_step_has_its_artifact(pipes: Pipes, emu) -> None:
    emu.timings.update(pipeline_create=0.5)
    steps = [script_step("a"), script_step("b", "a"), container_step("c", "a")]
    pid = pipes.pipeline(steps)["id"]
    emu.advance(3600)
    pipeline = pipes.get(pid)
    assert pipeline["lifecycleState"] == "CREATING"
    assert [s.get("isArtifactUploaded") for s in pipeline["stepDetails"]] == [False, False, None]
    with pytest.raises(ConflictError, match="CREATING"):
        pipes.run(pid)
    pipes.upload(pid, "b")
    emu.advance(3600)
    assert pipes.get(pid)["lifecycleState"] == "CREATING"
    pipes.upload(pid, "a")
    assert pipes.get(pid)["lifecycleState"] == "CREATING"
    emu.advance(0.5)
    pipeline = pipes.get(pid)
    assert pipeline["lifecycleState"] == "ACTIVE"
    assert [s.get("isArtifactUploaded") for s in pipeline["stepDetails"]] == [True, True, None]


def test_a_pipeline_without_script_steps_is_active_at_once(pipes: Pipes, emu) -> None:
    steps = [container_step("c"), job_step("j", pipes.job(), "c")]
    created = pipes.pipeline(steps)
    assert created["lifecycleState"] == "CREATING"
    assert pipes.get(created["id"])["lifecycleState"] == "ACTIVE"
    emu.timings.update(pipeline_create=2)
    pid = pipes.pipeline(steps)["id"]
    emu.advance(1.9)
    assert pipes.get(pid)["lifecycleState"] == "CREATING"
    emu.advance(0.1)
    assert pipes.get(pid)["lifecycleState"] == "ACTIVE"


def test_step_artifact_rules(pipes: Pipes) -> None:
    pid = pipes.pipeline([script_step("a"), job_step("j", pipes.job())])["id"]
    with pytest.raises(NotFoundError) as err:
        pipes.hook.head_step_artifact(pid, "a")
    assert err.value.status == 404
    with pytest.raises(NotFoundError, match="no step 'zz'"):
        pipes.upload(pid, "zz")
    with pytest.raises(BadRequestError, match="stepName: step 'j' is a ML_JOB step"):
        pipes.upload(pid, "j")
    pipes.upload(pid, "a", b"one")
    with pytest.raises(ConflictError, match="already has an artifact"):
        pipes.upload(pid, "a", b"two")
    assert pipes.hook.get_step_artifact_content(pid, "a").data == b"one"
    with pytest.raises(NotFoundError):
        pipes.hook.get_step_artifact_content(pid, "zz")


def test_update_names_existing_steps_of_the_same_type(pipes: Pipes) -> None:
    pipeline = pipes.active([script_step("a")])
    pid, hook = pipeline["id"], pipes.hook
    with pytest.raises(BadRequestError) as err:
        hook.update_pipeline(pid, {"stepDetails": [{"stepType": "CUSTOM_SCRIPT", "stepName": "b"}]})
    assert err.value.message.startswith("stepDetails[0].stepName: 'b' is not a step of the pipeline")
    with pytest.raises(BadRequestError) as err:
        hook.update_pipeline(pid, {"stepDetails": [{"stepType": "ML_JOB", "stepName": "a"}]})
    assert err.value.message == "stepDetails[0].stepType: step 'a' is a CUSTOM_SCRIPT step"
    with pytest.raises(PreconditionFailedError):
        hook.update_pipeline(pid, {"displayName": "x"}, if_match="stale")
    etag = hook.get_pipeline(pid).etag
    config = {"maximumRuntimeInMinutes": 30}
    change = {"stepType": "CUSTOM_SCRIPT", "stepName": "a", "stepConfigurationDetails": config}
    updated = hook.update_pipeline(pid, {"displayName": "x", "stepDetails": [change]}, if_match=etag).data
    assert updated["displayName"] == "x" and updated["stepDetails"][0]["stepConfigurationDetails"] == config
    assert updated["stepDetails"][0]["isArtifactUploaded"] is True and updated["timeUpdated"]


def test_unfinished_runs_block_a_delete_without_delete_related_pipeline_runs(pipes: Pipes, emu) -> None:
    job_id = pipes.job()
    pid = pipes.active([job_step("j", job_id)])["id"]
    run = pipes.run(pid)
    with pytest.raises(ConflictError, match="deleteRelatedPipelineRuns"):
        pipes.hook.delete_pipeline(pid)
    emu.advance(30)
    assert pipes.get_run(run["id"])["lifecycleState"] == "SUCCEEDED"
    job_run = pipes.get_run(run["id"])["stepRuns"][0]["jobRunId"]
    work = pipes.hook.delete_pipeline(pid).work_request_id
    assert pipes.get(pid)["lifecycleState"] == "DELETING"
    emu.advance(5)
    assert pipes.hook.get_work_request(work).data["status"] == "SUCCEEDED"
    assert pipes.get(pid)["lifecycleState"] == "DELETED"
    # without deleteRelatedPipelineRuns its finished runs (and their job runs) stay
    assert pipes.get_run(run["id"])["lifecycleState"] == "SUCCEEDED"
    assert pipes.hook.get_job_run(job_run).data["lifecycleState"] == "SUCCEEDED"
    # a second delete is answered 409 IncorrectState; the client reads that as done
    assert pipes.hook.delete_pipeline(pid).recovered
    assert any(e["operation"] == "delete_pipeline" and e["status"] == 409 for e in emu.requests)
    with pytest.raises(ConflictError, match="DELETED"):
        pipes.hook.update_pipeline(pid, {"displayName": "late"})


@pytest.mark.parametrize("job_runs", [True, False])
def test_delete_related_pipeline_runs_and_job_runs(pipes: Pipes, emu, job_runs: bool) -> None:
    pid = pipes.active([job_step("j", pipes.job())])["id"]
    run = pipes.run(pid)
    emu.advance(2)
    job_run = pipes.get_run(run["id"])["stepRuns"][0]["jobRunId"]
    pipes.hook.delete_pipeline(pid, delete_related_pipeline_runs="true", delete_related_job_runs=job_runs)
    assert pipes.get_run(run["id"])["lifecycleState"] == "DELETING"
    emu.advance(5)
    assert pipes.get_run(run["id"])["lifecycleState"] == "DELETED"
    state = pipes.hook.get_job_run(job_run).data["lifecycleState"]
    # the run was in progress: without deleteRelatedJobRuns its step's job run is cancelled
    assert state == ("DELETED" if job_runs else "CANCELED")


def test_a_retry_token_creates_one_pipeline(pipes: Pipes) -> None:
    body = {"projectId": pipes.project, "compartmentId": pipes.comp, "stepDetails": [container_step("c")]}
    first = pipes.hook.create_pipeline(body, opc_retry_token="pipe-1").data
    again = pipes.hook.create_pipeline(body, opc_retry_token="pipe-1").data
    assert again["id"] == first["id"]
    with pytest.raises(ConflictError, match="InvalidatedRetryToken"):
        pipes.hook.create_pipeline({**body, "displayName": "other"}, opc_retry_token="pipe-1")
    assert [p["id"] for p in pipes.hook.list_all_pipelines(pipes.comp)] == [first["id"]]
