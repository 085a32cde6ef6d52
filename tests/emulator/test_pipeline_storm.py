"""The fault storm over the pipeline operations, sync and async (as tests/client/test_fault_storm.py
does for the seed's): every operation ends ok and the emulator holds exactly what a fault-free run
leaves (no duplicate pipeline, run, artifact or work request). The transient storm (429, 5xx,
dropped connections, commit-then-drop) spares the PUTs, which the client by design does not resend
after an ambiguous failure; the conflict storm (409 IncorrectState/LockConflict on every write)
covers them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator, Iterator
from typing import Any

import pytest

from airflow_ds_provider.client import AsyncDataScienceClient, ClientConfig, DataScienceClient, RetryPolicy
from airflow_ds_provider.emulator import Emulator
from airflow_ds_provider.emulator.faults import CONFLICT_MIX, FaultStorm

from .test_every_operation_pipelines import OPERATIONS

POLICY = RetryPolicy(max_attempts=8, max_seconds=60, base_delay=0.002, max_delay=0.01)
KINDS = ("pipeline", "pipeline_run", "job_run")
Step = tuple[str, dict[str, Any]] | float


@pytest.fixture(scope="module")
def storm_emu(ds_emulator_factory) -> Iterator[Emulator]:
    with ds_emulator_factory.private(manual_clock=True) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def config(storm_emu) -> tuple[ClientConfig, str]:
    ident = storm_emu.create_identity()
    return ClientConfig.from_connection(storm_emu.connection_extra(ident)), ident.compartment_id


def _scenario(comp: str) -> Generator[Step, Any, None]:
    """Every pipeline operation, each using what earlier ones made; a float advances the clock."""
    other = comp.replace("amaaaaaa", "amaaaaab")
    project = yield ("create_project", {"create_project_details": {"compartmentId": comp}})
    steps = [
        {"stepType": "CUSTOM_SCRIPT", "stepName": "prep"},
        {
            "stepType": "CONTAINER",
            "stepName": "box",
            "dependsOn": ["prep"],
            "stepContainerConfigurationDetails": {
                "containerType": "OCIR_CONTAINER",
                "image": "ocir.io/n/i:1",
            },
        },
    ]
    body = {"projectId": project.data["id"], "compartmentId": comp, "stepDetails": steps}
    pid = (yield ("create_pipeline", {"create_pipeline_details": body})).data["id"]
    yield (
        "create_step_artifact",
        {"pipeline_id": pid, "step_name": "prep", "step_artifact": b"print(1)\n" * 64},
    )
    yield 1.0
    yield ("get_pipeline", {"pipeline_id": pid})
    yield ("head_step_artifact", {"pipeline_id": pid, "step_name": "prep"})
    yield ("get_step_artifact_content", {"pipeline_id": pid, "step_name": "prep"})
    yield ("list_pipelines", {"compartment_id": comp})
    yield ("update_pipeline", {"pipeline_id": pid, "update_pipeline_details": {"description": "d"}})
    run_body = {"compartmentId": comp, "pipelineId": pid}
    rid = (yield ("create_pipeline_run", {"create_pipeline_run_details": run_body})).data["id"]
    spare = (yield ("create_pipeline_run", {"create_pipeline_run_details": run_body})).data["id"]
    yield ("get_pipeline_run", {"pipeline_run_id": rid})
    yield ("list_pipeline_runs", {"compartment_id": comp, "pipeline_id": pid})
    yield (
        "update_pipeline_run",
        {"pipeline_run_id": rid, "update_pipeline_run_details": {"displayName": "r"}},
    )
    yield ("cancel_pipeline_run", {"pipeline_run_id": spare})
    yield 30.0
    move = {"compartmentId": other}
    yield (
        "change_pipeline_run_compartment",
        {"pipeline_run_id": rid, "change_pipeline_run_compartment_details": move},
    )
    yield ("change_pipeline_compartment", {"pipeline_id": pid, "change_pipeline_compartment_details": move})
    yield ("delete_pipeline_run", {"pipeline_run_id": spare})
    yield 5.0
    yield ("delete_pipeline", {"pipeline_id": pid, "delete_related_pipeline_runs": "true"})
    yield 5.0


def _footprint(emu: Emulator, ok: list[str]) -> tuple[Any, ...]:
    work = Counter(w["operationType"] for w in emu.list("work_request"))
    states = tuple(sorted(Counter((k, r["lifecycleState"]) for k in KINDS for r in emu.list(k)).items()))
    return (frozenset(ok) & OPERATIONS, states, tuple(sorted(work.items())), len(emu.store.artifacts))


def _run_sync(emu: Emulator, config: ClientConfig, comp: str) -> tuple[Any, ...]:
    ok: list[str] = []
    with DataScienceClient(config, retry_policy=POLICY) as client:
        flow, response = _scenario(comp), None
        for _ in range(100):
            try:
                step = flow.send(response)
            except StopIteration:
                return _footprint(emu, ok)
            if isinstance(step, float):
                emu.advance(step)
                response = None
                continue
            response = client.call(step[0], **step[1])
            ok.append(step[0])
    raise AssertionError("the scenario did not end")


async def _run_async(emu: Emulator, config: ClientConfig, comp: str) -> tuple[Any, ...]:
    ok: list[str] = []
    async with AsyncDataScienceClient(config, retry_policy=POLICY) as client:
        flow, response = _scenario(comp), None
        for _ in range(100):
            try:
                step = flow.send(response)
            except StopIteration:
                return _footprint(emu, ok)
            if isinstance(step, float):
                emu.advance(step)
                response = None
                continue
            response = await client.call(step[0], **step[1])
            ok.append(step[0])
    raise AssertionError("the scenario did not end")


@pytest.fixture(scope="module")
def baseline(storm_emu, config) -> tuple[Any, ...]:
    storm_emu.reset()
    footprint = _run_sync(storm_emu, *config)
    assert footprint[0] == OPERATIONS
    return footprint


def _storm(kind: str, seed: int) -> FaultStorm:
    if kind == "transient":
        # not PUT: the updates are not retried after an ambiguous 5xx (the SDK's default), so a
        # 5xx there fails the call by design; the conflict storm covers them
        return FaultStorm(rate=0.25, burst=(1, 3), seed=seed, methods=("GET", "HEAD", "POST", "DELETE"))
    return FaultStorm(rate=1.0, burst=(1, 3), seed=seed, mix=CONFLICT_MIX, methods=("POST", "PUT", "DELETE"))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("kind", ["transient", "conflict"])
def test_sync_client_weathers_the_storm(storm_emu, config, baseline, kind, seed) -> None:
    storm_emu.reset()
    storm = storm_emu.faults.add(_storm(kind, seed))
    assert _run_sync(storm_emu, *config) == baseline
    assert storm.calls_hit > 0


@pytest.mark.parametrize("seed", [4, 5])
@pytest.mark.parametrize("kind", ["transient", "conflict"])
async def test_async_client_weathers_the_storm(storm_emu, config, baseline, kind, seed) -> None:
    storm_emu.reset()
    storm = storm_emu.faults.add(_storm(kind, seed))
    assert await _run_async(storm_emu, *config) == baseline
    assert storm.calls_hit > 0


def test_the_storm_reaches_commit_then_drop_of_pipeline_writes(storm_emu, config, baseline) -> None:
    """Over some seeds, answers of pipeline writes are lost after the service acted on them."""
    dropped: Counter = Counter()
    for seed in range(10, 16):
        storm_emu.reset()
        storm = storm_emu.faults.add(_storm("transient", seed))
        assert _run_sync(storm_emu, *config) == baseline
        dropped.update(storm.injected)
    assert dropped["commit_then_drop"] > 0 and dropped["drop"] > 0
