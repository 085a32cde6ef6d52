"""Every one of the 61 seed operations over real signed HTTP, each response validated against models.json
(the operations added since have their own tests, one file per area; test_operation_coverage.py checks
that together they cover the spec)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from .validator import validate_response

#: The 61 operations of the seed reference (tests/seed_operations.txt); the coverage test
#: (test_operation_coverage.py) reads it.
OPERATIONS = frozenset(
    line
    for line in (Path(__file__).parents[1] / "seed_operations.txt").read_text().split("\n")
    if line[:1].isalpha()
)


def test_all_61_seed_operations(world, client, emu, ident):
    c, comp = client, world.comp
    other = ident.compartment_id.replace("amaaaaaa", "amaaaaab")
    q = {"compartmentId": comp}
    # projects
    project = world.project(description="d", freeformTags={"a": "b"})
    pid = project["id"]
    c.op("update_project", project_id=pid, json={"displayName": "p2"}, expect=200)
    c.op("list_projects", params=q, expect=200)
    c.op("get_project", project_id=pid, expect=200)
    # jobs, artifacts, runs
    job = world.job(pid)
    jid = job["id"]
    assert job["lifecycleState"] == "CREATING"
    emu.advance(1)
    assert world.get("get_job", job_id=jid)["lifecycleState"] == "ACTIVE"
    c.op("update_job", job_id=jid, json={"description": "x"}, expect=200)
    c.op("list_jobs", params=q, expect=200)
    payload = b"print('hello')\n" * 100
    c.op(
        "create_job_artifact",
        job_id=jid,
        data=payload,
        headers={
            "content-disposition": "attachment; filename=hello.py",
            "content-type": "application/octet-stream",
        },
        expect=200,
    )
    head = c.op("head_job_artifact", job_id=jid, expect=200)
    assert head.headers["content-length"] == str(len(payload))
    got = c.op("get_job_artifact_content", job_id=jid, expect=200)
    assert got.content == payload
    assert got.headers["content-md5"] == base64.b64encode(hashlib.md5(payload).digest()).decode()  # noqa: S324
    run = world.run(job)
    rid = run["id"]
    c.op("get_job_run", job_run_id=rid, expect=200)
    c.op("list_job_runs", params={**q, "jobId": jid}, expect=200)
    c.op("update_job_run", job_run_id=rid, json={"displayName": "r"}, expect=200)
    c.op("cancel_job_run", job_run_id=rid, expect=202)
    emu.advance(2)
    c.op("delete_job_run", job_run_id=rid, expect=204)
    c.op(
        "change_job_run_compartment",
        job_run_id=world.run(job)["id"],
        json={"compartmentId": other},
        expect=200,
    )
    c.op("change_job_compartment", job_id=jid, json={"compartmentId": comp}, expect=200)
    emu.advance(10)
    c.op("delete_job", job_id=jid, expect=202)
    # models
    model = world.model(pid)
    mid = model["id"]
    c.op("update_model", model_id=mid, json={"description": "x"}, expect=200)
    c.op("list_models", params=q, expect=200)
    c.op("get_model", model_id=mid, expect=200)
    c.op("create_model_artifact", model_id=mid, data=b"zip" * 10, expect=200)
    c.op("head_model_artifact", model_id=mid, expect=200)
    c.op("get_model_artifact_content", model_id=mid, expect=200)
    c.op("create_model_provenance", model_id=mid, json={"gitBranch": "main"}, expect=200)
    c.op("get_model_provenance", model_id=mid, expect=200)
    c.op("update_model_provenance", model_id=mid, json={"gitCommit": "abc"}, expect=200)
    c.op("deactivate_model", model_id=mid, expect=200)
    c.op("activate_model", model_id=mid, expect=200)
    c.op("change_model_compartment", model_id=mid, json={"compartmentId": comp}, expect=200)
    # model deployments
    md = c.op("create_model_deployment", json=world.deployment_body(pid, mid), expect=200)
    mdid = md.json()["id"]
    wr = md.headers["opc-work-request-id"]
    emu.advance(3)
    c.op("get_model_deployment", model_deployment_id=mdid, expect=200)
    c.op("list_model_deployments", params=q, expect=200)
    c.op("update_model_deployment", model_deployment_id=mdid, json={"displayName": "md2"}, expect=202)
    emu.advance(3)
    c.op("deactivate_model_deployment", model_deployment_id=mdid, expect=202)
    emu.advance(3)
    c.op("activate_model_deployment", model_deployment_id=mdid, expect=202)
    emu.advance(3)
    c.op(
        "change_model_deployment_compartment",
        model_deployment_id=mdid,
        json={"compartmentId": comp},
        expect=200,
    )
    c.op("delete_model_deployment", model_deployment_id=mdid, expect=202)
    emu.advance(3)
    c.op("delete_model", model_id=mid, expect=204)
    # notebook sessions
    nb = c.op("create_notebook_session", json={"projectId": pid, "compartmentId": comp}, expect=200).json()
    emu.advance(3)
    c.op("get_notebook_session", notebook_session_id=nb["id"], expect=200)
    c.op("list_notebook_sessions", params=q, expect=200)
    c.op("update_notebook_session", notebook_session_id=nb["id"], json={"displayName": "nb"}, expect=200)
    c.op("deactivate_notebook_session", notebook_session_id=nb["id"], expect=202)
    emu.advance(3)
    c.op("activate_notebook_session", notebook_session_id=nb["id"], expect=202)
    emu.advance(3)
    nbid = nb["id"]
    c.op(
        "change_notebook_session_compartment",
        notebook_session_id=nbid,
        json={"compartmentId": comp},
        expect=200,
    )
    c.op("delete_notebook_session", notebook_session_id=nbid, expect=202)
    # work requests
    c.op("get_work_request", work_request_id=wr, expect=200)
    c.op("list_work_requests", params=q, expect=200)
    c.op("list_work_request_errors", work_request_id=wr, expect=200)
    c.op("list_work_request_logs", work_request_id=wr, expect=200)
    fresh = c.op("delete_project", project_id=world.project()["id"], expect=202).headers[
        "opc-work-request-id"
    ]
    c.op("cancel_work_request", work_request_id=fresh, expect=202)
    # catalogues
    for name in ("list_job_shapes", "list_notebook_session_shapes", "list_model_deployment_shapes"):
        assert c.op(name, params=q, expect=200).json()
    assert c.op("list_fast_launch_job_configs", params=q, expect=200).json()
    c.op("change_project_compartment", project_id=pid, json={"compartmentId": comp}, expect=200)
    c.op("delete_project", project_id=pid, expect=202)
    seen = {entry["operation"] for entry in emu.requests if 200 <= entry["status"] < 300}
    assert seen >= OPERATIONS, sorted(OPERATIONS - seen)


def test_validator_catches_bad_bodies():
    import pytest

    from .validator import ValidationError

    with pytest.raises(ValidationError, match="required"):
        validate_response("Project", {"id": "ocid1.datascienceproject.oc1.iad.abc"})
    with pytest.raises(ValidationError, match="camelCase"):
        validate_response(
            "WorkRequestLogEntry", {"message": "m", "timestamp": "2024-01-01T00:00:00.000Z", "x_y": 1}
        )
    with pytest.raises(ValidationError, match="not one of"):
        validate_response(
            "ScalingPolicy", {"policyType": "FIXED_SIZE", "instanceCount": 1}
        ) or validate_response(
            "WorkRequestResource", {"actionType": "NOPE", "entityType": "x", "identifier": "y"}
        )
    with pytest.raises(ValidationError, match="discriminator"):
        validate_response("JobConfigurationDetails", {"jobType": "WHAT"})
    with pytest.raises(ValidationError, match="milliseconds"):
        validate_response("WorkRequestLogEntry", {"message": "m", "timestamp": "2024-01-01T00:00:00Z"})
