"""Thin signing adapters for ``requests`` (sync) and ``httpx`` (async), plus streamed uploads.

Both adapters call :func:`signing.sign_request` on the final request, so the sync and async
paths cannot drift: the ``requests`` adapter signs the *prepared* request (``(request-target)``
is ``PreparedRequest.path_url``), the ``httpx`` one signs ``request.url.raw_path``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import os
import tempfile
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
from typing import IO, Any

import httpx
import requests
from requests.auth import AuthBase

from airflow_ds_provider.client.auth.base import Credentials
from airflow_ds_provider.client.signing import sign_request

UPLOAD_CHUNK = 1024 * 1024


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


@dataclass
class Upload:
    """A streamed artifact body: a binary file object, a path, or bytes. Never read whole.

    :param stream: the binary stream read from.
    :param length: bytes to send (the explicit ``content-length``).
    :param seekable: whether the body can be rewound, i.e. whether a retry is safe.
    """

    stream: IO[bytes]
    length: int
    seekable: bool
    start: int = 0
    owned: bool = False

    @classmethod
    def open(cls, body: Any, content_length: int | None = None) -> Upload:
        """Wrap ``body``: ``bytes``, a path (``str``/``PathLike``) or a binary file object."""
        if isinstance(body, bytes | bytearray | memoryview):
            data = bytes(body)
            return cls(io.BytesIO(data), len(data), True)
        if isinstance(body, str | os.PathLike):
            path = os.fspath(body)
            handle = open(path, "rb")  # noqa: SIM115  (closed by Upload.close)
            return cls(handle, os.fstat(handle.fileno()).st_size, True, 0, owned=True)
        if not hasattr(body, "read"):
            raise TypeError(f"expected bytes, a file path or a binary file object, got {type(body).__name__}")
        seekable = bool(getattr(body, "seekable", lambda: False)())
        start = body.tell() if seekable else 0
        length = content_length
        if length is None and seekable:
            end = body.seek(0, os.SEEK_END)
            body.seek(start)
            length = end - start
        if length is None:
            raise TypeError("content_length is required for a non-seekable stream")
        return cls(body, int(length), seekable, start)

    def sha256(self) -> str:
        """The base64 SHA-256 of the body, read in blocks (never whole), for ``x-content-sha256``.

        A body that cannot be rewound is first copied to a temporary file (so it can be sent
        after being hashed, and re-sent).
        """
        if not self.seekable:
            spool = tempfile.TemporaryFile()  # noqa: SIM115  (closed by Upload.close)
            for chunk in self._blocks():
                spool.write(chunk)
            self.stream, self.start, self.seekable, self.owned = spool, 0, True, True
        self.rewind()
        digest = hashlib.sha256()
        for chunk in self._blocks():
            digest.update(chunk)
        self.rewind()
        return base64.b64encode(digest.digest()).decode("ascii")

    def md5(self) -> str | None:
        """The base64 MD5 of a rewindable body (what the service reports as ``content-md5``),
        read in blocks; ``None`` when the body cannot be rewound."""
        if not self.seekable:
            return None
        self.rewind()
        digest = hashlib.md5()  # noqa: S324 - content-md5 is MD5 by definition
        for chunk in self._blocks():
            digest.update(chunk)
        self.rewind()
        return base64.b64encode(digest.digest()).decode("ascii")

    def _blocks(self) -> Iterator[bytes]:
        remaining = self.length
        while remaining > 0:
            chunk = self.stream.read(min(UPLOAD_CHUNK, remaining))
            if not chunk:
                raise ValueError(f"the body ended {remaining} bytes short of content_length {self.length}")
            remaining -= len(chunk)
            yield chunk

    def rewind(self) -> None:
        """Go back to the start of the body (before a retry)."""
        if self.seekable:
            self.stream.seek(self.start)

    def close(self) -> None:
        """Close the file if this upload opened it."""
        if self.owned:
            self.stream.close()

    def sync_body(self) -> IO[bytes]:
        """The body for ``requests`` (read in blocks by ``http.client``)."""
        return _Limited(self.stream, self.length)

    async def async_body(self) -> AsyncIterator[bytes]:
        """The body for ``httpx.AsyncClient``: chunks read in a worker thread."""
        remaining = self.length
        while remaining > 0:
            chunk = await asyncio.to_thread(self.stream.read, min(UPLOAD_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


class _Limited(io.RawIOBase):
    """A read-only view of at most ``length`` bytes of a stream (so content-length is exact)."""

    def __init__(self, stream: IO[bytes], length: int) -> None:
        self._stream = stream
        self._remaining = length
        self._length = length

    def readable(self) -> bool:
        return True

    def __len__(self) -> int:
        return self._length

    def tell(self) -> int:
        """Bytes read so far (``requests`` computes the content length from len - tell)."""
        return self._length - self._remaining

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        if self._remaining <= 0:
            return b""
        size = self._remaining if size is None or size < 0 else min(size, self._remaining)
        data = self._stream.read(size)
        self._remaining -= len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
