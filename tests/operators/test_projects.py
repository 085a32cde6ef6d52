"""Project operators against the emulator: in DAGs through dag.test(), and execute() directly."""

from __future__ import annotations

import datetime as dt

import pytest
from airflow.sdk import DAG

from airflow_ds_provider.operators.projects import (
    DataScienceChangeProjectCompartmentOperator,
    DataScienceCreateProjectOperator,
    DataScienceDeleteProjectOperator,
    DataScienceUpdateProjectOperator,
)

from .conftest import FAST, OTHER_COMPARTMENT, make_context

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
PID = "{{ ti.xcom_pull(task_ids='create', key='resource_id') }}"


@pytest.mark.parametrize("deferrable", [False, True], ids=["sync", "deferrable"])
def test_project_lifecycle_in_a_dag(ds, run_dag, caplog, slow, deferrable) -> None:
    slow(delete=20)  # DELETING for ~1 s: the deferrable delete really defers
    with DAG(f"ds_projects_{deferrable}", schedule=None, start_date=START) as dag:
        create = DataScienceCreateProjectOperator(
            task_id="create",
            create_project_details={"displayName": "from body", "freeformTags": {"a": "1"}},
            display_name="p-{{ ds_nodash }}",
            freeform_tags={"b": "2"},
        )
        delete = DataScienceDeleteProjectOperator(
            task_id="delete", project_id=PID, deferrable=deferrable, **FAST
        )
        if deferrable:  # only the waiting operator differs between the two variants
            create >> delete
        else:
            update = DataScienceUpdateProjectOperator(
                task_id="update", project_id=PID, description="updated in {{ dag.dag_id }}"
            )
            move = DataScienceChangeProjectCompartmentOperator(
                task_id="move", project_id=PID, compartment_id=OTHER_COMPARTMENT
            )
            create >> update >> move >> delete
    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    pid = result.xcom("create", "resource_id")
    created = result.xcom("create")
    assert created["id"] == pid and created["compartmentId"] == ds.compartment
    assert created["displayName"].startswith("p-20")  # the keyword won over the body, rendered
    assert created["freeformTags"] == {
        "a": "1",
        "b": "2",  # the keyword's tags merged over the body's, and the task instance's identity
        "airflow-dag-id": dag.dag_id,
        "airflow-task-id": "create",
        "airflow-run-id": result.run_id,
        "airflow-map-index": "-1",
        "airflow-try-number": "1",
    }
    assert result.xcom("create", "console_url").startswith("https://cloud.oracle.com/data-science/projects/")
    final = ds.emu.get(pid)
    assert final["lifecycleState"] == "DELETED"
    if not deferrable:
        assert result.xcom("move")["compartmentId"] == OTHER_COMPARTMENT
        assert final["description"] == "updated in ds_projects_False"
        assert final["compartmentId"] == OTHER_COMPARTMENT
    assert result.xcom("delete", "work_request_id").startswith("ocid1.datascienceworkrequest")
    assert result.xcom("delete")["lifecycleState"] == "DELETED"
    assert caplog.text.count("running trigger in line") == (1 if deferrable else 0)


def test_create_sends_a_deterministic_retry_token_and_survives_a_lost_response(ds) -> None:
    ds.emu.inject_fault("POST", "/projects$", kind="commit_then_drop", count=1)
    op = DataScienceCreateProjectOperator(task_id="create", display_name="once")
    context = make_context(op)
    data = op.execute(context)
    assert [p["id"] for p in ds.emu.list("project")] == [data["id"]]
    posts = [r for r in ds.emu.requests if r["method"] == "POST"]
    assert [r["fault"] for r in posts] == ["commit_then_drop", None]
    # the same try of the same task instance replays the same project
    assert op.execute(make_context(op))["id"] == data["id"]
    assert len(ds.emu.list("project")) == 1
    assert context["ti"].xcoms["resource_id"] == data["id"]


def test_create_validates_after_rendering(ds) -> None:
    op = DataScienceCreateProjectOperator(task_id="c", create_project_details={"displayNme": "typo"})
    with pytest.raises(ValueError, match=r"create_project_details: unknown field\(s\) \['displayNme'\]"):
        op.execute(make_context(op))
    op = DataScienceCreateProjectOperator(task_id="c", create_project_details="[1, 2]")
    with pytest.raises(ValueError, match="create_project_details: expected a JSON object"):
        op.execute(make_context(op))
    assert ds.emu.list("project") == []


def test_create_without_any_compartment_names_the_field(ds, monkeypatch) -> None:
    import json

    conn = json.loads(ds.emu.airflow_connection_json(ds.ident))
    del conn["extra"]["compartment_id"]
    monkeypatch.setenv("AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT", json.dumps(conn))
    op = DataScienceCreateProjectOperator(task_id="c")
    with pytest.raises(ValueError, match="compartment_id: no compartment given"):
        op.execute(make_context(op))


def test_update_rejects_unknown_fields(ds) -> None:
    pid = ds.project()
    op = DataScienceUpdateProjectOperator(task_id="u", project_id=pid, update_project_details={"name": "x"})
    with pytest.raises(ValueError, match=r"update_project_details: unknown field\(s\) \['name'\]"):
        op.execute(make_context(op))
    op = DataScienceUpdateProjectOperator(task_id="u", project_id=" ")
    with pytest.raises(
        ValueError, match=r"project_id: expected the OCID of a project \(ocid1.datascienceproject"
    ):
        op.execute(make_context(op))


def test_delete_is_safe_to_retry(ds, capsys) -> None:
    pid = ds.project()
    op = DataScienceDeleteProjectOperator(task_id="d", project_id=pid, deferrable=False, **FAST)
    assert op.execute(make_context(op))["lifecycleState"] == "DELETED"
    deletes = [r for r in ds.emu.requests if r["method"] == "DELETE"]
    # a second try finds it DELETED: no second DELETE, success with a log line
    assert op.execute(make_context(op, try_number=2))["lifecycleState"] == "DELETED"
    assert [r for r in ds.emu.requests if r["method"] == "DELETE"] == deletes
    assert "is already deleted; nothing to do" in capsys.readouterr().out
    # a project that never existed (404) succeeds too
    gone = DataScienceDeleteProjectOperator(task_id="d", project_id="ocid1.datascienceproject.oc1.iad.nope")
    assert gone.execute(make_context(gone)) is None


def test_delete_of_a_deleting_project_only_waits(ds) -> None:
    pid = ds.project()
    ds.hook.delete_project(pid)
    ds.emu.clear_requests()
    op = DataScienceDeleteProjectOperator(task_id="d", project_id=pid, deferrable=False, **FAST)
    assert op.execute(make_context(op))["lifecycleState"] == "DELETED"
    assert not [r for r in ds.emu.requests if r["method"] == "DELETE"]


def test_change_compartment_is_a_no_op_when_already_there(ds) -> None:
    pid = ds.project()
    op = DataScienceChangeProjectCompartmentOperator(
        task_id="m", project_id=pid, compartment_id=ds.compartment
    )
    assert op.execute(make_context(op))["compartmentId"] == ds.compartment
    assert not [r for r in ds.emu.requests if "changeCompartment" in r["path"]]
