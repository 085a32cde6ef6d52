"""Every operation of the model registry (model version sets, model groups, model group version
histories) through DataScienceHook against the manual-clock emulator: real signed HTTP, the
generated client (streamed artifact upload and download, ``list_all_*`` pagination), each
response validated against the spec's models."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from airflow_ds_provider.hooks.data_science import DataScienceHook
from airflow_ds_provider.spec import get_operation

from .validator import validate_response

OPERATIONS = frozenset(
    {
        "change_model_version_set_compartment",
        "create_model_version_set",
        "delete_model_version_set",
        "get_model_version_set",
        "list_model_version_sets",
        "update_model_version_set",
        "activate_model_group",
        "change_model_group_compartment",
        "create_model_group",
        "create_model_group_artifact",
        "deactivate_model_group",
        "delete_model_group",
        "get_model_group",
        "get_model_group_artifact_content",
        "head_model_group_artifact",
        "list_model_group_models",
        "list_model_groups",
        "update_model_group",
        "change_model_group_version_history_compartment",
        "create_model_group_version_history",
        "delete_model_group_version_history",
        "get_model_group_version_history",
        "list_model_group_version_histories",
        "update_model_group_version_history",
    }
)

CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"


class Checked:
    """Calls hook methods and validates each JSON answer against the operation's response model."""

    def __init__(self, hook: DataScienceHook) -> None:
        self.hook = hook

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.hook, name)
        op = get_operation(name.replace("list_all_", "list_", 1))

        def call(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            if name.startswith("list_all_"):
                item = op.response_type[5:-1] if op.response_type.startswith("list[") else None
                for row in result:
                    validate_response(item, row)
                return result
            if op.response_type and op.response_type != "stream" and op.method != "HEAD":
                validate_response(op.response_type, result.data)
            for header in op.response_headers:
                if header in ("etag", "opc-work-request-id"):
                    assert header in result.headers, (name, header)
            return result

        return call


@pytest.fixture
def hook(emu, ident, monkeypatch) -> Checked:
    monkeypatch.setenv(CONN_ENV, emu.airflow_connection_json(ident))
    return Checked(DataScienceHook())


def _group_body(comp: str, pid: str, *models: str, **extra: Any) -> dict[str, Any]:
    return {
        "createType": "CREATE",
        "compartmentId": comp,
        "projectId": pid,
        "modelGroupDetails": {"type": "HOMOGENEOUS"},
        "memberModelEntries": {"memberModelDetails": [{"modelId": m} for m in models]},
        **extra,
    }


def test_every_registry_operation_through_the_hook(hook, emu, ident):
    comp = ident.compartment_id
    other = comp.replace("amaaaaaa", "amaaaaab")
    pid = hook.create_project({"compartmentId": comp, "displayName": "p"}).data["id"]

    # model version sets and their models
    mvs = hook.create_model_version_set({"compartmentId": comp, "projectId": pid, "name": "churn"}).data
    assert mvs["lifecycleState"] == "ACTIVE"
    models = [
        hook.create_model(
            {"compartmentId": comp, "projectId": pid, "modelVersionSetId": mvs["id"], "versionLabel": f"l{n}"}
        ).data
        for n in range(3)
    ]
    assert [m["versionId"] for m in models] == [1, 2, 3]
    assert {m["modelVersionSetName"] for m in models} == {"churn"}
    hook.update_model_version_set(mvs["id"], {"description": "churn models"})
    assert hook.get_model_version_set(mvs["id"]).data["description"] == "churn models"
    listed = hook.list_all_model_version_sets(comp, name="churn", limit=1)
    assert [s["id"] for s in listed] == [mvs["id"]]
    assert hook.list_model_version_sets(comp, project_id=pid).status == 200

    # model group version histories and model groups
    history = hook.create_model_group_version_history(
        {"compartmentId": comp, "projectId": pid, "displayName": "h"}
    ).data
    created = hook.create_model_group(
        _group_body(comp, pid, models[0]["id"], models[1]["id"], modelGroupVersionHistoryId=history["id"])
    )
    gid = created.data["id"]
    assert created.data["lifecycleState"] == "CREATING" and created.work_request_id
    emu.advance(3)
    assert hook.get_work_request(created.work_request_id).data["operationType"] == "MODEL_GROUP_CREATE"
    group = hook.get_model_group(gid).data
    assert group["lifecycleState"] == "ACTIVE" and group["versionId"] == 1
    assert hook.get_model_group_version_history(history["id"]).data["latestModelGroupId"] == gid
    members = hook.list_all_model_group_models(gid, comp, limit=1)
    assert sorted(m["modelId"] for m in members) == sorted([models[0]["id"], models[1]["id"]])
    assert hook.list_model_group_models(gid, comp).status == 200
    assert [
        g["id"] for g in hook.list_all_model_groups(comp, model_group_version_history_id=history["id"])
    ] == [gid]
    assert hook.list_model_groups(comp).status == 200
    assert hook.update_model_group(gid, {"versionLabel": "first"}).data["versionLabel"] == "first"
    payload = b"group artifact " * 5000
    digest = base64.b64encode(hashlib.md5(payload).digest()).decode()  # noqa: S324
    hook.create_model_group_artifact(gid, payload, content_disposition="attachment; filename=group.zip")
    head = hook.head_model_group_artifact(gid)
    assert head.headers["content-length"] == str(len(payload)) and head.headers["content-md5"] == digest
    assert hook.get_model_group_artifact_content(gid).data == payload
    assert hook.get_model_group_artifact_content(gid, range="bytes=0-4").data == payload[:5]
    assert hook.deactivate_model_group(gid).data["lifecycleState"] == "INACTIVE"
    assert hook.activate_model_group(gid).data["lifecycleState"] == "ACTIVE"
    hook.change_model_group_compartment(gid, {"compartmentId": comp})
    hook.update_model_group_version_history(history["id"], {"description": "d", "displayName": "h2"})
    assert hook.get_model_group(gid).data["modelGroupVersionHistoryName"] == "h2"
    assert [h["id"] for h in hook.list_all_model_group_version_histories(comp, project_id=pid)] == [
        history["id"]
    ]
    assert hook.list_model_group_version_histories(comp).status == 200
    hook.change_model_group_version_history_compartment(history["id"], {"compartmentId": comp})

    # deletes (work requests)
    deleted = hook.delete_model_group(gid)
    emu.advance(3)
    assert hook.get_work_request(deleted.work_request_id).data["status"] == "SUCCEEDED"
    assert hook.get_model_group(gid).data["lifecycleState"] == "DELETED"
    gone = hook.delete_model_group_version_history(history["id"])
    emu.advance(3)
    assert (
        hook.get_work_request(gone.work_request_id).data["operationType"]
        == "MODEL_GROUP_VERSION_HISTORY_DELETE"
    )
    moved = hook.change_model_version_set_compartment(mvs["id"], {"compartmentId": other})
    assert moved.work_request_id
    assert hook.get_model_version_set(mvs["id"]).data["compartmentId"] == other
    dropped = hook.delete_model_version_set(mvs["id"], is_delete_related_models="true")
    emu.advance(3)
    assert hook.get_work_request(dropped.work_request_id).data["operationType"] == "MODELVERSIONSET_DELETE"
    assert hook.get_model_version_set(mvs["id"]).data["lifecycleState"] == "DELETED"
    assert {hook.get_model(m["id"]).data["lifecycleState"] for m in models} == {"DELETED"}

    seen = {entry["operation"] for entry in emu.requests if 200 <= entry["status"] < 300}
    assert seen >= OPERATIONS, sorted(OPERATIONS - seen)
