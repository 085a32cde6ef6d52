"""Streamed artifact bodies (``Upload``), shared by the sync and async transports.

Kept apart from :mod:`.transport` so that building requests (``_base.py``) loads neither
``requests`` nor ``httpx``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import IO, Any

UPLOAD_CHUNK = 1024 * 1024


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
        return base64.b64encode(self._digest(hashlib.sha256())).decode("ascii")

    def md5(self) -> str | None:
        """The base64 MD5 of a rewindable body (what the service reports as ``content-md5``),
        read in blocks; ``None`` when the body cannot be rewound."""
        if not self.seekable:
            return None
        return base64.b64encode(self._digest(hashlib.md5())).decode("ascii")  # noqa: S324 - content-md5

    def _digest(self, digest: Any) -> bytes:
        self.rewind()
        for chunk in self._blocks():
            digest.update(chunk)
        self.rewind()
        return digest.digest()

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
