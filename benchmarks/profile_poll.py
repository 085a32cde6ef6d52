"""Where a trigger's steady-state poll spends its CPU: cProfile over many polls.

Starts the emulator in its own process, creates ``--waits`` job runs, runs that many
``DataScienceJobRunTrigger.run()`` coroutines on one event loop (as the triggerer does), lets
them ramp up for two intervals, then profiles ``--seconds`` of steady polling with the process-time
clock and prints the CPU per poll (from the emulator's request log) and the top functions.

    python benchmarks/profile_poll.py --waits 200 --interval 2 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bench_triggers as bench


async def _profile(ids: list[str], interval: float, seconds: float, profiler: cProfile.Profile) -> dict:
    from airflow_ds_provider.triggers import DataScienceJobRunTrigger

    triggers = [DataScienceJobRunTrigger(i, poll_interval=interval) for i in ids]
    tasks = [asyncio.create_task(anext(t.run())) for t in triggers]
    await asyncio.sleep(2 * interval)
    t0, cpu0 = time.time(), time.process_time()
    profiler.enable()
    await asyncio.sleep(seconds)
    profiler.disable()
    t1, cpu1 = time.time(), time.process_time()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*(t.cleanup() for t in triggers))
    return {"t0": t0, "t1": t1, "cpu_s": cpu1 - cpu0}


def main() -> None:
    """Run the profile and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waits", type=int, default=200)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--dump", type=Path, help="also write the raw profile here")
    args = parser.parse_args()
    import logging

    logging.getLogger("airflow_ds_provider").setLevel(logging.WARNING)
    workdir = Path(tempfile.mkdtemp(prefix="profile-poll-"))
    proc, base, conn = bench.start_emulator(workdir)
    os.environ[bench.CONN_ENV] = conn
    try:
        ids = bench.create_job_runs(args.waits)
        profiler = cProfile.Profile(time.process_time)
        run = asyncio.run(_profile(ids, args.interval, args.seconds, profiler))
        polls = bench.poll_stats(bench.read_log(base), ids, args.interval, run["t0"], run["t1"])["polls"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"polls {polls}, CPU {run['cpu_s']:.2f} s, {run['cpu_s'] / max(polls, 1) * 1000:.2f} ms per poll")
    print(f"load average {os.getloadavg()}")
    if args.dump:
        profiler.dump_stats(str(args.dump))
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
