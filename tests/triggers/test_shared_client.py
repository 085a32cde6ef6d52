"""Triggers of one connection share one async client (real ``run()`` on a loop, real HTTP).

What the triggerer does is reproduced with the triggers' own coroutines: ``run()`` as a task,
``cancel()`` + ``cleanup()`` when a trigger is moved or killed, and a trigger re-created from its
``serialize()`` output after a restart.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import time
from typing import Any

from airflow_ds_provider.client.auth import register_auth_type
from airflow_ds_provider.client.auth.keys import parse_private_key
from airflow_ds_provider.client.auth.refreshing import RefreshingCredentials, Token
from airflow_ds_provider.client.shared_clients import pool_for_loop
from airflow_ds_provider.client.signing import SigningKey
from airflow_ds_provider.triggers import DataScienceJobRunTrigger
from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger

FAST = 0.05
OTHER_ENV = "AIRFLOW_CONN_OCI_DS_OTHER"
DEFAULT_KEY = ("oci_data_science_default", None)


def polls(emu, run: str, status: int = 200) -> list[dict]:
    return [
        r
        for r in emu.requests
        if r["operation"] == "get_job_run" and r["path"].endswith(run) and r["status"] == status
    ]


async def until(condition, what: str, limit: float = 30.0) -> None:
    """Wait for ``condition()`` (a bound that only fails a hung test, not a slow one)."""
    stop = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < stop, f"never happened: {what}"
        await asyncio.sleep(0.02)


async def start(*triggers: DataScienceLifecycleTrigger) -> list[asyncio.Task]:
    tasks = [asyncio.create_task(anext(t.run())) for t in triggers]
    await until(lambda: all(t._lease is not None for t in triggers), "every trigger took a lease")
    return tasks


async def stop(tasks: list[asyncio.Task], triggers: list[DataScienceLifecycleTrigger]) -> None:
    """What the triggerer does to a trigger it drops: cancel run(), then cleanup()."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for trigger in triggers:
        await trigger.cleanup()


async def test_triggers_of_one_connection_share_one_client_and_the_last_closes_it(
    world, emu, conn, monkeypatch
) -> None:
    monkeypatch.setenv(OTHER_ENV, json.dumps({"conn_type": "oci_data_science", "extra": conn}))
    runs = [world.job_run(duration=10_000) for _ in range(3)]
    a = DataScienceJobRunTrigger(runs[0], poll_interval=FAST)
    b = DataScienceJobRunTrigger(runs[1], poll_interval=FAST)
    other = DataScienceJobRunTrigger(runs[2], poll_interval=FAST, oci_conn_id="oci_ds_other")
    tasks = await start(a, b, other)
    await until(lambda: all(polls(emu, r) for r in runs), "all three polled")

    shared = a._lease.peek()
    assert b._lease.peek() is shared
    assert other._lease.peek() is not shared  # another connection: another client
    pool = pool_for_loop()
    assert pool.users(DEFAULT_KEY) == 2 and pool.users(("oci_ds_other", None)) == 1
    assert pool.builds == 2  # one client per connection, built once

    await stop(tasks[:1], [a])
    assert a._lease is None and not shared.http.is_closed  # b still uses it
    assert pool.users(DEFAULT_KEY) == 1
    await stop(tasks[1:], [b, other])
    assert shared.http.is_closed  # its last user went
    assert pool.users(DEFAULT_KEY) == 0


async def test_a_trigger_started_after_the_connection_changed_gets_a_new_client_and_the_others_follow(
    world, emu, conn, monkeypatch
) -> None:
    runs = [world.job_run(duration=10_000) for _ in range(2)]
    old = DataScienceJobRunTrigger(runs[0], poll_interval=FAST)
    tasks = await start(old)
    await until(lambda: polls(emu, runs[0]), "the first trigger polled")
    first = old._lease.peek()

    pool_for_loop().recheck_seconds = 0.0  # the next acquire reads the connection again
    changed = {**conn, "max_attempts": "5"}
    monkeypatch.setenv("AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT", json.dumps({"extra": changed}))
    new = DataScienceJobRunTrigger(runs[1], poll_interval=FAST)
    tasks += await start(new)
    second = new._lease.peek()
    assert second is not first and second.config.max_attempts == 5
    # the first trigger moves to the new client on its next poll; the old one is then closed
    await until(lambda: old._lease.peek() is second, "the running trigger moved to the new client")
    await until(lambda: first.http.is_closed, "the replaced client was closed")
    n = len(polls(emu, runs[0]))
    await until(lambda: len(polls(emu, runs[0])) > n, "the moved trigger polls on")
    await stop(tasks, [old, new])
    assert second.http.is_closed


async def test_a_running_trigger_notices_a_connection_change_by_itself(world, emu, conn, monkeypatch) -> None:
    run = world.job_run(duration=10_000)
    trigger = DataScienceJobRunTrigger(run, poll_interval=FAST)
    tasks = await start(trigger)
    await until(lambda: polls(emu, run), "polled")
    first = trigger._lease.peek()
    pool_for_loop().recheck_seconds = 0.0  # re-read the connection before every poll
    n = len(polls(emu, run))
    await until(lambda: len(polls(emu, run)) > n + 2, "polls on")
    assert trigger._lease.peek() is first  # unchanged connection: the same client

    monkeypatch.setenv(
        "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT", json.dumps({"extra": {**conn, "max_attempts": "6"}})
    )
    await until(lambda: trigger._lease.peek() is not first, "the trigger noticed the change")
    assert trigger._lease.peek().config.max_attempts == 6
    await until(lambda: first.http.is_closed, "the replaced client was closed")
    await stop(tasks, [trigger])


# --- one credential refresh for all -----------------------------------------------------------

COUNTS: dict[str, int] = {"built": 0, "fetched": 0}
FAKE_NOW = [1_000_000.0]


class CountingCredentials(RefreshingCredentials):
    """Session-token style credentials whose token is due when the test moves ``FAKE_NOW``."""

    kind = "counting test token"

    def __init__(self, key: SigningKey) -> None:
        super().__init__(clock=lambda: FAKE_NOW[0])
        self.key = key

    def _fetch(self, current: Token | None, forced: bool) -> Token:
        COUNTS["fetched"] += 1
        return Token(SigningKey(self.key.key_id, self.key.private_key), FAKE_NOW[0] + 100.0)


@register_auth_type("counting_test")
def _counting(config: Any) -> CountingCredentials:
    COUNTS["built"] += 1
    options = config.options
    return CountingCredentials(SigningKey(options["key_id"], parse_private_key(options["pem"], None)))


async def test_one_credential_refresh_for_all_the_triggers_of_a_connection(
    world, emu, ident, conn, monkeypatch
) -> None:
    extra = {
        "auth_type": "counting_test",
        "key_id": ident.key_id,
        "pem": ident.private_key_pem,
        "region": conn["region"],
        "endpoint": conn["endpoint"],
    }
    monkeypatch.setenv(OTHER_ENV, json.dumps({"conn_type": "oci_data_science", "extra": extra}))
    COUNTS.update(built=0, fetched=0)
    runs = [world.job_run(duration=10_000) for _ in range(6)]
    triggers = [DataScienceJobRunTrigger(r, poll_interval=FAST, oci_conn_id="oci_ds_other") for r in runs]
    tasks = await start(*triggers)
    await until(lambda: all(polls(emu, r) for r in runs), "all polled with the first token")
    assert COUNTS == {"built": 1, "fetched": 1}

    FAKE_NOW[0] += 200.0  # the token is due for refresh now
    seen = {r: len(polls(emu, r)) for r in runs}
    await until(lambda: all(len(polls(emu, r)) >= seen[r] + 2 for r in runs), "all polled twice more")
    assert COUNTS == {"built": 1, "fetched": 2}  # one refresh, shared by the six
    await stop(tasks, triggers)


# --- shared backoff, jitter, restart ------------------------------------------------------------


async def test_a_429_pauses_every_trigger_of_the_client(world, emu, conn) -> None:
    runs = [world.job_run(duration=10_000) for _ in range(8)]
    triggers = [DataScienceJobRunTrigger(r, poll_interval=FAST) for r in runs]
    tasks = await start(*triggers)
    await until(lambda: all(len(polls(emu, r)) >= 2 for r in runs), "all polling")

    emu.inject_fault("GET", r"/jobRuns/", kind="status", status=429, count=1, retry_after=1.0)
    await until(lambda: any(polls(emu, r, 429) for r in runs), "a poll was throttled")
    throttled = next(p for r in runs for p in polls(emu, r, 429))
    seen = {r: len(polls(emu, r)) for r in runs}
    await until(lambda: all(len(polls(emu, r)) > seen[r] for r in runs), "every trigger polled again")
    await stop(tasks, triggers)

    # The 429 was answered at `answered`; every trigger (not only the throttled one) then sent
    # nothing for the retry-after second. (0.25 s allows for requests already on their way.)
    answered = throttled["time"]
    arrivals = [
        r["time"] - r["duration_ms"] / 1000
        for r in emu.requests
        if r["operation"] == "get_job_run" and r["path"].rsplit("/", 1)[1] in runs
    ]
    assert [a for a in arrivals if answered + 0.25 < a < answered + 0.95] == []
    assert any(a >= answered + 0.95 for a in arrivals)  # and then they all went on
    assert triggers[0]._lease is None


async def test_first_polls_of_triggers_started_together_are_spread(world, emu) -> None:
    runs = [world.job_run(duration=10_000) for _ in range(10)]
    since = time.time()
    triggers = [DataScienceJobRunTrigger(r, poll_interval=3.0) for r in runs]
    tasks = await start(*triggers)
    await until(lambda: all(polls(emu, r) for r in runs), "every trigger polled once")
    await stop(tasks, triggers)
    firsts = sorted(polls(emu, r)[0]["time"] - since for r in runs)
    # each first read waits uniform(0, 3 s): ten of them never land within 0.3 s of each other
    assert firsts[-1] - firsts[0] > 0.3, firsts


def test_the_first_poll_never_waits_past_the_deadline() -> None:
    run = "ocid1.datasciencejobrun.oc1.iad.amaaaaaarun"
    assert (
        DataScienceJobRunTrigger(run, poll_interval=30.0, deadline=time.time() + 0.5)._first_poll_delay()
        <= 0.5
    )
    assert (
        DataScienceJobRunTrigger(run, poll_interval=30.0, deadline=time.time() - 5)._first_poll_delay() == 0.0
    )
    delays = {DataScienceJobRunTrigger(run, poll_interval=30.0)._first_poll_delay() for _ in range(50)}
    assert all(0.0 <= d <= 30.0 for d in delays) and len(delays) > 1


async def test_a_trigger_recreated_from_serialize_after_a_restart_finishes_the_wait(world, emu) -> None:
    run = world.job_run(duration=10_000)
    trigger = DataScienceJobRunTrigger(run, poll_interval=FAST, deadline=time.time() + 60)
    tasks = await start(trigger)
    await until(lambda: polls(emu, run), "polled before the restart")
    client = trigger._lease.peek()
    await stop(tasks, [trigger])  # the triggerer went away
    assert client.http.is_closed

    classpath, kwargs = trigger.serialize()
    json.dumps(kwargs)
    module, _, name = classpath.rpartition(".")
    again = getattr(importlib.import_module(module), name)(**kwargs)
    assert again.serialize() == (classpath, kwargs)
    emu.set_state(run, "SUCCEEDED")
    event = await anext(again.run())
    assert event.payload["status"] == "success" and event.payload["resource_id"] == run
    assert again._lease is None and pool_for_loop().users(DEFAULT_KEY) == 0
