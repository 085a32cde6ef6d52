"""Model deployments, notebook sessions and their work requests."""

from __future__ import annotations

import pytest


@pytest.fixture
def model(world):
    project = world.project()
    return world.model(project["id"])


def _create(world, model, **extra):
    body = world.deployment_body(model["projectId"], model["id"], **extra)
    resp = world.client.op("create_model_deployment", json=body, expect=200)
    assert resp.headers["location"].endswith(resp.json()["id"])
    return resp.json(), resp.headers["opc-work-request-id"]


def _md(world, mdid):
    return world.get("get_model_deployment", model_deployment_id=mdid)


def _wr(world, wrid):
    return world.get("get_work_request", work_request_id=wrid)


def test_create_active_with_work_request(world, emu, model):
    md, wrid = _create(world, model)
    assert md["lifecycleState"] == "CREATING"
    assert md["modelDeploymentUrl"].endswith(md["id"])
    wr = _wr(world, wrid)
    assert (wr["status"], wr["percentComplete"], wr["operationType"]) == (
        "ACCEPTED",
        0.0,
        "MODEL_DEPLOYMENT_CREATE",
    )
    assert wr["resources"][0]["identifier"] == md["id"]
    emu.advance(0.5)
    wr = _wr(world, wrid)
    assert wr["status"] == "IN_PROGRESS" and 0 < wr["percentComplete"] < 100
    emu.advance(2)
    assert _md(world, md["id"])["lifecycleState"] == "ACTIVE"
    wr = _wr(world, wrid)
    assert (wr["status"], wr["percentComplete"], wr["resources"][0]["actionType"]) == (
        "SUCCEEDED",
        100.0,
        "CREATED",
    )
    logs = world.client.op("list_work_request_logs", work_request_id=wrid, expect=200).json()
    assert len(logs) == 3
    assert world.client.op("list_work_request_errors", work_request_id=wrid, expect=200).json() == []


def test_scripted_failure_by_tags(world, emu, model):
    tags = {"emulator-duration": "30", "emulator-outcome": "FAILED", "emulator-details": "image pull failed"}
    md, wrid = _create(world, model, freeformTags=tags)
    emu.advance(29)
    assert _md(world, md["id"])["lifecycleState"] == "CREATING"
    emu.advance(1)
    got = _md(world, md["id"])
    assert (got["lifecycleState"], got["lifecycleDetails"]) == ("FAILED", "image pull failed")
    assert _wr(world, wrid)["status"] == "FAILED"
    errors = world.client.op("list_work_request_errors", work_request_id=wrid, expect=200).json()
    assert errors[0]["message"] == "image pull failed"


def test_scripted_by_control_api(world, emu, model):
    md, wrid = _create(world, model)
    emu.script_model_deployment(md["id"], duration=60, outcome="FAILED")
    emu.advance(30)
    assert _md(world, md["id"])["lifecycleState"] == "CREATING"
    emu.advance(31)
    assert _md(world, md["id"])["lifecycleState"] == "FAILED"
    assert _wr(world, wrid)["status"] == "FAILED"
    world.client.op("delete_model_deployment", model_deployment_id=md["id"], expect=202)


def test_update_deactivate_activate_delete(world, emu, model):
    md, _ = _create(world, model)
    emu.advance(3)
    c = world.client
    c.op("update_model_deployment", model_deployment_id=md["id"], json={"displayName": "new"}, expect=202)
    got = _md(world, md["id"])
    assert (got["lifecycleState"], got["displayName"]) == ("UPDATING", "new")
    assert c.op("deactivate_model_deployment", model_deployment_id=md["id"]).status_code == 409
    emu.advance(2)
    assert _md(world, md["id"])["lifecycleState"] == "ACTIVE"
    resp = c.op("deactivate_model_deployment", model_deployment_id=md["id"], expect=202)
    emu.advance(2)
    assert _md(world, md["id"])["lifecycleState"] == "INACTIVE"
    assert _wr(world, resp.headers["opc-work-request-id"])["operationType"] == "MODEL_DEPLOYMENT_DEACTIVATE"
    assert c.op("activate_model_deployment", model_deployment_id=md["id"], expect=202)
    assert _md(world, md["id"])["lifecycleState"] == "UPDATING"
    emu.advance(2)
    assert _md(world, md["id"])["lifecycleState"] == "ACTIVE"
    assert c.op("delete_model", model_id=model["id"]).status_code == 409
    c.op("delete_model_deployment", model_deployment_id=md["id"], expect=202)
    assert _md(world, md["id"])["lifecycleState"] == "DELETING"
    emu.advance(2)
    assert _md(world, md["id"])["lifecycleState"] == "DELETED"
    c.op("delete_model", model_id=model["id"], expect=204)


def test_deployment_of_missing_model(world, model):
    body = world.deployment_body(model["projectId"], "ocid1.datasciencemodel.oc1.iad.amaaaaaanope")
    resp = world.client.op("create_model_deployment", json=body)
    assert resp.status_code == 404
    assert "modelId" in resp.json()["message"]


def test_notebook_session_lifecycle(world, emu):
    project = world.project()
    c = world.client
    resp = c.op(
        "create_notebook_session", json={"projectId": project["id"], "compartmentId": world.comp}, expect=200
    )
    nb = resp.json()
    assert nb["lifecycleState"] == "CREATING"
    emu.advance(2)
    get = lambda: world.get("get_notebook_session", notebook_session_id=nb["id"])  # noqa: E731
    assert get()["lifecycleState"] == "ACTIVE"
    assert _wr(world, resp.headers["opc-work-request-id"])["status"] == "SUCCEEDED"
    subnet = "ocid1.subnet.oc1.iad." + "a" * 60
    config = {"notebookSessionConfigurationDetails": {"shape": "VM.Standard2.2", "subnetId": subnet}}
    assert c.op("update_notebook_session", notebook_session_id=nb["id"], json=config).status_code == 409
    c.op("deactivate_notebook_session", notebook_session_id=nb["id"], expect=202)
    assert get()["lifecycleState"] == "UPDATING"
    emu.advance(2)
    assert get()["lifecycleState"] == "INACTIVE"
    c.op("update_notebook_session", notebook_session_id=nb["id"], json=config, expect=200)
    c.op("activate_notebook_session", notebook_session_id=nb["id"], expect=202)
    emu.advance(2)
    assert get()["lifecycleState"] == "ACTIVE"
    c.op("delete_notebook_session", notebook_session_id=nb["id"], expect=202)
    assert get()["lifecycleState"] == "DELETING"
    emu.advance(2)
    assert get()["lifecycleState"] == "DELETED"


def test_project_delete_work_request_and_cancel(world, emu):
    c = world.client
    project = world.project()
    resp = c.op("delete_project", project_id=project["id"], expect=202)
    wrid = resp.headers["opc-work-request-id"]
    assert world.get("get_project", project_id=project["id"])["lifecycleState"] == "DELETING"
    assert c.op("get_work_request", work_request_id=wrid).headers["retry-after"] == "1"
    emu.advance(1)
    assert world.get("get_project", project_id=project["id"])["lifecycleState"] == "DELETED"
    assert c.op("cancel_work_request", work_request_id=wrid).status_code == 409
    other = c.op("delete_project", project_id=world.project()["id"], expect=202).headers[
        "opc-work-request-id"
    ]
    c.op("cancel_work_request", work_request_id=other, expect=202)
    assert _wr(world, other)["status"] == "CANCELING"
    emu.advance(1)
    assert _wr(world, other)["status"] == "CANCELED"
    listed = c.op(
        "list_work_requests", params={"compartmentId": world.comp, "status": "CANCELED"}, expect=200
    ).json()
    assert [w["id"] for w in listed] == [other]
    by_resource = c.op(
        "list_work_requests", params={"compartmentId": world.comp, "resourceId": project["id"]}, expect=200
    ).json()
    assert [w["id"] for w in by_resource] == [wrid]


def test_models_activate_deactivate(world, model):
    c = world.client
    assert c.op("activate_model", model_id=model["id"]).status_code == 409
    assert c.op("deactivate_model", model_id=model["id"], expect=200).json()["lifecycleState"] == "INACTIVE"
    assert c.op("activate_model", model_id=model["id"], expect=200).json()["lifecycleState"] == "ACTIVE"
    c.op("delete_model", model_id=model["id"], expect=204)
    assert world.get("get_model", model_id=model["id"])["lifecycleState"] == "DELETED"
