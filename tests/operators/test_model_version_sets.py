"""Model version set operators and "register a model version", against the emulator."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import DAG

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.operators.model_version_sets import (
    DataScienceChangeModelVersionSetCompartmentOperator,
    DataScienceCreateModelVersionSetOperator,
    DataScienceDeleteModelVersionSetOperator,
    DataScienceRegisterModelVersionOperator,
    DataScienceUpdateModelVersionSetOperator,
)

from ._models_helpers import START
from .conftest import CONN_ENV, FAST, OTHER_COMPARTMENT, make_context

SET_ID = "{{ ti.xcom_pull(task_ids='create_set', key='resource_id') }}"
RETRY = {"retries": 1, "retry_delay": dt.timedelta(seconds=0)}


@pytest.fixture
def artifact(tmp_path: Path) -> Path:
    path = tmp_path / "model.zip"
    path.write_bytes(b"PK\x03\x04 version bytes" * 500)
    return path


def _md5(path: Path) -> str:
    return base64.b64encode(hashlib.md5(path.read_bytes()).digest()).decode()  # noqa: S324


def _seed_set(ds: Any, project_id: str, name: str = "forecaster") -> str:
    body = {"compartmentId": ds.compartment, "projectId": project_id, "name": name}
    return ds.hook.create_model_version_set(body).data["id"]


def _writes(ds: Any) -> list[str]:
    return [r["operation"] for r in ds.emu.requests if r["method"] in ("POST", "PUT", "DELETE")]


def test_version_set_lifecycle_with_two_registered_versions(ds, run_dag, artifact) -> None:
    project_id = ds.project()
    with DAG("ds_model_version_sets", schedule=None, start_date=START) as dag:
        create = DataScienceCreateModelVersionSetOperator(
            task_id="create_set", project_id=project_id, name="forecaster-{{ ds_nodash }}"
        )
        update = DataScienceUpdateModelVersionSetOperator(
            task_id="update_set", model_version_set_id=SET_ID, description="daily forecasts"
        )
        first = DataScienceRegisterModelVersionOperator(
            task_id="register_v1",
            model_version_set_id=SET_ID,
            version_label="v1",
            artifact_path=str(artifact),
            display_name="forecaster v1",
        )
        second = DataScienceRegisterModelVersionOperator(
            task_id="register_v2",
            model_version_set_name="forecaster-{{ ds_nodash }}",
            project_id=project_id,
            version_label="{{ 'v' ~ 2 }}",
            artifact_path=str(artifact),
        )
        delete = DataScienceDeleteModelVersionSetOperator(
            task_id="delete_set", model_version_set_id=SET_ID, is_delete_related_models=True, **FAST
        )
        create >> update >> first >> second >> delete
    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    version_set = result.xcom("create_set")
    assert version_set["lifecycleState"] == "ACTIVE" and version_set["name"].startswith("forecaster-")
    assert version_set["freeformTags"]["airflow-task-id"] == "create_set"
    assert result.xcom("create_set", "console_url").startswith(
        f"https://cloud.oracle.com/data-science/model-version-sets/{version_set['id']}"
    )
    assert result.xcom("update_set")["description"] == "daily forecasts"
    for task, version, label in (("register_v1", 1, "v1"), ("register_v2", 2, "v2")):
        model = result.xcom(task)
        assert (model["versionId"], model["versionLabel"], model["modelVersionSetId"]) == (
            version,
            label,
            version_set["id"],
        )
        assert model["lifecycleState"] == "ACTIVE"
        assert result.xcom(task, "version_id") == version
        assert result.xcom(task, "version_label") == label
        assert result.xcom(task, "model_version_set_id") == version_set["id"]
        assert result.xcom(task, "resource_id") == model["id"]
        assert result.xcom(task, "console_url").startswith("https://cloud.oracle.com/data-science/models/")
        head = ds.hook.head_model_artifact(model["id"]).headers
        assert head["content-md5"] == _md5(artifact)
    assert result.xcom("register_v1")["displayName"] == "forecaster v1"
    # the delete took the set's models with it
    assert ds.emu.get(version_set["id"])["lifecycleState"] == "DELETED"
    assert {m["lifecycleState"] for m in ds.emu.list("model")} == {"DELETED"}
    assert _writes(ds).count("create_model") == 2


def test_register_creates_a_missing_set_and_can_stage_the_version_inactive(ds, artifact) -> None:
    project_id = ds.project()
    op = DataScienceRegisterModelVersionOperator(
        task_id="register",
        model_version_set_name="churn",
        create_version_set_if_missing=True,
        project_id=project_id,
        version_label="candidate",
        artifact_path=str(artifact),
        activate=False,
    )
    context = make_context(op)
    model = op.execute(context)

    [version_set] = ds.emu.list("model_version_set")
    assert (version_set["name"], version_set["projectId"]) == ("churn", project_id)
    assert version_set["freeformTags"]["airflow-task-id"] == "register"
    assert model["modelVersionSetId"] == version_set["id"] and model["versionId"] == 1
    assert model["lifecycleState"] == "INACTIVE" == ds.emu.get(model["id"])["lifecycleState"]
    assert context["ti"].xcoms["resource_id"] == model["id"]
    # a second registration in the same set (found by name this time) gets the next version
    again = DataScienceRegisterModelVersionOperator(
        task_id="register_next",
        model_version_set_name="churn",
        create_version_set_if_missing=True,
        project_id=project_id,
        version_label="candidate-2",
        artifact_path=str(artifact),
    )
    model2 = again.execute(make_context(again))
    assert len(ds.emu.list("model_version_set")) == 1
    assert (model2["versionId"], model2["lifecycleState"]) == (2, "ACTIVE")


def test_register_activates_an_adopted_inactive_version(ds, artifact) -> None:
    """``activate=True`` leaves the version ACTIVE even when it was found INACTIVE."""
    project_id = ds.project()
    set_id = _seed_set(ds, project_id)
    kwargs = {"model_version_set_id": set_id, "version_label": "v1", "artifact_path": str(artifact)}
    staged = DataScienceRegisterModelVersionOperator(task_id="register", activate=False, **kwargs)
    model = staged.execute(make_context(staged))
    assert model["lifecycleState"] == "INACTIVE"
    retry = DataScienceRegisterModelVersionOperator(task_id="register", retries=1, **kwargs)
    adopted = retry.execute(make_context(retry, try_number=2, max_tries=1))
    assert adopted["id"] == model["id"] and adopted["lifecycleState"] == "ACTIVE"
    assert len(ds.emu.list("model")) == 1


@pytest.mark.parametrize(
    ("path", "fault"),
    [
        (r"/models/[^/]+/artifact$", "drop"),  # the upload never arrived: try 2 uploads it
        (r"/models$", "commit_then_drop"),  # the model was made, its answer lost: try 2 finds it by its tags
    ],
    ids=["upload-lost", "create-answer-lost"],
)
def test_a_crash_mid_registration_is_finished_on_the_same_model_by_the_retry(
    ds, run_dag, monkeypatch, capsys, artifact, path, fault
) -> None:
    extra = {**ds.emu.connection_extra(ds.ident), "max_attempts": "1"}  # no HTTP retry within the try
    monkeypatch.setenv(CONN_ENV, json.dumps({"conn_type": "oci_data_science", "extra": extra}))
    set_id = _seed_set(ds, ds.project())
    ds.emu.inject_fault("POST", path, kind=fault, count=1)
    with DAG(f"ds_register_crash_{fault}", schedule=None, start_date=START) as dag:
        DataScienceRegisterModelVersionOperator(
            task_id="register",
            model_version_set_id=set_id,
            version_label="v1",
            artifact_path=str(artifact),
            **RETRY,
        )
    result = run_dag(dag)

    assert result.task_states() == {"register": "success"}
    [model] = ds.emu.list("model")
    assert (model["versionId"], model["versionLabel"], model["modelVersionSetId"]) == (1, "v1", set_id)
    assert model["freeformTags"]["airflow-try-number"] == "1"  # made by try 1, finished by try 2
    out = capsys.readouterr().out
    assert (
        f"Adopting model {model['id']} (ACTIVE) created by try 1 of this task instance (found through" in out
    )
    assert result.xcom("register")["id"] == model["id"]
    assert result.xcom("register", "version_id") == 1
    assert _writes(ds).count("create_model") == 1
    assert ds.hook.head_model_artifact(model["id"]).headers["content-md5"] == _md5(artifact)


def test_a_lost_answer_to_the_upload_is_not_uploaded_twice(ds, run_dag, monkeypatch, artifact) -> None:
    extra = {**ds.emu.connection_extra(ds.ident), "max_attempts": "1"}
    monkeypatch.setenv(CONN_ENV, json.dumps({"conn_type": "oci_data_science", "extra": extra}))
    set_id = _seed_set(ds, ds.project())
    ds.emu.inject_fault("POST", r"/models/[^/]+/artifact$", kind="commit_then_drop", count=1)
    with DAG("ds_register_lost_upload_answer", schedule=None, start_date=START) as dag:
        DataScienceRegisterModelVersionOperator(
            task_id="register",
            model_version_set_id=set_id,
            version_label="v1",
            artifact_path=str(artifact),
            **RETRY,
        )
    result = run_dag(dag)

    assert result.task_states() == {"register": "success"}
    assert len(ds.emu.list("model")) == 1
    assert _writes(ds).count("create_model_artifact") == 1


def _register(**kwargs: Any) -> DataScienceRegisterModelVersionOperator:
    return DataScienceRegisterModelVersionOperator(task_id="register", **kwargs)


def test_bad_register_input_fails_before_anything_is_created(ds, artifact, tmp_path) -> None:
    project_id = ds.project()
    other_project = ds.project("other")
    set_id = _seed_set(ds, project_id)
    taken = _register(model_version_set_id=set_id, version_label="v1", artifact_path=str(artifact))
    taken.execute(make_context(taken))
    base = {"version_label": "v2", "artifact_path": str(artifact)}
    cases = [
        (dict(base), r"^model_version_set_id / model_version_set_name: give exactly one"),
        (
            {**base, "model_version_set_id": set_id, "model_version_set_name": "forecaster"},
            r"^model_version_set_id / model_version_set_name: give exactly one",
        ),
        (
            {**base, "model_version_set_id": set_id, "version_label": "v1"},
            r"^version_label: 'v1' is already used by",
        ),
        ({**base, "model_version_set_id": set_id, "version_label": ""}, r"^version_label: "),
        (
            {**base, "model_version_set_name": "forecaster", "version_label": "v1", "project_id": project_id},
            r"^version_label: 'v1' is already used",
        ),
        (
            {**base, "model_version_set_name": "nope", "project_id": project_id},
            r"^model_version_set_name: compartment .* has no model version set named 'nope'; .*create_version_set_if_missing",
        ),
        (
            {**base, "model_version_set_id": set_id.replace(set_id[-6:], "zzzzzz")},
            r"^model_version_set_id: model version set .* does not exist",
        ),
        (
            {**base, "model_version_set_id": project_id},
            r"^model_version_set_id: .* is the OCID of a project, expected the OCID of a model_version_set",
        ),
        (
            {**base, "model_version_set_id": set_id, "project_id": other_project},
            rf"^project_id: the model would be in {other_project}, but model version set",
        ),
        (
            {**base, "model_version_set_id": set_id, "artifact_path": str(tmp_path / "missing.zip")},
            r"^artifact_path: .* is not a readable file",
        ),
        (
            {**base, "model_version_set_id": set_id, "create_model_details": {"versionLabl": "x"}},
            r"^create_model_details: unknown field\(s\) \['versionLabl'\]",
        ),
    ]
    before = _writes(ds)
    for kwargs, message in cases:
        op = _register(**kwargs)
        with pytest.raises(ValueError, match=message):
            op.execute(make_context(op))
    assert _writes(ds) == before  # nothing was created, uploaded or changed
    assert len(ds.emu.list("model")) == 1


def test_a_set_that_is_not_active_is_refused(ds, artifact) -> None:
    set_id = _seed_set(ds, ds.project())
    ds.emu.set_state(set_id, "FAILED")
    op = _register(model_version_set_id=set_id, version_label="v1", artifact_path=str(artifact))
    with pytest.raises(
        ValueError, match=r"^model_version_set_id: model version set .* is FAILED, not ACTIVE"
    ):
        op.execute(make_context(op))
    assert ds.emu.list("model") == []


def test_create_set_refuses_a_taken_name_and_bad_bodies(ds) -> None:
    project_id = ds.project()
    _seed_set(ds, project_id, name="taken")
    cases = [
        ({"name": "taken"}, r"^name: a model version set named 'taken' already exists in compartment"),
        ({"name": None}, r"^create_model_version_set_details: CreateModelVersionSetDetails.name is required"),
        ({"name": "x", "create_model_version_set_details": {"displayName": "x"}}, r"displayName"),
    ]
    for kwargs, message in cases:
        op = DataScienceCreateModelVersionSetOperator(task_id="create", project_id=project_id, **kwargs)
        with pytest.raises(ValueError, match=message):
            op.execute(make_context(op))
    assert len(ds.emu.list("model_version_set")) == 1
    empty = DataScienceUpdateModelVersionSetOperator(
        task_id="update", model_version_set_id=_seed_set(ds, project_id)
    )
    with pytest.raises(ValueError, match=r"^update_model_version_set_details: nothing to update"):
        empty.execute(make_context(empty))


def test_delete_refuses_a_set_with_models_unless_told_to_delete_them(ds, artifact) -> None:
    project_id = ds.project()
    set_id = _seed_set(ds, project_id)
    register = _register(model_version_set_id=set_id, version_label="v1", artifact_path=str(artifact))
    model = register.execute(make_context(register))
    keep = DataScienceDeleteModelVersionSetOperator(task_id="delete", model_version_set_id=set_id, **FAST)
    with pytest.raises(
        AirflowFailException,
        match=rf"^is_delete_related_models: .* still holds 1 model\(s\) \({model['id']}\)",
    ):
        keep.execute(make_context(keep))
    assert "delete_model_version_set" not in _writes(ds)
    assert ds.emu.get(set_id)["lifecycleState"] == "ACTIVE"

    purge = DataScienceDeleteModelVersionSetOperator(
        task_id="delete", model_version_set_id=set_id, is_delete_related_models=True, **FAST
    )
    context = make_context(purge)
    assert purge.execute(context) is None or ds.emu.get(set_id)["lifecycleState"] == "DELETED"
    assert ds.emu.get(set_id)["lifecycleState"] == "DELETED"
    assert ds.emu.get(model["id"])["lifecycleState"] == "DELETED"
    assert context["ti"].xcoms["work_request_id"].startswith("ocid1.datasciencework")
    # already gone: nothing more is sent
    sent = len(_writes(ds))
    again = DataScienceDeleteModelVersionSetOperator(task_id="delete", model_version_set_id=set_id, **FAST)
    again.execute(make_context(again))
    assert len(_writes(ds)) == sent


def test_an_empty_set_is_deleted_without_the_flag_and_a_set_moves(ds) -> None:
    project_id = ds.project()
    moved = _seed_set(ds, project_id, name="moved")
    move = DataScienceChangeModelVersionSetCompartmentOperator(
        task_id="move", model_version_set_id=moved, compartment_id=OTHER_COMPARTMENT
    )
    assert move.execute(make_context(move))["compartmentId"] == OTHER_COMPARTMENT
    empty = _seed_set(ds, project_id, name="empty")
    delete = DataScienceDeleteModelVersionSetOperator(task_id="delete", model_version_set_id=empty, **FAST)
    delete.execute(make_context(delete))
    assert ds.emu.get(empty)["lifecycleState"] == "DELETED"
    [request] = [r for r in ds.emu.requests if r["operation"] == "delete_model_version_set"]
    assert "isDeleteRelatedModels=false" in request["query"]
