"""The platform operations through seeded fault storms (transient faults, and 409s on every write):
every call ends ok and the emulator holds exactly what a fault-free run leaves (no duplicate
schedule, endpoint, compute target, scheduled run or work request)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from airflow_ds_provider.client import AsyncDataScienceClient, ClientConfig, DataScienceClient, RetryPolicy
from airflow_ds_provider.emulator.faults import CONFLICT_MIX, FaultStorm

from .platform_world import HOURLY, SUBNET

POLICY = RetryPolicy(max_attempts=8, max_seconds=60, base_delay=0.002, max_delay=0.01)
KINDS = ("schedule", "data_science_private_endpoint", "compute_target", "job_run")


def _scenario(comp: str, other: str):
    """(operation, arguments) steps, or seconds to advance; sent each answer's data."""
    pid = (yield ("create_project", {"create_project_details": {"compartmentId": comp}}))["id"]
    job = {
        "projectId": pid,
        "compartmentId": comp,
        "jobConfigurationDetails": {"jobType": "DEFAULT"},
        "jobInfrastructureConfigurationDetails": {
            "jobInfrastructureType": "ME_STANDALONE",
            "shapeName": "VM.Standard.E4.Flex",
            "blockStorageSizeInGBs": 50,
        },
    }
    jid = (yield ("create_job", {"create_job_details": job}))["id"]
    yield 5
    run = {"projectId": pid, "compartmentId": comp, "jobId": jid}
    action = {
        "actionType": "HTTP",
        "actionDetails": {"httpActionType": "CREATE_JOB_RUN", "createJobRunDetails": run},
    }
    body = {"displayName": "s", "projectId": pid, "compartmentId": comp, "trigger": HOURLY, "action": action}
    sid = (yield ("create_schedule", {"create_schedule_details": body}))["id"]
    yield 5
    yield ("update_schedule", {"schedule_id": sid, "update_schedule_details": {"description": "d"}})
    yield 5
    yield ("deactivate_schedule", {"schedule_id": sid})
    yield 5
    yield ("activate_schedule", {"schedule_id": sid})
    yield 5
    move = {"compartmentId": other}
    yield ("change_schedule_compartment", {"schedule_id": sid, "change_schedule_compartment_details": move})
    yield 3600
    yield ("list_schedules", {"compartment_id": other})
    yield ("delete_schedule", {"schedule_id": sid})
    yield 5
    endpoint = {"compartmentId": comp, "subnetId": SUBNET, "dataScienceResourceType": "MODEL_DEPLOYMENT"}
    pe = (
        yield (
            "create_data_science_private_endpoint",
            {"create_data_science_private_endpoint_details": endpoint},
        )
    )["id"]
    yield 5
    change = {
        "data_science_private_endpoint_id": pe,
        "update_data_science_private_endpoint_details": {"description": "d"},
    }
    yield ("update_data_science_private_endpoint", change)
    yield 5
    yield (
        "change_data_science_private_endpoint_compartment",
        {
            "data_science_private_endpoint_id": pe,
            "change_data_science_private_endpoint_compartment_details": move,
        },
    )
    yield 5
    yield ("delete_data_science_private_endpoint", {"data_science_private_endpoint_id": pe})
    yield 5
    config = {
        "computeType": "MANAGED_COMPUTE_CLUSTER",
        "instanceConfiguration": {"instanceShape": "VM.GPU.A10.1"},
    }
    target = {"compartmentId": comp, "computeConfigurationDetails": config}
    ct = (yield ("create_compute_target", {"create_compute_target_details": target}))["id"]
    yield 5
    yield (
        "update_compute_target",
        {"compute_target_id": ct, "update_compute_target_details": {"description": "d"}},
    )
    yield 5
    yield (
        "change_compute_target_compartment",
        {"compute_target_id": ct, "change_compute_target_compartment_details": move},
    )
    yield ("delete_compute_target", {"compute_target_id": ct})
    yield 5
    yield ("list_compute_target_shapes", {"compartment_id": comp})
    yield ("list_containers", {})


def _footprint(emu) -> tuple[Any, ...]:
    resources = tuple((kind, len(emu.list(kind))) for kind in KINDS)
    work = Counter(w["operationType"] for w in emu.list("work_request"))
    return resources, tuple(sorted(work.items()))


def _run_sync(client, emu, comp: str, other: str) -> tuple[Any, ...]:
    flow, answer = _scenario(comp, other), None
    try:
        while True:
            step = flow.send(answer)
            if isinstance(step, int):
                emu.advance(step)
                answer = None
            else:
                answer = client.call(step[0], **step[1]).data
    except StopIteration:
        return _footprint(emu)


async def _run_async(client, emu, comp: str, other: str) -> tuple[Any, ...]:
    flow, answer = _scenario(comp, other), None
    try:
        while True:
            step = flow.send(answer)
            if isinstance(step, int):
                emu.advance(step)
                answer = None
            else:
                answer = (await client.call(step[0], **step[1])).data
    except StopIteration:
        return _footprint(emu)


@pytest.fixture
def setup(emu, ident):
    config = ClientConfig.from_connection(emu.connection_extra(ident))
    comp = ident.compartment_id
    with DataScienceClient(config, retry_policy=POLICY) as client:
        baseline = _run_sync(client, emu, comp, comp.replace("amaaaaaa", "amaaaaab"))
    assert dict(baseline[0])["job_run"] == 1  # the schedule started its one due run
    emu.reset()
    return config, comp, baseline


def _storm(kind: str, seed: int) -> FaultStorm:
    if kind == "transient":
        return FaultStorm(rate=0.3, burst=(1, 3), seed=seed)
    if kind == "lost_answers":  # every write is done, then its answer lost, once or twice
        mix = (("commit_then_drop", 503, None),)
        return FaultStorm(rate=1.0, burst=(1, 2), seed=seed, mix=mix, methods=("POST", "PUT", "DELETE"))
    return FaultStorm(rate=1.0, burst=(1, 3), seed=seed, mix=CONFLICT_MIX, methods=("POST", "PUT", "DELETE"))


@pytest.mark.parametrize("seed", (0, 1, 2))
@pytest.mark.parametrize("kind", ["transient", "conflict", "lost_answers"])
def test_sync_client_weathers_the_storm(emu, setup, kind, seed) -> None:
    config, comp, baseline = setup
    storm = emu.faults.add(_storm(kind, seed))
    with DataScienceClient(config, retry_policy=POLICY) as client:
        assert _run_sync(client, emu, comp, comp.replace("amaaaaaa", "amaaaaab")) == baseline
    assert storm.calls_hit > 0


@pytest.mark.parametrize("kind", ["transient", "conflict"])
async def test_async_client_weathers_the_storm(emu, setup, kind) -> None:
    config, comp, baseline = setup
    storm = emu.faults.add(_storm(kind, 3))
    async with AsyncDataScienceClient(config, retry_policy=POLICY) as client:
        assert await _run_async(client, emu, comp, comp.replace("amaaaaaa", "amaaaaab")) == baseline
    assert storm.calls_hit > 0
