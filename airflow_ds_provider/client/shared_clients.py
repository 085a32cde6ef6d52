"""One :class:`AsyncDataScienceClient` per connection and region, shared by every waiter of an event loop.

A triggerer runs thousands of triggers on one event loop. Giving each its own client costs each
one a configuration parse, a credentials object, an ``httpx`` pool and its connections (about
80 KiB and a few milliseconds of CPU per trigger, all of it again after a restart). Here all the
waiters of one connection and region share one client (configuration, credentials, signing key,
connection pool, throttling backoff), so a credential refresh or a 429 pause happens once for
all of them:

* :meth:`SharedClientPool.acquire` returns a :class:`ClientLease`. The first lease of a key
  builds the client (the caller's :class:`ClientSource` parses the configuration and the key
  off the loop); leases taken while it is being built wait for the same build.
* The source's *fingerprint* (a digest of the connection) is read when a key has no client, and
  again when its client's was read more than ``recheck_seconds`` ago, by the next acquire or by
  a lease in use (so thousands of triggers starting together read the connection once, and a
  change is noticed within ``recheck_seconds``): a changed fingerprint builds a new client for
  the key; leases still on the old one move over on their next :meth:`ClientLease.client`.
* A client is closed when its last lease is released (or when it has been replaced and its last
  lease has moved on).

Nothing here is serialized: a trigger holds only its configuration and takes a lease in ``run()``,
so a trigger re-created after a restart simply acquires again. Pools are per event loop
(:func:`pool_for_loop`), because an ``httpx`` connection belongs to the loop that opened it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from airflow_ds_provider.client.async_client import AsyncDataScienceClient

log = logging.getLogger("airflow_ds_provider.client")

#: How often (seconds) a lease in use re-reads its connection to notice a change.
RECHECK_SECONDS = 60.0


class ClientSource(Protocol):
    """Where a shared client comes from (for instance, an Airflow connection and a region)."""

    async def fingerprint(self) -> str:
        """A digest of everything the client is built from; a change means a new client."""
        ...

    async def build(self) -> AsyncDataScienceClient:
        """Build the client (parse the configuration and keys off the event loop)."""
        ...


class _Entry:
    """One shared client, its users and where it came from."""

    __slots__ = ("build", "checked_at", "checking", "fingerprint", "key", "source", "users")

    def __init__(self, key: Hashable, fingerprint: str, source: ClientSource, now: float) -> None:
        self.key = key
        self.fingerprint = fingerprint
        self.source = source
        self.users = 0
        self.checked_at = now
        self.checking = False
        self.build: asyncio.Task[AsyncDataScienceClient] = asyncio.ensure_future(source.build())

    def ready(self) -> bool:
        return self.build.done() and not self.build.cancelled() and self.build.exception() is None

    def failed(self) -> bool:
        return self.build.done() and not self.ready()


class ClientLease:
    """One waiter's use of a shared client; :meth:`release` it exactly once (``async with`` does)."""

    __slots__ = ("_entry", "_pool")

    def __init__(self, pool: SharedClientPool, entry: _Entry) -> None:
        self._pool = pool
        self._entry: _Entry | None = entry

    @property
    def released(self) -> bool:
        """True once :meth:`release` has run."""
        return self._entry is None

    def peek(self) -> AsyncDataScienceClient:
        """The client this lease holds now, without a connection check."""
        if self._entry is None:
            raise RuntimeError("the client lease was released")
        return self._entry.build.result()

    async def client(self) -> AsyncDataScienceClient:
        """The client to use for the next request: the key's newest one (connection changes are
        noticed here, at most once per ``recheck_seconds`` per client, by one lease)."""
        entry = self._entry
        if entry is None:
            raise RuntimeError("the client lease was released")
        await self._pool._maybe_recheck(entry)
        current = self._pool._current.get(entry.key)
        if current is not None and current is not entry and current.ready():
            current.users += 1
            self._entry = current
            await self._pool._drop(entry)
        return self._entry.build.result()

    async def release(self) -> None:
        """Give the client back; the last user of a client closes it."""
        entry, self._entry = self._entry, None
        if entry is not None:
            await self._pool._drop(entry)

    async def __aenter__(self) -> AsyncDataScienceClient:
        return self.peek()

    async def __aexit__(self, *exc: object) -> None:
        await self.release()


class SharedClientPool:
    """The shared clients of one event loop, by key (see the module docstring).

    :param recheck_seconds: how often a client in use re-reads its source's fingerprint.
    :param clock: monotonic time source.
    """

    def __init__(
        self, recheck_seconds: float = RECHECK_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.recheck_seconds = recheck_seconds
        self._clock = clock
        self._current: dict[Hashable, _Entry] = {}
        #: Clients built so far (a figure for tests and benchmarks).
        self.builds = 0

    def users(self, key: Hashable) -> int:
        """Leases on the key's current client (0 when there is none)."""
        entry = self._current.get(key)
        return entry.users if entry is not None else 0

    async def acquire(self, key: Hashable, source: ClientSource) -> ClientLease:
        """A lease on the shared client for ``key``, built from ``source`` when there is none yet or
        the source's fingerprint changed.

        :raises Exception: whatever building the client raised (the next acquire builds again).
        """
        entry = self._current.get(key)
        if entry is None or not self._recent(entry):
            # No client, or one whose source was read longer than recheck_seconds ago: read it.
            # (Thousands of triggers re-created after a restart read the connection once.)
            fingerprint = await source.fingerprint()
            entry = self._current.get(key)
            if entry is None or entry.fingerprint != fingerprint or entry.failed():
                entry = self._replace(key, fingerprint, source)
            else:
                entry.checked_at = self._clock()
        entry.users += 1
        try:
            await asyncio.shield(entry.build)
        except BaseException:
            await self._drop(entry)
            raise
        return ClientLease(self, entry)

    def _recent(self, entry: _Entry) -> bool:
        if entry.failed():
            return False  # build again
        return self._clock() - entry.checked_at < self.recheck_seconds

    def _replace(self, key: Hashable, fingerprint: str, source: ClientSource) -> _Entry:
        old = self._current.get(key)
        entry = self._current[key] = _Entry(key, fingerprint, source, self._clock())
        self.builds += 1
        if old is not None and old.users == 0:
            self._close_later(old)
        if old is not None:
            log.info("The connection of %s changed: building a new shared client", key)
        return entry

    async def _maybe_recheck(self, entry: _Entry) -> None:
        if entry.checking or self._clock() - entry.checked_at < self.recheck_seconds:
            return
        if self._current.get(entry.key) is not entry:
            return
        entry.checking = True
        try:
            fingerprint = await entry.source.fingerprint()
        except Exception as exc:  # keep the client we have; try again after the next interval
            log.warning("Could not re-read the connection of %s: %s", entry.key, exc)
            return
        finally:
            entry.checking = False
            entry.checked_at = self._clock()
        if fingerprint != entry.fingerprint and self._current.get(entry.key) is entry:
            new = self._replace(entry.key, fingerprint, entry.source)
            try:
                await asyncio.shield(new.build)
            except Exception as exc:  # the others go on with the old client; a new acquire retries
                log.warning("Could not build the new client of %s: %s", entry.key, exc)

    async def _drop(self, entry: _Entry) -> None:
        entry.users -= 1
        if entry.users > 0:
            return
        if self._current.get(entry.key) is entry:
            del self._current[entry.key]
        await self._close(entry)

    def _close_later(self, entry: _Entry) -> None:
        task = asyncio.ensure_future(self._close(entry))
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    async def _close(self, entry: _Entry) -> None:
        if not entry.build.done():
            # Nobody waits for it any more: close it once it exists (or let the build fail).
            entry.build.add_done_callback(lambda done: self._close_later(entry))
            return
        if entry.ready():
            client = entry.build.result()
            if not client.http.is_closed:
                await client.aclose()


_closing: set[asyncio.Task[None]] = set()
_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SharedClientPool] = weakref.WeakKeyDictionary()


def pool_for_loop(loop: asyncio.AbstractEventLoop | None = None) -> SharedClientPool:
    """The pool of ``loop`` (default: the running loop), created on first use."""
    loop = loop or asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None:
        pool = _pools[loop] = SharedClientPool()
    return pool
