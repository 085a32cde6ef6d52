"""Job operators against the emulator: in DAGs through dag.test(), and execute() directly."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import tracemalloc

import pytest
from airflow.sdk import DAG

from airflow_ds_provider._compat import AirflowFailException, TaskDeferred
from airflow_ds_provider.operators.jobs import (
    DataScienceChangeJobCompartmentOperator,
    DataScienceCreateJobArtifactOperator,
    DataScienceCreateJobOperator,
    DataScienceDeleteJobOperator,
    DataScienceUpdateJobOperator,
)

from .conftest import FAST, JOB_BODY, OTHER_COMPARTMENT, make_context

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
JID = "{{ ti.xcom_pull(task_ids='create', key='resource_id') }}"
TRIGGER_RAN = "running trigger in line"


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()


@pytest.mark.parametrize("deferrable", [False, True], ids=["sync", "deferrable"])
def test_job_lifecycle_in_a_dag(ds, run_dag, tmp_path, caplog, slow, deferrable) -> None:
    slow(job_create=20, delete=20)  # ~1 s each: the deferrable create and delete really defer
    project_id = ds.project()
    artifact = tmp_path / "train.py"
    artifact.write_bytes(b"print('training')\n")
    with DAG(f"ds_jobs_{deferrable}", schedule=None, start_date=START) as dag:
        create = DataScienceCreateJobOperator(
            task_id="create",
            create_job_details=JOB_BODY,
            project_id=project_id,
            display_name="job-{{ ds_nodash }}",
            deferrable=deferrable,
            **FAST,
        )
        delete = DataScienceDeleteJobOperator(
            task_id="delete", job_id=JID, delete_related_job_runs=True, deferrable=deferrable, **FAST
        )
        if deferrable:  # only the waiting operators differ between the two variants
            create >> delete
        else:
            update = DataScienceUpdateJobOperator(
                task_id="update", job_id=JID, description="v2", freeform_tags={"v": "2"}
            )
            upload = DataScienceCreateJobArtifactOperator(
                task_id="upload", job_id=JID, artifact_path=str(tmp_path / "{{ 'train' }}.py")
            )
            move = DataScienceChangeJobCompartmentOperator(
                task_id="move", job_id=JID, compartment_id=OTHER_COMPARTMENT
            )
            create >> update >> upload >> move >> delete
    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    job_id = result.xcom("create", "resource_id")
    assert result.xcom("create")["lifecycleState"] == "ACTIVE"
    assert result.xcom("create")["displayName"].startswith("job-20")
    final = ds.emu.get(job_id)
    assert final["lifecycleState"] == "DELETED"
    if not deferrable:
        assert result.xcom("update")["description"] == "v2"
        assert result.xcom("upload")["contentMd5"] == _md5(artifact.read_bytes())
        assert (final["description"], final["freeformTags"], final["compartmentId"]) == (
            "v2",
            {"v": "2"},
            OTHER_COMPARTMENT,
        )
        head = ds.hook.head_job_artifact(job_id).headers
        assert head["content-md5"] == _md5(artifact.read_bytes())
        assert 'filename="train.py"' in head["content-disposition"]
    assert result.xcom("delete", "work_request_id")
    assert caplog.text.count(TRIGGER_RAN) == (2 if deferrable else 0)


def test_create_job_defers_while_creating(ds, slow) -> None:
    slow(job_create=20)
    op = DataScienceCreateJobOperator(
        task_id="create", create_job_details=JOB_BODY, project_id=ds.project(), deferrable=True, **FAST
    )
    context = make_context(op)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    trigger = deferred.value.trigger
    assert (trigger.resource, trigger.target_states) == ("job", ["ACTIVE"])
    assert trigger.deadline == pytest.approx(dt.datetime.now().timestamp() + FAST["timeout"], abs=5)
    job_id = context["ti"].xcoms["resource_id"]
    assert trigger.resource_id == job_id


def test_create_job_validates_the_body(ds) -> None:
    op = DataScienceCreateJobOperator(task_id="c", create_job_details=JOB_BODY)
    with pytest.raises(ValueError, match=r"create_job_details: CreateJobDetails.projectId is required"):
        op.execute(make_context(op))
    assert ds.emu.list("job") == []


def test_create_job_failure_fails_the_task(ds) -> None:
    job_id = ds.job()
    ds.emu.set_state(job_id, "FAILED")
    op = DataScienceCreateJobOperator(task_id="c", deferrable=False, **FAST)
    # a job that reached FAILED (read by the sync wait) fails the task, not a retry
    with pytest.raises(AirflowFailException, match=f"job {job_id} reached failure state FAILED"):
        op.wait(make_context(op), job_id)


def test_delete_job_is_safe_to_retry(ds, capsys) -> None:
    job_id = ds.job()
    op = DataScienceDeleteJobOperator(task_id="d", job_id=job_id, deferrable=False, **FAST)
    assert op.execute(make_context(op))["lifecycleState"] == "DELETED"
    assert op.execute(make_context(op, try_number=2))["lifecycleState"] == "DELETED"
    assert len([r for r in ds.emu.requests if r["method"] == "DELETE"]) == 1
    assert "is already deleted; nothing to do" in capsys.readouterr().out


def test_artifact_upload_is_streamed_and_safe_to_retry(ds, tmp_path) -> None:
    job_id = ds.job()
    path = tmp_path / "big.zip"
    chunk = os.urandom(1024 * 1024)
    with open(path, "wb") as handle:
        for _ in range(12):
            handle.write(chunk)
    op = DataScienceCreateJobArtifactOperator(task_id="a", job_id=job_id, artifact_path=str(path))
    tracemalloc.start()
    try:
        result = op.execute(make_context(op))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = path.stat().st_size
    assert peak < size / 3, f"peak {peak} bytes while uploading {size} bytes: the file was read whole"
    assert result["contentLength"] == size
    assert ds.hook.head_job_artifact(job_id).headers["content-length"] == str(size)
    uploads = [r for r in ds.emu.requests if r["method"] == "POST" and r["path"].endswith("/artifact")]
    # a retry with the same file succeeds without a second upload
    again = op.execute(make_context(op, try_number=2))
    assert again["etag"] == result["etag"]
    assert [
        r for r in ds.emu.requests if r["method"] == "POST" and r["path"].endswith("/artifact")
    ] == uploads
    # a different file cannot replace an immutable artifact
    other = tmp_path / "other.zip"
    other.write_bytes(b"other")
    op2 = DataScienceCreateJobArtifactOperator(task_id="a", job_id=job_id, artifact_path=str(other))
    with pytest.raises(AirflowFailException, match="already has a different artifact"):
        op2.execute(make_context(op2))


def test_artifact_operator_names_bad_input(ds, tmp_path) -> None:
    job_id = ds.job()
    op = DataScienceCreateJobArtifactOperator(
        task_id="a", job_id=job_id, artifact_path=str(tmp_path / "missing.zip")
    )
    with pytest.raises(ValueError, match="artifact_path: expected an existing file"):
        op.execute(make_context(op))
    (tmp_path / "a.zip").write_bytes(b"x")
    op = DataScienceCreateJobArtifactOperator(
        task_id="a", job_id=job_id, artifact_path=str(tmp_path / "a.zip"), artifact_filename='a"b'
    )
    with pytest.raises(ValueError, match="artifact_filename: expected a plain file name"):
        op.execute(make_context(op))
