"""Model, artifact and provenance operators against the emulator, in DAGs and directly."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tracemalloc

import pytest
from airflow.sdk import DAG

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.client.errors import ConflictError, PreconditionFailedError
from airflow_ds_provider.operators.models import (
    DataScienceActivateModelOperator,
    DataScienceChangeModelCompartmentOperator,
    DataScienceCreateModelArtifactOperator,
    DataScienceCreateModelOperator,
    DataScienceCreateModelProvenanceOperator,
    DataScienceDeactivateModelOperator,
    DataScienceDeleteModelOperator,
    DataScienceUpdateModelOperator,
    DataScienceUpdateModelProvenanceOperator,
)

from ._models_helpers import START, operations, seed_deployment, seed_model
from .conftest import CONN_ENV, FAST, OTHER_COMPARTMENT, make_context

MID = "{{ ti.xcom_pull(task_ids='create', key='resource_id') }}"
MODES = pytest.mark.parametrize("deferrable", [False, True], ids=["sync", "deferrable"])


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324  (what OCI sends)


@MODES
def test_model_lifecycle_in_a_dag(ds, run_dag, tmp_path, deferrable) -> None:
    artifact = tmp_path / "model-x.zip"  # named through a template below
    artifact.write_bytes(b"PK\x03\x04 model bytes" * 1000)
    project_id = ds.project()
    dag_id = f"ds_models_{deferrable}"
    with DAG(dag_id, schedule=None, start_date=START) as dag:
        wait = {"deferrable": deferrable, **FAST}
        create = DataScienceCreateModelOperator(
            task_id="create",
            create_model_details={"projectId": project_id, "displayName": "from body", "versionLabel": "v7"},
            display_name="model-{{ ds_nodash }}",
            freeform_tags={"stage": "{{ dag.dag_id }}"},
        )
        upload = DataScienceCreateModelArtifactOperator(
            task_id="upload", model_id=MID, artifact_path=str(tmp_path / "model-{{ 'x' }}.zip")
        )
        provenance = DataScienceCreateModelProvenanceOperator(
            task_id="provenance",
            model_id=MID,
            create_model_provenance_details={
                "repositoryUrl": "https://git.example/repo",
                "gitBranch": "main",
            },
            git_commit="abc123",
        )
        reprovenance = DataScienceUpdateModelProvenanceOperator(
            task_id="reprovenance", model_id=MID, training_script="train.py"
        )
        update = DataScienceUpdateModelOperator(
            task_id="update", model_id=MID, update_model_details={"description": "better"}
        )
        deactivate = DataScienceDeactivateModelOperator(task_id="deactivate", model_id=MID, **wait)
        activate = DataScienceActivateModelOperator(task_id="activate", model_id=MID, **wait)
        move = DataScienceChangeModelCompartmentOperator(
            task_id="move", model_id=MID, compartment_id=OTHER_COMPARTMENT
        )
        delete = DataScienceDeleteModelOperator(task_id="delete", model_id=MID, **wait)
        create >> upload >> provenance >> reprovenance >> update >> deactivate >> activate >> move >> delete
    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    model_id = result.xcom("create", "resource_id")
    created = result.xcom("create")
    assert created["id"] == model_id and created["compartmentId"] == ds.compartment
    assert created["displayName"].startswith("model-20") and created["versionLabel"] == "v7"
    assert created["freeformTags"]["stage"] == dag_id and created["freeformTags"]["airflow-dag-id"] == dag_id
    assert "/data-science/models/" in result.xcom("create", "console_url")
    uploaded = result.xcom("upload")
    assert uploaded["contentMd5"] == _md5(artifact.read_bytes())
    assert uploaded["contentLength"] == artifact.stat().st_size
    assert uploaded["contentDisposition"] == "attachment; filename=model-x.zip"
    assert ds.hook.get_model_artifact_content(model_id).data == artifact.read_bytes()
    assert result.xcom("provenance") == {
        "repositoryUrl": "https://git.example/repo",
        "gitBranch": "main",
        "gitCommit": "abc123",
    }
    assert ds.hook.get_model_provenance(model_id).data["trainingScript"] == "train.py"
    assert result.xcom("update")["description"] == "better"
    assert result.xcom("deactivate")["lifecycleState"] == "INACTIVE"
    assert result.xcom("activate")["lifecycleState"] == "ACTIVE"
    assert result.xcom("move")["compartmentId"] == OTHER_COMPARTMENT
    final = ds.emu.get(model_id)
    assert final["lifecycleState"] == "DELETED"
    assert final["description"] == "better" and final["compartmentId"] == OTHER_COMPARTMENT


def test_activating_an_active_model_sends_nothing_and_deleting_twice_succeeds(ds, run_dag) -> None:
    model_id = seed_model(ds)
    ds.emu.clear_requests()
    with DAG("ds_models_idempotent", schedule=None, start_date=START) as dag:
        activate = DataScienceActivateModelOperator(task_id="activate", model_id=model_id, **FAST)
        delete = DataScienceDeleteModelOperator(task_id="delete", model_id=model_id, **FAST)
        again = DataScienceDeleteModelOperator(task_id="again", model_id=model_id, **FAST)
        activate >> delete >> again
    result = run_dag(dag)
    assert result.task_states() == {"activate": "success", "delete": "success", "again": "success"}
    assert operations(ds.emu, "activate_model") == []
    assert len(operations(ds.emu, "delete_model")) == 1
    assert ds.emu.get(model_id)["lifecycleState"] == "DELETED"
    assert result.xcom("again")["lifecycleState"] == "DELETED"


def test_deleting_a_model_in_use_fails_with_the_service_reason(ds, monkeypatch) -> None:
    deployment_id = seed_deployment(ds)
    config = ds.emu.get(deployment_id)["modelDeploymentConfigurationDetails"]
    model_id = config["modelConfigurationDetails"]["modelId"]
    # the client retries 409 IncorrectState for a while; one attempt is enough here
    extra = {**ds.emu.connection_extra(ds.ident), "max_attempts": "1"}
    monkeypatch.setenv(CONN_ENV, json.dumps({"conn_type": "oci_data_science", "extra": extra}))
    op = DataScienceDeleteModelOperator(task_id="delete", model_id=model_id, **FAST)
    with pytest.raises(ConflictError, match=f"model is used by model deployment {deployment_id}"):
        op.execute(make_context(op))
    assert ds.emu.get(model_id)["lifecycleState"] == "ACTIVE"


def test_create_retries_return_the_same_model(ds) -> None:
    ds.emu.inject_fault("POST", "/models$", kind="commit_then_drop", count=1)
    op = DataScienceCreateModelOperator(task_id="create", project_id=ds.project())
    first = op.execute(make_context(op))
    assert op.execute(make_context(op))["id"] == first["id"]
    assert [m["id"] for m in ds.emu.list("model")] == [first["id"]]


def test_artifact_upload_is_streamed_and_safe_to_retry(ds, tmp_path) -> None:
    model_id = seed_model(ds)
    path = tmp_path / "big.zip"
    size = 24 * 1024 * 1024
    with open(path, "wb") as handle:
        for _ in range(size // (1024 * 1024)):
            handle.write(os.urandom(1024 * 1024))
    op = DataScienceCreateModelArtifactOperator(task_id="upload", model_id=model_id, artifact_path=str(path))
    tracemalloc.start()
    try:
        meta = op.execute(make_context(op))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert meta["contentLength"] == size
    assert peak < size / 4, f"peak Python allocation {peak} bytes for a {size}-byte artifact"
    # the same artifact again (a retry after a lost response): nothing is uploaded
    ds.emu.clear_requests()
    assert op.execute(make_context(op))["contentMd5"] == meta["contentMd5"]
    assert operations(ds.emu, "create_model_artifact") == []
    # a different file: artifacts are immutable, so the task fails and says why
    other = tmp_path / "other.zip"
    other.write_bytes(b"different")
    op = DataScienceCreateModelArtifactOperator(task_id="upload", model_id=model_id, artifact_path=str(other))
    with pytest.raises(AirflowFailException, match="already has a different artifact"):
        op.execute(make_context(op))
    assert operations(ds.emu, "create_model_artifact") == []


@pytest.mark.parametrize(
    ("operator", "kwargs", "message"),
    [
        (
            DataScienceCreateModelOperator,
            {},
            r"create_model_details: CreateModelDetails\.projectId is required",
        ),
        (
            DataScienceCreateModelOperator,
            {"project_id": "ocid1.datascienceproject.oc1.iad.p", "create_model_details": {"name": "x"}},
            r"create_model_details: unknown field\(s\) \['name'\]",
        ),
        (
            DataScienceCreateModelOperator,
            {"project_id": "ocid1.datascienceproject.oc1.iad.p", "freeform_tags": "not-a-dict"},
            "freeform_tags: expected a dict",
        ),
        (
            DataScienceUpdateModelOperator,
            {"model_id": "ocid1.datasciencemodel.oc1.iad.m"},
            "update_model_details: nothing to update",
        ),
        (
            DataScienceUpdateModelOperator,
            {
                "model_id": "ocid1.datasciencemodel.oc1.iad.m",
                "update_model_details": {"lifecycleState": "ACTIVE"},
            },
            r"update_model_details: unknown field\(s\) \['lifecycleState'\]",
        ),
        (
            DataScienceActivateModelOperator,
            {"model_id": None},
            r"model_id: expected the OCID of a model \(ocid1.datasciencemodel",
        ),
        (
            DataScienceCreateModelArtifactOperator,
            {"model_id": "ocid1.datasciencemodel.oc1.iad.m", "artifact_path": "/nonexistent/model.zip"},
            "artifact_path: '/nonexistent/model.zip' is not a readable file",
        ),
        (
            DataScienceCreateModelProvenanceOperator,
            {"model_id": "ocid1.datasciencemodel.oc1.iad.m"},
            "create_model_provenance_details: no provenance given",
        ),
        (
            DataScienceUpdateModelProvenanceOperator,
            {
                "model_id": "ocid1.datasciencemodel.oc1.iad.m",
                "update_model_provenance_details": {"commit": "x"},
            },
            r"update_model_provenance_details: unknown field\(s\) \['commit'\]",
        ),
    ],
)
def test_validation_errors_name_the_field(ds, operator, kwargs, message) -> None:
    op = operator(task_id="t", **kwargs)
    with pytest.raises(ValueError, match=message):
        op.execute(make_context(op))
    assert [r for r in ds.emu.requests if r.get("operation") != "create_project"] == []


def test_if_match_is_sent_only_when_given(ds) -> None:
    model_id = seed_model(ds)
    etag = ds.hook.get_model(model_id).etag
    op = DataScienceUpdateModelOperator(task_id="u", model_id=model_id, display_name="a", if_match="stale")
    with pytest.raises(PreconditionFailedError, match="NoEtagMatch"):
        op.execute(make_context(op))
    op = DataScienceUpdateModelOperator(task_id="u", model_id=model_id, display_name="b", if_match=etag)
    assert op.execute(make_context(op))["displayName"] == "b"
    op = DataScienceDeactivateModelOperator(task_id="d", model_id=model_id, **FAST)
    assert (
        op.execute(make_context(op))["lifecycleState"] == "INACTIVE"
    )  # no if_match: the changed etag does not matter
