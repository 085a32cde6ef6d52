"""``LaneTransport``: an ``httpx`` transport of N one-connection lanes, O(1) per request.

``httpcore``'s connection pool re-scans every pooled connection for every queued request and for
every response, and (in the versions Airflow 3 installs) counts its idle connections inside that
loop, so the CPU it spends per request grows with the square of the pool's size: with 16
connections it was most of a trigger's CPU per poll (``benchmarks/profile_poll.py``). This
transport holds ``lanes`` ordinary ``httpx.AsyncHTTPTransport`` objects of one connection each
and hands each request a free lane (last freed first, so a quiet client keeps few connections
open); the lane is freed when the response is closed. Each lane's own pool then has one
connection and at most one request to look at. Exceptions, TLS, keep-alive expiry and
reconnection are those of ``httpx`` itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx


class _LaneStream(httpx.AsyncByteStream):
    """A response body that frees its lane when closed (once)."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Any) -> None:
        self._stream = stream
        self._release = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()


class LaneTransport(httpx.AsyncBaseTransport):
    """``lanes`` one-connection transports; a request takes a free one (any, if none is free).

    :param lanes: number of lanes (the most connections open at once to one endpoint).
    :param keepalive_expiry: seconds an idle connection is kept.
    :param transport_options: passed to every lane's ``httpx.AsyncHTTPTransport`` (``verify``...).
    """

    def __init__(
        self, lanes: int, *, keepalive_expiry: float | None = 60.0, **transport_options: Any
    ) -> None:
        if not isinstance(lanes, int) or isinstance(lanes, bool) or lanes < 1:
            raise ValueError(f"lanes: expected a positive integer, got {lanes!r}")
        limits = httpx.Limits(
            max_connections=1, max_keepalive_connections=1, keepalive_expiry=keepalive_expiry
        )
        self._lanes = [httpx.AsyncHTTPTransport(limits=limits, **transport_options) for _ in range(lanes)]
        self._free = list(reversed(self._lanes))  # a stack: lanes[0] is handed out first
        self._next_busy = 0

    @property
    def lanes(self) -> int:
        """Number of lanes."""
        return len(self._lanes)

    @property
    def free_lanes(self) -> int:
        """Lanes not carrying a request now."""
        return len(self._free)

    def _take(self) -> tuple[httpx.AsyncHTTPTransport, bool]:
        if self._free:
            return self._free.pop(), True
        # More requests than lanes (callers normally bound themselves to ``lanes``): queue this
        # one in a busy lane's own pool, round robin.
        self._next_busy = (self._next_busy + 1) % len(self._lanes)
        return self._lanes[self._next_busy], False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        lane, owned = self._take()

        def release() -> None:
            if owned:
                self._free.append(lane)

        try:
            response = await lane.handle_async_request(request)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _LaneStream(response.stream, release)
        return response

    async def aclose(self) -> None:
        for lane in self._lanes:
            await lane.aclose()
