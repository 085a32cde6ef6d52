"""Model version sets on the manual-clock emulator: names, the models they hold (version labels and
the versionId sequence), delete rules and work requests, compartment moves, retry tokens."""

from __future__ import annotations

from typing import Any

import pytest


def _error(resp, status: int, code: str, *words: str) -> None:
    assert resp.status_code == status, (resp.status_code, resp.text)
    body = resp.json()
    assert body["code"] == code, body
    for word in words:
        assert word in body["message"], body


@pytest.fixture
def pid(world) -> str:
    return world.project()["id"]


def _set(world, pid: str, name: str = "churn", expect: int = 200, **extra: Any):
    body = {"compartmentId": world.comp, "projectId": pid, "name": name, **extra}
    return world.client.op("create_model_version_set", json=body, expect=expect)


def _model(world, pid: str, set_id: str | None, label: str | None = None, expect: int = 200):
    body: dict[str, Any] = {"compartmentId": world.comp, "projectId": pid}
    if set_id:
        body["modelVersionSetId"] = set_id
    if label:
        body["versionLabel"] = label
    return world.client.op("create_model", json=body, expect=expect)


def test_created_active_and_names_are_unique_per_compartment(world, client, ident, pid):
    mvs = _set(world, pid, description="d").json()
    assert mvs["lifecycleState"] == "ACTIVE" and mvs["category"] == "USER" and mvs["description"] == "d"
    assert mvs["id"].startswith("ocid1.datasciencemodelversionset.")
    assert _set(world, pid, name="other").json()["description"] == ""
    _error(_set(world, pid, expect=409), 409, "Conflict", "churn", "already exists")
    elsewhere = ident.compartment_id.replace("amaaaaaa", "amaaaaab")
    body = {"compartmentId": elsewhere, "projectId": pid, "name": "churn"}
    client.op("create_model_version_set", json=body, expect=200)


def test_a_deleted_sets_name_can_be_used_again(world, client, emu, pid):
    mvs = _set(world, pid).json()
    client.op("delete_model_version_set", model_version_set_id=mvs["id"], expect=202)
    _error(_set(world, pid, expect=409), 409, "Conflict")  # DELETING still holds the name
    emu.advance(5)
    assert _set(world, pid).json()["id"] != mvs["id"]


def test_a_set_needs_an_active_project(world, client, emu, pid):
    client.op("delete_project", project_id=pid, expect=202)
    _error(_set(world, pid, expect=409), 409, "IncorrectState", "DELETING")
    missing = pid[:-4] + "zzzz"
    _error(_set(world, missing, expect=404), 404, "NotAuthorizedOrNotFound", "projectId")


def test_models_take_the_next_version_and_the_sets_name(world, client, pid):
    mvs = _set(world, pid).json()
    first = _model(world, pid, mvs["id"], "v-a").json()
    second = _model(world, pid, mvs["id"]).json()
    assert (first["versionId"], second["versionId"]) == (1, 2)
    assert first["modelVersionSetName"] == second["modelVersionSetName"] == "churn"
    assert first["versionLabel"] == "v-a"
    client.op("delete_model", model_id=second["id"], expect=204)
    assert _model(world, pid, mvs["id"]).json()["versionId"] == 3  # never reused
    found = client.op("list_models", params={"compartmentId": world.comp, "versionLabel": "v-a"}).json()
    assert [m["id"] for m in found] == [first["id"]]
    named = client.op(
        "list_models", params={"compartmentId": world.comp, "modelVersionSetName": "churn"}
    ).json()
    assert len(named) == 3


def test_version_labels_are_unique_in_a_set(world, client, pid):
    mvs = _set(world, pid).json()
    other = _set(world, pid, name="other").json()
    kept = _model(world, pid, mvs["id"], "prod").json()
    _error(_model(world, pid, mvs["id"], "prod", expect=409), 409, "Conflict", "versionLabel", "prod")
    assert _model(world, pid, other["id"], "prod").json()["versionId"] == 1  # another set: fine
    client.op("delete_model", model_id=kept["id"], expect=204)
    assert _model(world, pid, mvs["id"], "prod").json()["versionId"] == 2  # freed by the delete


def test_a_model_joins_only_an_active_set_of_its_project_and_compartment(world, client, emu, ident, pid):
    mvs = _set(world, pid).json()
    _error(
        _model(world, pid, mvs["id"][:-4] + "zzzz", expect=404),
        404,
        "NotAuthorizedOrNotFound",
        "modelVersionSetId",
    )
    other_project = world.project()["id"]
    _error(
        _model(world, other_project, mvs["id"], expect=400), 400, "InvalidParameter", "modelVersionSetId", pid
    )
    elsewhere = ident.compartment_id.replace("amaaaaaa", "amaaaaab")
    body = {"compartmentId": elsewhere, "projectId": pid, "modelVersionSetId": mvs["id"]}
    _error(client.op("create_model", json=body), 400, "InvalidParameter", "modelVersionSetId", "compartment")
    client.op("delete_model_version_set", model_version_set_id=mvs["id"], expect=202)
    _error(_model(world, pid, mvs["id"], expect=409), 409, "IncorrectState", "DELETING")


def test_update_moves_a_model_into_a_set_and_relabels_it(world, client, pid):
    mvs = _set(world, pid).json()
    _model(world, pid, mvs["id"], "a")
    loose = _model(world, pid, None).json()
    _error(
        client.op(
            "update_model", model_id=loose["id"], json={"modelVersionSetId": mvs["id"], "versionLabel": "a"}
        ),
        409,
        "Conflict",
        "versionLabel",
    )
    moved = client.op(
        "update_model",
        model_id=loose["id"],
        json={"modelVersionSetId": mvs["id"], "versionLabel": "b"},
        expect=200,
    ).json()
    assert (moved["modelVersionSetId"], moved["modelVersionSetName"], moved["versionId"]) == (
        mvs["id"],
        "churn",
        2,
    )
    assert moved["versionLabel"] == "b"
    other = _set(world, pid, name="other").json()
    _error(
        client.op("update_model", model_id=loose["id"], json={"modelVersionSetId": other["id"]}),
        409,
        "Conflict",
        "already associated",
    )
    _error(
        client.op("update_model", model_id=loose["id"], json={"versionLabel": "a"}), 409, "Conflict", "'a'"
    )
    assert (
        client.op("update_model", model_id=loose["id"], json={"versionLabel": "b"}, expect=200).json()[
            "versionLabel"
        ]
        == "b"
    )
    assert (
        client.op("update_model", model_id=loose["id"], json={"versionLabel": "c"}, expect=200).json()[
            "versionId"
        ]
        == 2
    )


def test_delete_is_refused_while_the_set_holds_models(world, client, emu, pid):
    mvs = _set(world, pid).json()
    held = [_model(world, pid, mvs["id"]).json() for _ in range(2)]
    _error(
        client.op("delete_model_version_set", model_version_set_id=mvs["id"]),
        409,
        "IncorrectState",
        "2 models",
        "isDeleteRelatedModels",
    )
    _error(
        client.op(
            "delete_model_version_set",
            model_version_set_id=mvs["id"],
            params={"isDeleteRelatedModels": "yes"},
        ),
        400,
        "InvalidParameter",
        "isDeleteRelatedModels",
    )
    client.op("delete_model", model_id=held[0]["id"], expect=204)
    still = client.op("delete_model_version_set", model_version_set_id=mvs["id"])
    _error(still, 409, "IncorrectState", "1 models")


def test_delete_with_related_models_deletes_them_through_a_work_request(world, client, emu, pid):
    mvs = _set(world, pid).json()
    held = [_model(world, pid, mvs["id"]).json() for _ in range(2)]
    resp = client.op(
        "delete_model_version_set",
        model_version_set_id=mvs["id"],
        params={"isDeleteRelatedModels": "true"},
        expect=202,
    )
    work_id = resp.headers["opc-work-request-id"]
    assert world.get("get_model_version_set", model_version_set_id=mvs["id"])["lifecycleState"] == "DELETING"
    work = world.get("get_work_request", work_request_id=work_id)
    assert work["operationType"] == "MODELVERSIONSET_DELETE" and work["status"] == "ACCEPTED"
    assert world.get("get_model", model_id=held[0]["id"])["lifecycleState"] == "ACTIVE"
    _error(
        client.op(
            "delete_model_version_set",
            model_version_set_id=mvs["id"],
            params={"isDeleteRelatedModels": "true"},
        ),
        409,
        "IncorrectState",
        "DELETING",
    )
    emu.advance(5)
    assert world.get("get_model_version_set", model_version_set_id=mvs["id"])["lifecycleState"] == "DELETED"
    work = world.get("get_work_request", work_request_id=work_id)
    assert work["status"] == "SUCCEEDED" and work["resources"][0]["actionType"] == "DELETED"
    assert work["resources"][0]["entityType"] == "ModelVersionSet"
    assert {world.get("get_model", model_id=m["id"])["lifecycleState"] for m in held} == {"DELETED"}
    _error(
        client.op("update_model_version_set", model_version_set_id=mvs["id"], json={"description": "x"}),
        409,
        "IncorrectState",
    )


def test_a_model_serving_a_deployment_keeps_its_set(world, client, emu, pid):
    mvs = _set(world, pid).json()
    model = _model(world, pid, mvs["id"]).json()
    client.op("create_model_deployment", json=world.deployment_body(pid, model["id"]), expect=200)
    resp = client.op(
        "delete_model_version_set", model_version_set_id=mvs["id"], params={"isDeleteRelatedModels": "true"}
    )
    _error(resp, 409, "IncorrectState", model["id"], "model deployment")
    assert world.get("get_model_version_set", model_version_set_id=mvs["id"])["lifecycleState"] == "ACTIVE"


def test_an_empty_set_deletes_without_the_flag(world, client, emu, pid):
    mvs = _set(world, pid).json()
    client.op("delete_model_version_set", model_version_set_id=mvs["id"], expect=202)
    emu.advance(5)
    _error(
        client.op("delete_model_version_set", model_version_set_id=mvs["id"]),
        409,
        "IncorrectState",
        "DELETED",
    )


def test_list_filters_sorts_and_pages(world, client, pid):
    ids = {name: _set(world, pid, name=name).json()["id"] for name in ("b", "a", "c")}
    q = {"compartmentId": world.comp}
    assert [s["id"] for s in client.op("list_model_version_sets", params={**q, "name": "a"}).json()] == [
        ids["a"]
    ]
    by_name = client.op("list_model_version_sets", params={**q, "sortBy": "name"}).json()
    assert [s["name"] for s in by_name] == ["a", "b", "c"]
    page = client.op("list_model_version_sets", params={**q, "limit": 2})
    assert len(page.json()) == 2 and page.headers["opc-next-page"]
    assert client.op("list_model_version_sets", params={**q, "projectId": world.project()["id"]}).json() == []
    _error(
        client.op("list_model_version_sets", params={**q, "lifecycleState": "GONE"}), 400, "InvalidParameter"
    )
    _error(client.op("list_model_version_sets", params={}), 400, "InvalidParameter", "compartmentId")


def test_update_checks_the_etag(world, client, pid):
    mvs = _set(world, pid)
    sid = mvs.json()["id"]
    stale = {"if-match": "nope"}
    _error(
        client.op(
            "update_model_version_set", model_version_set_id=sid, json={"description": "x"}, headers=stale
        ),
        412,
        "NoEtagMatch",
    )
    fresh = {"if-match": mvs.headers["etag"]}
    updated = client.op(
        "update_model_version_set",
        model_version_set_id=sid,
        json={"description": "x"},
        headers=fresh,
        expect=200,
    )
    assert updated.json()["description"] == "x" and updated.headers["etag"] != mvs.headers["etag"]
    _error(
        client.op("update_model_version_set", model_version_set_id=sid, json={"name": "renamed"}),
        400,
        "InvalidParameter",
    )


def test_change_compartment_moves_it_with_a_work_request(world, client, ident, pid):
    mvs = _set(world, pid).json()
    elsewhere = ident.compartment_id.replace("amaaaaaa", "amaaaaab")
    client.op(
        "create_model_version_set", json={"compartmentId": elsewhere, "projectId": pid, "name": "churn2"}
    )
    resp = client.op(
        "change_model_version_set_compartment",
        model_version_set_id=mvs["id"],
        json={"compartmentId": elsewhere},
        expect=202,
    )
    work = world.get("get_work_request", work_request_id=resp.headers["opc-work-request-id"])
    assert work["resources"][0]["identifier"] == mvs["id"]
    assert world.get("get_model_version_set", model_version_set_id=mvs["id"])["compartmentId"] == elsewhere
    clash = _set(world, pid, name="churn2").json()
    _error(
        client.op(
            "change_model_version_set_compartment",
            model_version_set_id=clash["id"],
            json={"compartmentId": elsewhere},
        ),
        409,
        "Conflict",
        "churn2",
    )


def test_retry_tokens_replay_the_create(world, client, pid):
    body = {"compartmentId": world.comp, "projectId": pid, "name": "once"}
    token = {"opc-retry-token": "tok-1"}
    first = client.op("create_model_version_set", json=body, headers=token, expect=200).json()
    again = client.op("create_model_version_set", json=body, headers=token, expect=200).json()
    assert again["id"] == first["id"]
    _error(
        client.op("create_model_version_set", json={**body, "name": "twice"}, headers=token),
        409,
        "InvalidatedRetryToken",
    )
