"""Scripted failures of model-deployment update/activate/deactivate and notebook-session actions."""

from __future__ import annotations

import pytest
import requests


@pytest.fixture
def model(world):
    return world.model(world.project()["id"])


def _deployment(world, emu, model, tags=None):
    body = world.deployment_body(model["projectId"], model["id"], freeformTags=tags or {})
    md = world.client.op("create_model_deployment", json=body, expect=200).json()
    emu.advance(3)
    return md["id"]


def _md(world, mdid):
    return world.get("get_model_deployment", model_deployment_id=mdid)


def _act(world, action, mdid, **kw):
    resp = world.client.op(f"{action}_model_deployment", model_deployment_id=mdid, expect=202, **kw)
    return resp.headers["opc-work-request-id"]


def _work(world, wrid):
    c = world.client
    wr = world.get("get_work_request", work_request_id=wrid)
    errors = c.op("list_work_request_errors", work_request_id=wrid, expect=200).json()
    logs = c.op("list_work_request_logs", work_request_id=wrid, expect=200).json()
    return wr["status"], [e["message"] for e in errors], [entry["message"] for entry in logs]


def _control(emu, what, body):
    return requests.post(f"{emu.url}/_emulator/script/{what}", json=body, timeout=5)


def test_failed_update_needs_attention_until_rescripted(world, emu, model):
    mdid = _deployment(world, emu, model)
    assert _md(world, mdid)["lifecycleState"] == "ACTIVE"
    emu.script_model_deployment(mdid, action="update", outcome="needs_attention", details="bad shape")
    wrid = _act(world, "update", mdid, json={"displayName": "v2"})
    assert _md(world, mdid)["lifecycleState"] == "UPDATING"
    emu.advance(1)
    assert _md(world, mdid)["lifecycleState"] == "UPDATING"
    emu.advance(1)
    got = _md(world, mdid)
    assert (got["lifecycleState"], got["lifecycleDetails"], got["displayName"]) == (
        "NEEDS_ATTENTION",
        "bad shape",
        "v2",
    )
    status, errors, logs = _work(world, wrid)
    assert (status, errors) == ("FAILED", ["bad shape"])
    assert logs[-1] == "MODEL_DEPLOYMENT_UPDATE failed: bad shape"
    wrid = _act(world, "update", mdid, json={"displayName": "v3"})  # still scripted to fail
    emu.advance(2)
    assert _md(world, mdid)["lifecycleState"] == "NEEDS_ATTENTION"
    assert _work(world, wrid)[0] == "FAILED"
    emu.script_model_deployment(mdid, action="update", outcome="ACTIVE")
    wrid = _act(world, "update", mdid, json={"displayName": "v4"})
    emu.advance(2)
    assert _md(world, mdid)["lifecycleState"] == "ACTIVE"
    assert _work(world, wrid)[:2] == ("SUCCEEDED", [])


def test_running_deactivate_is_replanned_over_http(world, emu, model):
    mdid = _deployment(world, emu, model)
    wrid = _act(world, "deactivate", mdid)
    body = {"id": mdid, "action": "deactivate", "outcome": "FAILED", "duration": 30, "details": "stuck"}
    assert _control(emu, "model-deployment", body).status_code == 200
    emu.advance(29)
    assert _md(world, mdid)["lifecycleState"] == "UPDATING"
    assert world.get("get_work_request", work_request_id=wrid)["status"] == "IN_PROGRESS"
    emu.advance(1)
    got = _md(world, mdid)
    assert (got["lifecycleState"], got["lifecycleDetails"]) == ("FAILED", "stuck")
    assert _work(world, wrid)[:2] == ("FAILED", ["stuck"])
    assert world.client.op("activate_model_deployment", model_deployment_id=mdid).status_code == 409
    _act(world, "delete", mdid)
    emu.advance(2)
    assert _md(world, mdid)["lifecycleState"] == "DELETED"


def test_fail_actions_tag_on_deployments(world, emu, model):
    mdid = _deployment(world, emu, model, {"emulator-fail-actions": "Deactivate, activate"})
    wrid = _act(world, "deactivate", mdid)
    emu.advance(2)
    got = _md(world, mdid)
    assert got["lifecycleState"] == "NEEDS_ATTENTION"
    assert "deactivate failed" in got["lifecycleDetails"]
    status, errors, _ = _work(world, wrid)
    assert status == "FAILED" and errors == [got["lifecycleDetails"]]
    tags = {"emulator-fail-actions": "activate", "emulator-details": "no capacity"}
    _act(world, "update", mdid, json={"freeformTags": tags})  # tags are read after the merge
    emu.advance(2)
    assert _md(world, mdid)["lifecycleState"] == "ACTIVE"
    _act(world, "deactivate", mdid)
    emu.advance(2)
    assert _md(world, mdid)["lifecycleState"] == "INACTIVE"
    wrid = _act(world, "activate", mdid)
    emu.advance(2)
    got = _md(world, mdid)
    assert (got["lifecycleState"], got["lifecycleDetails"]) == ("FAILED", "no capacity")
    assert _work(world, wrid)[:2] == ("FAILED", ["no capacity"])
    failed_create = _deployment(world, emu, model, {"emulator-fail-actions": "create"})
    assert _md(world, failed_create)["lifecycleState"] == "FAILED"


def test_bad_scripts_are_rejected(world, emu, model):
    body = world.deployment_body(model["projectId"], model["id"])
    body["freeformTags"] = {"emulator-fail-actions": "update,explode"}
    resp = world.client.op("create_model_deployment", json=body)
    assert resp.status_code == 400 and "freeformTags.emulator-fail-actions" in resp.json()["message"]
    assert "explode" in resp.json()["message"]
    mdid = _deployment(world, emu, model)
    bad = {"freeformTags": {"emulator-fail-actions": "delete"}}
    resp = world.client.op("update_model_deployment", model_deployment_id=mdid, json=bad)
    assert resp.status_code == 400 and _md(world, mdid)["lifecycleState"] == "ACTIVE"
    with pytest.raises(ValueError, match="action must be one of"):
        emu.script_model_deployment(mdid, action="delete", outcome="FAILED")
    with pytest.raises(ValueError, match="INACTIVE"):
        emu.script_model_deployment(mdid, action="deactivate", outcome="ACTIVE")
    with pytest.raises(ValueError, match="not a notebook session"):
        emu.script_notebook_session(mdid, action="activate", outcome="FAILED")
    assert _control(emu, "notebook-session", {"id": mdid, "action": "update"}).status_code == 400
    project = model["projectId"]
    for tags in ({"emulator-fail-actions": "update"}, {"emulator-outcome": "INACTIVE"}):
        nb = {"projectId": project, "compartmentId": world.comp, "freeformTags": tags}
        resp = world.client.op("create_notebook_session", json=nb)
        assert resp.status_code == 400 and "freeformTags.emulator-" in resp.json()["message"]
    assert emu.list("notebook_session") == []


def _notebook(world, tags=None):
    project = world.project()
    body = {"projectId": project["id"], "compartmentId": world.comp, "freeformTags": tags or {}}
    resp = world.client.op("create_notebook_session", json=body, expect=200)
    return resp.json()["id"], resp.headers["opc-work-request-id"]


def _nb(world, nbid):
    return world.get("get_notebook_session", notebook_session_id=nbid)


def test_notebook_session_create_failure(world, emu):
    tags = {"emulator-duration": "10", "emulator-outcome": "failed", "emulator-details": "no subnet"}
    nbid, wrid = _notebook(world, tags)
    emu.advance(9)
    assert _nb(world, nbid)["lifecycleState"] == "CREATING"
    emu.advance(1)
    got = _nb(world, nbid)
    assert (got["lifecycleState"], got["lifecycleDetails"]) == ("FAILED", "no subnet")
    assert _work(world, wrid)[:2] == ("FAILED", ["no subnet"])
    other, wrid = _notebook(world)
    emu.script_notebook_session(other, outcome="FAILED")  # re-plans the running creation
    emu.advance(2)
    assert _nb(world, other)["lifecycleState"] == "FAILED"
    assert _work(world, wrid)[0] == "FAILED"


def test_notebook_session_activate_and_deactivate_failures(world, emu):
    nbid, _ = _notebook(world, {"emulator-fail-actions": "activate"})
    emu.advance(2)
    assert _nb(world, nbid)["lifecycleState"] == "ACTIVE"
    body = {"id": nbid, "action": "deactivate", "outcome": "FAILED", "details": "volume busy"}
    assert _control(emu, "notebook-session", body).status_code == 200
    c = world.client
    wrid = c.op("deactivate_notebook_session", notebook_session_id=nbid, expect=202).headers[
        "opc-work-request-id"
    ]
    emu.advance(2)
    assert (_nb(world, nbid)["lifecycleState"], _nb(world, nbid)["lifecycleDetails"]) == (
        "FAILED",
        "volume busy",
    )
    assert _work(world, wrid)[:2] == ("FAILED", ["volume busy"])

    ok, _ = _notebook(world, {"emulator-fail-actions": "activate"})
    emu.advance(2)
    c.op("deactivate_notebook_session", notebook_session_id=ok, expect=202)
    emu.advance(2)
    assert _nb(world, ok)["lifecycleState"] == "INACTIVE"
    wrid = c.op("activate_notebook_session", notebook_session_id=ok, expect=202).headers[
        "opc-work-request-id"
    ]
    emu.advance(2)
    assert _nb(world, ok)["lifecycleState"] == "FAILED"
    assert "activate failed" in _work(world, wrid)[1][0]
