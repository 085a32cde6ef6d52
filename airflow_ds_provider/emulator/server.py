"""The HTTP layer: a threaded HTTP/1.1 server that checks faults and signatures, parses and
validates the request, calls the resource handler and writes the reply in the wire format."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl

from airflow_ds_provider.client.signing import SignatureError, body_sha256, redact_key_id
from airflow_ds_provider.emulator.auth import KeyRegistry, verify_request
from airflow_ds_provider.emulator.control import ControlApi
from airflow_ds_provider.emulator.faults import FaultInjector
from airflow_ds_provider.emulator.ids import request_id
from airflow_ds_provider.emulator.logsearch import API_VERSION as SEARCH_API_VERSION
from airflow_ds_provider.emulator.logsearch import search_logs
from airflow_ds_provider.emulator.resources import HANDLERS
from airflow_ds_provider.emulator.resources.base import ApiError, Reply, Request, Services
from airflow_ds_provider.emulator.schema import BodyError, validate
from airflow_ds_provider.emulator.wire import (
    BadBody,
    BodyTooLarge,
    Router,
    drop_connection,
    iter_body,
    read_body,
    stream_file,
    write_reply,
)

log = logging.getLogger("airflow_ds_provider.emulator")

CONTROL_PREFIX = "/_emulator/"
SEARCH_PATH = f"/{SEARCH_API_VERSION}/search"


class ServedEmulator(Protocol):
    """What the HTTP layer needs of the emulator it serves (:class:`~.core.Emulator` is one;
    ``core`` imports this module, so it is not imported here)."""

    router: Router
    faults: FaultInjector
    keys: KeyRegistry
    services: Services
    control: ControlApi

    def record_request(self, entry: dict[str, Any]) -> None:
        """Append one request-log entry."""


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server bound to one :class:`~airflow_ds_provider.emulator.core.Emulator`."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], emulator: ServedEmulator) -> None:
        self.emulator = emulator
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(address, RequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track the connection so :meth:`close_connections` can end it."""
        with self._conn_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget the connection once its handler is done."""
        with self._conn_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A broken connection is not worth a traceback on stderr."""
        log.debug("connection error from %s", client_address, exc_info=True)

    def close_connections(self) -> None:
        """End every open keep-alive connection (on stop)."""
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class RequestHandler(BaseHTTPRequestHandler):
    """One connection; every method goes through :meth:`dispatch`."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "oci-ds-emulator"
    server: EmulatorHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the stdlib access log (it is replaced by one line per request, without headers)."""

    def do_GET(self) -> None:
        """GET."""
        self.dispatch()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def dispatch(self) -> None:
        """Serve one request."""
        _dispatch(self)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors the stdlib detects (bad request line, headers) as OCI JSON errors."""
        self.close_connection = True
        codes = {400: "CannotParseRequest", 414: "RequestUriTooLong", 431: "RequestHeaderFieldsTooLarge"}
        body = {"code": codes.get(code, "InvalidParameter"), "message": message or "malformed request"}
        rid = request_id()
        with contextlib.suppress(OSError):
            write_reply(self, code, {"content-type": "application/json", "opc-request-id": rid}, _json(body))
        log.info("%s %s %s - opc-request-id=%s", "-", "-", code, rid)


class _Exchange:
    """State of one request/response exchange."""

    def __init__(self, handler: RequestHandler) -> None:
        self.handler = handler
        self.method = handler.command.upper()
        self.target = handler.path
        path, _, raw_query = self.target.partition("?")
        self.path = path
        self.raw_query = raw_query
        self.query = dict(parse_qsl(raw_query, keep_blank_values=True))
        self.headers = {k.lower(): v for k, v in handler.headers.items()}
        self.request_id = self.headers.get("opc-request-id") or request_id()
        self.operation = "-"
        self.status = 0
        self.key_id: str | None = None
        self.body_consumed = self.method in ("GET", "HEAD", "DELETE") and not self._has_body()
        self.fault = ""
        self.raw_json: bytes | None = None  # a JSON API request body, for the request log
        self.logged = False
        self.started = time.perf_counter()

    def _has_body(self) -> bool:
        length = self.headers.get("content-length")
        return bool((length and length != "0") or self.headers.get("transfer-encoding"))


def _dispatch(self: RequestHandler) -> None:
    emu = self.server.emulator
    ex = _Exchange(self)
    try:
        _serve(emu, ex)
    except (ConnectionError, TimeoutError):  # the client went away mid-exchange
        self.close_connection = True
    except Exception:  # a bug must never take the server down
        log.exception("emulator error on %s %s", ex.method, ex.path)
        if not ex.status:
            _error(ex, ApiError(500, "InternalServerError", "unexpected emulator error"))
    finally:
        if not ex.body_consumed:
            self.close_connection = True
        _log(ex)


def _log(ex: _Exchange) -> None:
    """Record the exchange once, before the client can see the response."""
    if ex.logged:
        return
    ex.logged = True
    elapsed = (time.perf_counter() - ex.started) * 1000
    ex.handler.server.emulator.record_request(
        {
            "time": time.time(),
            "method": ex.method,
            "path": ex.path,
            "query": ex.raw_query,
            "status": ex.status,
            "operation": ex.operation,
            "opc_request_id": ex.request_id,
            "key_id": redact_key_id(ex.key_id) if ex.key_id else None,
            "fault": ex.fault or None,
            "duration_ms": round(elapsed, 2),
            "body": _body_for_log(ex.raw_json),
        }
    )
    if log.isEnabledFor(logging.INFO):
        log.info(
            "%s %s %s %s opc-request-id=%s %.1fms%s",
            ex.method,
            ex.target,
            ex.status or "dropped",
            ex.operation,
            ex.request_id,
            elapsed,
            f" fault={ex.fault}" if ex.fault else "",
        )


def _body_for_log(raw: bytes | None) -> Any:
    """The parsed JSON body (a fresh copy, so handlers never share it), or None."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _drop(ex: _Exchange) -> None:
    ex.status = 0
    _log(ex)
    drop_connection(ex.handler)


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def _send(ex: _Exchange, reply: Reply) -> None:
    handler = ex.handler
    ex.status = reply.status
    if not handler.close_connection and not ex.body_consumed:
        handler.close_connection = True
    _log(ex)
    headers = {"opc-request-id": ex.request_id}
    headers.update(reply.headers)
    if reply.file is not None:
        path, offset, length = reply.file
        headers["content-length"] = str(length)
        write_reply(handler, reply.status, headers, send_body=False)
        if ex.method != "HEAD":
            stream_file(handler, path, offset, length)
        return
    if reply.body is None:
        body = b""
    else:
        body = _json(reply.body)
        headers.setdefault("content-type", "application/json")
    write_reply(handler, reply.status, headers, body, send_body=ex.method != "HEAD")


def _error(ex: _Exchange, err: ApiError) -> None:
    ex.handler.close_connection = ex.handler.close_connection or not ex.body_consumed
    _send(ex, Reply(err.status, {"code": err.code, "message": err.message}, dict(err.headers)))


def _read_json_body(ex: _Exchange) -> bytes:
    try:
        data = read_body(ex.handler)
    except BodyTooLarge:
        raise ApiError(413, "PayloadTooLarge", "the request body is larger than 10 MB") from None
    except BadBody as exc:
        raise ApiError(400, "CannotParseRequest", str(exc)) from None
    ex.body_consumed = True
    return data


def _serve(emu: ServedEmulator, ex: _Exchange) -> None:
    if ex.path.startswith(CONTROL_PREFIX):
        ex.operation = "control"
        try:
            raw = _read_json_body(ex) if not ex.body_consumed else b""
            status, body = emu.control.handle(ex.method, ex.path[len(CONTROL_PREFIX) :], ex.query, raw)
        except ApiError as err:
            _error(ex, err)
            return
        _send(ex, Reply(status, body, {}))
        return
    try:
        _serve_api(emu, ex)
    except ApiError as err:
        _error(ex, err)


def _serve_api(emu: ServedEmulator, ex: _Exchange) -> None:
    op = None
    params: dict[str, str] = {}
    if ex.path == SEARCH_PATH and ex.method == "POST":
        ex.operation = "search_logs"
    else:
        op, params, known = emu.router.match(ex.method, ex.path)
        if op is None:
            if known:
                raise ApiError(405, "MethodNotAllowed", f"{ex.method} is not allowed on {ex.path}")
            raise ApiError(404, "NotFound", f"no operation at {ex.method} {ex.path}")
        ex.operation = op.name
    streams = op is not None and op.streams_body
    fault = emu.faults.take(ex.method, ex.path, ex.headers.get("opc-request-id"))
    commit_then_drop = False
    hold_answer = 0.0
    if fault is not None:
        ex.fault = fault.kind
        if fault.kind == "drop":
            _drop(ex)
            return
        if fault.kind == "latency":
            time.sleep(fault.latency)
        elif fault.kind == "status":
            if not streams and not ex.body_consumed:
                ex.raw_json = _read_json_body(ex)
            extra = fault.headers()
            message = fault.message or f"injected fault: HTTP {fault.status}"
            raise ApiError(fault.status, fault.code, message, extra)
        commit_then_drop = fault.kind == "commit_then_drop"
        hold_answer = fault.latency if fault.kind == "commit_then_latency" else 0.0
    raw = b"" if streams or ex.body_consumed else _read_json_body(ex)
    ex.raw_json = raw or None
    include_body_headers = op.enforce_content_headers if op is not None else True
    try:
        principal = verify_request(
            emu.keys,
            ex.method,
            ex.target,
            ex.headers,
            body_sha256=None if streams else body_sha256(raw),
            include_body_headers=include_body_headers,
        )
    except SignatureError as exc:
        raise ApiError(401, "NotAuthenticated", f"request signature check failed: {exc}") from None
    ex.key_id = principal.key_id
    body = _parse_body(op, raw) if not streams else None
    if op is None:
        reply = search_logs(emu.services, ex.query, body)
    else:
        request = Request(op, params, ex.query, ex.headers, body, principal)
        if streams:
            request.upload = lambda path: _upload(ex, path)
        reply = HANDLERS[op.name](emu.services, request)
    if commit_then_drop:
        _drop(ex)
        return
    if hold_answer:
        time.sleep(hold_answer)  # processed and committed; the answer is late (a caller may die meanwhile)
    _send(ex, reply)


def _parse_body(op: Any, raw: bytes) -> Any:
    if op is None:
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            raise ApiError(400, "InvalidParameter", "body: not valid JSON") from None
    if not op.body_model:
        return None
    if not raw:
        raise ApiError(
            400, "InvalidParameter", f"{op.body_param or 'body'}: a {op.body_model} body is required"
        )
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, "InvalidParameter", f"{op.body_param or 'body'}: not valid JSON") from None
    try:
        validate(op.body_model, body)
    except BodyError as exc:
        raise ApiError(400, "InvalidParameter", str(exc)) from None
    if not isinstance(body, dict):
        raise ApiError(400, "InvalidParameter", f"body: must be a {op.body_model} object")
    return body


def _upload(ex: _Exchange, path: str) -> tuple[int, str]:
    """Stream the request body into ``path``; return its size and base64 MD5."""
    md5 = hashlib.md5()  # noqa: S324 - content-md5 is MD5 by definition
    sha = hashlib.sha256()
    size = 0
    try:
        with open(path, "wb") as fh:
            for chunk in iter_body(ex.handler):
                fh.write(chunk)
                md5.update(chunk)
                sha.update(chunk)
                size += len(chunk)
    except BadBody as exc:
        raise ApiError(400, "CannotParseRequest", str(exc)) from None
    ex.body_consumed = True
    signed = ex.headers.get("x-content-sha256")
    covered = "x-content-sha256" in ex.headers.get("authorization", "").lower()
    if signed is not None and covered and signed != base64.b64encode(sha.digest()).decode("ascii"):
        raise ApiError(
            401,
            "NotAuthenticated",
            "request signature check failed: x-content-sha256 does not match the body",
        )
    return size, base64.b64encode(md5.digest()).decode("ascii")
