"""Notebook session operators against the emulator, in DAGs and directly."""

from __future__ import annotations

import json

import pytest
from airflow.sdk import DAG

from airflow_ds_provider._compat import AirflowFailException, TaskDeferred
from airflow_ds_provider.operators.notebook_sessions import (
    DataScienceActivateNotebookSessionOperator,
    DataScienceChangeNotebookSessionCompartmentOperator,
    DataScienceCreateNotebookSessionOperator,
    DataScienceDeactivateNotebookSessionOperator,
    DataScienceDeleteNotebookSessionOperator,
    DataScienceUpdateNotebookSessionOperator,
)

from ._models_helpers import SHAPE, START, execute, operations, run_deferred, seed_notebook_session, slow
from .conftest import FAST, OTHER_COMPARTMENT, make_context

SUBNET = "ocid1.subnet.oc1.iad.amaaaaaanotebooksubnet"
NBID = "{{ ti.xcom_pull(task_ids='create', key='resource_id') }}"
MODES = pytest.mark.parametrize("deferrable", [False, True], ids=["sync", "deferrable"])


@MODES
def test_notebook_session_lifecycle_in_a_dag(ds, run_dag, deferrable) -> None:
    project_id = ds.project()
    dag_id = f"ds_notebooks_{deferrable}"
    with DAG(dag_id, schedule=None, start_date=START) as dag:
        wait = {"deferrable": deferrable, **FAST}
        create = DataScienceCreateNotebookSessionOperator(
            task_id="create",
            create_notebook_session_details=json.dumps({"notebookSessionConfigDetails": {"shape": SHAPE}}),
            project_id=project_id,
            display_name="nb-{{ ds_nodash }}",
            **wait,
        )
        deactivate = DataScienceDeactivateNotebookSessionOperator(
            task_id="deactivate", notebook_session_id=NBID, **wait
        )
        update = DataScienceUpdateNotebookSessionOperator(
            task_id="update",
            notebook_session_id=NBID,
            update_notebook_session_details={
                # the full API's model requires the subnet of a session configuration
                "notebookSessionConfigurationDetails": {"shape": "VM.Standard2.2", "subnetId": SUBNET}
            },
            freeform_tags={"owner": "{{ dag.dag_id }}"},
        )
        activate = DataScienceActivateNotebookSessionOperator(
            task_id="activate", notebook_session_id=NBID, **wait
        )
        move = DataScienceChangeNotebookSessionCompartmentOperator(
            task_id="move", notebook_session_id=NBID, compartment_id=OTHER_COMPARTMENT
        )
        delete = DataScienceDeleteNotebookSessionOperator(task_id="delete", notebook_session_id=NBID, **wait)
        create >> deactivate >> update >> activate >> move >> delete
    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    nb_id = result.xcom("create", "resource_id")
    created = result.xcom("create")
    assert created["id"] == nb_id and created["lifecycleState"] == "ACTIVE"
    assert created["displayName"].startswith("nb-20") and created["projectId"] == project_id
    assert created["compartmentId"] == ds.compartment  # the connection's, as none was given
    assert created["freeformTags"]["airflow-run-id"] == result.run_id
    assert result.xcom("create", "work_request_id").startswith("ocid1.datascienceworkrequest")
    assert "/data-science/notebook-sessions/" in result.xcom("create", "console_url")
    assert result.xcom("deactivate")["lifecycleState"] == "INACTIVE"
    assert result.xcom("update")["freeformTags"] == {"owner": dag_id}
    assert result.xcom("activate")["lifecycleState"] == "ACTIVE"
    assert result.xcom("move")["compartmentId"] == OTHER_COMPARTMENT
    final = ds.emu.get(nb_id)
    assert final["lifecycleState"] == "DELETED"
    assert final["notebookSessionConfigurationDetails"] == {"shape": "VM.Standard2.2", "subnetId": SUBNET}
    assert final["compartmentId"] == OTHER_COMPARTMENT


@MODES
def test_activate_while_creating_only_waits(ds, deferrable) -> None:
    with slow(ds.emu, notebook_create=20):  # 1 s at speed 20
        nb_id = seed_notebook_session(ds, wait=False)
    op = DataScienceActivateNotebookSessionOperator(
        task_id="activate", notebook_session_id=nb_id, deferrable=deferrable, **FAST
    )
    context = make_context(op)
    if deferrable:
        with pytest.raises(TaskDeferred) as deferred:
            op.execute(context)
        data = run_deferred(op, context, deferred.value)
    else:
        data = op.execute(context)
    assert data["lifecycleState"] == "ACTIVE"
    assert operations(ds.emu, "activate_notebook_session") == []


@MODES
def test_deactivate_while_creating_waits_then_deactivates(ds, deferrable) -> None:
    with slow(ds.emu, notebook_create=20):
        nb_id = seed_notebook_session(ds, wait=False)
    op = DataScienceDeactivateNotebookSessionOperator(
        task_id="deactivate", notebook_session_id=nb_id, deferrable=deferrable, **FAST
    )
    assert execute(op, make_context(op))["lifecycleState"] == "INACTIVE"
    assert len(operations(ds.emu, "deactivate_notebook_session")) == 1
    assert ds.emu.get(nb_id)["lifecycleState"] == "INACTIVE"


def test_deleting_a_deleted_session_succeeds_without_a_request(ds, run_dag) -> None:
    nb_id = seed_notebook_session(ds)
    ds.hook.delete_notebook_session(nb_id)
    ds.hook.wait_for_state(
        "notebook_session", nb_id, target_states=["DELETED"], poll_interval=0.02, timeout=10
    )
    ds.emu.clear_requests()
    with DAG("ds_notebook_delete_twice", schedule=None, start_date=START) as dag:
        DataScienceDeleteNotebookSessionOperator(task_id="delete", notebook_session_id=nb_id, **FAST)
    result = run_dag(dag)
    assert result.task_states() == {"delete": "success"}
    assert operations(ds.emu, "delete_notebook_session") == []


def test_activating_a_deleted_session_fails_naming_the_state(ds) -> None:
    nb_id = seed_notebook_session(ds)
    ds.emu.set_state(nb_id, "DELETED")
    op = DataScienceActivateNotebookSessionOperator(task_id="activate", notebook_session_id=nb_id, **FAST)
    with pytest.raises(
        AirflowFailException, match=r"notebook_session_id: cannot activate .* in state DELETED"
    ):
        op.execute(make_context(op))


def test_create_after_a_dropped_response_leaves_one_session(ds) -> None:
    ds.emu.inject_fault("POST", "/notebookSessions$", kind="commit_then_drop", count=1)
    op = DataScienceCreateNotebookSessionOperator(
        task_id="create", project_id=ds.project(), wait_for_completion=False
    )
    context = make_context(op)
    data = op.execute(context)
    assert context["ti"].xcoms["resource_id"] == data["id"]
    assert [s["id"] for s in ds.emu.list("notebook_session")] == [data["id"]]


@pytest.mark.parametrize(
    ("operator", "kwargs", "message"),
    [
        (
            DataScienceCreateNotebookSessionOperator,
            {},
            r"create_notebook_session_details: CreateNotebookSessionDetails\.projectId is required",
        ),
        (
            DataScienceCreateNotebookSessionOperator,
            {
                "project_id": "ocid1.datascienceproject.oc1.iad.p",
                "create_notebook_session_details": {"shape": SHAPE},
            },
            r"create_notebook_session_details: unknown field\(s\) \['shape'\]",
        ),
        (
            DataScienceUpdateNotebookSessionOperator,
            {"notebook_session_id": "ocid1.datasciencenotebooksession.oc1.iad.nb"},
            "update_notebook_session_details: nothing to update",
        ),
        (
            DataScienceUpdateNotebookSessionOperator,
            {
                "notebook_session_id": "ocid1.datasciencenotebooksession.oc1.iad.nb",
                "update_notebook_session_details": ["displayName"],
            },
            "update_notebook_session_details: expected a JSON object",
        ),
        (
            DataScienceDeleteNotebookSessionOperator,
            {"notebook_session_id": ""},
            "notebook_session_id: expected",
        ),
    ],
)
def test_validation_errors_name_the_field(ds, operator, kwargs, message) -> None:
    op = operator(task_id="t", **kwargs)
    with pytest.raises(ValueError, match=message):
        op.execute(make_context(op))
    assert ds.emu.list("notebook_session") == []


def _inactive_session(ds) -> str:
    nb_id = seed_notebook_session(ds)
    ds.hook.deactivate_notebook_session(nb_id)
    ds.hook.wait_for_state(
        "notebook_session", nb_id, target_states=["INACTIVE"], poll_interval=0.02, timeout=10
    )
    return nb_id


@pytest.mark.parametrize(
    ("operator", "seed", "final"),
    [
        (DataScienceActivateNotebookSessionOperator, _inactive_session, "ACTIVE"),
        (DataScienceDeactivateNotebookSessionOperator, seed_notebook_session, "INACTIVE"),
        (DataScienceDeleteNotebookSessionOperator, seed_notebook_session, "DELETED"),
    ],
    ids=["activate", "deactivate", "delete"],
)
def test_waiting_actions_defer_to_the_lifecycle_trigger(ds, operator, seed, final) -> None:
    nb_id = seed(ds)
    op = operator(task_id="t", notebook_session_id=nb_id, deferrable=True, **FAST)
    context = make_context(op)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    assert deferred.value.trigger.resource_id == nb_id
    assert deferred.value.trigger.target_states == [final]
    data = run_deferred(op, context, deferred.value)
    assert ds.emu.get(nb_id)["lifecycleState"] == final
    assert data is None or data["lifecycleState"] == final


def test_create_defers_and_resumes_with_the_active_session(ds) -> None:
    op = DataScienceCreateNotebookSessionOperator(
        task_id="create", project_id=ds.project(), deferrable=True, **FAST
    )
    context = make_context(op)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    assert deferred.value.trigger.resource_id == context["ti"].xcoms["resource_id"]
    assert run_deferred(op, context, deferred.value)["lifecycleState"] == "ACTIVE"
