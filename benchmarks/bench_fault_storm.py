"""The fault storm over many seeds: all 61 operations, sync and async clients, against the emulator.

Run: ``python benchmarks/bench_fault_storm.py [--seeds 200] [--rate 0.25] [--burst 1 3]
[--storm transient|conflict|both]``.

Each seed runs the 61-operation scenario of ``tests/client/storm_scenario.py`` twice per client
(sync and async): once in a transient storm (a ``rate`` share of the logical calls hit by a
burst of faults drawn from 429, 500, 502, 503, 504, a dropped connection and commit-then-drop)
and once in a 409 storm (every write answered 1-3 times with ``IncorrectState`` or
``LockConflict``). A run is ok when all 61 operations succeed and the emulator holds exactly what
a fault-free run leaves (0 duplicate resources or work requests). Prints one table row per storm.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "client"))

import storm_scenario as sc

from airflow_ds_provider.client import (
    AsyncDataScienceClient,
    ClientConfig,
    DataScienceClient,
    RetryPolicy,
)
from airflow_ds_provider.emulator import Emulator
from airflow_ds_provider.emulator.faults import CONFLICT_MIX, FaultStorm

POLICY = RetryPolicy(max_attempts=8, max_seconds=60, base_delay=0.002, max_delay=0.01)


def _storm(kind: str, seed: int, rate: float, burst: tuple[int, int]) -> FaultStorm:
    if kind == "transient":
        return FaultStorm(rate=rate, burst=burst, seed=seed)
    return FaultStorm(rate=1.0, burst=(1, 3), seed=seed, mix=CONFLICT_MIX, methods=("POST", "PUT", "DELETE"))


def _run(emu: Emulator, config: ClientConfig, comps: tuple[str, str], mode: str) -> sc.Outcome:
    if mode == "sync":
        with DataScienceClient(config, retry_policy=POLICY) as client:
            return sc.run_sync(client, emu, *comps)

    async def run() -> sc.Outcome:
        async with AsyncDataScienceClient(config, retry_policy=POLICY) as client:
            return await sc.run_async(client, emu, *comps)

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--rate", type=float, default=0.25)
    parser.add_argument("--burst", type=int, nargs=2, default=(1, 3))
    parser.add_argument("--storm", choices=("transient", "conflict", "both"), default="both")
    args = parser.parse_args()
    logging.getLogger("airflow_ds_provider.client").setLevel(logging.ERROR)
    burst = (args.burst[0], args.burst[1])
    with Emulator(manual_clock=True) as emu:
        ident = emu.create_identity()
        comps = (ident.compartment_id, ident.compartment_id.replace("amaaaaaa", "amaaaaab"))
        config = ClientConfig.from_connection(emu.connection_extra(ident))
        emu.reset()
        baseline = _run(emu, config, comps, "sync")
        assert not baseline.failed and baseline.operations_ok == 61, baseline.failed
        print(
            f"storm over 61 operations, {args.seeds} seeds, transient rate {args.rate:.0%} burst "
            f"{burst[0]}-{burst[1]}; 409 storm: every write, burst 1-3"
        )
        header = (
            "| storm | client | runs | runs with 61/61 ok | duplicates | faults injected | calls hit "
            "| answers judged by a read | s per run (median) |"
        )
        print(header)
        print("|" + "---|" * 9)
        for kind in ("transient", "conflict") if args.storm == "both" else (args.storm,):
            for mode in ("sync", "async"):
                full = dupes = judged = hit = 0
                injected: Counter = Counter()
                failures: list[str] = []
                times: list[float] = []
                for seed in range(args.seeds):
                    emu.reset()
                    storm = emu.faults.add(_storm(kind, seed, args.rate, burst))
                    start = time.perf_counter()
                    outcome = _run(emu, config, comps, mode)
                    times.append(time.perf_counter() - start)
                    full += outcome.operations_ok == 61 and not outcome.failed
                    dupes += outcome.footprint() != baseline.footprint() and not outcome.failed
                    judged += len(outcome.recovered)
                    hit += storm.calls_hit
                    injected.update(storm.injected)
                    failures += [f"seed {seed}: {op}: {err}" for op, err in outcome.failed.items()]
                print(
                    f"| {kind} | {mode} | {args.seeds} | {full}/{args.seeds} | {dupes} | "
                    f"{sum(injected.values())} | {hit} | {judged} | {statistics.median(times):.2f} |"
                )
                for line in failures[:5]:
                    print("   ", line)
                if kind == "transient" and mode == "sync":
                    print("    faults by kind:", dict(sorted(injected.items())))


if __name__ == "__main__":
    main()
