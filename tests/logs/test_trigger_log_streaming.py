"""The job-run trigger copies the run's log lines into its own log while it polls (the lines the
task log shows while the task is deferred), and the resumed task continues after them."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from log_env import Env

from airflow_ds_provider.hooks.data_science import DataScienceHook
from airflow_ds_provider.logs import JobRunLogStreamer
from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger

PREFIX = "[job-run] "


@pytest.fixture
def conn(fast_env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT", fast_env.emu.airflow_connection_json(fast_env.ident)
    )


async def _fire(trigger: DataScienceLifecycleTrigger) -> dict[str, Any]:
    gen = trigger.run()
    event = await anext(gen)
    await gen.aclose()
    return event.payload


class Capture(logging.Handler):
    """The messages a logger wrote (the trigger's own logger is routed by structlog, not caplog)."""

    def __init__(self, name: str) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []
        self.logger = logging.getLogger(name)
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False
        self.logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def lines(self) -> list[str]:
        return [m[len(PREFIX) :] for m in self.messages if m.startswith(PREFIX)]


def _trigger(run_id: str, **kwargs: Any) -> tuple[DataScienceLifecycleTrigger, Capture]:
    """The trigger, its own logger captured (where a triggerer routes it to the task log)."""
    trigger = DataScienceLifecycleTrigger("job_run", run_id, poll_interval=0.1, **kwargs)
    capture = Capture(f"test.trigger.{run_id}.{id(trigger)}")
    trigger._log = capture.logger
    return trigger, capture


async def test_the_trigger_streams_each_line_once_in_order_and_the_task_does_not_repeat_them(
    fast_env: Env, conn: None
) -> None:
    lines = [f"epoch {i}" for i in range(15)]
    run = fast_env.run(lines, duration=20)
    trigger, capture = _trigger(run["id"], stream_logs=True)
    event = await _fire(trigger)
    assert event["status"] == "success"
    streamed = capture.lines()
    # the lines arrived while the trigger polled (the run emits them over its 20 s), not at the end
    assert streamed and streamed == lines[: len(streamed)]
    positions = event["log_position"]
    assert set(positions) == {run["id"]} and positions[run["id"]]["last_seen_ms"] is not None

    # the resumed task: the rest (if any) once, nothing the trigger already wrote
    task_log = Capture("test.task")
    streamer = JobRunLogStreamer(final_tail_grace=0, final_tail_max_wait=2, final_tail_poll_interval=0.1)
    streamer.resume_after(positions)
    streamer.start(DataScienceHook(), event["data"], task_log.logger)
    streamer.finish(event["data"], failed=False)
    assert streamed + task_log.lines() == lines


async def test_without_stream_logs_the_trigger_writes_no_line_and_its_kwargs_are_unchanged(
    fast_env: Env, conn: None
) -> None:
    run = fast_env.run(["only line"], duration=2)
    trigger, capture = _trigger(run["id"])
    assert "stream_logs" not in trigger.serialize()[1]
    event = await _fire(trigger)
    assert event["status"] == "success" and "log_position" not in event
    assert capture.lines() == []


def test_stream_logs_is_checked_when_the_trigger_is_built() -> None:
    deployment = "ocid1.datasciencemodeldeployment.oc1.iad.amaaaaaaexample"
    with pytest.raises(ValueError, match="stream_logs"):
        DataScienceLifecycleTrigger("model_deployment", deployment, stream_logs=True)
    run = "ocid1.datasciencejobrun.oc1.iad.amaaaaaaexample"
    with pytest.raises(ValueError, match="stream_logs"):
        DataScienceLifecycleTrigger("job_run", run, stream_logs="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="log_position"):
        DataScienceLifecycleTrigger("job_run", run, stream_logs=True, log_position=[1])  # type: ignore[arg-type]
    kwargs = DataScienceLifecycleTrigger("job_run", run, stream_logs=True).serialize()[1]
    assert kwargs["stream_logs"] is True and kwargs["log_position"] is None


class SavedPositions:
    """Airflow's XCom table for the checkpoint: what ``BaseXCom.set`` / ``get_one`` store."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from airflow.sdk.bases.xcom import BaseXCom

        self.rows: dict[tuple[Any, ...], Any] = {}
        monkeypatch.setattr(
            BaseXCom, "set", classmethod(lambda cls, key, value, **ids: self._set(key, value, ids))
        )
        monkeypatch.setattr(
            BaseXCom, "get_one", classmethod(lambda cls, key, **ids: self.rows.get(self._key(key, ids)))
        )

    @staticmethod
    def _key(key: str, ids: dict[str, Any]) -> tuple[Any, ...]:
        return (key, ids["dag_id"], ids["task_id"], ids["run_id"], ids["map_index"])

    def _set(self, key: str, value: Any, ids: dict[str, Any]) -> None:
        self.rows[self._key(key, ids)] = value


def _task_instance(try_number: int = 1) -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(dag_id="d", task_id="t", run_id="r", map_index=-1, try_number=try_number)


async def test_a_restarted_trigger_continues_after_the_last_line_the_killed_one_wrote(
    fast_env: Env, conn: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    saved = SavedPositions(monkeypatch)
    lines = [f"step {i}" for i in range(15)]
    run = fast_env.run(lines, duration=20)
    first, first_log = _trigger(run["id"], stream_logs=True)
    first.task_instance = _task_instance()
    polling = asyncio.ensure_future(_fire(first))
    for _ in range(400):  # the first lines, then the triggerer dies
        if len(first_log.lines()) >= 3:
            break
        await asyncio.sleep(0.05)
    polling.cancel()
    await asyncio.sleep(1)  # a copy already under way in its thread ends (and saves) on its own
    assert 3 <= len(first_log.lines()) < len(lines) and saved.rows

    second, second_log = _trigger(run["id"], stream_logs=True)  # the new triggerer: same kwargs
    second.task_instance = _task_instance()
    event = await _fire(second)
    streamer = JobRunLogStreamer(final_tail_grace=0, final_tail_max_wait=2, final_tail_poll_interval=0.1)
    streamer.resume_after(event["log_position"])
    task_log = Capture("test.task.restart")
    streamer.start(DataScienceHook(), event["data"], task_log.logger)
    streamer.finish(event["data"], failed=False)
    assert first_log.lines() + second_log.lines() + task_log.lines() == lines


async def test_a_checkpoint_of_an_earlier_try_is_not_used(
    fast_env: Env, conn: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = SavedPositions(monkeypatch)
    lines = ["a", "b", "c"]
    run = fast_env.run(lines, duration=2)
    first, _ = _trigger(run["id"], stream_logs=True)
    first.task_instance = _task_instance(try_number=1)
    await _fire(first)
    assert saved.rows
    again, again_log = _trigger(run["id"], stream_logs=True)  # try 2 reattached to the same run
    again.task_instance = _task_instance(try_number=2)
    await _fire(again)
    assert again_log.lines() == lines
