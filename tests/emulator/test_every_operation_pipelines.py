"""Every pipeline and pipeline-run operation through DataScienceHook over real signed HTTP, each
response validated against the spec's models (area "pipelines" of issue #14)."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest

from airflow_ds_provider.spec import operations

from .pipeline_helpers import Pipes, job_step, script_step
from .validator import validate_response

#: The operations of this area; the coverage test (test_operation_coverage.py) reads it.
OPERATIONS = frozenset(
    {
        "cancel_pipeline_run",
        "change_pipeline_compartment",
        "change_pipeline_run_compartment",
        "create_pipeline",
        "create_pipeline_run",
        "create_step_artifact",
        "delete_pipeline",
        "delete_pipeline_run",
        "get_pipeline",
        "get_pipeline_run",
        "get_step_artifact_content",
        "head_step_artifact",
        "list_pipeline_runs",
        "list_pipelines",
        "update_pipeline",
        "update_pipeline_run",
    }
)


@pytest.fixture
def pipes(emu, ident, monkeypatch) -> Pipes:
    return Pipes(emu, ident, monkeypatch)


def _valid(name: str, response) -> object:
    """Validate ``response.data`` against the operation's response model; return it."""
    assert 200 <= response.status < 300, (name, response.status)
    response_type = operations()[name].response_type
    if response_type and response_type != "stream":
        validate_response(response_type, response.data)
    return response.data


def test_every_pipeline_operation_through_the_hook(pipes: Pipes, emu, ident) -> None:
    hook, comp = pipes.hook, pipes.comp
    other = ident.compartment_id.replace("amaaaaaa", "amaaaaab")
    job_id = pipes.job()
    steps = [script_step("prep"), job_step("train", job_id, "prep")]
    pipeline = _valid("create_pipeline", hook.create_pipeline(_create_body(pipes, steps)))
    pid = pipeline["id"]
    assert pipeline["lifecycleState"] == "CREATING"
    # streamed step artifact: upload from a file object, HEAD, download (whole and a range)
    payload = b"print('prep')\n" * 500
    upload = hook.create_step_artifact(
        pid, "prep", io.BytesIO(payload), content_disposition="attachment; filename=prep.py"
    )
    assert upload.status == 200
    emu.advance(1)
    assert _valid("get_pipeline", hook.get_pipeline(pid))["lifecycleState"] == "ACTIVE"
    head = hook.head_step_artifact(pid, "prep")
    assert head.status == 200 and head.headers["content-length"] == str(len(payload))
    assert head.headers["content-disposition"] == "attachment; filename=prep.py"
    md5 = base64.b64encode(hashlib.md5(payload).digest()).decode()  # noqa: S324
    assert head.headers["content-md5"] == md5
    got = hook.get_step_artifact_content(pid, "prep")
    assert got.status == 200 and got.data == payload and got.headers["content-md5"] == md5
    part = hook.get_step_artifact_content(pid, "prep", range="bytes=0-9")
    assert part.status == 206 and part.data == payload[:10]
    updated = _valid(
        "update_pipeline",
        hook.update_pipeline(
            pid,
            {
                "description": "d2",
                "stepDetails": [{"stepType": "CUSTOM_SCRIPT", "stepName": "prep", "description": "clean"}],
            },
        ),
    )
    assert updated["description"] == "d2"
    assert [s.get("description") for s in updated["stepDetails"]] == ["clean", None]
    # pagination: three pipelines, pages of one
    for name in ("second", "third"):
        hook.create_pipeline({**_create_body(pipes, [script_step("only")]), "displayName": name})
    listed = _valid("list_pipelines", hook.list_pipelines(comp, limit=1))
    assert len(listed) == 1 and hook.list_pipelines(comp, limit=1).next_page
    every = hook.list_all_pipelines(comp, limit=1)
    assert len(every) == 3 and len({p["id"] for p in every}) == 3
    assert [p["id"] for p in hook.list_all_pipelines(comp, limit=1, lifecycle_state="ACTIVE")] == [pid]
    # runs
    run = _valid("create_pipeline_run", hook.create_pipeline_run({"compartmentId": comp, "pipelineId": pid}))
    rid = run["id"]
    assert run["lifecycleState"] == "ACCEPTED"
    _valid("get_pipeline_run", hook.get_pipeline_run(rid))
    renamed = _valid("update_pipeline_run", hook.update_pipeline_run(rid, {"displayName": "r2"}))
    assert renamed["displayName"] == "r2"
    second = hook.create_pipeline_run({"compartmentId": comp, "pipelineId": pid, "displayName": "r3"}).data
    runs = _valid("list_pipeline_runs", hook.list_pipeline_runs(comp, pipeline_id=pid, limit=1))
    assert len(runs) == 1
    assert {r["id"] for r in hook.list_all_pipeline_runs(comp, pipeline_id=pid, limit=1)} == {
        rid,
        second["id"],
    }
    assert hook.cancel_pipeline_run(second["id"]).status == 200
    emu.advance(30)
    finished = _valid("get_pipeline_run", hook.get_pipeline_run(rid))
    assert finished["lifecycleState"] == "SUCCEEDED"
    _valid("get_pipeline_run", hook.get_pipeline_run(second["id"]))
    assert hook.change_pipeline_run_compartment(rid, {"compartmentId": other}).status == 200
    assert hook.get_pipeline_run(rid).data["compartmentId"] == other
    assert hook.change_pipeline_compartment(pid, {"compartmentId": other}).status == 200
    assert hook.get_pipeline(pid).data["compartmentId"] == other
    assert hook.delete_pipeline_run(second["id"], delete_related_job_runs=True).status == 204
    emu.advance(2)
    assert hook.get_pipeline_run(second["id"]).data["lifecycleState"] == "DELETED"
    deleted = hook.delete_pipeline(pid, delete_related_pipeline_runs="true")
    assert deleted.status == 202 and deleted.work_request_id
    emu.advance(5)
    assert hook.get_work_request(deleted.work_request_id).data["operationType"] == "PIPELINE_DELETE"
    assert hook.get_pipeline(pid).data["lifecycleState"] == "DELETED"
    assert hook.get_pipeline_run(rid).data["lifecycleState"] == "DELETED"
    answered = {e["operation"] for e in emu.requests if e["status"] and 200 <= e["status"] < 300}
    assert answered >= OPERATIONS, sorted(OPERATIONS - answered)


def _create_body(pipes: Pipes, steps: list[dict]) -> dict:
    return {
        "projectId": pipes.project,
        "compartmentId": pipes.comp,
        "displayName": "pipe",
        "description": "d",
        "configurationDetails": {"type": "DEFAULT", "environmentVariables": {"A": "1"}},
        "infrastructureConfigurationDetails": {
            "shapeName": "VM.Standard.E4.Flex",
            "blockStorageSizeInGBs": 50,
        },
        "stepDetails": steps,
        "freeformTags": {"team": "ml"},
    }
