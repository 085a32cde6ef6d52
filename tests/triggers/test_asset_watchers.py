"""DataScienceRunCompletedTrigger against the emulator: one event per run, checkpointed.

The asset state store stands in for the one the Airflow 3.3 triggerer injects (an object with
``aget``/``aset``); the trigger's restarts are new instances sharing it, as a new triggerer
gets the same store from the metadata database. The full triggerer path (SIGKILL, restart) is
``tests/deployment/test_assets_e2e.py``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from airflow_ds_provider._compat import has_asset_state_store
from airflow_ds_provider.triggers.asset_watchers import CHECKPOINT_KEY, DataScienceRunCompletedTrigger

needs_store = pytest.mark.skipif(not has_asset_state_store(), reason="asset state store: Airflow 3.3+")


class Store:
    """One asset's state store: a JSON value per key."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.writes = 0

    async def aget(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    async def aset(self, key: str, value: Any) -> None:
        assert value is not None
        self.values[key] = value
        self.writes += 1


def _watcher(world, store: Store, **kwargs: Any) -> DataScienceRunCompletedTrigger:
    trigger = DataScienceRunCompletedTrigger(job_id=world.job, **{"poll_interval": 0.05, **kwargs})
    trigger.asset_state_store = store
    return trigger


async def _next(gen) -> dict[str, Any]:
    return (await asyncio.wait_for(anext(gen), 30)).payload


def _finish(world, run_id: str) -> None:
    world.client.wait_for_state("job_run", run_id, target_states=["SUCCEEDED", "FAILED"], poll_interval=0.02)


async def _baseline(gen, store: Store) -> asyncio.Future:
    """Run the watcher until it has written its first checkpoint."""
    task = asyncio.ensure_future(anext(gen))
    while CHECKPOINT_KEY not in store.values:
        await asyncio.sleep(0.02)
    return task


@needs_store
async def test_reports_each_run_that_ends_once_and_not_the_history(world) -> None:
    old = world.job_run(duration=0)
    _finish(world, old)
    store = Store()
    gen = _watcher(world, store).run()
    pending = await _baseline(gen, store)
    assert store.values[CHECKPOINT_KEY] == [old]  # seen, not reported

    first = world.job_run(duration=1)
    second = world.job_run(duration=2, outcome="FAILED", details="diverged")
    event = (await asyncio.wait_for(pending, 30)).payload
    assert (event["id"], event["state"], event["resource"]) == (first, "SUCCEEDED", "job_run")
    assert event["parent_id"] == world.job and event["time_finished"]
    assert event["console_url"].endswith(f"{first}?region=us-ashburn-1")
    event = await _next(gen)
    assert (event["id"], event["state"], event["lifecycle_details"]) == (second, "FAILED", "diverged")
    # nothing else ends: no third event
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(anext(gen), 1.0)
    await gen.aclose()
    assert sorted(store.values[CHECKPOINT_KEY]) == sorted([old, first, second])


@needs_store
async def test_a_restart_reports_what_ended_while_down_and_repeats_nothing(world) -> None:
    store = Store()
    gen = _watcher(world, store).run()
    pending = await _baseline(gen, store)
    before = world.job_run(duration=0)
    assert (await asyncio.wait_for(pending, 30)).payload["id"] == before
    pending = asyncio.ensure_future(anext(gen))  # the triggerer keeps iterating
    while before not in store.values[CHECKPOINT_KEY]:  # written one poll interval after the event
        await asyncio.sleep(0.02)
    pending.cancel()  # the triggerer stops
    await asyncio.gather(pending, return_exceptions=True)
    while_down = world.job_run(duration=0)
    _finish(world, while_down)

    gen = _watcher(world, store).run()  # a new triggerer, same store
    assert (await _next(gen))["id"] == while_down
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(anext(gen), 1.0)
    await gen.aclose()


@needs_store
async def test_killed_right_after_an_event_reports_it_again_rather_than_missing_it(world) -> None:
    store = Store()
    gen = _watcher(world, store, poll_interval=0.5).run()
    pending = await _baseline(gen, store)
    run = world.job_run(duration=0)
    assert (await asyncio.wait_for(pending, 30)).payload["id"] == run
    pending = asyncio.ensure_future(anext(gen))  # the triggerer goes on, and is killed at once
    await asyncio.sleep(0.1)  # before Airflow has stored the event: no checkpoint of it yet
    assert run not in store.values[CHECKPOINT_KEY]
    pending.cancel()
    await asyncio.gather(pending, return_exceptions=True)

    gen = _watcher(world, store).run()
    assert (await _next(gen))["id"] == run
    await gen.aclose()


async def test_without_a_store_a_new_instance_starts_afresh(world) -> None:
    """Airflow 3.0-3.2 (no asset state store): the checkpoint is in memory."""
    trigger = DataScienceRunCompletedTrigger(job_id=world.job, poll_interval=0.05)
    trigger.asset_state_store = None  # what those versions (and a watcher-less run) give
    gen = trigger.run()
    pending = asyncio.ensure_future(anext(gen))
    while trigger._memory is None:
        await asyncio.sleep(0.02)
    run = world.job_run(duration=0)
    assert (await asyncio.wait_for(pending, 30)).payload["id"] == run
    await gen.aclose()
    ended_while_down = world.job_run(duration=0)
    _finish(world, ended_while_down)

    again = DataScienceRunCompletedTrigger(job_id=world.job, poll_interval=0.05)
    again.asset_state_store = None
    gen = again.run()
    with pytest.raises(TimeoutError):  # neither the old run nor the one that ended while down
        await asyncio.wait_for(anext(gen), 1.0)
    await gen.aclose()
    assert sorted(again._memory) == sorted([run, ended_while_down])


def test_serializes_to_its_own_kwargs(world) -> None:
    trigger = DataScienceRunCompletedTrigger(job_id=world.job, region="us-phoenix-1", poll_interval=30)
    path, kwargs = trigger.serialize()
    assert path == "airflow_ds_provider.triggers.asset_watchers.DataScienceRunCompletedTrigger"
    assert kwargs == {
        "job_id": world.job,
        "compartment_id": None,
        "oci_conn_id": "oci_data_science_default",
        "region": "us-phoenix-1",
        "poll_interval": 30.0,
    }
    assert DataScienceRunCompletedTrigger(**kwargs).serialize() == (path, kwargs)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "job_id / pipeline_id"),
        ({"job_id": "x", "pipeline_id": "y"}, "job_id / pipeline_id"),
        ({"job_id": "ocid1.datasciencepipeline.oc1.iad.x"}, "job_id"),
        ({"pipeline_id": "ocid1.datasciencejob.oc1.iad.x"}, "pipeline_id"),
        ({"job_id": "ocid1.datasciencejob.oc1.iad.x", "poll_interval": 0}, "poll_interval"),
        ({"job_id": "ocid1.datasciencejob.oc1.iad.x", "oci_conn_id": ""}, "oci_conn_id"),
    ],
)
def test_bad_arguments_fail_at_once_naming_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}"):
        DataScienceRunCompletedTrigger(**kwargs)
