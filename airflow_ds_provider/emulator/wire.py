"""Low-level HTTP helpers: routing table, body reading (content-length or chunked), replies."""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote

from airflow_ds_provider.spec import API_VERSION, Operation, operations

CHUNK = 64 * 1024
MAX_JSON_BODY = 10 * 1024 * 1024


class BodyTooLarge(Exception):
    """The request body is larger than allowed."""


class BadBody(Exception):
    """The request body framing is broken (bad chunk size, short read)."""


class Router:
    """Maps ``METHOD /20190101/...`` to an operation and its path parameters."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Operation]] = []
        for op in operations().values():
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(op.path))
            self._routes.append((op.method, re.compile(f"^/{API_VERSION}{pattern}$"), op))

    def match(self, method: str, path: str) -> tuple[Operation | None, dict[str, str], bool]:
        """``(operation, path params, path_known)``; path_known is True when only the method is wrong."""
        known = False
        for verb, pattern, op in self._routes:
            found = pattern.match(path)
            if found:
                if verb == method:
                    return op, {k: unquote(v) for k, v in found.groupdict().items()}, True
                known = True
        return None, {}, known


def iter_body(handler: BaseHTTPRequestHandler) -> Iterator[bytes]:
    """The request body in chunks, from ``content-length`` or chunked transfer encoding."""
    if "chunked" in (handler.headers.get("transfer-encoding") or "").lower():
        while True:
            line = handler.rfile.readline(1024)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise BadBody("bad chunk size") from None
            if size == 0:
                while handler.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return
            remaining = size
            while remaining:
                data = handler.rfile.read(min(CHUNK, remaining))
                if not data:
                    raise BadBody("connection closed inside a chunk")
                remaining -= len(data)
                yield data
            handler.rfile.readline(16)
        return
    raw = handler.headers.get("content-length")
    try:
        remaining = int(raw) if raw else 0
    except ValueError:
        raise BadBody("bad content-length") from None
    if remaining < 0:
        raise BadBody("bad content-length")
    while remaining:
        data = handler.rfile.read(min(CHUNK, remaining))
        if not data:
            raise BadBody("connection closed before the whole body arrived")
        remaining -= len(data)
        yield data


def read_body(handler: BaseHTTPRequestHandler, limit: int = MAX_JSON_BODY) -> bytes:
    """The whole (small) request body."""
    raw = handler.headers.get("content-length")
    if raw and raw.isdigit() and int(raw) > limit:
        raise BodyTooLarge()
    parts, size = [], 0
    for chunk in iter_body(handler):
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        parts.append(chunk)
    return b"".join(parts)


def drop_connection(handler: BaseHTTPRequestHandler) -> None:
    """Close the connection without a response."""
    handler.close_connection = True
    with contextlib.suppress(OSError):
        handler.connection.shutdown(socket.SHUT_RDWR)


def write_reply(
    handler: BaseHTTPRequestHandler,
    status: int,
    headers: dict[str, str],
    body: bytes = b"",
    send_body: bool = True,
) -> None:
    """Write status line, headers and body in one send."""
    reason = handler.responses.get(status, ("",))[0]
    lines = [f"HTTP/1.1 {status} {reason}"]
    headers.setdefault("content-length", str(len(body)))
    if handler.close_connection:
        headers["connection"] = "close"
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    handler.wfile.write(head + body if send_body else head)


def stream_file(handler: BaseHTTPRequestHandler, path: str, offset: int, length: int) -> None:
    """Send ``length`` bytes of ``path`` from ``offset`` without loading the file."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        remaining = length
        while remaining:
            data = fh.read(min(CHUNK, remaining))
            if not data:
                break
            handler.wfile.write(data)
            remaining -= len(data)
