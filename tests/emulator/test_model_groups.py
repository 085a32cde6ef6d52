"""Model groups and model group version histories on the manual-clock emulator: states and work
requests, scripted creation failures, membership rules, clones, version histories (versionId,
labels, the latest group), artifacts and the member-model list."""

from __future__ import annotations

from typing import Any

import pytest

from .test_model_version_sets import _error


@pytest.fixture
def pid(world) -> str:
    return world.project()["id"]


def _body(world, pid: str, *models: str, **extra: Any) -> dict[str, Any]:
    return {
        "createType": "CREATE",
        "compartmentId": world.comp,
        "projectId": pid,
        "modelGroupDetails": {"type": "HOMOGENEOUS"},
        "memberModelEntries": {"memberModelDetails": [{"modelId": m} for m in models]},
        **extra,
    }


def _group(world, pid: str, *models: str, expect: int | None = 200, **extra: Any):
    return world.client.op("create_model_group", json=_body(world, pid, *models, **extra), expect=expect)


def _history(world, pid: str, name: str = "h", **extra: Any) -> dict[str, Any]:
    body = {"compartmentId": world.comp, "projectId": pid, "displayName": name, **extra}
    return world.client.op("create_model_group_version_history", json=body, expect=200).json()


def _active(world, emu, pid: str, *models: str, **extra: Any) -> dict[str, Any]:
    group = _group(world, pid, *models, **extra).json()
    emu.advance(3)
    return world.get("get_model_group", model_group_id=group["id"])


@pytest.fixture
def mids(world, pid) -> list[str]:
    return [world.model(pid)["id"] for _ in range(3)]


def test_creating_then_active_with_a_work_request(world, client, emu, pid, mids):
    resp = _group(world, pid, *mids[:2], displayName="g")
    group = resp.json()
    assert group["lifecycleState"] == "CREATING" and group["createType"] == "CREATE"
    assert group["id"].startswith("ocid1.datasciencemodelgroup.")
    work = world.get("get_work_request", work_request_id=resp.headers["opc-work-request-id"])
    assert work["operationType"] == "MODEL_GROUP_CREATE" and work["status"] == "ACCEPTED"
    emu.advance(1)
    assert world.get("get_model_group", model_group_id=group["id"])["lifecycleState"] == "CREATING"
    emu.advance(2)
    assert world.get("get_model_group", model_group_id=group["id"])["lifecycleState"] == "ACTIVE"
    work = world.get("get_work_request", work_request_id=work["id"])
    assert work["status"] == "SUCCEEDED" and work["resources"][0]["actionType"] == "CREATED"
    assert work["resources"][0]["entityType"] == "ModelGroup"


def test_a_scripted_creation_failure(world, client, emu, pid, mids):
    tags = {"emulator-fail-actions": "create", "emulator-details": "no capacity"}
    resp = _group(world, pid, mids[0], freeformTags=tags)
    emu.advance(3)
    group = world.get("get_model_group", model_group_id=resp.json()["id"])
    assert group["lifecycleState"] == "FAILED" and group["lifecycleDetails"] == "no capacity"
    wid = resp.headers["opc-work-request-id"]
    assert world.get("get_work_request", work_request_id=wid)["status"] == "FAILED"
    errors = client.op("list_work_request_errors", work_request_id=wid, expect=200).json()
    assert "no capacity" in errors[0]["message"]
    _error(client.op("activate_model_group", model_group_id=group["id"]), 409, "IncorrectState", "FAILED")
    client.op("delete_model_group", model_group_id=group["id"], expect=202)
    bad = _group(world, pid, mids[0], expect=None, freeformTags={"emulator-fail-actions": "explode"})
    _error(bad, 400, "InvalidParameter", "emulator-fail-actions")


def test_members_must_exist_be_active_and_be_named_once(world, client, emu, pid, mids):
    missing = mids[0][:-4] + "zzzz"
    field = "memberModelEntries.memberModelDetails[1].modelId"
    _error(_group(world, pid, mids[0], missing, expect=None), 404, "NotAuthorizedOrNotFound", field)
    client.op("deactivate_model", model_id=mids[1], expect=200)
    _error(_group(world, pid, mids[0], mids[1], expect=None), 400, "InvalidParameter", field, "INACTIVE")
    _error(_group(world, pid, mids[0], mids[0], expect=None), 400, "InvalidParameter", "named twice")
    _error(_group(world, pid, expect=None), 400, "InvalidParameter", "at least one")
    keyed = _body(world, pid, mids[0], mids[2])
    for member in keyed["memberModelEntries"]["memberModelDetails"]:
        member["inferenceKey"] = "k"
    _error(client.op("create_model_group", json=keyed), 400, "InvalidParameter", "inferenceKey")
    assert emu.list("model_group") == []


def test_a_stacked_groups_base_model_is_a_member(world, client, emu, pid, mids):
    stacked = {"type": "STACKED", "baseModelId": mids[2]}
    _error(
        _group(world, pid, mids[0], mids[1], expect=None, modelGroupDetails=stacked),
        400,
        "InvalidParameter",
        "baseModelId",
    )
    group = _group(world, pid, mids[0], mids[2], modelGroupDetails=stacked).json()
    assert group["modelGroupDetails"] == stacked
    _error(
        client.op(
            "create_model_group",
            json={**_body(world, pid, mids[0]), "modelGroupDetails": {"type": "STACKED"}},
        ),
        400,
        "InvalidParameter",
    )


def test_activate_deactivate_and_wrong_states(world, client, emu, pid, mids):
    creating = _group(world, pid, mids[0]).json()
    _error(
        client.op("deactivate_model_group", model_group_id=creating["id"]), 409, "IncorrectState", "CREATING"
    )
    _error(client.op("delete_model_group", model_group_id=creating["id"]), 409, "IncorrectState", "CREATING")
    emu.advance(3)
    gid = creating["id"]
    _error(client.op("activate_model_group", model_group_id=gid), 409, "IncorrectState", "ACTIVE")
    assert (
        client.op("deactivate_model_group", model_group_id=gid, expect=200).json()["lifecycleState"]
        == "INACTIVE"
    )
    _error(client.op("deactivate_model_group", model_group_id=gid), 409, "IncorrectState", "INACTIVE")
    assert (
        client.op("activate_model_group", model_group_id=gid, expect=200).json()["lifecycleState"] == "ACTIVE"
    )


def test_delete_goes_through_deleting_with_a_work_request(world, client, emu, pid, mids):
    group = _active(world, emu, pid, mids[0])
    resp = client.op("delete_model_group", model_group_id=group["id"], expect=202)
    assert world.get("get_model_group", model_group_id=group["id"])["lifecycleState"] == "DELETING"
    work = world.get("get_work_request", work_request_id=resp.headers["opc-work-request-id"])
    assert work["operationType"] == "MODEL_GROUP_DELETE"
    _error(
        client.op("update_model_group", model_group_id=group["id"], json={"displayName": "x"}),
        409,
        "IncorrectState",
    )
    emu.advance(3)
    assert world.get("get_model_group", model_group_id=group["id"])["lifecycleState"] == "DELETED"
    _error(client.op("delete_model_group", model_group_id=group["id"]), 409, "IncorrectState", "DELETED")


def test_version_history_numbers_groups_and_tracks_the_latest(world, client, emu, pid, mids):
    history = _history(world, pid)
    hid = history["id"]
    assert history["id"].startswith("ocid1.datasciencemodelgroupversionhistory.")
    first = _active(world, emu, pid, mids[0], modelGroupVersionHistoryId=hid, versionLabel="v1")
    second = _active(world, emu, pid, mids[1], modelGroupVersionHistoryId=hid)
    assert (first["versionId"], second["versionId"]) == (1, 2)
    assert first["modelGroupVersionHistoryName"] == "h"
    assert (
        world.get("get_model_group_version_history", model_group_version_history_id=hid)["latestModelGroupId"]
        == second["id"]
    )
    dup = _group(world, pid, mids[2], expect=None, modelGroupVersionHistoryId=hid, versionLabel="v1")
    _error(dup, 409, "Conflict", "versionLabel", "v1")
    _error(
        client.op("update_model_group", model_group_id=second["id"], json={"versionLabel": "v1"}),
        409,
        "Conflict",
    )
    own = client.op("update_model_group", model_group_id=first["id"], json={"versionLabel": "v1"}, expect=200)
    assert own.json()["versionLabel"] == "v1"
    listed = client.op(
        "list_model_groups", params={"compartmentId": world.comp, "modelGroupVersionHistoryId": hid}
    ).json()
    assert {g["id"] for g in listed} == {first["id"], second["id"]}
    client.op("delete_model_group", model_group_id=second["id"], expect=202)
    assert (
        world.get("get_model_group_version_history", model_group_version_history_id=hid)["latestModelGroupId"]
        == first["id"]
    )
    client.op(
        "update_model_group_version_history",
        model_group_version_history_id=hid,
        json={"displayName": "renamed"},
    )
    assert (
        world.get("get_model_group", model_group_id=first["id"])["modelGroupVersionHistoryName"] == "renamed"
    )
    _error(
        client.op("delete_model_group_version_history", model_group_version_history_id=hid),
        409,
        "IncorrectState",
        "1 model groups",
    )
    client.op("delete_model_group", model_group_id=first["id"], expect=202)
    assert "latestModelGroupId" not in world.get(
        "get_model_group_version_history", model_group_version_history_id=hid
    )
    resp = client.op("delete_model_group_version_history", model_group_version_history_id=hid, expect=202)
    work = world.get("get_work_request", work_request_id=resp.headers["opc-work-request-id"])
    assert work["operationType"] == "MODEL_GROUP_VERSION_HISTORY_DELETE"
    assert (
        world.get("get_model_group_version_history", model_group_version_history_id=hid)["lifecycleState"]
        == "DELETING"
    )
    emu.advance(3)
    assert (
        world.get("get_model_group_version_history", model_group_version_history_id=hid)["lifecycleState"]
        == "DELETED"
    )
    _error(
        _group(world, pid, mids[2], expect=None, modelGroupVersionHistoryId=hid),
        409,
        "IncorrectState",
        "DELETED",
    )


def test_a_history_belongs_to_one_project(world, client, emu, pid, mids):
    other = world.project()["id"]
    hid = _history(world, other)["id"]
    _error(
        _group(world, pid, mids[0], expect=None, modelGroupVersionHistoryId=hid),
        400,
        "InvalidParameter",
        other,
    )


def test_update_moves_a_group_into_a_history(world, client, emu, pid, mids):
    hid = _history(world, pid)["id"]
    group = _active(world, emu, pid, mids[0])
    moved = client.op(
        "update_model_group", model_group_id=group["id"], json={"modelGroupVersionHistoryId": hid}, expect=200
    ).json()
    assert (moved["modelGroupVersionHistoryId"], moved["versionId"]) == (hid, 1)
    assert (
        world.get("get_model_group_version_history", model_group_version_history_id=hid)["latestModelGroupId"]
        == group["id"]
    )


def test_a_history_created_with_a_latest_group_links_it(world, client, emu, pid, mids):
    group = _active(world, emu, pid, mids[0])
    other = {
        "compartmentId": world.comp,
        "projectId": world.project()["id"],
        "latestModelGroupId": group["id"],
    }
    _error(client.op("create_model_group_version_history", json=other), 400, "InvalidParameter", pid)
    assert emu.list("model_group_version_history") == []
    history = _history(world, pid, latestModelGroupId=group["id"])
    linked = world.get("get_model_group", model_group_id=group["id"])
    assert (linked["modelGroupVersionHistoryId"], linked["versionId"]) == (history["id"], 1)
    body = {"compartmentId": world.comp, "projectId": pid, "latestModelGroupId": group["id"]}
    _error(client.op("create_model_group_version_history", json=body), 409, "Conflict", "already belongs")
    _error(
        client.op(
            "update_model_group_version_history",
            model_group_version_history_id=history["id"],
            json={"latestModelGroupId": mids[0]},
        ),
        400,
        "InvalidParameter",
        "latestModelGroupId",
    )


def test_clone_from_a_group_patches_its_members(world, client, emu, pid, mids):
    source = _active(world, emu, pid, mids[0], mids[1], displayName="src")
    clone = {
        "createType": "CLONE",
        "compartmentId": world.comp,
        "projectId": pid,
        "modelGroupCloneSourceDetails": {
            "modelGroupCloneSourceType": "MODEL_GROUP",
            "sourceId": source["id"],
            "modifyModelGroupDetails": {"displayName": "copy"},
            "patchModelGroupMemberModelDetails": {
                "items": [
                    {"operation": "INSERT", "values": [{"modelId": mids[2]}]},
                    {"operation": "REMOVE", "values": [{"modelId": mids[0]}]},
                ]
            },
        },
    }
    group = client.op("create_model_group", json=clone, expect=200).json()
    assert group["createType"] == "CLONE" and group["sourceModelGroupId"] == source["id"]
    assert group["displayName"] == "copy"
    assert [m["modelId"] for m in group["memberModelEntries"]["memberModelDetails"]] == [mids[1], mids[2]]
    items = clone["modelGroupCloneSourceDetails"]["patchModelGroupMemberModelDetails"]["items"]
    items[1]["values"] = [{"modelId": mids[2]}, {"modelId": mids[2]}]
    _error(client.op("create_model_group", json=clone), 400, "InvalidParameter", "not a member")


def test_clone_from_a_history_copies_its_latest_group(world, client, emu, pid, mids):
    hid = _history(world, pid)["id"]
    body = {
        "createType": "CLONE",
        "compartmentId": world.comp,
        "projectId": pid,
        "modelGroupCloneSourceDetails": {
            "modelGroupCloneSourceType": "MODEL_GROUP_VERSION_HISTORY",
            "sourceId": hid,
        },
    }
    _error(client.op("create_model_group", json=body), 400, "InvalidParameter", "no model group")
    latest = _active(world, emu, pid, mids[0], modelGroupVersionHistoryId=hid)
    group = client.op("create_model_group", json=body, expect=200).json()
    assert group["sourceModelGroupId"] == latest["id"]
    assert (group["modelGroupVersionHistoryId"], group["versionId"]) == (hid, 2)
    creating = _group(world, pid, mids[1]).json()
    body["modelGroupCloneSourceDetails"] = {
        "modelGroupCloneSourceType": "MODEL_GROUP",
        "sourceId": creating["id"],
    }
    _error(client.op("create_model_group", json=body), 409, "IncorrectState", "CREATING")


def test_member_models_are_listed_with_their_inference_keys(world, client, emu, pid, mids):
    body = _body(world, pid, mids[0], mids[1], modelGroupDetails={"type": "HETEROGENEOUS"})
    body["memberModelEntries"]["memberModelDetails"][0]["inferenceKey"] = "fast"
    gid = client.op("create_model_group", json=body, expect=200).json()["id"]
    q = {"compartmentId": world.comp}
    rows = client.op("list_model_group_models", model_group_id=gid, params=q, expect=200).json()
    assert {r["modelId"]: r.get("inferenceKey") for r in rows} == {mids[0]: "fast", mids[1]: None}
    one = client.op("list_model_group_models", model_group_id=gid, params={**q, "id": mids[1]}).json()
    assert [r["modelId"] for r in one] == [mids[1]]
    page = client.op("list_model_group_models", model_group_id=gid, params={**q, "limit": 1})
    assert len(page.json()) == 1 and page.headers["opc-next-page"]
    _error(
        client.op("list_model_group_models", model_group_id=gid, params={}),
        400,
        "InvalidParameter",
        "compartmentId",
    )
    _error(
        client.op("list_model_group_models", model_group_id=gid[:-4] + "zzzz", params=q),
        404,
        "NotAuthorizedOrNotFound",
    )


def test_the_artifact_is_written_once(world, client, emu, pid, mids):
    gid = _active(world, emu, pid, mids[0])["id"]
    assert client.op("head_model_group_artifact", model_group_id=gid).status_code == 404
    missing = client.op("get_model_group_artifact_content", model_group_id=gid)
    _error(missing, 404, "NotAuthorizedOrNotFound", "no artifact")
    client.op("create_model_group_artifact", model_group_id=gid, data=b"zip" * 100, expect=200)
    again = client.op("create_model_group_artifact", model_group_id=gid, data=b"zip")
    _error(again, 409, "Conflict", "immutable")
    assert (
        client.op("get_model_group_artifact_content", model_group_id=gid, expect=200).content == b"zip" * 100
    )


def test_compartment_moves_and_unknown_fields(world, client, emu, ident, pid, mids):
    gid = _active(world, emu, pid, mids[0])["id"]
    elsewhere = ident.compartment_id.replace("amaaaaaa", "amaaaaab")
    client.op(
        "change_model_group_compartment", model_group_id=gid, json={"compartmentId": elsewhere}, expect=200
    )
    assert world.get("get_model_group", model_group_id=gid)["compartmentId"] == elsewhere
    hid = _history(world, pid)["id"]
    client.op(
        "change_model_group_version_history_compartment",
        model_group_version_history_id=hid,
        json={"compartmentId": elsewhere},
        expect=200,
    )
    assert (
        world.get("get_model_group_version_history", model_group_version_history_id=hid)["compartmentId"]
        == elsewhere
    )
    _error(
        client.op("create_model_group", json={**_body(world, pid, mids[0]), "colour": "red"}),
        400,
        "InvalidParameter",
    )
    _error(
        client.op("create_model_group", json={**_body(world, pid, mids[0]), "createType": "COPY"}),
        400,
        "InvalidParameter",
    )


def test_a_group_serving_a_deployment_is_not_deleted(world, client, emu, pid, mids):
    gid = _active(world, emu, pid, mids[0])["id"]
    body = {
        "projectId": pid,
        "compartmentId": world.comp,
        "modelDeploymentConfigurationDetails": {
            "deploymentType": "MODEL_GROUP",
            "modelGroupConfigurationDetails": {"modelGroupId": gid},
            "infrastructureConfigurationDetails": {
                "infrastructureType": "INSTANCE_POOL",
                "instanceConfiguration": {"instanceShapeName": "VM.Standard.E4.Flex"},
            },
        },
    }
    mdid = client.op("create_model_deployment", json=body, expect=200).json()["id"]
    _error(client.op("delete_model_group", model_group_id=gid), 409, "IncorrectState", mdid)
    emu.advance(5)
    client.op("delete_model_deployment", model_deployment_id=mdid, expect=202)
    emu.advance(5)
    client.op("delete_model_group", model_group_id=gid, expect=202)


def test_a_failed_group_does_not_stay_the_latest_of_its_history(world, client, emu, pid, mids):
    """Each read that shows the latest group (get, a clone from the history, list) moves it off a
    group whose creation failed (one history per read: the first read settles it)."""
    histories = []
    for _ in range(3):
        hid = _history(world, pid)["id"]
        kept = _active(world, emu, pid, mids[0], modelGroupVersionHistoryId=hid)
        failed = _group(
            world,
            pid,
            mids[1],
            modelGroupVersionHistoryId=hid,
            freeformTags={"emulator-fail-actions": "create"},
        ).json()
        got = world.get("get_model_group_version_history", model_group_version_history_id=hid)
        assert got["latestModelGroupId"] == failed["id"]
        histories.append((hid, kept["id"]))
    emu.advance(3)
    (by_get, kept_get), (by_list, kept_list), (by_clone, kept_clone) = histories
    got = world.get("get_model_group_version_history", model_group_version_history_id=by_get)
    assert got["latestModelGroupId"] == kept_get
    body = {
        "createType": "CLONE",
        "compartmentId": world.comp,
        "projectId": pid,
        "modelGroupCloneSourceDetails": {
            "modelGroupCloneSourceType": "MODEL_GROUP_VERSION_HISTORY",
            "sourceId": by_clone,
        },
    }
    assert client.op("create_model_group", json=body, expect=200).json()["sourceModelGroupId"] == kept_clone
    # a list settles every history: last
    listed = client.op("list_model_group_version_histories", params={"compartmentId": world.comp}).json()
    assert {h["id"]: h["latestModelGroupId"] for h in listed}[by_list] == kept_list
