"""JobRunLogTailer against the emulator: exactly once, in order, late records, outages."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from log_env import Env

from airflow_ds_provider.logs import JobRunLogTailer, LogRecord


def _tailer(env: Env, run: dict[str, Any], **kw: Any) -> JobRunLogTailer:
    kw.setdefault("clock", env.emu.clock.now)
    kw.setdefault("sleep", env.emu.advance)
    return JobRunLogTailer(env.client, run, **kw)


def _poll_through(env: Env, tailer: JobRunLogTailer, seconds: float, step: float) -> list[LogRecord]:
    out: list[LogRecord] = []
    elapsed = 0.0
    while elapsed < seconds:
        env.emu.advance(step)
        elapsed += step
        out.extend(tailer.poll())
    return out


def test_every_line_exactly_once_and_in_order_across_polls_and_tail(env: Env) -> None:
    lines = [f"epoch {i}" for i in range(40)]
    run = env.run(lines, duration=60)
    tailer = _tailer(env, run)
    seen = _poll_through(env, tailer, 45, step=3)  # polls while the run is in progress
    assert 0 < len(seen) < len(lines)
    env.emu.advance(20)
    tailer.update(env.get(run))
    seen += tailer.tail(max_wait=60, grace=5, poll_interval=2)
    assert [r.message for r in seen] == lines
    assert len({r.id for r in seen}) == len(lines)
    assert tailer.poll() == []  # nothing is ever returned twice
    assert tailer.last_lines(3) == lines[-3:]


def test_a_run_with_2500_lines_streams_completely(env: Env) -> None:
    lines = [f"row {i:04d}" for i in range(2500)]
    run = env.run(lines, duration=1250)
    tailer = _tailer(env, run, overlap=30)
    seen = _poll_through(env, tailer, 1300, step=100)
    tailer.update(env.get(run))
    seen += tailer.tail(grace=0)
    assert [r.message for r in seen] == lines
    # ids remembered for deduplication are only those inside the overlap (30 s = 60 lines)
    assert 0 < tailer.tracked_ids <= 61


def test_logging_disabled_makes_no_log_calls(env: Env) -> None:
    run = env.run(["invisible"], duration=10, logging=False)
    tailer = _tailer(env, run)
    assert not tailer.enabled
    env.emu.advance(20)
    assert tailer.poll() == []
    assert tailer.tail(max_wait=30, grace=10) == []
    assert env.searches() == []


def test_outage_beyond_the_retry_budget_only_warns(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    lines = [f"m{i}" for i in range(10)]
    run = env.run(lines, duration=20)
    tailer = _tailer(env, run)
    env.emu.advance(12)
    env.emu.inject_fault("POST", "/search", status=503, count=4)
    with caplog.at_level(logging.WARNING, logger="airflow_ds_provider"):
        assert tailer.poll() == []
        assert tailer.poll() == []
    warnings = [r for r in caplog.records if r.name == "airflow_ds_provider.logs"]
    assert len(warnings) == 2 and "will retry on the next poll" in warnings[0].getMessage()
    assert "503" in warnings[0].getMessage()
    assert len(env.searches()) == 4  # 2 polls x 2 attempts, all failed
    assert tailer.enabled
    env.emu.advance(20)
    tailer.update(env.get(run))
    got = tailer.tail(grace=0)
    assert [r.message for r in got] == lines  # nothing was lost to the outage


def test_outage_during_the_final_tail_never_raises(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    run = env.run(["a", "b"], duration=10)
    env.emu.advance(15)
    tailer = _tailer(env, env.get(run))
    env.emu.inject_fault("POST", "/search", status=503, count=1000)
    with caplog.at_level(logging.WARNING, logger="airflow_ds_provider.logs"):
        assert tailer.tail(max_wait=10, grace=5, poll_interval=5) == []
    messages = [r.getMessage() for r in caplog.records if r.name == "airflow_ds_provider.logs"]
    assert any("stopped waiting" in m for m in messages)


def test_transport_errors_only_warn(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    run = env.run(["a"], duration=10)
    env.emu.advance(15)
    tailer = _tailer(env, env.get(run))
    env.emu.inject_fault("POST", "/search", kind="drop", count=2)
    with caplog.at_level(logging.WARNING, logger="airflow_ds_provider.logs"):
        assert tailer.poll() == []
    assert "will retry on the next poll" in caplog.text and "connection failed" in caplog.text
    assert [r.message for r in tailer.poll()] == ["a"]


def test_permission_errors_stop_the_tailer_after_one_warning(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    run = env.run(["a"], duration=10)
    env.emu.advance(15)
    tailer = _tailer(env, env.get(run))
    env.emu.inject_fault("POST", "/search", status=403, count=1)
    with caplog.at_level(logging.WARNING, logger="airflow_ds_provider.logs"):
        assert tailer.poll() == []
        assert tailer.poll() == []
        assert tailer.tail(max_wait=10, grace=0) == []
    assert not tailer.enabled
    assert len(env.searches()) == 1
    assert caplog.text.count("cannot read its logs") == 1


def test_gives_up_after_too_many_consecutive_failures(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    run = env.run(["a"], duration=10)
    env.emu.advance(15)
    tailer = _tailer(env, env.get(run), max_consecutive_errors=3)
    env.emu.inject_fault("POST", "/search", status=500, count=100)
    with caplog.at_level(logging.WARNING, logger="airflow_ds_provider.logs"):
        for _ in range(5):
            assert tailer.poll() == []
    assert not tailer.enabled and tailer.failed_polls == 3
    assert "giving up on its logs after 3 failed searches" in caplog.text


def test_final_tail_of_a_long_finished_run_is_one_search(env: Env) -> None:
    lines = [f"x{i}" for i in range(5)]
    run = env.run(lines, duration=10)
    env.emu.advance(300)
    tailer = _tailer(env, env.get(run))
    slept: list[float] = []
    tailer.sleep = slept.append
    assert [r.message for r in tailer.tail(grace=30)] == lines
    assert len(env.searches()) == 1 and slept == []


def test_final_tail_waits_at_most_max_wait(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    run = env.run(["a"], duration=10)
    env.emu.advance(15)
    tailer = _tailer(env, env.get(run))
    began = env.emu.clock.now()
    with caplog.at_level(logging.WARNING, logger="airflow_ds_provider.logs"):
        got = tailer.tail(max_wait=20, grace=1000, poll_interval=3)
    assert [r.message for r in got] == ["a"]
    assert 20 <= env.emu.clock.now() - began <= 23
    assert "stopped waiting for late log records after 20s" in caplog.text


def test_bad_job_run_json_names_the_field(env: Env) -> None:
    with pytest.raises(ValueError, match=r"job_run\.id"):
        JobRunLogTailer(env.client, {"compartmentId": "c"})
    with pytest.raises(ValueError, match=r"job_run\.logDetails\.logId"):
        JobRunLogTailer(env.client, {"id": "r", "compartmentId": "c", "logDetails": {"logGroupId": "g"}})
    with pytest.raises(ValueError, match=r"job_run\.timeAccepted"):
        JobRunLogTailer(env.client, {"id": "r", "timeAccepted": "soon"})
    with pytest.raises(ValueError, match="overlap"):
        JobRunLogTailer(env.client, {"id": "r"}, overlap=-1)


# --- late records (log ingestion delay) ---------------------------------------------------------


@pytest.fixture(scope="module")
def late_env(ds_emulator_factory) -> Iterator[Env]:
    """An emulator whose log records become searchable 20 s after they are emitted."""
    with ds_emulator_factory.private(manual_clock=True, log_ingestion_delay=20) as emu:
        environment = Env(emu)
        yield environment
        environment.client.close()


def test_records_arriving_late_are_not_lost(late_env: Env) -> None:
    lines = [f"late {i}" for i in range(30)]
    run = late_env.run(lines, duration=60)
    tailer = _tailer(late_env, run)
    seen = _poll_through(late_env, tailer, 66, step=3)
    assert len(seen) < len(lines)  # the newest records were not yet searchable
    tailer.update(late_env.get(run))
    seen += tailer.tail(max_wait=120, grace=25, poll_interval=3)
    assert [r.message for r in seen] == lines


def _out_of_order_run(env: Env, lines: list[str]) -> dict[str, Any]:
    """A run whose first half is ingested 30 s late and its second half at once."""
    env.emu.lifecycles.log_ingestion_delay = 30.0
    run = env.run(lines, duration=100)
    env.emu.advance(56)  # the run started at +1 s; lines 1-5 are emitted and still in flight
    env.emu.lifecycles.log_ingestion_delay = 0.0
    env.emu.script_job_run(run["id"], log_lines=lines)  # re-plans the future lines: no delay
    env.emu.lifecycles.log_ingestion_delay = 20.0
    return run


@pytest.mark.parametrize(("overlap", "complete"), [(180.0, True), (5.0, False)])
def test_late_records_within_the_overlap_are_found(late_env: Env, overlap: float, complete: bool) -> None:
    lines = [f"ooo {i}" for i in range(1, 11)]
    run = _out_of_order_run(late_env, lines)
    tailer = _tailer(late_env, run, overlap=overlap)
    seen = _poll_through(late_env, tailer, 60, step=4)
    tailer.update(late_env.get(run))
    seen += tailer.tail(max_wait=120, grace=35, poll_interval=4)
    messages = [r.message for r in seen]
    assert len(messages) == len(set(messages))
    if complete:
        assert sorted(messages, key=lambda m: int(m.split()[1])) == lines
        assert messages != lines  # some records really did arrive after newer ones
    else:
        assert set(messages) < set(lines)  # a too-small overlap loses the late ones
