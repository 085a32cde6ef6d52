"""Model group operators, sensor and trigger against the emulator, in DAGs and directly."""

from __future__ import annotations

from typing import Any

import pytest
from airflow.sdk import DAG

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.operators.model_groups import (
    DataScienceActivateModelGroupOperator,
    DataScienceChangeModelGroupCompartmentOperator,
    DataScienceCloneModelGroupOperator,
    DataScienceCreateModelGroupOperator,
    DataScienceDeactivateModelGroupOperator,
    DataScienceDeleteModelGroupOperator,
    DataScienceUpdateModelGroupOperator,
)
from airflow_ds_provider.sensors.model_groups import DataScienceModelGroupSensor

from ._models_helpers import START, seed_model
from .conftest import FAST, OTHER_COMPARTMENT, make_context

GID = "{{ ti.xcom_pull(task_ids='create', key='resource_id') }}"
CLONE_ID = "{{ ti.xcom_pull(task_ids='clone', key='resource_id') }}"
MODES = pytest.mark.parametrize("deferrable", [False, True], ids=["sync", "deferrable"])


def _members(ds: Any, count: int = 2) -> tuple[str, list[str]]:
    project_id = ds.project()
    return project_id, [seed_model(ds, project_id, name=f"m{i}") for i in range(count)]


def _writes(ds: Any) -> list[str]:
    return [r["operation"] for r in ds.emu.requests if r["method"] in ("POST", "PUT", "DELETE")]


@MODES
def test_model_group_lifecycle_in_a_dag(ds, run_dag, deferrable) -> None:
    project_id, models = _members(ds, 3)
    wait = {"deferrable": deferrable, **FAST}
    with DAG(f"ds_model_groups_{deferrable}", schedule=None, start_date=START) as dag:
        create = DataScienceCreateModelGroupOperator(
            task_id="create",
            project_id=project_id,
            member_model_ids=models[:2],
            display_name="group-{{ ds_nodash }}",
            **wait,
        )
        sensor = DataScienceModelGroupSensor(task_id="sensor", model_group_id=GID, **wait)
        update = DataScienceUpdateModelGroupOperator(
            task_id="update", model_group_id=GID, description="two models", version_label="g1"
        )
        deactivate = DataScienceDeactivateModelGroupOperator(task_id="deactivate", model_group_id=GID, **wait)
        activate = DataScienceActivateModelGroupOperator(task_id="activate", model_group_id=GID, **wait)
        clone = DataScienceCloneModelGroupOperator(
            task_id="clone",
            source_model_group_id=GID,
            insert_model_ids=[models[2]],
            remove_model_ids=[models[0]],
            display_name="clone",
            **wait,
        )
        move = DataScienceChangeModelGroupCompartmentOperator(
            task_id="move", model_group_id=CLONE_ID, compartment_id=OTHER_COMPARTMENT
        )
        delete_clone = DataScienceDeleteModelGroupOperator(
            task_id="delete_clone", model_group_id=CLONE_ID, **wait
        )
        delete = DataScienceDeleteModelGroupOperator(task_id="delete", model_group_id=GID, **wait)
        create >> sensor >> update >> deactivate >> activate >> clone >> move >> delete_clone >> delete
    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    group = result.xcom("create")
    assert group["lifecycleState"] == "ACTIVE" and group["displayName"].startswith("group-")
    assert [m["modelId"] for m in group["memberModelEntries"]["memberModelDetails"]] == models[:2]
    assert group["modelGroupDetails"] == {"type": "HOMOGENEOUS"}
    assert group["freeformTags"]["airflow-task-id"] == "create"
    assert result.xcom("create", "console_url").startswith(
        f"https://cloud.oracle.com/data-science/model-groups/{group['id']}"
    )
    assert result.xcom("create", "work_request_id")
    assert result.xcom("sensor")["lifecycleState"] == "ACTIVE"
    assert result.xcom("update")["description"] == "two models"
    assert result.xcom("deactivate")["lifecycleState"] == "INACTIVE"
    assert result.xcom("activate")["lifecycleState"] == "ACTIVE"
    clone_json = result.xcom("clone")
    assert clone_json["lifecycleState"] == "ACTIVE" and clone_json["sourceModelGroupId"] == group["id"]
    assert [m["modelId"] for m in clone_json["memberModelEntries"]["memberModelDetails"]] == models[1:]
    assert clone_json["freeformTags"]["airflow-task-id"] == "clone"
    assert clone_json["projectId"] == project_id  # the source's project
    assert result.xcom("move")["compartmentId"] == OTHER_COMPARTMENT
    assert {ds.emu.get(g)["lifecycleState"] for g in (group["id"], clone_json["id"])} == {"DELETED"}
    assert _writes(ds).count("create_model_group") == 2


def test_a_failed_creation_fails_the_task_with_its_details(ds) -> None:
    project_id, models = _members(ds, 1)
    op = DataScienceCreateModelGroupOperator(
        task_id="create",
        project_id=project_id,
        member_model_ids=models,
        freeform_tags={"emulator-fail-actions": "create", "emulator-details": "the base image is gone"},
        **FAST,
    )
    with pytest.raises(AirflowFailException, match="the base image is gone"):
        op.execute(make_context(op))
    [group] = ds.emu.list("model_group")
    assert group["lifecycleState"] == "FAILED"


def test_without_waiting_the_create_returns_the_creating_group(ds) -> None:
    project_id, models = _members(ds, 1)
    op = DataScienceCreateModelGroupOperator(
        task_id="create", project_id=project_id, member_model_ids=models, wait_for_completion=False
    )
    assert op.execute(make_context(op))["lifecycleState"] == "CREATING"


def test_bad_input_fails_before_anything_is_created(ds) -> None:
    project_id, models = _members(ds, 1)
    cases = [
        (
            DataScienceCreateModelGroupOperator,
            {"member_model_ids": "ocid1.datasciencemodel.oc1..x"},
            r"^member_model_ids: expected a list of model OCIDs, got str",
        ),
        (
            DataScienceCreateModelGroupOperator,
            {"member_model_ids": [models[0], 3]},
            r"^member_model_ids\[1\]: ",
        ),
        (
            DataScienceCreateModelGroupOperator,
            {"member_model_ids": [project_id]},
            r"^member_model_ids\[0\]: .* is the OCID of a project, expected the OCID of a model",
        ),
        (
            DataScienceCloneModelGroupOperator,
            {"source_model_group_id": models[0]},
            r"^source_model_group_id: .* is the OCID of a model, expected the OCID of a model_group",
        ),
        (
            DataScienceCloneModelGroupOperator,
            {"source_model_group_version_history_id": models[0]},
            r"^source_model_group_version_history_id: .* is the OCID of a model, expected",
        ),
        (
            DataScienceCreateModelGroupOperator,
            {"member_model_ids": models, "create_model_group_details": {"createType": "CLONE"}},
            r"^create_model_group_details\.createType: expected 'CREATE', got 'CLONE'",
        ),
        (DataScienceCreateModelGroupOperator, {}, r"memberModelEntries"),
        (
            DataScienceCreateModelGroupOperator,
            {
                "member_model_ids": models,
                "create_model_group_details": {"modelGroupDetails": {"type": "MIXED"}},
            },
            r"^create_model_group_details\.modelGroupDetails: ModelGroupDetails\.type must be one of",
        ),
        (
            DataScienceCloneModelGroupOperator,
            {},
            r"^source_model_group_id / source_model_group_version_history_id",
        ),
        (
            DataScienceCloneModelGroupOperator,
            {"source_model_group_id": "a", "source_model_group_version_history_id": "b"},
            r"^source_model_group_id / source_model_group_version_history_id: give exactly one",
        ),
        (
            DataScienceCloneModelGroupOperator,
            {"source_model_group_id": "ocid1.datasciencemodelgroup.oc1..x", "remove_model_ids": "m"},
            r"^remove_model_ids: expected a list",
        ),
    ]
    for cls, kwargs, message in cases:
        op = cls(task_id="create", project_id=project_id, **kwargs, **FAST)
        with pytest.raises(ValueError, match=message):
            op.execute(make_context(op))
    assert "create_model_group" not in _writes(ds)
    group_id = ds.hook.create_model_group(
        {
            "createType": "CREATE",
            "compartmentId": ds.compartment,
            "projectId": project_id,
            "modelGroupDetails": {"type": "HOMOGENEOUS"},
            "memberModelEntries": {"memberModelDetails": [{"modelId": models[0]}]},
        }
    ).data["id"]
    empty = DataScienceUpdateModelGroupOperator(task_id="update", model_group_id=group_id)
    with pytest.raises(ValueError, match=r"^update_model_group_details: nothing to update"):
        empty.execute(make_context(empty))


def test_a_missing_or_inactive_member_is_named_before_the_create(ds) -> None:
    project_id, models = _members(ds, 2)
    ds.hook.deactivate_model(models[1])
    gone = models[0][:-6] + "zzzzzz"
    for members, message in (
        ([models[0], gone], rf"^member_model_ids\[1\]: model {gone} does not exist"),
        ([models[1]], rf"^member_model_ids\[0\]: model {models[1]} is INACTIVE, not ACTIVE"),
    ):
        op = DataScienceCreateModelGroupOperator(
            task_id="create", project_id=project_id, member_model_ids=members, **FAST
        )
        with pytest.raises(ValueError, match=message):
            op.execute(make_context(op))
    assert "create_model_group" not in _writes(ds)


def test_delete_waits_out_a_creation_and_a_gone_group_is_a_no_op(ds, monkeypatch) -> None:
    project_id, models = _members(ds, 1)
    create = DataScienceCreateModelGroupOperator(
        task_id="create", project_id=project_id, member_model_ids=models, wait_for_completion=False
    )
    group = create.execute(make_context(create))
    assert group["lifecycleState"] == "CREATING"
    seen: list[str] = []
    send = DataScienceDeleteModelGroupOperator.send

    def spy(self: Any, resource_id: str, data: dict[str, Any]) -> Any:
        seen.append(ds.emu.get(resource_id)["lifecycleState"])  # the state the delete is sent in
        return send(self, resource_id, data)

    monkeypatch.setattr(DataScienceDeleteModelGroupOperator, "send", spy)
    delete = DataScienceDeleteModelGroupOperator(task_id="delete", model_group_id=group["id"], **FAST)
    delete.execute(make_context(delete))
    assert seen == ["ACTIVE"]
    assert ds.emu.get(group["id"])["lifecycleState"] == "DELETED"
    sent = len(_writes(ds))
    again = DataScienceDeleteModelGroupOperator(task_id="delete", model_group_id=group["id"], **FAST)
    again.execute(make_context(again))
    assert len(_writes(ds)) == sent and seen == ["ACTIVE"]


def test_actions_from_the_wrong_state_fail_naming_it_and_settled_ones_send_nothing(ds) -> None:
    project_id, models = _members(ds, 1)
    create = DataScienceCreateModelGroupOperator(
        task_id="create", project_id=project_id, member_model_ids=models, **FAST
    )
    group_id = create.execute(make_context(create))["id"]
    sent = len(_writes(ds))
    activate = DataScienceActivateModelGroupOperator(task_id="activate", model_group_id=group_id, **FAST)
    assert activate.execute(make_context(activate))["lifecycleState"] == "ACTIVE"
    assert len(_writes(ds)) == sent  # already ACTIVE: nothing sent
    ds.emu.set_state(group_id, "FAILED")
    deactivate = DataScienceDeactivateModelGroupOperator(
        task_id="deactivate", model_group_id=group_id, **FAST
    )
    with pytest.raises(
        AirflowFailException, match=r"^model_group_id: cannot deactivate model_group .* in state FAILED"
    ):
        deactivate.execute(make_context(deactivate))
