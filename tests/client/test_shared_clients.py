"""The shared backoff of an async client and the pool's failure paths (the sharing itself is
exercised through real triggers in ``tests/triggers/test_shared_client.py``)."""

from __future__ import annotations

import asyncio

import pytest

from airflow_ds_provider.client import AsyncDataScienceClient, ClientConfig
from airflow_ds_provider.client.shared_clients import SharedClientPool, pool_for_loop
from airflow_ds_provider.client.transport import SharedBackoff


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_429_pauses_and_pauses_double_while_the_service_keeps_throttling() -> None:
    clock = Clock()
    backoff = SharedBackoff(base_delay=1.0, max_delay=5.0, clock=clock)
    assert backoff.remaining() == 0.0
    backoff.throttled(None)
    assert backoff.remaining() == 1.0 and backoff.pauses == 1
    backoff.throttled(None)  # an answer to a request already in flight: no new pause
    assert backoff.remaining() == 1.0 and backoff.pauses == 1
    backoff.throttled(3.0)  # ... unless its retry-after says longer
    assert backoff.remaining() == 3.0 and backoff.pauses == 1
    clock.now += 3.0
    backoff.succeeded()  # not reset by itself: only a success after the pause resets
    backoff.throttled(None)
    assert backoff.remaining() == 1.0  # reset: back to base_delay
    clock.now += 1.0
    for expected in (2.0, 4.0, 5.0, 5.0):  # a 429 after each pause doubles it, up to max_delay
        backoff.throttled(None)
        assert backoff.remaining() == expected
        clock.now += expected
    backoff.throttled(12.0)  # a retry-after above max_delay is honoured
    assert backoff.remaining() == 12.0


def test_a_success_during_the_pause_does_not_reset_the_delay() -> None:
    clock = Clock()
    backoff = SharedBackoff(base_delay=1.0, clock=clock)
    backoff.throttled(None)
    backoff.succeeded()  # an in-flight request answered during the pause
    clock.now += 1.0
    backoff.throttled(None)
    assert backoff.remaining() == 2.0


async def test_waiters_resume_only_after_the_pause_spread_over_half_of_it() -> None:
    backoff = SharedBackoff(base_delay=0.2)
    await asyncio.wait_for(backoff.wait(), 1.0)  # no pause: at once
    backoff.throttled(None)
    loop = asyncio.get_running_loop()
    started = loop.time()
    resumed = await asyncio.gather(*(_resume(backoff) for _ in range(20)))
    assert min(resumed) - started >= 0.2 * 0.99  # nobody before the pause ended
    assert max(resumed) - min(resumed) > 0.0  # and not all at the same instant
    assert backoff.remaining() == 0.0


async def _resume(backoff: SharedBackoff) -> float:
    await backoff.wait()
    return asyncio.get_running_loop().time()


class Source:
    """A client source whose builds can be made to fail."""

    def __init__(self, extra: dict, fail: int = 0) -> None:
        self.extra, self.fail, self.builds = extra, fail, 0
        self.clients: list[AsyncDataScienceClient] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def fingerprint(self) -> str:
        return self.digest

    digest = "same"

    async def build(self) -> AsyncDataScienceClient:
        self.builds += 1
        await self.gate.wait()
        if self.fail:
            self.fail -= 1
            raise RuntimeError("key_file: cannot read")
        self.clients.append(AsyncDataScienceClient(ClientConfig.from_connection(self.extra)))
        return self.clients[-1]


async def test_a_failed_build_fails_every_waiter_and_the_next_acquire_builds_again(ds_connection) -> None:
    pool, source = SharedClientPool(), Source(ds_connection, fail=1)
    source.gate.clear()
    waiters = [asyncio.create_task(pool.acquire("k", source)) for _ in range(3)]
    await asyncio.sleep(0)
    source.gate.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert [str(r) for r in results] == ["key_file: cannot read"] * 3 and source.builds == 1
    assert pool.users("k") == 0
    lease = await pool.acquire("k", source)
    assert source.builds == 2 and pool.users("k") == 1
    client = lease.peek()
    async with lease:
        pass
    assert lease.released and client.http.is_closed
    with pytest.raises(RuntimeError, match="released"):
        await lease.client()


async def test_a_client_nobody_waits_for_any_more_is_closed_once_built(ds_connection) -> None:
    pool, source = SharedClientPool(), Source(ds_connection)
    source.gate.clear()
    waiter = asyncio.create_task(pool.acquire("k", source))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert pool.users("k") == 0
    source.gate.set()
    for _ in range(100):  # the build finishes, then the close runs
        if source.clients and source.clients[0].http.is_closed:
            break
        await asyncio.sleep(0.01)
    assert source.clients[0].http.is_closed
    lease = await pool.acquire("k", source)  # a fresh client
    assert source.builds == 2 and lease.peek() is source.clients[1]
    await lease.release()


async def test_each_event_loop_has_its_own_pool() -> None:
    pool = pool_for_loop()
    assert pool_for_loop() is pool
    other = asyncio.new_event_loop()
    try:
        assert pool_for_loop(other) is not pool
    finally:
        other.close()


async def test_a_failed_rebuild_after_a_connection_change_is_built_again_by_the_next_acquire(
    ds_connection,
) -> None:
    pool, source = SharedClientPool(recheck_seconds=0.0), Source(ds_connection)
    lease = await pool.acquire("k", source)
    first = lease.peek()
    source.digest, source.fail = "changed", 1
    assert await lease.client() is first  # the rebuild failed: it goes on with the client it has
    assert source.builds == 2 and not first.http.is_closed
    other = await pool.acquire("k", source)  # builds again instead of re-raising the old failure
    assert source.builds == 3 and other.peek() is not first
    assert await lease.client() is other.peek()  # and the first lease moves over
    assert first.http.is_closed
    await lease.release()
    await other.release()
    assert source.clients[-1].http.is_closed
