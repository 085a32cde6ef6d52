"""Pipelines through DataScienceHook and its async client against the emulator: waits on the
derived lifecycle tables, streamed step artifacts from a file, typed errors."""

from __future__ import annotations

import pytest

from airflow_ds_provider.client.errors import InvalidArgumentError, NotFoundError, ResourceFailedError
from airflow_ds_provider.hooks.data_science import DataScienceHook


def _pipeline(hook: DataScienceHook, steps: list[dict], **extra) -> str:
    comp = hook.compartment_id
    pid = hook.create_project({"compartmentId": comp, "displayName": "p"}).data["id"]
    body = {"projectId": pid, "compartmentId": comp, "stepDetails": steps, **extra}
    return hook.create_pipeline(body).data["id"]


def _script(name: str, *depends_on: str) -> dict:
    return {"stepType": "CUSTOM_SCRIPT", "stepName": name, "dependsOn": list(depends_on)}


def test_wait_for_a_pipeline_and_its_runs(ds_connection, ds_emulator, tmp_path) -> None:
    hook = DataScienceHook()
    pid = _pipeline(hook, [_script("prep"), _script("train", "prep")])
    artifact = tmp_path / "prep.py"
    artifact.write_bytes(b"print('prep')\n" * 1000)
    for step in ("prep", "train"):
        hook.create_step_artifact(
            pid, step, str(artifact), content_disposition=f"attachment; filename={step}.py"
        )
    ds_emulator.advance(1)
    assert hook.wait_for_state("pipeline", pid, poll_interval=0.01, timeout=5)["lifecycleState"] == "ACTIVE"
    assert hook.get_step_artifact_content(pid, "train").data == artifact.read_bytes()
    body = {"compartmentId": hook.compartment_id, "pipelineId": pid}
    good = hook.create_pipeline_run(body).data["id"]
    bad = hook.create_pipeline_run(
        {**body, "freeformTags": {"emulator-outcome.train": "FAILED", "emulator-details.train": "exit 2"}}
    ).data["id"]
    ds_emulator.advance(60)
    run = hook.wait_for_state("pipeline_run", good, poll_interval=0.01, timeout=5)
    assert run["lifecycleState"] == "SUCCEEDED"
    assert [s["lifecycleState"] for s in run["stepRuns"]] == ["SUCCEEDED", "SUCCEEDED"]
    with pytest.raises(ResourceFailedError) as info:
        hook.wait_for_state("pipeline_run", bad, poll_interval=0.01, timeout=5)
    assert info.value.state == "FAILED" and info.value.details == "Step train failed: exit 2"
    work = hook.delete_pipeline(pid, delete_related_pipeline_runs="true").work_request_id
    ds_emulator.advance(60)
    assert hook.wait_for_state("work_request", work, poll_interval=0.01, timeout=5)["status"] == "SUCCEEDED"
    with pytest.raises(ResourceFailedError) as info:
        hook.wait_for_state("pipeline_run", good, poll_interval=0.01, timeout=5)
    assert info.value.state == "DELETED"


def test_typed_errors(ds_connection) -> None:
    hook = DataScienceHook()
    with pytest.raises(NotFoundError) as info:
        hook.get_pipeline_run("ocid1.datasciencepipelinerun.oc1.iad.amaaaaaamissing")
    assert info.value.status == 404 and info.value.code == "NotAuthorizedOrNotFound"
    with pytest.raises(InvalidArgumentError, match="lifecycle_state"):
        hook.list_pipelines(hook.compartment_id, lifecycle_state="RUNNING")
    with pytest.raises(InvalidArgumentError, match="step_name"):
        hook.call("head_step_artifact", pipeline_id="ocid1.datasciencepipeline.oc1.iad.amaaaaaax")


async def test_the_async_client_streams_step_artifacts_and_pages_runs(ds_connection, ds_emulator) -> None:
    hook = DataScienceHook()
    pid = _pipeline(hook, [_script("only")])
    payload = bytes(range(256)) * 64
    async with await hook.aget_async_client() as client:
        upload = await client.create_step_artifact(
            pid, "only", payload, content_disposition="attachment; filename=a.zip"
        )
        assert upload.status == 200
        ds_emulator.advance(1)
        assert (await client.get_pipeline(pid)).data["lifecycleState"] == "ACTIVE"
        head = await client.head_step_artifact(pid, "only")
        assert head.headers["content-length"] == str(len(payload))
        assert (await client.get_step_artifact_content(pid, "only", range="bytes=-16")).data == payload[-16:]
        body = {"compartmentId": hook.compartment_id, "pipelineId": pid}
        ids = {(await client.create_pipeline_run(body)).data["id"] for _ in range(3)}
        runs = await client.list_all_pipeline_runs(hook.compartment_id, pipeline_id=pid, limit=2)
        assert {r["id"] for r in runs} == ids
