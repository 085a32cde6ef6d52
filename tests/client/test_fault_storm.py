"""The fault storm: every operation of the API through a seeded storm, sync and async.

A 25 % share of the logical calls is hit by a burst of 1-3 faults drawn from 429, 500, 502, 503,
504, a dropped connection and commit-then-drop; a second storm answers every write 1-3 times
with 409 ``IncorrectState``/``LockConflict``; a third carries out every write and loses its
answer once or twice. Every operation must end ok and the emulator must
hold exactly what a fault-free run leaves (no duplicate resource, no duplicate work request).
``benchmarks/bench_fault_storm.py`` runs the same scenario over many seeds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import storm_scenario as sc

from airflow_ds_provider.client import AsyncDataScienceClient, ClientConfig, DataScienceClient, RetryPolicy
from airflow_ds_provider.emulator import Emulator
from airflow_ds_provider.emulator.faults import CONFLICT_MIX, FaultStorm
from airflow_ds_provider.spec import operations

#: Small delays keep the run short; the bounds are the defaults' (8 attempts, 4 conflicts).
POLICY = RetryPolicy(max_attempts=8, max_seconds=60, base_delay=0.002, max_delay=0.01)
SEEDS = (0, 1, 2)
WRITES = ("POST", "PUT", "DELETE")


@pytest.fixture(scope="module")
def emu(ds_emulator_factory) -> Iterator[Emulator]:
    with ds_emulator_factory.private(manual_clock=True) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def ident(emu):
    return emu.create_identity()


@pytest.fixture(scope="module")
def config(emu, ident) -> ClientConfig:
    return ClientConfig.from_connection(emu.connection_extra(ident))


def _compartments(ident) -> tuple[str, str]:
    return ident.compartment_id, ident.compartment_id.replace("amaaaaaa", "amaaaaab")


@pytest.fixture(scope="module")
def baseline(emu, ident, config) -> sc.Outcome:
    """A fault-free run: what the emulator holds when nothing is duplicated."""
    emu.reset()
    with DataScienceClient(config, retry_policy=POLICY) as client:
        outcome = sc.run_sync(client, emu, *_compartments(ident))
    assert outcome.failed == {} and set(outcome.ok) == set(operations()), outcome.failed
    assert outcome.recovered == []
    return outcome


def _storm(kind: str, seed: int) -> FaultStorm:
    if kind == "transient":
        return FaultStorm(rate=0.25, burst=(1, 3), seed=seed)
    if kind == "lost_answers":  # every write is carried out, then its answer lost, once or twice
        return FaultStorm(
            rate=1.0, burst=(1, 2), seed=seed, mix=(("commit_then_drop", 503, None),), methods=WRITES
        )
    return FaultStorm(rate=1.0, burst=(1, 3), seed=seed, mix=CONFLICT_MIX, methods=WRITES)


def _check(outcome: sc.Outcome, baseline: sc.Outcome, storm: FaultStorm) -> None:
    assert outcome.failed == {}
    assert outcome.operations_ok == len(operations()) == 178
    assert outcome.footprint() == baseline.footprint()  # 0 duplicates
    assert storm.calls_hit > 0 and sum(storm.injected.values()) >= storm.calls_hit


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["transient", "conflict"])
def test_sync_client_weathers_the_storm(emu, ident, config, baseline, kind, seed) -> None:
    emu.reset()
    storm = emu.faults.add(_storm(kind, seed))
    with DataScienceClient(config, retry_policy=POLICY) as client:
        outcome = sc.run_sync(client, emu, *_compartments(ident))
    _check(outcome, baseline, storm)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["transient", "conflict"])
async def test_async_client_weathers_the_storm(emu, ident, config, baseline, kind, seed) -> None:
    emu.reset()
    storm = emu.faults.add(_storm(kind, seed))
    async with AsyncDataScienceClient(config, retry_policy=POLICY) as client:
        outcome = await sc.run_async(client, emu, *_compartments(ident))
    _check(outcome, baseline, storm)


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_every_write_survives_losing_its_answers(emu, ident, config, baseline, seed) -> None:
    """Every write of the API done and its answer lost, once or twice: each call ends ok and no
    resource or artifact is duplicated. (Work requests are not compared here: an update the
    service's own SDK re-sends, e.g. ``update_model_artifact_signature``, starts a second one.)"""
    emu.reset()
    storm = emu.faults.add(_storm("lost_answers", seed))
    with DataScienceClient(config, retry_policy=POLICY) as client:
        outcome = sc.run_sync(client, emu, *_compartments(ident))
    assert outcome.failed == {}
    assert outcome.operations_ok == len(operations())
    assert (outcome.resources, outcome.artifacts) == (baseline.resources, baseline.artifacts)
    assert storm.calls_hit > 0 and len(outcome.recovered) > 10


def test_storm_reaches_every_kind_of_fault_and_lifecycle_action(emu, ident, config, baseline) -> None:
    """Within a few seeds, the storm hits with every fault kind and the recovery paths are taken."""
    kinds: set[str] = set()
    recovered: set[str] = set()
    everything = {"429", "500", "502", "503", "504", "drop", "commit_then_drop"}
    for seed in range(10, 30):
        if kinds == everything and len(recovered) >= 2:
            break
        emu.reset()
        storm = emu.faults.add(_storm("transient", seed))
        with DataScienceClient(config, retry_policy=POLICY) as client:
            outcome = sc.run_sync(client, emu, *_compartments(ident))
        kinds |= set(storm.injected)
        recovered |= set(outcome.recovered)
        assert outcome.failed == {} and outcome.footprint() == baseline.footprint()
    assert kinds == everything
    assert len(recovered) >= 2  # lost answers of lifecycle actions were judged by a read


def test_storm_is_reproducible_and_validated() -> None:
    first, second = FaultStorm(seed=7), FaultStorm(seed=7)
    draws = [[s.draw(f"call-{i}") for i in range(200) for _ in range(2)] for s in (first, second)]
    assert [(f.kind, f.status) if f else None for f in draws[0]] == [
        (f.kind, f.status) if f else None for f in draws[1]
    ]
    assert 0.15 < first.calls_hit / first.calls_seen < 0.35
    for bad in (
        {"rate": 1.5},
        {"burst": (0, 2)},
        {"burst": (3, 1)},
        {"mix": ()},
        {"mix": (("boom", 500, None),)},
    ):
        with pytest.raises(ValueError):
            FaultStorm(**bad)
