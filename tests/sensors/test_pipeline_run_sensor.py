"""DataSciencePipelineRunSensor: step changes and step-run lines in the task log, in every mode."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from airflow.sdk import DAG
from pipeline_world import start_run
from task_output import task_output

from airflow_ds_provider.sensors import DataSciencePipelineRunSensor

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
TRAIN = [f"epoch {i}" for i in range(6)]
TAGS = {"emulator-logs.train": "\n".join(TRAIN), "emulator-duration": "10"}
FAILED = {"emulator-outcome.train": "FAILED", "emulator-details.train": "exit code 7"}
_LINE = re.compile(r"\[pipeline-run\] (train: epoch \d+)")
_STEP = re.compile(r"\[pipeline-step\] (.*?)\s+\[airflow\.task")


@pytest.mark.parametrize(
    ("mode", "deferrable"), [("poke", False), ("reschedule", False), ("poke", True)], ids=str
)
def test_every_line_and_step_change_once(run_dag, world, tmp_path, capfd, caplog, mode, deferrable) -> None:
    run = start_run(world, tmp_path, **TAGS)
    with DAG(f"pipeline_sensor_{mode}_{deferrable}", schedule=None, start_date=START) as dag:
        DataSciencePipelineRunSensor(
            task_id="wait",
            pipeline_run_id=run,
            poll_interval=0.1,
            timeout=60,
            mode=mode,
            deferrable=deferrable,
            log_tail_grace=0,
        )
    task_output(capfd, caplog)
    result = run_dag(dag)
    out = task_output(capfd, caplog)
    assert result.task_states() == {"wait": "success"}
    assert [s["lifecycleState"] for s in result.xcom("wait")["stepRuns"]] == ["SUCCEEDED", "SUCCEEDED"]
    assert _LINE.findall(out) == [f"train: {line}" for line in TRAIN]
    changes = _STEP.findall(out)
    assert len(changes) == len(set(changes))
    assert {c.split(":")[0] for c in changes if c.endswith("-> SUCCEEDED")} == {"prepare", "train"}
    assert run in result.xcom("wait", key="log_search_url")


@pytest.mark.parametrize("deferrable", [False, True])
def test_a_failed_step_is_named_with_its_last_lines(run_dag, world, tmp_path, deferrable) -> None:
    run = start_run(world, tmp_path, **TAGS, **FAILED)
    with DAG(f"pipeline_sensor_fail_{deferrable}", schedule=None, start_date=START) as dag:
        DataSciencePipelineRunSensor(
            task_id="wait",
            pipeline_run_id=run,
            poll_interval=0.1,
            timeout=60,
            deferrable=deferrable,
            log_tail_grace=0,
            failure_log_lines=2,
            on_failure_callback=lambda context: errors.append(context.get("exception")),
        )
    errors: list[BaseException | None] = []
    result = run_dag(dag)
    assert result.task_states() == {"wait": "failed"}
    # the error the task fails with (its log's last lines); read from the failure callback, since
    # on Airflow 3.0 the task runner's failure line does not always reach pytest's capture
    [error] = errors
    assert "Step train FAILED: exit code 7" in str(error)
    assert "Last 2 lines of step train:" in str(error) and f"    {TRAIN[-1]}" in str(error)
