"""Job-run log lines in the task log of DataScienceCreateJobRunOperator (sync and deferrable)."""

from __future__ import annotations

import json
import re

import pytest

from airflow_ds_provider._compat import AirflowFailException, TaskDeferred
from airflow_ds_provider.operators.job_runs import DataScienceCreateJobRunOperator
from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger

from .conftest import JOB_BODY, make_context

LOG_GROUP = "ocid1.loggroup.oc1.iad.operatorlogs0001"
LINES = [f"epoch {i}: loss={1 / (i + 1):.4f}" for i in range(40)]
FAST_LOGS = {"poll_interval": 0.05, "timeout": 30, "log_tail_grace": 0.0, "log_tail_max_wait": 5.0}


def _logging_job(ds, lines=LINES, **tags: str) -> str:
    body = {
        **JOB_BODY,
        "projectId": ds.project(),
        "compartmentId": ds.compartment,
        "jobLogConfigurationDetails": {
            "enableLogging": True,
            "enableAutoLogCreation": True,
            "logGroupId": LOG_GROUP,
        },
        "freeformTags": {"emulator-logs": "\n".join(lines), "emulator-duration": "20", **tags},
    }
    job_id = ds.hook.create_job(body).data["id"]
    ds.hook.wait_for_state("job", job_id, poll_interval=0.02, timeout=10)
    return job_id


#: a job-run line of the task (``airflow.task``) or of its trigger (the triggerer shows it in the task log)
_LINE = re.compile(r"\[job-run\] (.*?)\s+\[(?:airflow\.task|airflow_ds_provider\.triggers)")


def _run_lines(capfd, caplog) -> list[str]:
    """The job-run lines the operator wrote to its task log since the last call.

    From Airflow 3.1 the operator's logger is structlog's, which prints to the console; on 3.0 it
    is the stdlib logger ``airflow.task.operators...``, whose records ``caplog`` collects.
    """
    printed = _LINE.findall(capfd.readouterr().out)
    logged = [
        r.getMessage().removeprefix("[job-run] ")
        for r in caplog.records
        if r.getMessage().startswith("[job-run] ")
    ]
    caplog.clear()
    return printed or logged


async def _fire(trigger: DataScienceLifecycleTrigger) -> dict:
    gen = trigger.run()
    event = await anext(gen)
    await gen.aclose()
    return event.payload


def test_sync_wait_copies_every_line_once_in_order(ds, capfd, caplog) -> None:
    op = DataScienceCreateJobRunOperator(task_id="run", job_id=_logging_job(ds), **FAST_LOGS)
    context = make_context(op)
    _run_lines(capfd, caplog)
    result = op.execute(context)
    assert result["lifecycleState"] == "SUCCEEDED"
    assert _run_lines(capfd, caplog) == LINES
    assert "log_search_url" in context["ti"].xcoms
    assert result["id"] in context["ti"].xcoms["log_search_url"]


async def test_deferred_run_streams_from_the_trigger_and_the_resumed_task_adds_only_the_rest(
    ds, capfd, caplog
) -> None:
    job_id = _logging_job(ds)
    op = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, deferrable=True, **FAST_LOGS)
    context = make_context(op)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    _run_lines(capfd, caplog)  # what the task wrote before it deferred
    event = await _fire(deferred.value.trigger)
    assert event["status"] == "success"
    from_trigger = _run_lines(capfd, caplog)
    assert from_trigger  # written by the trigger while the task was deferred
    resumed = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, deferrable=True, **FAST_LOGS)
    assert resumed.execute_complete(context, event)["lifecycleState"] == "SUCCEEDED"
    assert from_trigger + _run_lines(capfd, caplog) == LINES


async def test_without_stream_logs_the_trigger_copies_nothing_and_the_task_all_on_resume(
    ds, capfd, caplog
) -> None:
    job_id = _logging_job(ds)
    options = {**FAST_LOGS, "stream_logs": False}
    op = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, deferrable=True, **options)
    context = make_context(op)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    _run_lines(capfd, caplog)  # what the task wrote before it deferred
    event = await _fire(deferred.value.trigger)
    assert _run_lines(capfd, caplog) == [] and "log_position" not in event
    streaming = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, deferrable=True, **FAST_LOGS)
    assert streaming.execute_complete(context, event)["lifecycleState"] == "SUCCEEDED"
    assert _run_lines(capfd, caplog) == LINES


@pytest.mark.parametrize("deferrable", [False, True], ids=["sync", "deferrable"])
async def test_failed_run_quotes_its_last_lines(ds, deferrable) -> None:
    job_id = _logging_job(
        ds, **{"emulator-outcome": "FAILED", "emulator-details": "Job run bootstrap failed: exit code 3"}
    )
    kwargs = {**FAST_LOGS, "failure_log_lines": 5, "deferrable": deferrable}
    op = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, **kwargs)
    context = make_context(op)
    with pytest.raises((AirflowFailException, TaskDeferred)) as raised:
        op.execute(context)
    if deferrable:
        event = await _fire(raised.value.trigger)
        assert event["status"] == "failure"
        with pytest.raises(AirflowFailException) as raised:
            DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, **kwargs).execute_complete(
                context, event
            )
    text = str(raised.value)
    assert "exit code 3" in text
    assert "Last 5 lines of the job run log" in text
    assert all(line in text for line in LINES[-5:]) and LINES[-6] not in text
    assert "cloud.oracle.com/logging/search" in text


def test_logging_disabled_makes_no_log_calls(ds, capfd) -> None:
    job_id = ds.job(tags={"emulator-duration": "20", "emulator-logs": "hidden"})
    op = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, **FAST_LOGS)
    context = make_context(op)
    assert op.execute(context)["lifecycleState"] == "SUCCEEDED"
    assert not [r for r in ds.emu.requests if r["path"].startswith("/20190909")]
    assert "log_search_url" not in context["ti"].xcoms
    assert "logging disabled" in capfd.readouterr().out


def test_logging_outage_never_fails_a_successful_run(ds, capfd, monkeypatch) -> None:
    extra = {**ds.emu.connection_extra(ds.ident), "max_attempts": 1}
    monkeypatch.setenv(
        "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT", json.dumps({"conn_type": "oci_data_science", "extra": extra})
    )
    ds.emu.inject_fault("POST", r"/20190909/search", status=503, count=10_000)
    op = DataScienceCreateJobRunOperator(task_id="run", job_id=_logging_job(ds), **FAST_LOGS)
    assert op.execute(make_context(op))["lifecycleState"] == "SUCCEEDED"
    out = capfd.readouterr().out
    # a warning, in the task log's format: structlog's "[warning" (3.1+) or stdlib's "WARNING" (3.0)
    warnings = [line for line in out.splitlines() if "[warning" in line or "} WARNING - " in line]
    assert any("could not read its logs" in line and "503" in line for line in warnings)
    assert "[job-run] " not in out
    ds.emu.clear_faults()


def test_stream_logs_off_reads_no_logs(ds) -> None:
    op = DataScienceCreateJobRunOperator(
        task_id="run", job_id=_logging_job(ds), stream_logs=False, **FAST_LOGS
    )
    assert op.execute(make_context(op))["lifecycleState"] == "SUCCEEDED"
    assert not [r for r in ds.emu.requests if r["path"].startswith("/20190909")]
