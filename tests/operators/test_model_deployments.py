"""Model deployment operators against the emulator: in DAGs through dag.test(), and execute()
directly with the trigger's real run() where a deferral is involved."""

from __future__ import annotations

import json
import time

import pytest
from airflow.sdk import DAG

from airflow_ds_provider._compat import AirflowFailException, TaskDeferred
from airflow_ds_provider.operators.model_deployments import (
    DataScienceActivateModelDeploymentOperator,
    DataScienceChangeModelDeploymentCompartmentOperator,
    DataScienceCreateModelDeploymentOperator,
    DataScienceDeactivateModelDeploymentOperator,
    DataScienceDeleteModelDeploymentOperator,
    DataScienceUpdateModelDeploymentOperator,
)

from ._models_helpers import (
    START,
    deployment_config,
    execute,
    operations,
    run_deferred,
    seed_deployment,
    seed_model,
    slow,
)
from .conftest import FAST, OTHER_COMPARTMENT, make_context

MDID = "{{ ti.xcom_pull(task_ids='create', key='resource_id') }}"
MODES = pytest.mark.parametrize("deferrable", [False, True], ids=["sync", "deferrable"])


@MODES
def test_deployment_lifecycle_in_a_dag(ds, run_dag, tmp_path, deferrable) -> None:
    project_id = ds.project()
    model_id = seed_model(ds, project_id)
    body = {
        "projectId": project_id,
        "displayName": "from the body",
        "modelDeploymentConfigurationDetails": "CONFIG",
        "freeformTags": {"team": "{{ dag.dag_id }}"},
    }
    config = json.dumps(deployment_config())
    (tmp_path / "deployment.json").write_text(json.dumps(body).replace('"CONFIG"', config))
    dag_id = f"ds_deployments_{deferrable}"
    with DAG(dag_id, schedule=None, start_date=START, template_searchpath=[str(tmp_path)]) as dag:
        wait = {"deferrable": deferrable, **FAST}
        create = DataScienceCreateModelDeploymentOperator(
            task_id="create",
            create_model_deployment_details="deployment.json",
            model_id=model_id,
            display_name="md-{{ ds_nodash }}",
            **wait,
        )
        update = DataScienceUpdateModelDeploymentOperator(
            task_id="update", model_deployment_id=MDID, description="updated", **wait
        )
        deactivate = DataScienceDeactivateModelDeploymentOperator(
            task_id="deactivate", model_deployment_id=MDID, **wait
        )
        activate = DataScienceActivateModelDeploymentOperator(
            task_id="activate", model_deployment_id=MDID, **wait
        )
        move = DataScienceChangeModelDeploymentCompartmentOperator(
            task_id="move", model_deployment_id=MDID, compartment_id=OTHER_COMPARTMENT
        )
        delete = DataScienceDeleteModelDeploymentOperator(task_id="delete", model_deployment_id=MDID, **wait)
        create >> update >> deactivate >> activate >> move >> delete
    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    md_id = result.xcom("create", "resource_id")
    created = result.xcom("create")
    assert created["id"] == md_id and created["lifecycleState"] == "ACTIVE"
    assert created["displayName"].startswith("md-20")  # the keyword won over the .json body
    assert created["freeformTags"]["team"] == dag_id  # the .json file was rendered
    assert created["freeformTags"]["airflow-task-id"] == "create"
    assert created["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"]["modelId"] == model_id
    assert result.xcom("create", "work_request_id").startswith("ocid1.datascienceworkrequest")
    assert "/data-science/model-deployments/" in result.xcom("create", "console_url")
    assert result.xcom("update")["description"] == "updated"
    assert result.xcom("deactivate")["lifecycleState"] == "INACTIVE"
    assert result.xcom("activate")["lifecycleState"] == "ACTIVE"
    assert result.xcom("move")["compartmentId"] == OTHER_COMPARTMENT
    final = ds.emu.get(md_id)
    assert final["lifecycleState"] == "DELETED"
    assert final["description"] == "updated" and final["compartmentId"] == OTHER_COMPARTMENT
    assert len(operations(ds.emu, "create_model_deployment")) == 1


@MODES
def test_failed_creation_fails_the_task_with_the_details(ds, deferrable) -> None:
    tags = {"emulator-outcome": "FAILED", "emulator-details": "container health check failed on port 8080"}
    op = DataScienceCreateModelDeploymentOperator(
        task_id="create",
        project_id=ds.project(),
        model_id=seed_model(ds),
        create_model_deployment_details={"modelDeploymentConfigurationDetails": deployment_config()},
        freeform_tags=tags,
        deferrable=deferrable,
        **FAST,
    )
    with pytest.raises(AirflowFailException, match=r"FAILED.*container health check failed on port 8080"):
        execute(op, make_context(op))
    [deployment] = ds.emu.list("model_deployment")
    assert deployment["lifecycleState"] == "FAILED"


def test_failed_creation_fails_the_dag_task(ds, run_dag) -> None:
    with DAG("ds_deployment_fails", schedule=None, start_date=START) as dag:
        DataScienceCreateModelDeploymentOperator(
            task_id="create",
            project_id=ds.project(),
            model_id=seed_model(ds),
            create_model_deployment_details={"modelDeploymentConfigurationDetails": deployment_config()},
            freeform_tags={"emulator-outcome": "FAILED"},
            **FAST,
        )
    result = run_dag(dag)
    assert result.task_states() == {"create": "failed"}
    assert ds.emu.list("model_deployment")[0]["lifecycleState"] == "FAILED"


def test_a_dropped_create_response_leaves_one_deployment(ds, run_dag) -> None:
    ds.emu.inject_fault("POST", "/modelDeployments$", kind="commit_then_drop", count=1)
    op = DataScienceCreateModelDeploymentOperator(
        task_id="create",
        project_id=ds.project(),
        model_id=seed_model(ds),
        create_model_deployment_details={"modelDeploymentConfigurationDetails": deployment_config()},
        **FAST,
    )
    context = make_context(op)
    data = op.execute(context)
    assert data["lifecycleState"] == "ACTIVE"
    assert [d["id"] for d in ds.emu.list("model_deployment")] == [data["id"]]
    creates = operations(ds.emu, "create_model_deployment")
    assert len(creates) == 2 and creates[0]["fault"]  # the first response was lost, then replayed
    # a second execution of the same task-instance try gets the same deployment back
    assert op.execute(make_context(op))["id"] == data["id"]
    assert len(ds.emu.list("model_deployment")) == 1
    assert context["ti"].xcoms["resource_id"] == data["id"]


def test_activating_an_active_deployment_sends_no_activate(ds, run_dag) -> None:
    md_id = seed_deployment(ds)
    ds.emu.clear_requests()
    with DAG("ds_deployment_activate_noop", schedule=None, start_date=START) as dag:
        DataScienceActivateModelDeploymentOperator(task_id="activate", model_deployment_id=md_id, **FAST)
    result = run_dag(dag)
    assert result.state == "success"
    assert result.xcom("activate")["lifecycleState"] == "ACTIVE"
    assert operations(ds.emu, "get_model_deployment")
    assert operations(ds.emu, "activate_model_deployment") == []


@MODES
def test_activate_while_updating_towards_active_only_waits(ds, deferrable) -> None:
    md_id = seed_deployment(ds)
    with slow(ds.emu, deployment_update=20):  # 1 s at speed 20
        ds.hook.update_model_deployment(md_id, {"displayName": "renamed"})
    assert ds.emu.get(md_id)["lifecycleState"] == "UPDATING"
    op = DataScienceActivateModelDeploymentOperator(
        task_id="activate", model_deployment_id=md_id, deferrable=deferrable, **FAST
    )
    context = make_context(op)
    if deferrable:
        with pytest.raises(TaskDeferred) as deferred:
            op.execute(context)
        assert deferred.value.method_name == "execute_settled"
        data = run_deferred(op, context, deferred.value)
    else:
        data = op.execute(context)
    assert data["lifecycleState"] == "ACTIVE" and data["displayName"] == "renamed"
    assert operations(ds.emu, "activate_model_deployment") == []


@MODES
def test_delete_while_creating_waits_then_deletes(ds, deferrable) -> None:
    md_id = seed_deployment(ds, wait=False)
    op = DataScienceDeleteModelDeploymentOperator(
        task_id="delete", model_deployment_id=md_id, deferrable=deferrable, **FAST
    )
    data = execute(op, make_context(op))
    assert data["lifecycleState"] == "DELETED"
    assert ds.emu.get(md_id)["lifecycleState"] == "DELETED"
    assert len(operations(ds.emu, "delete_model_deployment")) == 1


def test_deleting_a_deleted_or_unknown_deployment_succeeds(ds, run_dag, capsys) -> None:
    md_id = seed_deployment(ds)
    ds.hook.delete_model_deployment(md_id)
    ds.hook.wait_for_state(
        "model_deployment", md_id, target_states=["DELETED"], poll_interval=0.02, timeout=10
    )
    unknown = md_id[:-6] + "zzzzzz"
    ds.emu.clear_requests()
    with DAG("ds_deployment_delete_twice", schedule=None, start_date=START) as dag:
        DataScienceDeleteModelDeploymentOperator(task_id="deleted", model_deployment_id=md_id, **FAST)
        DataScienceDeleteModelDeploymentOperator(task_id="unknown", model_deployment_id=unknown, **FAST)
    result = run_dag(dag)
    assert result.task_states() == {"deleted": "success", "unknown": "success"}
    assert result.xcom("deleted")["lifecycleState"] == "DELETED"
    assert operations(ds.emu, "delete_model_deployment") == []
    op = DataScienceDeleteModelDeploymentOperator(task_id="again", model_deployment_id=unknown, **FAST)
    capsys.readouterr()
    assert op.execute(make_context(op)) is None
    assert f"model_deployment {unknown} does not exist" in capsys.readouterr().out


def test_deactivate_with_wait_for_completion_false_returns_at_once(ds) -> None:
    md_id = seed_deployment(ds)
    op = DataScienceDeactivateModelDeploymentOperator(
        task_id="deactivate", model_deployment_id=md_id, wait_for_completion=False, **FAST
    )
    context = make_context(op)
    assert op.execute(context)["lifecycleState"] == "UPDATING"
    assert context["ti"].xcoms["work_request_id"].startswith("ocid1.datascienceworkrequest")
    ds.hook.wait_for_state(
        "model_deployment", md_id, target_states=["INACTIVE"], poll_interval=0.02, timeout=10
    )


def test_activating_a_failed_deployment_fails_naming_the_state(ds) -> None:
    md_id = seed_deployment(
        ds, tags={"emulator-outcome": "FAILED", "emulator-details": "no capacity"}, wait=False
    )
    ds.hook.wait_for_state(
        "model_deployment", md_id, target_states=["FAILED"], poll_interval=0.02, timeout=10
    )
    op = DataScienceActivateModelDeploymentOperator(task_id="activate", model_deployment_id=md_id, **FAST)
    with pytest.raises(
        AirflowFailException, match=r"model_deployment_id: cannot activate .* FAILED \(no capacity\)"
    ):
        op.execute(make_context(op))
    assert operations(ds.emu, "activate_model_deployment") == []


def test_update_of_an_inactive_deployment_keeps_it_inactive(ds) -> None:
    md_id = seed_deployment(ds)
    ds.hook.deactivate_model_deployment(md_id)
    ds.hook.wait_for_state(
        "model_deployment", md_id, target_states=["INACTIVE"], poll_interval=0.02, timeout=10
    )
    op = DataScienceUpdateModelDeploymentOperator(
        task_id="update", model_deployment_id=md_id, freeform_tags={"k": "v"}, **FAST
    )
    data = op.execute(make_context(op))
    assert data["lifecycleState"] == "INACTIVE" and data["freeformTags"]["k"] == "v"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"create_model_deployment_details": {}}, r"CreateModelDeploymentDetails\.projectId is required"),
        (
            {
                "project_id": "ocid1.datascienceproject.oc1.iad.p",
                "create_model_deployment_details": {"modelDeploymentConfigurationDetails": {}},
            },
            r"\.modelDeploymentConfigurationDetails: ModelDeploymentConfigurationDetails\.deploymentType is required",
        ),
        (
            {
                "project_id": "ocid1.datascienceproject.oc1.iad.p",
                "model_id": "ocid1.datasciencemodel.oc1.iad.m",
                "create_model_deployment_details": {"displayNme": "typo"},
            },
            r"create_model_deployment_details: unknown field\(s\) \['displayNme'\]",
        ),
        (
            {
                "project_id": "ocid1.datascienceproject.oc1.iad.p",
                "create_model_deployment_details": {
                    "modelDeploymentConfigurationDetails": {
                        "deploymentType": "SINGLE_MODEL",
                        "modelConfigurationDetails": {"modelId": "ocid1.datasciencemodel.oc1.iad.m"},
                    }
                },
            },
            r"modelConfigurationDetails: ModelConfigurationDetails\.instanceConfiguration is required",
        ),
        (
            {
                "project_id": "ocid1.datascienceproject.oc1.iad.p",
                "model_id": "ocid1.datasciencemodel.oc1.iad.m",
                "create_model_deployment_details": {
                    "modelDeploymentConfigurationDetails": {"deploymentType": "TWO_MODELS"}
                },
            },
            r"deploymentType must be one of \['SINGLE_MODEL'",
        ),
        (
            {
                "project_id": "ocid1.datascienceproject.oc1.iad.p",
                "model_id": "",
                "create_model_deployment_details": "not json",
            },
            "invalid JSON",
        ),
    ],
)
def test_create_validation_errors_name_the_field(ds, kwargs, message) -> None:
    op = DataScienceCreateModelDeploymentOperator(task_id="create", **kwargs)
    with pytest.raises(ValueError, match=message):
        op.execute(make_context(op))
    assert ds.emu.list("model_deployment") == []


def test_action_validation_errors_name_the_field(ds) -> None:
    op = DataScienceUpdateModelDeploymentOperator(
        task_id="update", model_deployment_id="ocid1.datasciencemodeldeployment.oc1.iad.x"
    )
    with pytest.raises(ValueError, match="update_model_deployment_details: nothing to update"):
        op.execute(make_context(op))
    op = DataScienceUpdateModelDeploymentOperator(
        task_id="update",
        model_deployment_id="ocid1.datasciencemodeldeployment.oc1.iad.x",
        update_model_deployment_details={"shape": "x"},
    )
    with pytest.raises(ValueError, match=r"update_model_deployment_details: unknown field\(s\) \['shape'\]"):
        op.execute(make_context(op))
    op = DataScienceActivateModelDeploymentOperator(task_id="activate", model_deployment_id="  ")
    with pytest.raises(ValueError, match="model_deployment_id: expected the OCID of a model_deployment"):
        op.execute(make_context(op))
    op = DataScienceChangeModelDeploymentCompartmentOperator(
        task_id="move", model_deployment_id="ocid1.datasciencemodeldeployment.oc1.iad.x", compartment_id=None
    )
    with pytest.raises(ValueError, match="compartment_id: expected the OCID of a compartment"):
        op.execute(make_context(op))
    assert ds.emu.requests == []


def _inactive_deployment(ds) -> str:
    md_id = seed_deployment(ds)
    ds.hook.deactivate_model_deployment(md_id)
    ds.hook.wait_for_state(
        "model_deployment", md_id, target_states=["INACTIVE"], poll_interval=0.02, timeout=10
    )
    return md_id


@pytest.mark.parametrize(
    ("operator", "seed", "kwargs", "final"),
    [
        (DataScienceActivateModelDeploymentOperator, _inactive_deployment, {}, "ACTIVE"),
        (DataScienceDeactivateModelDeploymentOperator, seed_deployment, {}, "INACTIVE"),
        (DataScienceUpdateModelDeploymentOperator, seed_deployment, {"description": "d"}, "ACTIVE"),
        (DataScienceDeleteModelDeploymentOperator, seed_deployment, {}, "DELETED"),
    ],
    ids=["activate", "deactivate", "update", "delete"],
)
def test_waiting_actions_defer_to_the_lifecycle_trigger(ds, operator, seed, kwargs, final) -> None:
    md_id = seed(ds)
    op = operator(task_id="t", model_deployment_id=md_id, deferrable=True, **kwargs, **FAST)
    context = make_context(op)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    trigger = deferred.value.trigger
    assert deferred.value.method_name == "execute_complete"
    assert trigger.resource_id == md_id and trigger.target_states == [final]
    assert trigger.deadline > time.time()
    data = run_deferred(op, context, deferred.value)
    assert ds.emu.get(md_id)["lifecycleState"] == final
    assert data is None or data["lifecycleState"] == final


def test_create_defers_and_resumes_with_the_active_deployment(ds) -> None:
    op = DataScienceCreateModelDeploymentOperator(
        task_id="create",
        project_id=ds.project(),
        model_id=seed_model(ds),
        create_model_deployment_details={"modelDeploymentConfigurationDetails": deployment_config()},
        deferrable=True,
        **FAST,
    )
    context = make_context(op)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    md_id = context["ti"].xcoms["resource_id"]  # published before deferring: the link works meanwhile
    assert deferred.value.trigger.resource_id == md_id
    assert run_deferred(op, context, deferred.value)["lifecycleState"] == "ACTIVE"
