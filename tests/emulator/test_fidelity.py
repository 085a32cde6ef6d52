"""Fidelity fixes found by running Oracle's own CLI and ADS against the emulator: each test is
one place where the emulator answered differently from the service."""

from __future__ import annotations

from email.message import Message

import pytest


def _filename(disposition: str) -> str | None:
    """The file name a client (ADS parses it with the stdlib's MIME header rules) reads."""
    msg = Message()
    msg["content-disposition"] = disposition
    return msg.get_filename()


@pytest.fixture
def served(world, emu):
    """A project, a model with an artifact, and an ACTIVE deployment of it with every nested
    field of its model configuration set."""
    pid = world.project()["id"]
    mid = world.model(pid)["id"]
    world.client.op("create_model_artifact", model_id=mid, data=b"zip", expect=200)
    body = world.deployment_body(pid, mid)
    config = body["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"]
    config["instanceConfiguration"]["modelDeploymentInstanceShapeConfigDetails"] = {
        "ocpus": 2.0,
        "memoryInGBs": 32.0,
    }
    config["bandwidthMbps"] = 20
    md = world.client.op("create_model_deployment", json=body, expect=200).json()
    emu.advance(5)
    return pid, mid, md["id"]


def _config(world, mdid):
    md = world.get("get_model_deployment", model_deployment_id=mdid)
    return md["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"]


# 1. a partial nested update keeps what it does not name (the CLI sends only --scaling-policy)
def test_update_naming_some_nested_fields_keeps_the_others(world, emu, served):
    _, mid, mdid = served
    before = _config(world, mdid)
    update = {
        "modelDeploymentConfigurationDetails": {
            "deploymentType": "SINGLE_MODEL",
            "modelConfigurationDetails": {
                "modelId": mid,
                "scalingPolicy": {"policyType": "FIXED_SIZE", "instanceCount": 3},
            },
        }
    }
    world.client.op("update_model_deployment", model_deployment_id=mdid, json=update, expect=202)
    emu.advance(5)
    after = _config(world, mdid)
    assert after["scalingPolicy"] == {"policyType": "FIXED_SIZE", "instanceCount": 3}
    assert after["instanceConfiguration"] == before["instanceConfiguration"]
    assert after["bandwidthMbps"] == 20 and after["modelId"] == mid
    # one level deeper: a new shape name keeps the shape configuration; a null keeps the field
    update["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"] = {
        "modelId": mid,
        "instanceConfiguration": {"instanceShapeName": "VM.Standard.E5.Flex"},
        "bandwidthMbps": None,
    }
    world.client.op("update_model_deployment", model_deployment_id=mdid, json=update, expect=202)
    emu.advance(5)
    after = _config(world, mdid)
    assert after["instanceConfiguration"] == {
        **before["instanceConfiguration"],
        "instanceShapeName": "VM.Standard.E5.Flex",
    }
    assert after["bandwidthMbps"] == 20 and after["scalingPolicy"]["instanceCount"] == 3


def test_update_to_another_model_checks_it(world, emu, served):
    pid, _, mdid = served
    other = world.model(pid)["id"]
    world.client.op("deactivate_model", model_id=other, expect=200)
    update = {
        "modelDeploymentConfigurationDetails": {
            "deploymentType": "SINGLE_MODEL",
            "modelConfigurationDetails": {"modelId": other},
        }
    }
    resp = world.client.op("update_model_deployment", model_deployment_id=mdid, json=update, expect=400)
    assert "modelConfigurationDetails.modelId: model is INACTIVE" in resp.json()["message"]
    update["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"]["modelId"] = other.replace(
        "a", "b"
    )
    resp = world.client.op("update_model_deployment", model_deployment_id=mdid, json=update, expect=404)
    assert "modelConfigurationDetails.modelId" in resp.json()["message"]
    assert world.get("get_model_deployment", model_deployment_id=mdid)["lifecycleState"] == "ACTIVE"


# 2. update bodies are checked against the Update* models, required fields of nested models included
@pytest.mark.parametrize(
    ("op", "body", "field"),
    [
        (
            "update_model_deployment",
            {
                "modelDeploymentConfigurationDetails": {
                    "deploymentType": "SINGLE_MODEL",
                    "modelConfigurationDetails": {
                        "scalingPolicy": {"policyType": "FIXED_SIZE", "instanceCount": 2}
                    },
                }
            },
            "modelDeploymentConfigurationDetails.modelConfigurationDetails.modelId: is required",
        ),
        (
            "update_model_deployment",
            {"modelDeploymentConfigurationDetails": {"deploymentType": "SINGLE_MODEL", "bandwidth": 1}},
            "modelDeploymentConfigurationDetails.bandwidth",
        ),
        (
            "update_model",
            {"retentionSetting": {"deleteAfterDays": 30}},
            "retentionSetting.archiveAfterDays: is required",
        ),
        (
            "update_model",
            {"backupSetting": {"isBackupEnabled": True}},
            "backupSetting.backupRegion: is required",
        ),
    ],
)
def test_update_bodies_are_checked_against_the_update_models(world, emu, served, op, body, field):
    _, mid, mdid = served
    ids = {"model_deployment_id": mdid} if op == "update_model_deployment" else {"model_id": mid}
    before = world.get(op.replace("update", "get"), **ids)
    resp = world.client.op(op, json=body, expect=400, **ids)
    assert resp.json()["code"] == "InvalidParameter"
    assert field in resp.json()["message"]
    assert world.get(op.replace("update", "get"), **ids) == before


# 3. a project holding live resources cannot be deleted
def test_delete_project_refuses_while_it_holds_live_resources(world, emu, job):
    pid = job["projectId"]
    model = world.model(pid)["id"]
    nb = world.client.op(
        "create_notebook_session", json={"projectId": pid, "compartmentId": world.comp}, expect=200
    )
    resp = world.client.op("delete_project", project_id=pid, expect=409)
    message = resp.json()["message"]
    assert resp.json()["code"] == "Conflict"
    assert "cannot be deleted while it contains active resources" in message
    for what, ocid in (("job", job["id"]), ("model", model), ("notebook session", nb.json()["id"])):
        assert what in message and ocid in message
    assert world.get("get_project", project_id=pid)["lifecycleState"] == "ACTIVE"
    world.client.op("delete_model", model_id=model, expect=204)
    emu.advance(3)
    world.client.op("delete_notebook_session", notebook_session_id=nb.json()["id"], expect=202)
    assert "job" in world.client.op("delete_project", project_id=pid, expect=409).json()["message"]
    run = world.run(job)
    emu.advance(10)  # the run finished: a finished run does not hold the project
    assert world.get("get_job_run", job_run_id=run["id"])["lifecycleState"] == "SUCCEEDED"
    world.client.op("delete_job", job_id=job["id"], expect=202)  # being deleted: does not count
    world.client.op("delete_project", project_id=pid, expect=202)


@pytest.fixture
def job(world, emu):
    job = world.job(world.project()["id"])
    emu.advance(1)
    return job


# 4. artifact file names: the service's default, and a quoted name returned as sent
def test_artifact_without_content_disposition_is_named_after_the_model(world, emu):
    mid = world.model(world.project()["id"])["id"]
    world.client.op("create_model_artifact", model_id=mid, data=b"zip", expect=200)
    for op in ("head_model_artifact", "get_model_artifact_content"):
        disposition = world.client.op(op, model_id=mid, expect=200).headers["content-disposition"]
        assert disposition == f"attachment; filename={mid}.zip"
        assert _filename(disposition) == f"{mid}.zip"


def test_a_quoted_file_name_is_returned_as_sent(world, emu):
    mid = world.model(world.project()["id"])["id"]
    sent = 'attachment; filename="a b.zip"'
    headers = {"content-disposition": sent}
    world.client.op("create_model_artifact", model_id=mid, data=b"zip", headers=headers, expect=200)
    for op in ("head_model_artifact", "get_model_artifact_content"):
        disposition = world.client.op(op, model_id=mid, expect=200).headers["content-disposition"]
        assert disposition == sent and _filename(disposition) == "a b.zip"


# 5. deleting a job run that is already DELETED: the service answers as for any deleted resource,
# 404 NotAuthorizedOrNotFound (the job-run delete is synchronous; Oracle's SDK waiter
# delete_job_run_and_wait_for_state takes a 404 as "already deleted"), never "cancel it first".
def test_deleting_a_deleted_job_run_is_404(world, emu, job):
    run = world.run(job)
    emu.advance(10)
    world.client.op("delete_job_run", job_run_id=run["id"], expect=204)
    resp = world.client.op("delete_job_run", job_run_id=run["id"], expect=404)
    assert resp.json()["code"] == "NotAuthorizedOrNotFound"
    assert "cancel" not in resp.json()["message"]
    assert world.get("get_job_run", job_run_id=run["id"])["lifecycleState"] == "DELETED"
