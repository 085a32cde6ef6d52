"""``AsyncDataScienceClient``: the asynchronous client (httpx).

Same methods as :class:`~.client.DataScienceClient`, as coroutines; only sending one HTTP
request differs (everything else is in :class:`~._base.BaseClient`).
"""

from __future__ import annotations

import asyncio
import functools
import os
import ssl
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from airflow_ds_provider.client._base import (
    DOWNLOAD_CHUNK,
    BaseClient,
    PreparedCall,
    download_args,
    download_target,
)
from airflow_ds_provider.client._operations import AsyncOperations
from airflow_ds_provider.client.auth import Credentials
from airflow_ds_provider.client.call_flow import Refresh, Send, Sleep, Step, call_flow
from airflow_ds_provider.client.config import ClientConfig
from airflow_ds_provider.client.errors import ServiceError, TransportError
from airflow_ds_provider.client.flow_driver import drive_async
from airflow_ds_provider.client.lanes import LaneTransport
from airflow_ds_provider.client.response import Response
from airflow_ds_provider.client.retry import RetryPolicy
from airflow_ds_provider.client.transport import HttpxSigner, SharedBackoff
from airflow_ds_provider.client.wait_flow import ClientWait, Read, WaitStep
from airflow_ds_provider.client.wait_flow import Sleep as WaitSleep


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context (system-independent CA bundle, as httpx uses) for every async client.

    Building a context costs ~0.1 s of CPU; a triggerer with thousands of triggers builds one
    client per trigger, so they share it (an ``SSLContext`` is safe to share).
    """
    return httpx.create_ssl_context()


#: Connection pool of one client. A client shared by thousands of triggers (see
#: :mod:`.shared_clients`) sends their polls over at most this many connections to one endpoint
#: (16 connections at 50 ms per request carry ~320 polls/s), each a lane of its own
#: (:class:`~.lanes.LaneTransport`), because ``httpcore``'s pool re-scans every pooled connection
#: for every queued request and every response (its CPU per request grew with the square of the
#: pool's size).
DEFAULT_LIMITS = httpx.Limits(max_connections=16, max_keepalive_connections=16, keepalive_expiry=60.0)


class AsyncDataScienceClient(AsyncOperations, BaseClient):
    """Asynchronous Data Science client: one ``httpx.AsyncClient`` per instance.

    Use ``async with AsyncDataScienceClient(config) as client:`` (or call :meth:`aclose`).
    Same methods as :class:`DataScienceClient`, as coroutines. Every request of one client waits
    out a throttling pause (:class:`~.transport.SharedBackoff`): a 429 to any of its callers
    slows them all.

    :param limits: the HTTP connection pool's limits (default :data:`DEFAULT_LIMITS`).
    """

    def __init__(
        self,
        config: ClientConfig | Mapping[str, Any],
        *,
        credentials: Credentials | None = None,
        retry_policy: RetryPolicy | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        super().__init__(config, credentials=credentials, retry_policy=retry_policy)
        connect, read = self.config.timeout
        self.backoff = SharedBackoff(self.retry_policy.base_delay, self.retry_policy.max_delay)
        limits = limits or DEFAULT_LIMITS
        lanes = limits.max_connections or 100
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(read, connect=connect),
            follow_redirects=False,
            verify=shared_ssl_context(),
            limits=limits,  # for proxy transports, should the environment name a proxy
            transport=LaneTransport(
                lanes, keepalive_expiry=limits.keepalive_expiry, verify=shared_ssl_context()
            ),
        )
        # Requests beyond the pool's size wait here, in O(1), rather than in httpcore's queue,
        # which every request and every response re-scans.
        self._slots = asyncio.Semaphore(lanes)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.http.aclose()

    async def __aenter__(self) -> AsyncDataScienceClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- the one async transport call ---------------------------------------------------------

    async def _send_once(self, call: PreparedCall) -> Response:
        content: Any = call.body
        if call.upload is not None:
            await asyncio.to_thread(call.upload.rewind)
            content = call.upload.async_body()
        async with self._slots:
            return await self._send_in_slot(call, content)

    async def _send_in_slot(self, call: PreparedCall, content: Any) -> Response:
        request = self.http.build_request(call.method, call.url, content=content, headers=call.headers)
        auth = HttpxSigner(self.credentials, call.include_body_headers)
        try:
            resp = await self.http.send(request, auth=auth, stream=True)
        except httpx.TimeoutException:
            raise TransportError(call.operation, "request timed out", call.request_id) from None
        except httpx.TransportError as exc:
            reason = type(exc).__name__
            host = urlsplit(call.url).netloc
            raise TransportError(
                call.operation, f"connection failed to {host} ({reason})", call.request_id
            ) from None
        try:
            if call.download_to is not None and resp.status_code < 400:
                return await self._write_download(call, resp)
            body = await resp.aread()
        except httpx.TransportError as exc:
            reason = type(exc).__name__
            raise TransportError(
                call.operation, f"reading the response failed ({reason})", call.request_id
            ) from None
        finally:
            await resp.aclose()
        return self.finish(call, resp.status_code, resp.headers, body)

    async def _write_download(self, call: PreparedCall, resp: httpx.Response) -> Response:
        assert call.download_to is not None
        fd, tmp = await asyncio.to_thread(download_target, call.download_to)
        out = os.fdopen(fd, "wb")
        try:
            async for chunk in resp.aiter_bytes(DOWNLOAD_CHUNK):
                await asyncio.to_thread(out.write, chunk)
            out.close()
            await asyncio.to_thread(os.replace, tmp, call.download_to)
        except BaseException:
            out.close()
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return Response.build(call.download_to, resp.headers, resp.status_code)

    async def _send(self, call: PreparedCall) -> Response:
        try:
            return await drive_async(call_flow(call, self.retry_policy), self._perform)
        finally:
            if call.upload is not None:
                call.upload.close()

    async def _perform(self, step: Step) -> Any:
        """Carry out one step of :func:`~.call_flow.call_flow`."""
        if isinstance(step, Send):
            await self.backoff.wait()
            try:
                response = await self._send_once(step.call)
            except ServiceError as exc:
                if exc.status == 429:
                    self.backoff.throttled(exc.retry_after)
                else:
                    self.backoff.succeeded()
                raise
            self.backoff.succeeded()
            return response
        if isinstance(step, Sleep):
            await asyncio.sleep(step.seconds)
            return None
        if isinstance(step, Refresh):
            return await asyncio.to_thread(self.credentials.on_unauthorized)
        return await self._invoke(step.operation, step.args)

    # --- shared entry points -------------------------------------------------------------------

    async def _invoke(self, operation: str, args: Mapping[str, Any]) -> Response:
        return await self._send(self.prepare(operation, args))

    async def call(self, operation: str, **kwargs: Any) -> Response:
        """Call any operation by name."""
        return await self._invoke(operation, kwargs)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        retry: bool | None = None,
    ) -> Response:
        """Send a signed request to any path of the API (relative to ``/20190101``); ``retry`` as
        in :meth:`DataScienceClient.request`."""
        call = self.prepare_raw(method, path, params=params, json_body=json, headers=headers, retry=retry)
        return await self._send(call)

    async def search_logs(
        self, search_logs_details: Mapping[str, Any], limit: int | None = None, page: str | None = None
    ) -> Response:
        """Logging Search API ``POST /20190909/search``; see :meth:`DataScienceClient.search_logs`."""
        return await self._send(self.prepare_search(search_logs_details, limit, page))

    async def paginate(self, operation: str, **kwargs: Any) -> AsyncIterator[Any]:
        """Yield the items of every page of a list operation."""
        page = kwargs.pop("page", None)
        while True:
            resp = await self._invoke(operation, {**kwargs, "page": page})
            for item in self.page_items(resp.data):
                yield item
            page = resp.next_page
            if not page:
                return

    async def _list_all(self, operation: str, args: Mapping[str, Any]) -> list[Any]:
        return [
            item async for item in self.paginate(operation, **{k: v for k, v in args.items() if k != "self"})
        ]

    async def download_artifact(
        self, operation: str, resource_id: str, path: str | os.PathLike[str], range: str | None = None
    ) -> Response:
        """Stream artifact content to ``path`` (see :meth:`DataScienceClient.download_artifact`)."""
        op_args = download_args(operation, resource_id, range)
        return await self._send(self.prepare(operation, op_args, download_to=path))

    async def wait_for_state(
        self,
        resource: str,
        resource_id: str,
        target_states: list[str] | None = None,
        failure_states: list[str] | None = None,
        poll_interval: float = 10.0,
        timeout: float = 3600.0,
        not_found_ok: bool = False,
    ) -> dict[str, Any] | None:
        """Async variant of :meth:`DataScienceClient.wait_for_state`."""
        wait = ClientWait.create(
            resource, resource_id, target_states, failure_states, poll_interval, timeout, not_found_ok
        )
        return wait.result(await drive_async(wait.flow, self._wait_step))

    async def _wait_step(self, step: WaitStep) -> Any:
        """Carry out one step of :func:`~.wait_flow.wait_flow`."""
        if isinstance(step, Read):
            return (await self._invoke(step.operation, step.args)).data
        if isinstance(step, WaitSleep):
            await asyncio.sleep(step.seconds)
            return None
        return await self._list_all("list_work_request_errors", {"work_request_id": step.work_request_id})
