"""Thousands of concurrent job-run triggers in one process, polling the emulator.

The emulator runs as its own process (``python -m airflow_ds_provider.emulator``) so its CPU
does not pollute the measurement. Two phases:

A. start-up as shipped: ``--sample`` triggers start at once through the real
   ``DataScienceHook.aget_async_client()``; measures the CPU cost of building one client and the
   worst event-loop stall while they start.
B. steady state: ``--triggers`` job-run triggers (started evenly over ``--stagger`` seconds, as
   deferred tasks arrive over time) poll every ``--poll-interval`` seconds for ``--seconds``; measures polls/s achieved vs scheduled (from the emulator's request log), poll
   lateness (gap between two reads of one run minus the interval), the worst heartbeat lateness
   of the shared loop, process CPU time per poll, and memory per trigger (tracemalloc and RSS).
   Unless ``--as-shipped``, the two per-client start-up costs found in phase A (RSA key
   validation, a fresh TLS context per httpx client) are cached in-process, as the fix
   suggested for the client would do; polling itself is unchanged.

    python benchmarks/bench_triggers.py --triggers 2000 --poll-interval 30 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

HOME = Path(tempfile.mkdtemp(prefix="bench-triggers-airflow-"))
os.environ.setdefault("AIRFLOW_HOME", str(HOME))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{HOME / 'airflow.db'}")

CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def start_emulator(workdir: Path) -> tuple[subprocess.Popen, str, str]:
    conn_file, ready = workdir / "conn.json", workdir / "ready"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "airflow_ds_provider.emulator",
            "--port",
            "0",
            "--quiet",
            "--generate-key",
            "--connection-file",
            str(conn_file),
            "--ready-file",
            str(ready),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    limit = time.monotonic() + 60
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > limit:
            raise RuntimeError("the emulator did not start")
        time.sleep(0.05)
    return proc, ready.read_text().strip(), conn_file.read_text()


def control(base: str, method: str, path: str, body: dict | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{base}/_emulator/{path}", data=data, method=method)  # noqa: S310
    req.add_header("content-type", "application/json")
    with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 (localhost control API)
        return json.loads(resp.read() or b"null")


def create_job_runs(count: int) -> list[str]:
    from airflow_ds_provider.hooks.data_science import DataScienceHook

    hook = DataScienceHook()
    comp = hook.compartment_id
    project = hook.create_project({"compartmentId": comp, "displayName": "bench"}).data["id"]
    body = {
        "projectId": project,
        "compartmentId": comp,
        "displayName": "bench",
        "jobConfigurationDetails": {"jobType": "DEFAULT"},
        "jobInfrastructureConfigurationDetails": {
            "jobInfrastructureType": "ME_STANDALONE",
            "shapeName": "VM.Standard.E4.Flex",
            "blockStorageSizeInGBs": 50,
            "jobShapeConfigDetails": {"ocpus": 1.0, "memoryInGBs": 16.0},
        },
    }
    job = hook.create_job(body).data["id"]
    hook.wait_for_state("job", job, poll_interval=0.1, timeout=30)
    run_body = {
        "projectId": project,
        "compartmentId": comp,
        "jobId": job,
        "freeformTags": {"emulator-duration": "10000000"},
    }
    return [hook.create_job_run(run_body).data["id"] for _ in range(count)]


class Heartbeat:
    """Ticks every ``tick`` seconds on the loop and records how late each tick wakes up."""

    def __init__(self, tick: float = 0.01) -> None:
        self.tick, self.lateness, self._stop = tick, [], asyncio.Event()

    async def run(self) -> None:
        while not self._stop.is_set():
            expected = time.perf_counter() + self.tick
            await asyncio.sleep(self.tick)
            self.lateness.append(time.perf_counter() - expected)

    def stop(self) -> None:
        self._stop.set()


async def run_triggers(
    ids: list[str], poll_interval: float, stagger: float = 0.0
) -> tuple[list, list[asyncio.Task]]:
    """Start one trigger per id; with ``stagger``, spread the starts evenly over that many seconds."""
    from airflow_ds_provider.triggers import DataScienceJobRunTrigger

    async def start(trigger: DataScienceJobRunTrigger, delay: float) -> object:
        await asyncio.sleep(delay)
        return await anext(trigger.run())

    triggers = [DataScienceJobRunTrigger(i, poll_interval=poll_interval) for i in ids]
    step = stagger / len(ids) if ids else 0.0
    return triggers, [asyncio.create_task(start(t, n * step)) for n, t in enumerate(triggers)]


async def stop_triggers(triggers: list, tasks: list[asyncio.Task]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*(t.cleanup() for t in triggers), return_exceptions=True)


def polls_since(base: str, since: float, until: float | None = None) -> list[dict]:
    log = control(base, "GET", "requests?limit=20000")
    assert isinstance(log, list)
    return [
        r
        for r in log
        if r["operation"] == "get_job_run" and r["time"] >= since and (until is None or r["time"] <= until)
    ]


async def wait_all_polled(base: str, ids: list[str], since: float, limit: float) -> float:
    wanted = set(ids)
    started = time.monotonic()
    while True:
        polls = await asyncio.to_thread(polls_since, base, since)
        seen = {r["path"].rsplit("/", 1)[1] for r in polls}
        if wanted <= seen:
            return time.monotonic() - started
        if time.monotonic() - started > limit:
            raise RuntimeError(f"only {len(wanted & seen)} of {len(wanted)} triggers polled")
        await asyncio.sleep(0.5)


async def phase_startup(base: str, ids: list[str]) -> dict:
    control(base, "DELETE", "requests")
    beat = Heartbeat()
    beat_task = asyncio.create_task(beat.run())
    since, cpu0 = time.time(), time.process_time()
    triggers, tasks = await run_triggers(ids, poll_interval=3600)
    wall = await wait_all_polled(base, ids, since, limit=600)
    cpu = time.process_time() - cpu0
    beat.stop()
    await beat_task
    await stop_triggers(triggers, tasks)
    return {
        "triggers": len(ids),
        "wall_s": wall,
        "cpu_per_trigger_ms": cpu / len(ids) * 1000,
        "worst_loop_stall_ms": max(beat.lateness) * 1000,
    }


async def phase_steady(
    base: str, ids: list[str], poll_interval: float, seconds: float, stagger: float, trace: bool
) -> dict:
    control(base, "DELETE", "requests")
    if trace:  # slows every allocation down several times: off for the throughput figures
        tracemalloc.start()
    mem0, rss0 = tracemalloc.get_traced_memory()[0], rss_bytes()
    started = time.time()
    triggers, tasks = await run_triggers(ids, poll_interval, stagger)
    # no log polling while the triggers run: reading the request log costs both processes CPU
    await asyncio.sleep(stagger + poll_interval)
    ramp = time.time() - started
    mem1, rss1 = tracemalloc.get_traced_memory()[0], rss_bytes()
    tracemalloc.stop()

    beat = Heartbeat()
    beat_task = asyncio.create_task(beat.run())
    t0, cpu0 = time.time(), time.process_time()
    await asyncio.sleep(seconds)
    t1, cpu1 = time.time(), time.process_time()
    beat.stop()
    await beat_task
    failed = [t for t in tasks if t.done()]
    await stop_triggers(triggers, tasks)

    polls = [r for r in polls_since(base, t0, t1) if r["path"].rsplit("/", 1)[1] in set(ids)]
    by_run: dict[str, list[float]] = {}
    for r in polls:
        by_run.setdefault(r["path"].rsplit("/", 1)[1], []).append(r["time"])
    from airflow_ds_provider.triggers.lifecycle import POLL_JITTER

    gaps = sorted(b - a for times in by_run.values() for a, b in itertools.pairwise(times))
    # a gap may legitimately reach interval * (1 + jitter); anything beyond that is lateness
    late = [max(0.0, g - poll_interval * (1 + POLL_JITTER)) for g in gaps]
    achieved = len(polls) / (t1 - t0)
    return {
        "triggers": len(ids),
        "poll_interval_s": poll_interval,
        "start_stagger_s": stagger,
        "ramp_up_s": ramp,
        "window_s": t1 - t0,
        "scheduled_polls_per_s": len(ids) / poll_interval,
        "achieved_polls_per_s": achieved,
        "triggers_polled_in_window": len(by_run),
        "errors_in_window": sum(1 for r in polls if r["status"] != 200),
        "triggers_that_gave_up": len(failed),
        "poll_gap_p50_s": statistics.median(gaps) if gaps else None,
        "poll_gap_p99_s": gaps[int(len(gaps) * 0.99)] if gaps else None,
        "poll_gap_max_s": gaps[-1] if gaps else None,
        "poll_lateness_p99_ms": late[int(len(late) * 0.99)] * 1000 if late else None,
        "poll_lateness_max_ms": late[-1] * 1000 if late else None,
        "worst_loop_stall_ms": max(beat.lateness) * 1000,
        "cpu_per_poll_ms": (cpu1 - cpu0) / len(polls) * 1000 if polls else None,
        "cpu_share_of_one_core": (cpu1 - cpu0) / (t1 - t0),
        "tracemalloc_per_trigger_kib": (mem1 - mem0) / len(ids) / 1024 if trace else None,
        "rss_per_trigger_kib": (rss1 - rss0) / len(ids) / 1024,
    }


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--triggers", type=int, default=2000)
    parser.add_argument("--poll-interval", type=float, default=30.0)
    parser.add_argument(
        "--stagger",
        type=float,
        default=None,
        help="spread trigger starts over this many seconds (default: one poll interval; 0: all at once)",
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--sample", type=int, default=50, help="triggers in the start-up phase (0: skip)")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slow)")
    args = parser.parse_args()
    import logging

    logging.getLogger("airflow_ds_provider").setLevel(logging.WARNING)  # keep stdout for the results

    workdir = Path(tempfile.mkdtemp(prefix="bench-triggers-"))
    proc, base, conn = start_emulator(workdir)
    os.environ[CONN_ENV] = conn
    try:
        ids = create_job_runs(args.triggers + args.sample)
        results: dict = {"cores": os.cpu_count(), "load_average": os.getloadavg()}
        if args.sample:
            results["startup"] = asyncio.run(phase_startup(base, ids[args.triggers :]))
        results["steady_state"] = asyncio.run(
            phase_steady(
                base,
                ids[: args.triggers],
                args.poll_interval,
                args.seconds,
                args.poll_interval if args.stagger is None else args.stagger,
                args.tracemalloc,
            )
        )
        results["load_average_after"] = os.getloadavg()
        print(json.dumps(_rounded(results), indent=2))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
