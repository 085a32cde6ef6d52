"""``example_ds_pipeline`` end to end through ``dag.test()`` against the emulator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ._helpers import ASSETS_DIR, EXAMPLES_DIR, created, deferred_tasks, leftovers

DAG_ID = "example_ds_pipeline"
STEPS = {"prepare": "prepare_data.py", "train": "train.py"}
#: How the task log shows the exception that failed the task.
FAILURE = "AirflowFailException"
CLEANUP = ("delete_pipeline_run", "delete_pipeline", "delete_project")
#: The lines the emulator writes for a step that has no scripted ``emulator-logs``.
STEP_LINES = [f"Step {step} {what}" for step in STEPS for what in ("started", "finished")]


def _operations(emu, name: str) -> list[dict]:
    return [r for r in emu.requests if r["operation"] == name and r["status"] and r["status"] < 300]


def _assert_cleaned_up(emu, pipeline_id: str, run_id: str) -> None:
    assert created(emu) == {"project": 1, "pipeline": 1, "pipeline_run": 1}
    assert leftovers(emu) == {}
    assert emu.get(pipeline_id)["lifecycleState"] == emu.get(run_id)["lifecycleState"] == "DELETED"
    [run_delete] = _operations(emu, "delete_pipeline_run")
    assert run_id in run_delete["path"]
    [pipeline_delete] = _operations(emu, "delete_pipeline")
    assert pipeline_id in pipeline_delete["path"]
    assert "deleteRelatedPipelineRuns=true" in pipeline_delete["query"]


def test_pipeline_runs_both_steps_streams_their_logs_and_deletes_everything(
    example_dagbag, run_dag, emu, caplog, capfd
):
    capfd.readouterr()
    result = run_dag(example_dagbag.dags[DAG_ID])
    out = capfd.readouterr().out

    assert result.state == "success", result.task_states()
    assert set(result.task_states().values()) == {"success"}
    project_id = result.xcom("create_project", "resource_id")
    pipeline_id = result.xcom("create_pipeline", "resource_id")
    run = result.xcom("run_pipeline")
    _assert_cleaned_up(emu, pipeline_id, run["id"])

    # The pipeline: two CUSTOM_SCRIPT steps, train after prepare, each with its shipped script.
    pipeline = result.xcom("create_pipeline")
    assert pipeline["id"] == pipeline_id and pipeline["lifecycleState"] == "ACTIVE"
    assert pipeline["projectId"] == project_id
    steps = {s["stepName"]: s for s in emu.get(pipeline_id)["stepDetails"]}
    assert list(steps) == list(STEPS)
    assert {s["stepType"] for s in steps.values()} == {"CUSTOM_SCRIPT"}
    assert steps["train"]["dependsOn"] == ["prepare"] and not steps["prepare"].get("dependsOn")
    assert all(s["isArtifactUploaded"] for s in steps.values())
    uploads = _operations(emu, "create_step_artifact")
    assert sorted(u["path"].rsplit("/steps/", 1)[1] for u in uploads) == [
        "prepare/artifact",
        "train/artifact",
    ]
    for step, script in STEPS.items():
        stored = Path(emu.store.artifacts[f"{pipeline_id}/steps/{step}"].path)
        assert stored.read_bytes() == (ASSETS_DIR / script).read_bytes(), step
    assert emu.get(pipeline_id)["logConfigurationDetails"]["enableAutoLogCreation"] is True

    # The run: both steps succeeded, train only once prepare had finished; EPOCHS from the params.
    assert run["lifecycleState"] == "SUCCEEDED" and run["pipelineId"] == pipeline_id
    step_runs = {s["stepName"]: s for s in run["stepRuns"]}
    assert {name: s["lifecycleState"] for name, s in step_runs.items()} == dict.fromkeys(STEPS, "SUCCEEDED")
    assert step_runs["train"]["timeStarted"] >= step_runs["prepare"]["timeFinished"]
    [override] = emu.get(run["id"])["stepOverrideDetails"]
    assert override == {
        "stepName": "train",
        "stepConfigurationDetails": {"environmentVariables": {"EPOCHS": "3"}},
    }
    assert run["freeformTags"]["airflow-dag-id"] == DAG_ID
    assert run["logDetails"]["logId"].startswith("ocid1.log.")
    assert result.xcom("run_pipeline", "resource_id") == run["id"]
    assert result.xcom("run_pipeline", "console_url").startswith(
        "https://cloud.oracle.com/data-science/pipeline-runs/" + run["id"]
    )
    assert result.xcom("run_pipeline", "log_search_url")

    # Every step's log lines reached the task log, once each and in order.
    positions = [out.find(line) for line in STEP_LINES]
    assert -1 not in positions, f"step log lines missing from the task log:\n{out[-4000:]}"
    assert positions == sorted(positions)
    assert [out.count(line) for line in STEP_LINES] == [1] * len(STEP_LINES)

    summary = result.xcom("report")
    assert summary["pipeline_run_id"] == run["id"] and summary["state"] == "SUCCEEDED"
    assert {name: s["state"] for name, s in summary["steps"].items()} == dict.fromkeys(STEPS, "SUCCEEDED")
    assert all(
        s["duration_seconds"] is not None and s["duration_seconds"] >= 0 for s in summary["steps"].values()
    )
    # The run was awaited by the trigger (dag.test() runs it inline), not in the task.
    assert deferred_tasks(caplog.messages) == ["run_pipeline"]


@pytest.mark.parametrize(
    ("failing", "other_state"), [("train", "SUCCEEDED"), ("prepare", "SKIPPED")], ids=["train", "prepare"]
)
def test_failed_step_fails_the_run_task_naming_it_and_cleanup_still_runs(
    example_dagbag, run_dag, emu, capfd, failing, other_state
):
    details = f"exit code {3 if failing == 'train' else 4} (OOM)"
    conf = {
        "run_freeform_tags": {f"emulator-outcome.{failing}": "FAILED", f"emulator-details.{failing}": details}
    }
    capfd.readouterr()
    result = run_dag(example_dagbag.dags[DAG_ID], run_conf=conf)
    out = capfd.readouterr().out

    states = result.task_states()
    assert result.state == "failed", states
    assert states["run_pipeline"] == "failed"
    assert states["report"] == "upstream_failed"
    assert {t: states[t] for t in CLEANUP} == dict.fromkeys(CLEANUP, "success")
    assert {
        t: s for t, s in states.items() if t not in (*CLEANUP, "run_pipeline", "report")
    } == dict.fromkeys(("create_project", "create_pipeline", "run_details"), "success")
    [run] = emu.list("pipeline_run")
    step_runs = {s["stepName"]: s["lifecycleState"] for s in run["stepRuns"]}
    other = next(step for step in STEPS if step != failing)
    assert step_runs == {failing: "FAILED", other: other_state}
    # The task's failure (the exception's message, up to the next log record) names the failed
    # step with its lifecycleDetails.
    assert out.count(f"{FAILURE}: ") == 1, out[-4000:]
    message = out.split(f"{FAILURE}: ", 1)[1].split("\n20", 1)[0]
    assert re.search(rf"\b{failing}\b.*{re.escape(details)}", message), message
    assert f"Step {failing} finished" in message  # with the failed step's last log lines
    assert result.xcom("run_pipeline", "resource_id") == run["id"]
    assert result.xcom("run_pipeline") is None
    _assert_cleaned_up(emu, result.xcom("create_pipeline", "resource_id"), run["id"])


def test_a_missing_step_script_fails_the_dag_at_parse_time_naming_the_step(tmp_path):
    """The step scripts are checked when the DAG file is parsed, not when the run is due."""
    from dag_db import dag_bag_class

    DagBag = dag_bag_class()
    source = (EXAMPLES_DIR / f"{DAG_ID}.py").read_text()
    shipped = 'example_asset("prepare_data.py")'
    assert source.count(shipped) == 1
    missing = tmp_path / "gone" / "prepare_data.py"
    (tmp_path / f"{DAG_ID}.py").write_text(source.replace(shipped, repr(str(missing))))

    bag = DagBag(dag_folder=str(tmp_path))

    assert bag.dags == {}
    [error] = bag.import_errors.values()
    assert "step_artifacts[prepare]" in error and str(missing) in error, error
