"""Request bodies in the request log, and retry tokens expiring after 24 hours of emulator time."""

from __future__ import annotations

import json
import logging

import requests

from airflow_ds_provider.emulator.clock import rfc3339


def test_request_log_keeps_json_bodies_only(world, emu, caplog):
    caplog.set_level(logging.INFO, logger="airflow_ds_provider.emulator")
    body = {"compartmentId": world.comp, "displayName": "secret-name-in-body"}
    project = world.client.op("create_project", json=body, expect=200).json()
    world.get("get_project", project_id=project["id"])
    model = world.model(project["id"])
    world.client.op("create_model_artifact", model_id=model["id"], data=b'{"a": 1}', expect=200)
    t0 = emu.clock.now()
    search = {
        "timeStart": rfc3339(t0 - 60),
        "timeEnd": rfc3339(t0),
        "searchQuery": f'search "{world.comp}"',
        "isReturnFieldInfo": False,
    }
    world.client.call("POST", "/search", json=search, version="/20190909")
    emu.inject_fault(method="PUT", path="/projects/", status=503)
    update = {"displayName": "again"}
    world.client.op("update_project", project_id=project["id"], json=update, expect=503)
    requests.post(f"{emu.url}/_emulator/advance", json={"seconds": 1}, timeout=5)

    by_op = {entry["operation"]: entry for entry in emu.requests}
    assert by_op["create_project"]["body"] == body
    assert by_op["get_project"]["body"] is None
    assert by_op["create_model_artifact"]["body"] is None  # uploads are not JSON bodies
    assert by_op["search_logs"]["body"] == search  # e.g. the exact window sent
    assert by_op["update_project"]["body"] == update and by_op["update_project"]["fault"] == "status"
    assert by_op["control"]["body"] is None
    assert emu.get(project["id"])["displayName"] == "secret-name-in-body"  # the update was faulted
    dumped = json.dumps(emu.requests).lower()
    assert "authorization" not in dumped and "signature" not in dumped
    lines = [r.getMessage() for r in caplog.records if r.name == "airflow_ds_provider.emulator"]
    assert any("create_project" in line for line in lines)
    assert not any("secret-name-in-body" in line for line in lines)
    over_http = requests.get(f"{emu.url}/_emulator/requests", timeout=5).json()
    assert any(entry["body"] == body for entry in over_http)


def test_retry_token_expires_after_24_hours(world, emu):
    body = {"compartmentId": world.comp, "displayName": "once"}
    headers = {"opc-retry-token": "day-token"}
    first = world.client.op("create_project", json=body, headers=headers, expect=200).json()
    emu.advance(24 * 3600 - 1)
    again = world.client.op("create_project", json=body, headers=headers, expect=200).json()
    assert again["id"] == first["id"]
    emu.advance(1)
    later = world.client.op("create_project", json=body, headers=headers, expect=200).json()
    assert later["id"] != first["id"]
    assert len(emu.list("project")) == 2
    # the new use starts a new 24 hours, and a different body may reuse an expired token
    assert (
        world.client.op("create_project", json=body, headers=headers, expect=200).json()["id"] == later["id"]
    )
    emu.advance(24 * 3600)
    other = world.client.op("create_project", json={**body, "displayName": "x"}, headers=headers, expect=200)
    assert other.json()["displayName"] == "x"


def test_retry_token_ttl_is_settable_and_covers_artifacts(world, emu):
    resp = requests.post(f"{emu.url}/_emulator/retry-token-ttl", json={"seconds": 60}, timeout=5)
    assert resp.json() == {"seconds": 60.0}
    try:
        model = world.model(world.project()["id"])
        headers = {"opc-retry-token": "art"}
        first = world.client.op("create_model_artifact", model_id=model["id"], data=b"abc", headers=headers)
        emu.advance(59)
        again = world.client.op("create_model_artifact", model_id=model["id"], data=b"abc", headers=headers)
        assert first.status_code == again.status_code == 200
        emu.advance(1)
        expired = world.client.op("create_model_artifact", model_id=model["id"], data=b"abc", headers=headers)
        assert expired.status_code == 409 and expired.json()["code"] == "Conflict"  # a new upload
        bad = requests.post(f"{emu.url}/_emulator/retry-token-ttl", json={"seconds": 0}, timeout=5)
        assert bad.status_code == 400
    finally:
        emu.reset()
    assert emu.services.retry_token_ttl == 24 * 3600
