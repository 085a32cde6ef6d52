"""``LaneTransport`` over real HTTP: a small keep-alive HTTP/1.1 server on loopback records which
connection carried each request, so the lanes' reuse and bounds are observable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from airflow_ds_provider.client import AsyncDataScienceClient, ClientConfig, RetryPolicy
from airflow_ds_provider.client.lanes import LaneTransport


class _Server:
    """Answers ``GET /ok`` with 200 after a short pause and ``GET /drop`` by closing the connection."""

    def __init__(self) -> None:
        self.peers: list[tuple[str, int]] = []
        self.active = 0
        self.most_active = 0
        self.server: asyncio.base_events.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.peers.append(peer)
                if head.startswith(b"GET /drop"):
                    return
                self.active += 1
                self.most_active = max(self.most_active, self.active)
                await asyncio.sleep(0.01)
                self.active -= 1
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"


@pytest.fixture
async def server() -> AsyncIterator[_Server]:
    srv = _Server()
    srv.server = await asyncio.start_server(srv.handle, "127.0.0.1", 0)
    yield srv
    srv.server.close()


async def test_concurrent_requests_share_at_most_lanes_connections(server: _Server) -> None:
    transport = LaneTransport(4)
    slots = asyncio.Semaphore(4)  # as AsyncDataScienceClient bounds itself

    async def one(client: httpx.AsyncClient) -> int:
        async with slots:
            return (await client.get(f"{server.url}/ok")).status_code

    async with httpx.AsyncClient(transport=transport) as client:
        codes = await asyncio.gather(*(one(client) for _ in range(40)))
        assert codes == [200] * 40
        assert len(set(server.peers)) <= 4
        assert server.most_active >= 2  # the lanes did carry requests in parallel
        assert transport.free_lanes == 4


async def test_sequential_requests_reuse_one_kept_alive_connection(server: _Server) -> None:
    async with httpx.AsyncClient(transport=LaneTransport(4)) as client:
        for _ in range(10):
            assert (await client.get(f"{server.url}/ok")).text == "ok"
    assert len(server.peers) == 10
    assert len(set(server.peers)) == 1


async def test_more_requests_than_lanes_still_complete(server: _Server) -> None:
    transport = LaneTransport(2)
    async with httpx.AsyncClient(transport=transport) as client:
        codes = await asyncio.gather(*(client.get(f"{server.url}/ok") for _ in range(12)))
    assert [r.status_code for r in codes] == [200] * 12
    assert len(set(server.peers)) <= 2
    assert transport.free_lanes == 2


async def test_a_failed_request_frees_its_lane(server: _Server) -> None:
    transport = LaneTransport(1)
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.TransportError):
            await client.get(f"{server.url}/drop")
        assert transport.free_lanes == 1
        assert (await client.get(f"{server.url}/ok")).status_code == 200
    assert transport.free_lanes == 1


async def test_a_streamed_response_holds_its_lane_until_closed(server: _Server) -> None:
    transport = LaneTransport(2)
    async with httpx.AsyncClient(transport=transport) as client:
        async with client.stream("GET", f"{server.url}/ok") as resp:
            assert transport.free_lanes == 1
            assert await resp.aread() == b"ok"
        assert transport.free_lanes == 2


@pytest.mark.parametrize("lanes", [0, -1, 1.5, True, None])
def test_lanes_must_be_a_positive_integer(lanes: object) -> None:
    with pytest.raises(ValueError, match="lanes: expected a positive integer"):
        LaneTransport(lanes)  # type: ignore[arg-type]


async def test_the_async_client_sends_over_its_lanes(ds_emulator, ds_identity) -> None:
    config = ClientConfig.from_connection(ds_emulator.connection_extra(ds_identity))
    limits = httpx.Limits(max_connections=3, max_keepalive_connections=3)
    async with AsyncDataScienceClient(
        config, retry_policy=RetryPolicy(max_attempts=2), limits=limits
    ) as client:
        transport = client.http._transport
        assert isinstance(transport, LaneTransport) and transport.lanes == 3
        comp = config.compartment_id or config.tenancy
        found = await asyncio.gather(*(client.list_projects(comp) for _ in range(20)))
        assert all(r.status == 200 for r in found)
        assert transport.free_lanes == 3
