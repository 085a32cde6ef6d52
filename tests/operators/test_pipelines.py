"""Pipeline operators against the emulator: create with step artifacts, update, move, delete."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from airflow.sdk import DAG
from pipeline_world import STEPS, active_pipeline, pipeline_body, scripts, step_details

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.operators.pipelines import (
    DataScienceChangePipelineCompartmentOperator,
    DataScienceCreatePipelineOperator,
    DataScienceDeletePipelineOperator,
    DataScienceUpdatePipelineOperator,
)

from .conftest import FAST, OTHER_COMPARTMENT, make_context

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _uploads(ds, step: str) -> list[dict]:
    return [
        r for r in ds.emu.requests if r["method"] == "POST" and r["path"].endswith(f"/steps/{step}/artifact")
    ]


def _pipeline_posts(ds) -> list[dict]:
    return [r for r in ds.emu.requests if r["method"] == "POST" and r["path"].endswith("/pipelines")]


def test_pipeline_operators_in_a_dag(ds, run_dag, tmp_path, capsys) -> None:
    files = scripts(tmp_path)
    pid = "{{ ti.xcom_pull(task_ids='create', key='resource_id') }}"
    with DAG("ds_pipelines", schedule=None, start_date=START) as dag:
        create = DataScienceCreatePipelineOperator(
            task_id="create",
            project_id=ds.project(),
            display_name="nightly-{{ ds_nodash }}",
            step_details=step_details(),
            step_artifacts=files,
            freeform_tags={"team": "ml"},
            **FAST,
        )
        rename = DataScienceUpdatePipelineOperator(
            task_id="rename", pipeline_id=pid, display_name="renamed", description="two steps"
        )
        move = DataScienceChangePipelineCompartmentOperator(
            task_id="move", pipeline_id=pid, compartment_id=OTHER_COMPARTMENT
        )
        delete = DataScienceDeletePipelineOperator(task_id="delete", pipeline_id=pid, **FAST)
        create >> rename >> move >> delete
    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    created = result.xcom("create")
    pipeline_id = result.xcom("create", "resource_id")
    assert created["id"] == pipeline_id and created["lifecycleState"] == "ACTIVE"
    assert created["displayName"].startswith("nightly-20")
    assert created["freeformTags"]["team"] == "ml"
    assert created["freeformTags"]["airflow-task-id"] == "create"
    assert [s["isArtifactUploaded"] for s in created["stepDetails"]] == [True, True]
    for step, path in files.items():
        assert [r["status"] for r in _uploads(ds, step)] == [200]
        content = ds.hook.get_step_artifact_content(pipeline_id, step).data
        assert content == Path(path).read_bytes()
    assert result.xcom("rename")["displayName"] == "renamed"
    console = result.xcom("create", "console_url")
    assert console == f"https://cloud.oracle.com/data-science/pipelines/{pipeline_id}?region=us-ashburn-1"
    final = ds.emu.get(pipeline_id)
    assert (final["lifecycleState"], final["displayName"], final["compartmentId"]) == (
        "DELETED",
        "renamed",
        OTHER_COMPARTMENT,
    )
    secret_line = ds.ident.private_key_pem.strip().splitlines()[1]
    assert secret_line not in capsys.readouterr().out


def test_a_missing_artifact_file_fails_at_construction_naming_the_step(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"^step_artifacts\[train\]: expected an existing file"):
        DataScienceCreatePipelineOperator(
            task_id="create", step_details=step_details(), step_artifacts={"train": str(tmp_path / "no.py")}
        )
    with pytest.raises(ValueError, match=r"^step_artifacts\[other\]: 'other' is not a step of the pipeline"):
        DataScienceCreatePipelineOperator(
            task_id="create",
            create_pipeline_details={"stepDetails": step_details()},
            step_artifacts={**scripts(tmp_path), "other": scripts(tmp_path, "other")["other"]},
        )
    with pytest.raises(ValueError, match=r"^step_artifacts: the train step needs an artifact"):
        DataScienceCreatePipelineOperator(
            task_id="create", step_details=step_details(), step_artifacts=scripts(tmp_path, "prepare")
        )


def test_bad_artifacts_after_rendering_fail_before_anything_is_created(ds, tmp_path) -> None:
    files = scripts(tmp_path)
    # the steps come from a template: only known once rendered, checked before the create
    op = DataScienceCreatePipelineOperator(
        task_id="create",
        create_pipeline_details='{"displayName": "x"}',
        step_details=None,
        step_artifacts=files,
        project_id=ds.project(),
    )
    op.create_pipeline_details = {"stepDetails": step_details("prepare")}
    with pytest.raises(ValueError, match=r"^step_artifacts\[train\]: 'train' is not a step"):
        op.execute(make_context(op))
    ml_job = [{"stepType": "ML_JOB", "stepName": "train", "jobId": ds.job()}]
    with pytest.raises(ValueError, match=r"^step_artifacts\[train\]: step 'train' is a ML_JOB step"):
        DataScienceCreatePipelineOperator(
            task_id="create", step_details=ml_job, step_artifacts={"train": files["train"]}
        )
    op = DataScienceCreatePipelineOperator(
        task_id="create", project_id=ds.project(), step_details=step_details(), step_artifacts=files
    )
    (tmp_path / "train.py").unlink()  # gone between parsing and running
    with pytest.raises(ValueError, match=r"^step_artifacts\[train\]: expected an existing file"):
        op.execute(make_context(op))
    assert _pipeline_posts(ds) == [] and ds.emu.list("pipeline") == []


def test_a_lost_upload_answer_is_not_uploaded_twice(ds, tmp_path) -> None:
    ds.emu.inject_fault("POST", r"/steps/prepare/artifact$", kind="commit_then_drop", count=1)
    op = DataScienceCreatePipelineOperator(
        task_id="create", create_pipeline_details=pipeline_body(ds), step_artifacts=scripts(tmp_path), **FAST
    )
    created = op.execute(make_context(op))
    assert created["lifecycleState"] == "ACTIVE"
    # the answer was lost (status 0): the retry carries the same opc-retry-token, so the service
    # answers it with the first upload's reply instead of a second artifact
    assert [r["status"] for r in _uploads(ds, "prepare")] == [0, 200]
    assert [r["status"] for r in _uploads(ds, "train")] == [200]
    assert ds.hook.get_step_artifact_content(created["id"], "prepare").data.startswith(b"print(")


def test_a_retry_adopts_the_pipeline_and_uploads_only_the_missing_artifact(ds, tmp_path) -> None:
    files = scripts(tmp_path)
    body = pipeline_body(ds)
    # try 1: the pipeline is created, the first artifact uploaded, the second upload fails hard
    ds.emu.inject_fault("POST", r"/steps/train/artifact$", kind="status", status=501, count=1)
    first = DataScienceCreatePipelineOperator(
        task_id="create", create_pipeline_details=body, step_artifacts=files, retries=1, **FAST
    )
    with pytest.raises(Exception, match="501"):
        first.execute(make_context(first, try_number=1, max_tries=1))
    [pipeline] = ds.emu.list("pipeline")
    assert pipeline["lifecycleState"] == "CREATING"
    retry = DataScienceCreatePipelineOperator(
        task_id="create", create_pipeline_details=body, step_artifacts=files, retries=1, **FAST
    )
    done = retry.execute(make_context(retry, try_number=2, max_tries=1))
    assert done["id"] == pipeline["id"] and done["lifecycleState"] == "ACTIVE"
    assert len(_pipeline_posts(ds)) == 1
    assert [r["status"] for r in _uploads(ds, "prepare")] == [200]
    assert [r["status"] for r in _uploads(ds, "train")] == [501, 200]


def test_delete_pipeline_cases(ds, tmp_path) -> None:
    stuck = ds.hook.create_pipeline(pipeline_body(ds)).data["id"]  # CREATING: no artifacts
    op = DataScienceDeletePipelineOperator(task_id="d", pipeline_id=stuck, **FAST)
    assert op.execute(make_context(op))["lifecycleState"] == "DELETED"
    again = DataScienceDeletePipelineOperator(task_id="d", pipeline_id=stuck, **FAST)
    assert again.execute(make_context(again))["lifecycleState"] == "DELETED"  # already gone: fine
    pipeline_id = active_pipeline(ds, tmp_path, tags={"emulator-duration": "4000"})
    run = ds.hook.create_pipeline_run({"pipelineId": pipeline_id, "compartmentId": ds.compartment}).data
    busy = DataScienceDeletePipelineOperator(task_id="d", pipeline_id=pipeline_id, **FAST)
    with pytest.raises(Exception, match="deleteRelatedPipelineRuns"):
        busy.execute(make_context(busy))
    with_runs = DataScienceDeletePipelineOperator(
        task_id="d", pipeline_id=pipeline_id, delete_related_pipeline_runs=True, **FAST
    )
    assert with_runs.execute(make_context(with_runs))["lifecycleState"] == "DELETED"
    assert ds.emu.get(run["id"])["lifecycleState"] == "DELETED"
    with pytest.raises(ValueError, match=r"^delete_related_pipeline_runs: expected True or False"):
        DataScienceDeletePipelineOperator(task_id="d", pipeline_id=stuck, delete_related_pipeline_runs="yes")


def test_update_without_changes_names_the_fields(ds, tmp_path) -> None:
    pipeline_id = active_pipeline(ds, tmp_path)
    op = DataScienceUpdatePipelineOperator(task_id="u", pipeline_id=pipeline_id)
    with pytest.raises(ValueError, match=r"^update_pipeline_details: nothing to update"):
        op.execute(make_context(op))
    assert tuple(s["stepName"] for s in ds.emu.get(pipeline_id)["stepDetails"]) == STEPS


def test_steps_without_artifacts_or_a_missing_project_fail_naming_the_field(ds, tmp_path) -> None:
    with pytest.raises(ValueError, match=r"^step_artifacts: the prepare, train steps need an artifact"):
        DataScienceCreatePipelineOperator(task_id="create", step_details=step_details(), step_artifacts={})
    missing_project = DataScienceCreatePipelineOperator(
        task_id="create",
        project_id="ocid1.datascienceproject.oc1.iad.amaaaaaanosuchproject",
        step_details=step_details(),
        step_artifacts=scripts(tmp_path),
    )
    with pytest.raises(AirflowFailException, match=r"^project_id: project .* does not exist"):
        missing_project.execute(make_context(missing_project))
