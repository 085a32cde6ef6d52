"""DataScienceJobRunSensor copies the run's log lines into the task log, in every mode."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from airflow.sdk import DAG

from airflow_ds_provider.sensors import DataScienceJobRunSensor

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
LINES = [f"step {i}: ok" for i in range(12)]
_LINE = re.compile(r"\[job-run\] (step \d+: ok)")


def _logging_run(world, outcome: str | None = None, details: str | None = None) -> str:
    """A run of a job with logging enabled, emitting LINES over ~20 emulator seconds."""
    tags = {"emulator-logs": "\n".join(LINES), **world._tags(20, outcome, details)}
    body = {
        "projectId": world.project,
        "compartmentId": world.comp,
        "jobId": world.job,
        "displayName": "logged run",
        "jobLogConfigurationOverrideDetails": {
            "enableLogging": True,
            "enableAutoLogCreation": True,
            "logGroupId": "ocid1.loggroup.oc1.iad.sensorlogs00001",
        },
        "freeformTags": tags,
    }
    return world.client.create_job_run(body).data["id"]


@pytest.mark.parametrize(
    ("mode", "deferrable"), [("poke", False), ("reschedule", False), ("poke", True)], ids=str
)
def test_every_line_once_in_order(run_dag, world, capfd, mode, deferrable) -> None:
    run = _logging_run(world)
    with DAG(f"sensor_logs_{mode}_{deferrable}", schedule=None, start_date=START) as dag:
        DataScienceJobRunSensor(
            task_id="wait",
            job_run_id=run,
            poll_interval=0.1,
            timeout=60,
            mode=mode,
            deferrable=deferrable,
            log_tail_grace=0,
        )
    capfd.readouterr()
    result = run_dag(dag)
    assert result.task_states() == {"wait": "success"}
    assert _LINE.findall(capfd.readouterr().out) == LINES
    assert run in result.xcom("wait", key="log_search_url")


@pytest.mark.parametrize("deferrable", [False, True])
def test_failure_message_quotes_the_last_lines(run_dag, world, capfd, deferrable) -> None:
    run = _logging_run(world, outcome="FAILED", details="exit code 7")
    with DAG(f"sensor_logs_fail_{deferrable}", schedule=None, start_date=START) as dag:
        DataScienceJobRunSensor(
            task_id="wait",
            job_run_id=run,
            poll_interval=0.1,
            timeout=60,
            deferrable=deferrable,
            log_tail_grace=0,
            failure_log_lines=3,
        )
    capfd.readouterr()
    result = run_dag(dag)
    assert result.task_states() == {"wait": "failed"}
    out = capfd.readouterr().out
    assert "exit code 7" in out
    assert "Last 3 lines of the job run log" in out


def test_stream_logs_off(run_dag, world, emu) -> None:
    run = _logging_run(world)
    emu.clear_requests()
    with DAG("sensor_logs_off", schedule=None, start_date=START) as dag:
        DataScienceJobRunSensor(
            task_id="wait", job_run_id=run, poll_interval=0.1, timeout=60, stream_logs=False
        )
    assert run_dag(dag).task_states() == {"wait": "success"}
    assert not [r for r in emu.requests if r["path"].startswith("/20190909")]
