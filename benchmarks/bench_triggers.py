"""Thousands of concurrent job-run waits in one process, polling the emulator: the provider's
triggers against the naive shared-SDK loop, in one run.

The emulator runs as its own process (``python -m airflow_ds_provider.emulator``); both sides poll
it, one after the other, for the same job runs (``GET /jobRuns/{id}``, RSA-signed):

* **triggers**: ``DataScienceJobRunTrigger.run()`` coroutines on one event loop, as the triggerer
  runs them (the hook's async connection API, env-var connection; they share one async client);
* **naive**: ``asyncio.to_thread(client.get_job_run)`` with one shared client of Oracle's ``oci``
  SDK (``naive_sdk_loop.py``), run with ``--sdk-python``, the Python of a throwaway virtual
  environment that has the SDK. Without it (or without the SDK there) that side is reported as
  skipped.

For each ``--scales`` entry ``waits:interval`` both sides start all their waits at once (the first
reads spread over one interval), wait one interval for the ramp, then measure a window of
``--window-factor`` intervals: polls achieved vs scheduled and the share of polls on time (from
the emulator's request log: a gap between two reads of one run of at most ``interval * 1.1 +
ON_TIME_SLACK``), the worst event-loop stall (a 10 ms heartbeat on the same loop), process CPU
per poll (all threads) and resident memory per wait. A start-up phase re-creates
``--startup`` triggers from their ``serialize()`` output, as after a triggerer restart, and
measures the CPU until all of them hold a client and until all have polled once. The raw cost of
one RSA-2048 signature (``cryptography``) is measured on the same machine for scale.

    python benchmarks/bench_triggers.py --scales 100:2,1000:20,10000:90 \
        --sdk-python /tmp/bench-oci-venv/bin/python
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HOME = Path(tempfile.mkdtemp(prefix="bench-triggers-airflow-"))
os.environ.setdefault("AIRFLOW_HOME", str(HOME))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{HOME / 'airflow.db'}")

CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"
NAIVE = Path(__file__).with_name("naive_sdk_loop.py")
JITTER = 0.1
#: A poll is on time when it follows the previous read of its run within interval * 1.1 + this.
ON_TIME_SLACK = 1.0


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


def create_job_runs(count: int, threads: int = 4) -> list[str]:
    """``count`` long job runs (created by ``threads`` sync hooks in parallel)."""
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

    def batch(n: int) -> list[str]:
        own = DataScienceHook()
        return [own.create_job_run(run_body).data["id"] for _ in range(n)]

    sizes = [count // threads + (1 if k < count % threads else 0) for k in range(threads)]
    with ThreadPoolExecutor(threads) as pool:
        return [i for part in pool.map(batch, sizes) for i in part]


def raw_sign_ms(pem: str, rounds: int = 300) -> float:
    """CPU (ms) of one RSA-2048 PKCS#1 v1.5 SHA-256 signature of a signing string's size."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    key = serialization.load_pem_private_key(pem.encode(), None)
    message = b"x" * 200
    cpu = time.process_time()
    for _ in range(rounds):
        key.sign(message, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
    return (time.process_time() - cpu) / rounds * 1000


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


def read_log(base: str) -> list[dict]:
    log = control(base, "GET", "requests?limit=20000")
    assert isinstance(log, list)
    return [r for r in log if r["operation"] == "get_job_run"]


def poll_stats(log: list[dict], ids: list[str], interval: float, t0: float, t1: float) -> dict:
    """Polls of ``ids`` answered in ``[t0, t1]``: rate, gaps, share on time, errors."""
    wanted = set(ids)
    by_run: dict[str, list[float]] = {}
    errors = 0
    for r in log:
        run = r["path"].rsplit("/", 1)[1]
        if run in wanted and t0 <= r["time"] <= t1:
            by_run.setdefault(run, []).append(r["time"])
            errors += r["status"] != 200
    polls = sum(len(v) for v in by_run.values())
    gaps = sorted(b - a for times in by_run.values() for a, b in itertools.pairwise(times))
    bound = interval * (1 + JITTER) + ON_TIME_SLACK
    return {
        "polls": polls,
        "scheduled_polls_per_s": len(ids) / interval,
        "achieved_polls_per_s": polls / (t1 - t0),
        "waits_polled": len(by_run),
        "errors": errors,
        "on_time_pct": 100.0 * sum(1 for g in gaps if g <= bound) / len(gaps) if gaps else None,
        "poll_gap_p99_s": gaps[int(len(gaps) * 0.99)] if gaps else None,
        "poll_gap_max_s": gaps[-1] if gaps else None,
    }


async def run_ours(ids: list[str], interval: float, window: float) -> dict:
    """The triggers' side: all start at once, one interval of ramp, then the window."""
    from airflow_ds_provider.triggers import DataScienceJobRunTrigger

    rss0 = rss_bytes()
    triggers = [DataScienceJobRunTrigger(i, poll_interval=interval) for i in ids]
    tasks = [asyncio.create_task(anext(t.run())) for t in triggers]
    await asyncio.sleep(interval * (1 + JITTER) + 2)
    rss1 = rss_bytes()
    beat = Heartbeat()
    beat_task = asyncio.create_task(beat.run())
    t0, cpu0 = time.time(), time.process_time()
    await asyncio.sleep(window)
    t1, cpu1 = time.time(), time.process_time()
    beat.stop()
    await beat_task
    ended = sum(1 for t in tasks if t.done())
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*(t.cleanup() for t in triggers))
    return {
        "window_start": t0,
        "window_end": t1,
        "cpu_s": cpu1 - cpu0,
        "rss_per_wait_kib": (rss1 - rss0) / len(ids) / 1024,
        "worst_loop_stall_ms": max(beat.lateness) * 1000,
        "waits_that_ended": ended,
    }


def run_naive(sdk_python: str | None, workdir: Path, ids: list[str], interval: float, window: float) -> dict:
    """The naive side, in its own process (the SDK's Python)."""
    if not sdk_python:
        return {"skipped": "no --sdk-python given (a Python with the oci SDK installed)"}
    ids_file = workdir / f"ids-{len(ids)}.json"
    ids_file.write_text(json.dumps(ids))
    out = subprocess.run(
        [
            sdk_python,
            str(NAIVE),
            "--connection-file",
            str(workdir / "conn.json"),
            "--ids-file",
            str(ids_file),
            "--poll-interval",
            str(interval),
            "--window",
            str(window),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    if out.returncode != 0:
        return {"skipped": f"the naive loop failed: {out.stderr.strip().splitlines()[-1:]}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def summarize(side: dict, stats: dict) -> dict:
    merged = {**side, **stats}
    merged["cpu_per_poll_ms"] = side["cpu_s"] / stats["polls"] * 1000 if stats["polls"] else None
    merged["cpu_share_of_one_core"] = side["cpu_s"] / (side["window_end"] - side["window_start"])
    return merged


def scale(base: str, workdir: Path, ids: list[str], interval: float, factor: float, sdk: str | None) -> dict:
    window = max(10.0, interval * factor)
    result: dict = {"waits": len(ids), "poll_interval_s": interval, "window_s": window}
    control(base, "DELETE", "requests")
    ours = asyncio.run(run_ours(ids, interval, window))
    result["triggers"] = summarize(
        ours, poll_stats(read_log(base), ids, interval, ours["window_start"], ours["window_end"])
    )
    control(base, "DELETE", "requests")
    naive = run_naive(sdk, workdir, ids, interval, window)
    if "skipped" in naive:
        result["naive"] = naive
    else:
        stats = poll_stats(read_log(base), ids, interval, naive["window_start"], naive["window_end"])
        result["naive"] = summarize(naive, stats)
    return result


async def startup(base: str, ids: list[str], interval: float) -> dict:
    """Triggers re-created from ``serialize()`` (a triggerer restart), all started at once."""
    import importlib

    from airflow_ds_provider.client.shared_clients import pool_for_loop
    from airflow_ds_provider.triggers import DataScienceJobRunTrigger

    stored = [DataScienceJobRunTrigger(i, poll_interval=interval).serialize() for i in ids]
    control(base, "DELETE", "requests")
    beat = Heartbeat()
    beat_task = asyncio.create_task(beat.run())
    since, cpu0 = time.time(), time.process_time()
    triggers = []
    for classpath, kwargs in stored:
        module, _, name = classpath.rpartition(".")
        triggers.append(getattr(importlib.import_module(module), name)(**kwargs))
    tasks = [asyncio.create_task(anext(t.run())) for t in triggers]
    while not all(t._lease is not None for t in triggers):
        await asyncio.sleep(0.01)
    cpu_leased = time.process_time() - cpu0
    wanted = set(ids)
    while True:
        await asyncio.sleep(1.0)
        seen = {
            r["path"].rsplit("/", 1)[1] for r in await asyncio.to_thread(read_log, base) if r["time"] >= since
        }
        if wanted <= seen:
            break
    cpu_polled = time.process_time() - cpu0
    wall = time.time() - since
    beat.stop()
    await beat_task
    builds = pool_for_loop().builds
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*(t.cleanup() for t in triggers))
    return {
        "triggers": len(ids),
        "poll_interval_s": interval,
        "clients_built": builds,
        "cpu_until_all_hold_a_client_s": cpu_leased,
        "cpu_until_all_polled_once_s": cpu_polled,
        "wall_until_all_polled_once_s": wall,
        "worst_loop_stall_ms": max(beat.lateness) * 1000,
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
    parser.add_argument(
        "--scales", default="100:2,1000:20", help="waits:poll-interval pairs, comma-separated"
    )
    parser.add_argument("--window-factor", type=float, default=1.2, help="measurement window in intervals")
    parser.add_argument("--startup", type=int, default=2000, help="triggers in the restart phase (0: skip)")
    parser.add_argument("--startup-interval", type=float, default=10.0)
    parser.add_argument("--sdk-python", help="a Python with the oci SDK, for the naive side")
    parser.add_argument("--out", type=Path, help="also write the JSON results to this file")
    args = parser.parse_args()
    import logging

    logging.getLogger("airflow_ds_provider").setLevel(logging.WARNING)  # keep stdout for the results
    scales = [(int(w), float(i)) for w, i in (pair.split(":") for pair in args.scales.split(","))]
    workdir = Path(tempfile.mkdtemp(prefix="bench-triggers-"))
    proc, base, conn = start_emulator(workdir)
    os.environ[CONN_ENV] = conn
    try:
        ids = create_job_runs(max([w for w, _ in scales] + [args.startup]))
        results: dict = {
            "cores": os.cpu_count(),
            "load_average": os.getloadavg(),
            "raw_rsa_sign_ms": raw_sign_ms(json.loads(conn)["extra"]["private_key"]),
            "scales": [],
        }
        if args.startup:
            results["startup"] = asyncio.run(startup(base, ids[: args.startup], args.startup_interval))
        for waits, interval in scales:
            results["scales"].append(
                scale(base, workdir, ids[:waits], interval, args.window_factor, args.sdk_python)
            )
            print(json.dumps(_rounded(results["scales"][-1])), file=sys.stderr)
        results["load_average_after"] = os.getloadavg()
        text = json.dumps(_rounded(results), indent=2)
        if args.out:
            args.out.write_text(text)
        print(text)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
