"""The naive wait loop, for comparison: ``asyncio.to_thread(client.get_job_run)`` with one shared
client of Oracle's ``oci`` SDK, one coroutine per wait, all on one event loop.

Run by ``bench_triggers.py`` with the Python of a throwaway virtual environment that has the
``oci`` SDK (the SDK is never a dependency of the package or its tests); it imports nothing of
this package. Prints one JSON object: the measurement window, the CPU spent in it, the resident
memory per wait and the worst event-loop stall; the polls themselves are counted from the
emulator's request log by the caller, exactly as for the triggers.

    python naive_sdk_loop.py --connection-file conn.json --ids-file ids.json --poll-interval 20 --window 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path

JITTER = 0.1  # the triggers' POLL_JITTER


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def sdk_client(extra: dict):
    import oci

    config = {
        "tenancy": extra["tenancy"],
        "user": extra["user"],
        "fingerprint": extra["fingerprint"],
        "key_content": extra["private_key"],
        "region": extra["region"],
    }
    return oci.data_science.DataScienceClient(config, service_endpoint=extra["endpoint"])


async def wait_loop(client, run_id: str, interval: float, errors: list[int]) -> None:
    await asyncio.sleep(random.uniform(0, interval))  # the same first-poll spread as the triggers
    while True:
        try:
            state = (await asyncio.to_thread(client.get_job_run, run_id)).data.lifecycle_state
            if state in ("SUCCEEDED", "FAILED", "CANCELED"):
                return
        except Exception:
            errors[0] += 1
        await asyncio.sleep(interval * random.uniform(1 - JITTER, 1 + JITTER))


async def heartbeat(stop: asyncio.Event, worst: list[float], tick: float = 0.01) -> None:
    while not stop.is_set():
        expected = time.perf_counter() + tick
        await asyncio.sleep(tick)
        worst[0] = max(worst[0], time.perf_counter() - expected)


async def main_async(args: argparse.Namespace) -> dict:
    extra = json.loads(Path(args.connection_file).read_text())["extra"]
    ids = json.loads(Path(args.ids_file).read_text())
    client = sdk_client(extra)
    errors = [0]
    rss0 = rss_bytes()
    tasks = [asyncio.create_task(wait_loop(client, i, args.poll_interval, errors)) for i in ids]
    await asyncio.sleep(args.poll_interval * (1 + JITTER) + 2)  # every wait has polled
    rss1 = rss_bytes()
    stop, worst = asyncio.Event(), [0.0]
    beat = asyncio.create_task(heartbeat(stop, worst))
    t0, cpu0, err0 = time.time(), time.process_time(), errors[0]
    await asyncio.sleep(args.window)
    t1, cpu1 = time.time(), time.process_time()
    stop.set()
    await beat
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "window_start": t0,
        "window_end": t1,
        "cpu_s": cpu1 - cpu0,
        "rss_per_wait_kib": (rss1 - rss0) / len(ids) / 1024,
        "worst_loop_stall_ms": worst[0] * 1000,
        "client_errors_in_window": errors[0] - err0,
        "waits_that_ended": sum(1 for t in tasks if t.done() and not t.cancelled()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connection-file", required=True)
    parser.add_argument("--ids-file", required=True)
    parser.add_argument("--poll-interval", type=float, required=True)
    parser.add_argument("--window", type=float, required=True)
    args = parser.parse_args()
    try:
        import oci  # noqa: F401
    except ImportError:
        print(json.dumps({"skipped": f"the oci SDK is not installed for {sys.executable}"}))
        return
    print(json.dumps(asyncio.run(main_async(args))))


if __name__ == "__main__":
    main()
