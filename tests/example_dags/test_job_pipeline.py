"""``example_ds_job_pipeline`` end to end through ``dag.test()`` against the emulator."""

from __future__ import annotations

from ._helpers import ASSETS_DIR, created, deferred_tasks, leftovers

DAG_ID = "example_ds_job_pipeline"
SETUP_AND_WORK = ("create_project", "create_job", "upload_artifact", "run_details", "run_job", "report")


def test_pipeline_runs_the_job_and_deletes_everything(example_dagbag, run_dag, emu, caplog):
    result = run_dag(example_dagbag.dags[DAG_ID])

    assert result.state == "success", result.task_states()
    assert set(result.task_states().values()) == {"success"}
    assert created(emu) == {"project": 1, "job": 1, "job_run": 1}
    assert leftovers(emu) == {}

    project_id = result.xcom("create_project", "resource_id")
    job_id = result.xcom("create_job", "resource_id")
    run = result.xcom("run_job")
    assert result.xcom("create_project")["id"] == project_id
    assert result.xcom("create_job")["lifecycleState"] == "ACTIVE"
    assert run["lifecycleState"] == "SUCCEEDED"
    assert run["jobId"] == job_id and run["projectId"] == project_id
    assert result.xcom("run_job", "resource_id") == run["id"]
    assert result.xcom("run_job", "console_url").startswith(
        "https://cloud.oracle.com/data-science/job-runs/" + run["id"]
    )
    # The job's configuration came from the DAG's params; logging got an auto-created log.
    job = emu.get(job_id)
    assert job["jobConfigurationDetails"]["environmentVariables"] == {"EPOCHS": "3", "LEARNING_RATE": "0.1"}
    assert job["jobInfrastructureConfigurationDetails"]["shapeName"] == "VM.Standard.E4.Flex"
    assert job["jobLogConfigurationDetails"]["enableAutoLogCreation"] is True
    assert run["logDetails"]["logId"].startswith("ocid1.log.")
    assert run["freeformTags"]["airflow-dag-id"] == DAG_ID
    assert run["freeformTags"]["airflow-task-id"] == "run_job"
    # The uploaded artifact is the script shipped in the package.
    upload = result.xcom("upload_artifact")
    assert upload["contentLength"] == (ASSETS_DIR / "train.py").stat().st_size
    assert 'filename="train.py"' in upload["contentDisposition"]
    # report read the run's XCom
    summary = result.xcom("report")
    assert summary["job_run_id"] == run["id"] and summary["state"] == "SUCCEEDED"
    assert summary["duration_seconds"] is not None and summary["duration_seconds"] >= 0
    # The run was awaited by the trigger (dag.test() runs it inline), not in the task.
    assert deferred_tasks(caplog.messages) == ["run_job"]


def test_failed_run_fails_the_dag_run_but_still_cleans_up(example_dagbag, run_dag, emu):
    conf = {"run_freeform_tags": {"emulator-outcome": "FAILED", "emulator-details": "exit code 3 (OOM)"}}
    result = run_dag(example_dagbag.dags[DAG_ID], run_conf=conf)

    states = result.task_states()
    assert result.state == "failed", states
    assert states["run_job"] == "failed"
    assert states["report"] == "upstream_failed"
    assert {t: states[t] for t in ("delete_job", "delete_project")} == {
        "delete_job": "success",
        "delete_project": "success",
    }
    assert all(states[t] == "success" for t in SETUP_AND_WORK if t not in ("run_job", "report"))
    [run] = emu.list("job_run")
    assert run["freeformTags"]["emulator-outcome"] == "FAILED"
    assert created(emu) == {"project": 1, "job": 1, "job_run": 1}
    assert leftovers(emu) == {}
    assert result.xcom("run_job", "resource_id") == run["id"]
    assert result.xcom("run_job") is None
