"""Many triggers polling a slow service never block the event loop they share.

No wall-clock thresholds (they fail on a loaded machine, and speed belongs in ``benchmarks/``):
the emulator holds every read for a while, and the tests check what only a free loop can do.
A heartbeat task on the loop records when it ran; a read the emulator was holding while the
heartbeat ticked did not block the loop (a blocking call holds the loop for the whole exchange,
so no tick can fall inside it), and reads of different triggers held at the same moment show
the triggers wait side by side rather than one after another.
"""

from __future__ import annotations

import asyncio
import time

from airflow_ds_provider.triggers import DataScienceJobRunTrigger

N_TRIGGERS = 50
LATENCY = 0.3  # seconds the emulator holds every read
POLL = 0.5
TICK = 0.01


async def heartbeat(stop: asyncio.Event, ticks: list[float]) -> None:
    """Wake up every TICK seconds on the loop and record when (``time.time()``, as the request log)."""
    while not stop.is_set():
        await asyncio.sleep(TICK)
        ticks.append(time.time())


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


def _window(read: dict) -> tuple[float, float]:
    """When the emulator was handling ``read`` (it logs the end time and the duration)."""
    return read["time"] - read["duration_ms"] / 1000, read["time"]


def _reads_with_a_tick_inside(reads: list[dict], ticks: list[float]) -> int:
    """How many reads the heartbeat ticked during (the loop ran while the read was held)."""
    windows = [_window(r) for r in reads]
    return sum(any(start < tick < end for tick in ticks) for start, end in windows)


def _most_held_at_once(reads: list[dict]) -> int:
    """The largest number of reads the emulator was holding at the same moment."""
    edges = sorted(e for r in reads for e in ((_window(r)[0], 1), (_window(r)[1], -1)))
    held = most = 0
    for _, step in edges:
        held += step
        most = max(most, held)
    return most


async def _wait_for_polls(emu, runs: set[str], tasks: list[asyncio.Task], each: int, since=None) -> None:
    """Until every run was polled ``each`` times (more than it had been in ``since``)."""
    limit = time.monotonic() + 120  # a hang guard, not a speed check
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

    stop, ticks = asyncio.Event(), []
    beat = asyncio.create_task(heartbeat(stop, ticks))
    before = _counts(emu, set(runs))  # the first polls are jittered: triggers start out of step
    started = time.time()
    await _wait_for_polls(emu, set(runs), tasks, 3, since=before)
    stop.set()
    await beat
    await _stop(tasks, triggers)

    after = _counts(emu, set(runs))
    assert all(after[run] - before[run] >= 3 for run in runs)  # all 50 kept polling while the heartbeat ran
    reads = [r for r in _polls(emu, set(runs)) if _window(r)[0] > started]
    assert len(reads) >= 2 * N_TRIGGERS  # (a read in flight when the heartbeat started is left out)
    assert all(r["duration_ms"] >= LATENCY * 1000 * 0.9 for r in reads)  # every read was slow
    # The loop ran during most of the slow reads (a blocking client: during none of them).
    assert _reads_with_a_tick_inside(reads, ticks) > len(reads) // 2, (len(reads), len(ticks))
    # And many triggers waited on their reads at the same moment (a blocking client: one at a time).
    assert _most_held_at_once(reads) >= 5


async def test_many_triggers_starting_at_once_leave_the_loop_free(world, emu) -> None:
    runs = [world.job_run(duration=10_000) for _ in range(12)]
    emu.inject_fault("GET", r"/jobRuns/", kind="latency", latency=LATENCY, count=100_000)
    triggers = [DataScienceJobRunTrigger(run, poll_interval=0.05) for run in runs]
    stop, ticks = asyncio.Event(), []
    beat = asyncio.create_task(heartbeat(stop, ticks))
    tasks = [asyncio.create_task(anext(t.run())) for t in triggers]
    try:
        await _wait_for_polls(emu, set(runs), tasks, 1)
    finally:
        stop.set()
        await beat
        await _stop(tasks, triggers)
    first = {}
    for read in _polls(emu, set(runs)):
        first.setdefault(read["path"], read)
    assert len(first) == len(runs)
    # The triggers' first reads (each after its start-up: connection, key, client) were held
    # side by side, and the loop ran while they were held.
    assert _most_held_at_once(list(first.values())) >= 2
    assert _reads_with_a_tick_inside(list(first.values()), ticks) > len(first) // 2
