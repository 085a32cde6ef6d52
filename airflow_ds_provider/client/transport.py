"""Thin signing adapters for ``requests`` (sync) and ``httpx`` (async), and the async shared backoff.

Both adapters call :func:`signing.sign_request` on the final request, so the sync and async
paths cannot drift: the ``requests`` adapter signs the *prepared* request (``(request-target)``
is ``PreparedRequest.path_url``), the ``httpx`` one signs ``request.url.raw_path``.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable, Generator
from typing import Any

import httpx
import requests
from requests.auth import AuthBase

from airflow_ds_provider.client.auth.base import Credentials
from airflow_ds_provider.client.signing import sign_request
from airflow_ds_provider.client.upload import UPLOAD_CHUNK as UPLOAD_CHUNK
from airflow_ds_provider.client.upload import Upload as Upload


def _body_bytes(body: Any) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    raise ValueError(
        "a streamed body is signed with body headers only when hashed in advance (Upload.sha256)"
    )


def _prehashed(headers: Any) -> bool:
    """Whether the request carries the ``x-content-sha256`` of a streamed body hashed in advance."""
    return "x-content-sha256" in headers


class RequestsSigner(AuthBase):
    """``requests`` auth that signs the prepared request with OCI HTTP signatures.

    :param credentials: where the key comes from.
    :param include_body_headers: False for artifact uploads (signed without body headers).
    """

    def __init__(self, credentials: Credentials, include_body_headers: bool = True) -> None:
        self.credentials = credentials
        self.include_body_headers = include_body_headers

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        method = (request.method or "GET").upper()
        body = None
        if self.include_body_headers and not _prehashed(request.headers):
            body = _body_bytes(request.body)
        signed = sign_request(
            self.credentials.signing_key(),
            method,
            request.url or "",
            dict(request.headers),
            body,
            include_body_headers=self.include_body_headers,
        )
        request.headers.update(signed)
        return request


class HttpxSigner(httpx.Auth):
    """``httpx`` auth that signs the final request (``request.url.raw_path``)."""

    requires_request_body = False

    def __init__(self, credentials: Credentials, include_body_headers: bool = True) -> None:
        self.credentials = credentials
        self.include_body_headers = include_body_headers

    def _sign(self, request: httpx.Request, key: Any) -> None:
        url = request.url
        wire_url = f"{url.scheme}://{url.netloc.decode('ascii')}{url.raw_path.decode('ascii')}"
        body = None
        if self.include_body_headers and not _prehashed(request.headers):
            body = request.content
        signed = sign_request(
            key,
            request.method,
            wire_url,
            dict(request.headers),
            body,
            include_body_headers=self.include_body_headers,
        )
        request.headers.update(signed)

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign with :meth:`Credentials.signing_key`."""
        self._sign(request, self.credentials.signing_key())
        yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncIterator[httpx.Request]:  # type: ignore[override]
        """Sign with :meth:`Credentials.asigning_key` (never blocks the loop)."""
        self._sign(request, await self.credentials.asigning_key())
        yield request


class SharedBackoff:
    """One backoff for every request of an async client: a throttling answer (429) pauses them all.

    Triggers sharing a client poll the same endpoint; when one of them is told to slow down, the
    others would be too, so none of them sends until the pause has passed. The pause is the
    ``retry-after`` of the answer, or ``base_delay`` doubled per 429 that arrives after a pause
    ended (answers to requests already in flight during a pause only lengthen it to their own
    ``retry-after``), capped at ``max_delay``. Waiters resume spread over half of the pause, so
    they do not come back as one burst. A success after the pause resets the delay.

    :param base_delay: the first pause (seconds) when the answer has no ``retry-after``.
    :param max_delay: the longest pause chosen without a ``retry-after``.
    :param clock: monotonic time source.
    """

    def __init__(
        self, base_delay: float = 1.0, max_delay: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._clock = clock
        self.paused_until = 0.0
        self.level = 0
        self.pauses = 0
        self._spread = 0.0

    def remaining(self) -> float:
        """Seconds until requests may be sent again (0 when not paused)."""
        return max(0.0, self.paused_until - self._clock())

    async def wait(self) -> None:
        """Return once no pause is in force (at once when there is none)."""
        while (remaining := self.paused_until - self._clock()) > 0:
            await asyncio.sleep(remaining + random.uniform(0.0, self._spread))

    def throttled(self, retry_after: float | None) -> None:
        """A 429 arrived: pause every request of the client."""
        now = self._clock()
        if now < self.paused_until:
            if retry_after is not None and now + retry_after > self.paused_until:
                self.paused_until = now + retry_after
            return
        self.level += 1
        self.pauses += 1
        delay = min(self.base_delay * 2 ** (self.level - 1), self.max_delay)
        if retry_after is not None:
            delay = max(delay, retry_after)
        self.paused_until = now + delay
        self._spread = delay / 2

    def succeeded(self) -> None:
        """An answer that was not a 429: once the pause is over, start again from ``base_delay``."""
        if self.level and self._clock() >= self.paused_until:
            self.level = 0
