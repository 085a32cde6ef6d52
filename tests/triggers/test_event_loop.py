"""Many triggers polling a slow service never block the event loop they share."""

from __future__ import annotations

import asyncio
import time

from airflow_ds_provider.triggers import DataScienceJobRunTrigger

N_TRIGGERS = 50
LATENCY = 0.3  # seconds the emulator holds every read
POLL = 0.5  # ~40 reads/s in all: signing each one costs ~3 ms of loop CPU on a small VM
TICK = 0.01
MAX_LATENESS = 0.25  # generous: a blocking HTTP call would hold the loop for >= LATENCY per poll


async def heartbeat(stop: asyncio.Event, lateness: list[float]) -> None:
    """Tick every TICK seconds on the loop and record how late each tick woke up."""
    while not stop.is_set():
        expected = time.perf_counter() + TICK
        await asyncio.sleep(TICK)
        lateness.append(time.perf_counter() - expected)


def _polls(emu, runs: set[str]) -> list[dict]:
    return [
        r
        for r in emu.requests
        if r["operation"] == "get_job_run" and r["status"] == 200 and r["path"].rsplit("/", 1)[1] in runs
    ]


def _counts(emu, runs: set[str]) -> dict[str, int]:
    counts = {run: 0 for run in runs}
    for r in _polls(emu, runs):
        counts[r["path"].rsplit("/", 1)[1]] += 1
    return counts


async def _wait_for_polls(emu, runs: set[str], tasks: list[asyncio.Task], each: int, since=None) -> None:
    """Until every run was polled ``each`` times (more than it had been in ``since``)."""
    limit = time.monotonic() + 60
    while True:
        counts = _counts(emu, runs)
        if all(counts[run] - (since or {}).get(run, 0) >= each for run in runs):
            return
        assert time.monotonic() < limit, f"polls per trigger: {sorted(counts.values())}"
        assert not any(t.done() for t in tasks)  # nobody gave up
        await asyncio.sleep(0.2)


async def _stop(tasks: list[asyncio.Task], triggers: list[DataScienceJobRunTrigger]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*(t.cleanup() for t in triggers))


async def test_fifty_triggers_polling_a_slow_service_leave_the_loop_free(world, emu) -> None:
    runs = [world.job_run(duration=10_000) for _ in range(N_TRIGGERS)]
    emu.inject_fault("GET", r"/jobRuns/", kind="latency", latency=LATENCY, count=100_000)
    triggers = [DataScienceJobRunTrigger(run, poll_interval=POLL) for run in runs]
    tasks = [asyncio.create_task(anext(t.run())) for t in triggers]
    await _wait_for_polls(emu, set(runs), tasks, 1)  # every trigger has its client and is polling

    stop, lateness = asyncio.Event(), []
    beat = asyncio.create_task(heartbeat(stop, lateness))
    before = _counts(emu, set(runs))  # the first polls are jittered: triggers start out of step
    await _wait_for_polls(emu, set(runs), tasks, 3, since=before)
    stop.set()
    await beat
    await _stop(tasks, triggers)

    polls = _polls(emu, set(runs))
    after = _counts(emu, set(runs))
    assert all(after[run] - before[run] >= 3 for run in runs)  # all 50 kept polling while the heartbeat ran
    assert all(r["duration_ms"] >= LATENCY * 1000 * 0.9 for r in polls)  # and every read was slow
    assert len(lateness) > 50
    assert max(lateness) < MAX_LATENESS, f"worst heartbeat lateness {max(lateness):.3f}s"


async def test_many_triggers_starting_at_once_leave_the_loop_free(world, emu) -> None:
    runs = [world.job_run(duration=10_000) for _ in range(12)]
    triggers = [DataScienceJobRunTrigger(run, poll_interval=0.05) for run in runs]
    stop, lateness = asyncio.Event(), []
    beat = asyncio.create_task(heartbeat(stop, lateness))
    tasks = [asyncio.create_task(anext(t.run())) for t in triggers]
    try:
        await _wait_for_polls(emu, set(runs), tasks, 1)
    finally:
        stop.set()
        await beat
        await _stop(tasks, triggers)
    assert max(lateness) < MAX_LATENESS, f"worst heartbeat lateness {max(lateness):.3f}s"
