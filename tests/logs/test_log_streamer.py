"""JobRunLogStreamer with a real DataScienceHook against a running (speed 20) emulator."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest
from log_env import Env

from airflow_ds_provider.hooks.data_science import DataScienceHook
from airflow_ds_provider.lifecycle import get_lifecycle
from airflow_ds_provider.links.console import log_search_url
from airflow_ds_provider.logs import JobRunLogStreamer, format_failure_message, job_run_log_search_url

CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"
TASK_LOGGER = "tests.logs.task"
TERMINAL = get_lifecycle("job_run").terminal


@pytest.fixture
def hook(fast_env: Env, monkeypatch: pytest.MonkeyPatch) -> DataScienceHook:
    extra = {**fast_env.extra, "max_attempts": 2, "max_retry_seconds": 0.3}
    monkeypatch.setenv(CONN_ENV, json.dumps({"conn_type": "oci_data_science", "extra": extra}))
    fast_env.emu.clear_requests()
    fast_env.emu.clear_faults()
    return DataScienceHook()


def _streamer(**kw: Any) -> JobRunLogStreamer:
    kw.setdefault("final_tail_grace", 0.5)
    kw.setdefault("final_tail_poll_interval", 0.2)
    kw.setdefault("final_tail_max_wait", 10)
    return JobRunLogStreamer(**kw)


def _wait_streaming(
    hook: DataScienceHook, streamer: JobRunLogStreamer, run: dict[str, Any]
) -> dict[str, Any]:
    """What the operator does in sync mode: poll the run, stream logs on every poll.

    Sets ``streamer.emitted_in_progress``: lines written while the run was IN_PROGRESS.
    """
    deadline = time.monotonic() + 20
    streamer.emitted_in_progress = 0  # type: ignore[attr-defined]
    while run["lifecycleState"] not in TERMINAL:
        assert time.monotonic() < deadline, "the run did not finish"
        time.sleep(0.25)
        run = hook.get_job_run(run["id"]).data
        emitted = streamer.on_poll(run)
        if run["lifecycleState"] == "IN_PROGRESS":
            streamer.emitted_in_progress += emitted  # type: ignore[attr-defined]
    return run


def _task_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == TASK_LOGGER and r.levelno == logging.INFO]


def test_sync_wait_streams_every_line_once_in_order(
    fast_env: Env, hook: DataScienceHook, caplog: pytest.LogCaptureFixture
) -> None:
    lines = [f"training step {i}" for i in range(25)]
    run = fast_env.run(lines, duration=40)
    streamer = _streamer()
    caplog.set_level(logging.INFO, logger=TASK_LOGGER)
    task_log = logging.getLogger(TASK_LOGGER)
    assert streamer.start(hook, run, task_log) is True
    run = _wait_streaming(hook, streamer, run)
    assert streamer.emitted_in_progress > 0  # type: ignore[attr-defined]
    assert streamer.finish(run, failed=False) == []
    assert [m for m in _task_lines(caplog) if m.startswith("[job-run] ")] == [f"[job-run] {x}" for x in lines]
    assert streamer.lines_emitted == len(lines)


def test_failed_run_returns_the_last_lines_for_the_failure_message(
    fast_env: Env, hook: DataScienceHook, caplog: pytest.LogCaptureFixture
) -> None:
    lines = [f"line {i}" for i in range(30)] + ["Traceback: ValueError: bad input"]
    run = fast_env.run(lines, duration=20, outcome="FAILED")
    streamer = _streamer(failure_log_lines=5, prefix=">> ")
    caplog.set_level(logging.INFO, logger=TASK_LOGGER)
    streamer.start(hook, run, logging.getLogger(TASK_LOGGER))
    run = _wait_streaming(hook, streamer, run)
    assert run["lifecycleState"] == "FAILED"
    tail = streamer.finish(run, failed=True)
    assert tail == lines[-5:]
    assert _task_lines(caplog)[-1] == ">> Traceback: ValueError: bad input"
    url = job_run_log_search_url(run, hook.config.region)
    message = format_failure_message(f"Job run {run['id']} failed: {run['lifecycleDetails']}", tail, url)
    assert message.splitlines() == [
        f"Job run {run['id']} failed: Job run failed with exit code 1.",
        "Last 5 lines of the job run log:",
        *[f"    {x}" for x in lines[-5:]],
        f"Full log: {url}",
    ]


def test_deferrable_path_reads_the_whole_log_once_after_the_end(
    fast_env: Env, hook: DataScienceHook, caplog: pytest.LogCaptureFixture
) -> None:
    lines = [f"d{i}" for i in range(8)]
    run = fast_env.run(lines, duration=10)
    time.sleep(1.0)  # the run ends (0.55 s) and the grace (0.3 s) passes, as under a trigger
    run = hook.get_job_run(run["id"]).data
    assert run["lifecycleState"] == "SUCCEEDED"
    fast_env.emu.clear_requests()
    streamer = _streamer(final_tail_grace=0.3)
    caplog.set_level(logging.INFO, logger=TASK_LOGGER)
    streamer.start(hook, run, logging.getLogger(TASK_LOGGER))
    assert streamer.finish(run, failed=True) == lines
    assert _task_lines(caplog) == [f"[job-run] {x}" for x in lines]
    assert len(fast_env.searches()) == 1


def test_logging_disabled_means_no_log_search_calls(
    fast_env: Env, hook: DataScienceHook, caplog: pytest.LogCaptureFixture
) -> None:
    run = fast_env.run(["hidden"], duration=10, logging=False)
    streamer = _streamer()
    caplog.set_level(logging.INFO, logger=TASK_LOGGER)
    assert streamer.start(hook, run, logging.getLogger(TASK_LOGGER)) is False
    run = _wait_streaming(hook, streamer, run)
    assert streamer.finish(run, failed=True) == []
    assert fast_env.searches() == []
    assert any("has logging disabled" in m for m in _task_lines(caplog))
    assert job_run_log_search_url(run, "us-ashburn-1") is None


def test_logging_outage_warns_in_the_task_log_and_the_run_still_completes(
    fast_env: Env, hook: DataScienceHook, caplog: pytest.LogCaptureFixture
) -> None:
    lines = [f"o{i}" for i in range(10)]
    run = fast_env.run(lines, duration=15)
    fast_env.emu.inject_fault("POST", "/search", status=503, count=10_000)
    streamer = _streamer(final_tail_max_wait=0.5)
    caplog.set_level(logging.INFO, logger=TASK_LOGGER)
    streamer.start(hook, run, logging.getLogger(TASK_LOGGER))
    run = _wait_streaming(hook, streamer, run)
    assert run["lifecycleState"] == "SUCCEEDED"
    assert streamer.finish(run, failed=False) == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("could not read its logs" in w and "503" in w for w in warnings)
    assert streamer.lines_emitted == 0
    assert all(r["status"] == 503 for r in fast_env.searches())


def test_streamer_arguments_are_validated() -> None:
    with pytest.raises(ValueError, match="failure_log_lines"):
        JobRunLogStreamer(failure_log_lines=-1)
    with pytest.raises(ValueError, match="page_limit"):
        JobRunLogStreamer(page_limit=0)
    with pytest.raises(ValueError, match="final_tail_grace"):
        JobRunLogStreamer(final_tail_grace="soon")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="start"):
        JobRunLogStreamer().on_poll({"id": "r"})


def test_malformed_log_details_only_warn(caplog: pytest.LogCaptureFixture) -> None:
    streamer = JobRunLogStreamer()
    caplog.set_level(logging.INFO, logger=TASK_LOGGER)
    run = {"id": "ocid1.datasciencejobrun.x", "compartmentId": "c", "logDetails": {"logGroupId": "g"}}
    assert streamer.start(object(), run, logging.getLogger(TASK_LOGGER)) is False  # type: ignore[arg-type]
    assert streamer.on_poll(run) == 0 and streamer.finish(run, failed=True) == []
    assert "job_run.logDetails.logId" in caplog.text


def test_log_search_url_for_a_job_run() -> None:
    run = {
        "id": "ocid1.datasciencejobrun.oc1.iad.r",
        "compartmentId": "ocid1.compartment.oc1..c",
        "logDetails": {"logGroupId": "ocid1.loggroup.oc1.iad.g", "logId": "ocid1.log.oc1.iad.l"},
    }
    url = job_run_log_search_url(run, "us-ashburn-1")
    assert url == log_search_url(
        "ocid1.compartment.oc1..c",
        "ocid1.loggroup.oc1.iad.g",
        "ocid1.log.oc1.iad.l",
        "ocid1.datasciencejobrun.oc1.iad.r",
        "us-ashburn-1",
    )
    assert url.startswith("https://cloud.oracle.com/logging/search?searchQuery=search%20%22ocid1.compartment")
    assert url.endswith("&regions=us-ashburn-1")
    assert job_run_log_search_url({**run, "logDetails": {"logGroupId": "g"}}, "us-ashburn-1") is None


def test_failure_message_without_lines_is_the_message() -> None:
    assert format_failure_message("Job run failed.", []) == "Job run failed."
    long = "x" * 5000
    text = format_failure_message("boom", [long])
    assert text.splitlines()[1] == "Last 1 line of the job run log:"
    assert text.splitlines()[2] == "    " + "x" * 1000 + "..."


def test_finish_on_a_run_still_in_progress_reads_once_without_waiting(
    fast_env: Env, hook: DataScienceHook, caplog: pytest.LogCaptureFixture
) -> None:
    lines = [f"slow {i}" for i in range(4)]
    run = fast_env.run(lines, duration=240)  # 12 s at speed 20: a line every 3 s
    time.sleep(4.0)  # only the first line is out (the second comes at 6 s)
    run = hook.get_job_run(run["id"]).data
    assert run["lifecycleState"] == "IN_PROGRESS"
    streamer = _streamer(final_tail_grace=30, final_tail_max_wait=60)
    caplog.set_level(logging.INFO, logger=TASK_LOGGER)
    streamer.start(hook, run, logging.getLogger(TASK_LOGGER))
    began = time.monotonic()
    assert streamer.finish(run, failed=True) == lines[:1]
    assert time.monotonic() - began < 10  # no 30 s tail grace
    assert len(fast_env.searches()) == 1
