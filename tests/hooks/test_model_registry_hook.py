"""The model registry through DataScienceHook against the emulator: typed errors, waits on model
groups and their work requests, a streamed group artifact from and to files, list_all_* over
several pages."""

from __future__ import annotations

import hashlib
import os

import pytest

from airflow_ds_provider.client.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    ResourceFailedError,
)
from airflow_ds_provider.hooks.data_science import DataScienceHook


@pytest.fixture
def hook(ds_connection) -> DataScienceHook:
    return DataScienceHook()


@pytest.fixture
def pid(hook) -> str:
    return hook.create_project({"compartmentId": hook.compartment_id, "displayName": "p"}).data["id"]


def _model(hook, pid: str, **extra) -> str:
    return hook.create_model({"compartmentId": hook.compartment_id, "projectId": pid, **extra}).data["id"]


def _group_body(hook, pid: str, *models: str, **extra) -> dict:
    return {
        "createType": "CREATE",
        "compartmentId": hook.compartment_id,
        "projectId": pid,
        "modelGroupDetails": {"type": "HOMOGENEOUS"},
        "memberModelEntries": {"memberModelDetails": [{"modelId": m} for m in models]},
        **extra,
    }


def test_registry_errors_are_typed(hook, pid) -> None:
    comp = hook.compartment_id
    body = {"compartmentId": comp, "projectId": pid, "name": "churn"}
    mvs = hook.create_model_version_set(body).data["id"]
    with pytest.raises(ConflictError) as info:
        hook.create_model_version_set(body)
    assert info.value.status == 409 and info.value.code == "Conflict" and info.value.opc_request_id
    _model(hook, pid, modelVersionSetId=mvs, versionLabel="prod")
    with pytest.raises(ConflictError, match="versionLabel"):
        _model(hook, pid, modelVersionSetId=mvs, versionLabel="prod")
    gone = mvs[:-4] + "zzzz"
    with pytest.raises(NotFoundError, match="modelVersionSetId"):
        _model(hook, pid, modelVersionSetId=gone)
    inactive = _model(hook, pid)
    hook.deactivate_model(inactive)
    with pytest.raises(BadRequestError, match=r"memberModelDetails\[0\]\.modelId"):
        hook.create_model_group(_group_body(hook, pid, inactive))


def test_wait_for_a_model_group_and_its_work_request(hook, ds_emulator, pid) -> None:
    created = hook.create_model_group(_group_body(hook, pid, _model(hook, pid)))
    ds_emulator.advance(5)
    work = hook.wait_for_state("work_request", created.work_request_id, poll_interval=0.01, timeout=5)
    assert work["status"] == "SUCCEEDED" and work["operationType"] == "MODEL_GROUP_CREATE"
    group = hook.wait_for_state("model_group", created.data["id"], poll_interval=0.01, timeout=5)
    assert group["lifecycleState"] == "ACTIVE"
    tags = {"emulator-fail-actions": "create", "emulator-details": "no capacity"}
    failing = hook.create_model_group(_group_body(hook, pid, _model(hook, pid), freeformTags=tags))
    ds_emulator.advance(5)
    with pytest.raises(ResourceFailedError, match="no capacity"):
        hook.wait_for_state("model_group", failing.data["id"], poll_interval=0.01, timeout=5)
    with pytest.raises(ResourceFailedError, match="no capacity"):
        hook.wait_for_state("work_request", failing.work_request_id, poll_interval=0.01, timeout=5)
    deleted = hook.delete_model_group(created.data["id"])
    ds_emulator.advance(5)
    assert hook.wait_for_state("model_group", created.data["id"], target_states=["DELETED"], timeout=5)
    assert hook.get_work_request(deleted.work_request_id).data["operationType"] == "MODEL_GROUP_DELETE"


def test_group_artifact_streams_from_and_to_files(hook, ds_emulator, pid, tmp_path) -> None:
    gid = hook.create_model_group(_group_body(hook, pid, _model(hook, pid))).data["id"]
    source = tmp_path / "group.zip"
    payload = os.urandom(3 * 1024 * 1024 + 17)
    source.write_bytes(payload)
    hook.create_model_group_artifact(gid, str(source), content_disposition="attachment; filename=group.zip")
    head = hook.head_model_group_artifact(gid)
    assert int(head.headers["content-length"]) == len(payload)
    assert head.headers["content-disposition"] == "attachment; filename=group.zip"
    target = tmp_path / "copy.zip"
    written = hook.download_artifact("get_model_group_artifact_content", gid, target)
    assert str(written.data) == str(target)
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(payload).digest()
    tail = hook.get_model_group_artifact_content(gid, range="bytes=-10").data
    assert tail == payload[-10:]


def test_list_all_reads_every_page(hook, pid) -> None:
    comp = hook.compartment_id
    sets = {
        hook.create_model_version_set({"compartmentId": comp, "projectId": pid, "name": f"s{n}"}).data["id"]
        for n in range(5)
    }
    assert {s["id"] for s in hook.list_all_model_version_sets(comp, limit=2)} == sets
    first = hook.list_model_version_sets(comp, limit=2)
    assert len(first.data) == 2 and first.next_page
    histories = {
        hook.create_model_group_version_history(
            {"compartmentId": comp, "projectId": pid, "displayName": f"h{n}"}
        ).data["id"]
        for n in range(3)
    }
    assert {h["id"] for h in hook.list_all_model_group_version_histories(comp, limit=1)} == histories
    models = [_model(hook, pid) for _ in range(3)]
    gid = hook.create_model_group(_group_body(hook, pid, *models)).data["id"]
    assert sorted(m["modelId"] for m in hook.list_all_model_group_models(gid, comp, limit=2)) == sorted(
        models
    )
    assert [g["id"] for g in hook.list_all_model_groups(comp, project_id=pid, limit=1)] == [gid]


def _work(emu, operation_type: str) -> list[dict]:
    return [w for w in emu.list("work_request") if w["operationType"] == operation_type]


def test_lost_answers_are_neither_repeated_nor_reported_as_failures(hook, ds_emulator, pid) -> None:
    """commit-then-drop: the create is replayed by its retry token (one group, one work request);
    the deletes are judged by reading the resource (done, with its work request)."""
    mid = _model(hook, pid)
    ds_emulator.inject_fault("POST", r"/modelGroups$", kind="commit_then_drop", count=1)
    created = hook.create_model_group(_group_body(hook, pid, mid))
    assert len(ds_emulator.list("model_group")) == 1 and len(_work(ds_emulator, "MODEL_GROUP_CREATE")) == 1
    assert created.work_request_id == _work(ds_emulator, "MODEL_GROUP_CREATE")[0]["id"]
    ds_emulator.advance(5)
    ds_emulator.inject_fault("DELETE", r"/modelGroups/", kind="commit_then_drop", count=1)
    deleted = hook.delete_model_group(created.data["id"])
    assert deleted.recovered and created.data["id"] in deleted.recovered
    assert deleted.work_request_id == _work(ds_emulator, "MODEL_GROUP_DELETE")[0]["id"]
    body = {"compartmentId": hook.compartment_id, "projectId": pid, "name": "lost"}
    mvs = hook.create_model_version_set(body).data["id"]
    _model(hook, pid, modelVersionSetId=mvs)
    ds_emulator.inject_fault("DELETE", r"/modelVersionSets/", kind="commit_then_drop", count=1)
    dropped = hook.delete_model_version_set(mvs, is_delete_related_models="true")
    assert dropped.status == 200 and dropped.recovered
    assert [w["id"] for w in _work(ds_emulator, "MODELVERSIONSET_DELETE")] == [dropped.work_request_id]
