"""What the sync and async clients share: argument validation, request building, response and
error parsing, retry decisions. Only the transport call differs between the two clients."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import secrets
import string
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from airflow_ds_provider import __version__
from airflow_ds_provider.client.auth import Credentials, credentials_from_config
from airflow_ds_provider.client.config import ClientConfig
from airflow_ds_provider.client.errors import InvalidArgumentError, ServiceError, service_error_for
from airflow_ds_provider.client.response import Response
from airflow_ds_provider.client.retry import RetryPolicy
from airflow_ds_provider.client.upload import Upload
from airflow_ds_provider.spec import API_VERSION, Operation, get_operation

USER_AGENT = f"airflow-ds-provider/{__version__} (python {platform.python_version()}; {platform.system()})"
_TOKEN_ALPHABET = string.ascii_letters + string.digits
_NON_ARGS = frozenset({"self", "__class__"})
MAX_ERROR_TEXT = 1000


def new_request_id() -> str:
    """32 upper-case hex characters, like the SDK's ``opc-request-id``."""
    return uuid.uuid4().hex.upper()


def new_retry_token() -> str:
    """30 random alphanumerics, like the SDK's ``opc-retry-token``."""
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(30))


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.isoformat() + "Z"
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _query_value(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def encode_query(params: list[tuple[str, str]]) -> str:
    """Percent-encode a query string (``%20`` for spaces, the same for sync and async)."""
    return urlencode(params, quote_via=quote)


@dataclass
class PreparedCall:
    """One logical call, ready to be sent (and re-sent on retry)."""

    operation: str
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None = None
    upload: Upload | None = None
    include_body_headers: bool = True
    retry_allowed: bool = True
    binary_response: bool = False
    download_to: str | None = None
    spec: Operation | None = field(default=None, repr=False)
    args: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def resendable(self) -> bool:
        """Whether the request can be sent again at all (a stream that cannot rewind cannot)."""
        return self.upload is None or self.upload.seekable

    @property
    def request_id(self) -> str:
        """The ``opc-request-id`` sent."""
        return self.headers["opc-request-id"]


def allowed_args(op: Operation) -> list[str]:
    """Python argument names ``op`` accepts, in signature order."""
    names: list[str] = list(op.required_args)
    for name in (*op.path_args, *op.query_args, *op.header_args):
        if name not in names:
            names.append(name)
    if op.streams_body and "content_length" not in names:
        names.append("content_length")
    return names


def is_retry_safe(op: Operation, upload: Upload | None, conditional: bool = False) -> bool:
    """Whether an ambiguous failure (5xx, lost connection) may be re-sent blindly: GET/HEAD
    always; uploads only when rewindable; operations with a retry token; an unconditional PUT
    that starts no work request (sent again, it sets the same fields to the same values; with
    ``if-match`` (``conditional``) a re-sent one that had landed would be refused with a 412 that
    nothing can tell from someone else's change); others per the SDK.

    Not-processed failures (429, 409 ``IncorrectState``/``LockConflict``) are re-sent for every
    operation, and lifecycle actions that are not safe are re-sent after a read shows they have
    not taken effect (``call_flow.py``)."""
    if op.streams_body:
        return upload is not None and upload.seekable
    if op.method in ("GET", "HEAD"):
        return True
    if op.accepts_retry_token:
        return True
    if op.method == "PUT" and not op.returns_work_request and not conditional:
        return True
    return op.sdk_default_retry


def parse_error(
    operation: str, status: int, headers: Mapping[str, str], content: bytes, request_id: str
) -> ServiceError:
    """The typed error for an error response; ``{"code","message"}`` or the text as message."""
    lower = {k.lower(): v for k, v in headers.items()}
    code, message = "", ""
    text = content.decode("utf-8", errors="replace").strip() if content else ""
    try:
        payload = json.loads(text) if text else None
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        code = str(payload.get("code") or "")
        message = str(payload.get("message") or "")
    elif text:
        message = text[:MAX_ERROR_TEXT]
    code = code or f"HTTP{status}"
    message = message or "(no error message in the response body)"
    return service_error_for(
        operation, status, code, message, lower.get("opc-request-id") or request_id, lower
    )


def parse_body(call: PreparedCall, headers: Mapping[str, str], content: bytes) -> Any:
    """Decode a success body: JSON, bytes for artifact content, ``None`` when empty."""
    if call.method == "HEAD" or not content:
        return None
    if call.binary_response:
        return content
    ctype = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
    if "json" in ctype or content[:1] in (b"{", b"["):
        try:
            return json.loads(content)
        except ValueError:
            pass
    return content.decode("utf-8", errors="replace")


class BaseClient:
    """Everything but the transport: config, credentials, retry policy, request building.

    :param config: the resolved client configuration.
    :param credentials: explicit credentials (default: built from ``config.auth_type``).
    :param retry_policy: explicit retry policy (default: from ``config.max_attempts`` /
        ``config.max_retry_seconds``).
    """

    def __init__(
        self,
        config: ClientConfig | Mapping[str, Any],
        *,
        credentials: Credentials | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        if not isinstance(config, ClientConfig):
            config = ClientConfig.from_mapping(config)
        self.config = config
        self.credentials = credentials if credentials is not None else credentials_from_config(config)
        self.retry_policy = retry_policy or RetryPolicy(
            max_attempts=config.max_attempts, max_seconds=config.max_retry_seconds
        )
        self.base_url = config.service_endpoint

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, credentials={self.credentials!r})"

    # --- building requests -------------------------------------------------------------------

    def _base_headers(self, request_id: str | None) -> dict[str, str]:
        return {
            "accept": "application/json",
            "user-agent": USER_AGENT,
            "opc-request-id": request_id or new_request_id(),
        }

    def prepare(
        self, operation: str, args: Mapping[str, Any], download_to: str | os.PathLike[str] | None = None
    ) -> PreparedCall:
        """Validate ``args`` against the operation table and build the request.

        :raises InvalidArgumentError: unknown argument, missing required argument, bad enum value.
        """
        op = get_operation(operation)
        given = {k: v for k, v in args.items() if k not in _NON_ARGS}
        names = allowed_args(op)
        for name in given:
            if name not in names:
                raise InvalidArgumentError(op.name, name, f"unknown argument; {op.name} accepts {names}")
        for name in op.required_args:
            value = given.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise InvalidArgumentError(op.name, name, "is required")
        try:
            path = op.render_path(given)
        except (TypeError, ValueError) as exc:
            arg = next(
                (a for a in op.path_args if a in str(exc)), op.path_args[0] if op.path_args else "path"
            )
            raise InvalidArgumentError(op.name, arg, "must be a non-empty string (an OCID)") from None
        params: list[tuple[str, str]] = []
        for arg, wire in op.query_args.items():
            value = given.get(arg)
            if value is None:
                continue
            allowed = op.query_param_allowed_values.get(wire)
            values = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
            for item in values:
                if allowed and str(item) not in allowed:
                    raise InvalidArgumentError(
                        op.name, arg, f"invalid value {item!r}; allowed values: {list(allowed)}"
                    )
                if arg == "limit" and (isinstance(item, bool) or not isinstance(item, int) or item < 1):
                    raise InvalidArgumentError(op.name, arg, f"must be a positive integer, got {item!r}")
                params.append((wire, _query_value(item)))
        headers = self._base_headers(given.get("opc_request_id"))
        for arg, header in op.header_args.items():
            if arg == "opc_request_id":
                continue
            value = given.get(arg)
            if value is not None:
                headers[header] = str(value)
        if op.accepts_retry_token and "opc-retry-token" not in headers:
            headers["opc-retry-token"] = new_retry_token()
        url = f"{self.base_url}{path}"
        if params:
            url += "?" + encode_query(params)
        call = PreparedCall(
            operation=op.name,
            method=op.method,
            url=url,
            headers=headers,
            include_body_headers=op.enforce_content_headers,
            binary_response=op.response_type == "stream",
            download_to=os.fspath(download_to) if download_to is not None else None,
            spec=op,
            args=given,
        )
        if op.body_param is not None:
            body = given.get(op.body_param)
            if op.streams_body:
                try:
                    call.upload = Upload.open(body, given.get("content_length"))
                except TypeError as exc:
                    raise InvalidArgumentError(op.name, op.body_param, str(exc)) from None
                except OSError as exc:
                    raise InvalidArgumentError(
                        op.name, op.body_param, f"cannot open: {exc.strerror}"
                    ) from None
                headers["content-type"] = "application/octet-stream"
                headers["content-length"] = str(call.upload.length)
                if op.enforce_content_headers:  # put_ml_application_package: signed with its digest
                    try:
                        headers["x-content-sha256"] = call.upload.sha256()
                    except (OSError, ValueError) as exc:
                        call.upload.close()
                        raise InvalidArgumentError(op.name, op.body_param, str(exc)) from None
            elif body is not None:
                if not isinstance(body, Mapping | list):
                    raise InvalidArgumentError(
                        op.name,
                        op.body_param,
                        f"must be a dict in wire format (camelCase keys), got {type(body).__name__}",
                    )
                call.body = json.dumps(body, default=_json_default, separators=(",", ":")).encode("utf-8")
                headers["content-type"] = "application/json"
        call.retry_allowed = is_retry_safe(op, call.upload, conditional="if-match" in headers)
        return call

    def prepare_raw(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        retry: bool | None = None,
    ) -> PreparedCall:
        """Build a request for the ``request()`` escape hatch (path relative to ``/20190101``)."""
        method = method.upper()
        if path.startswith(("http://", "https://")):
            url = path
        else:
            path = "/" + path.lstrip("/")
            path = path.removeprefix("/" + API_VERSION)
            url = f"{self.base_url}{path}"
        if params:
            pairs = [(k, _query_value(v)) for k, v in params.items() if v is not None]
            url += ("&" if "?" in url else "?") + encode_query(pairs)
        merged = self._base_headers(None)
        merged.update({k.lower(): v for k, v in (headers or {}).items()})
        call = PreparedCall(operation=f"{method} {path}", method=method, url=url, headers=merged)
        if json_body is not None:
            call.body = json.dumps(json_body, default=_json_default, separators=(",", ":")).encode("utf-8")
            merged.setdefault("content-type", "application/json")
        call.retry_allowed = retry if retry is not None else method in ("GET", "HEAD")
        return call

    def prepare_search(
        self, search_logs_details: Mapping[str, Any], limit: int | None = None, page: str | None = None
    ) -> PreparedCall:
        """Build a Logging Search ``POST /20190909/search`` (a read: safe to retry)."""
        if not isinstance(search_logs_details, Mapping) or not search_logs_details.get("searchQuery"):
            raise InvalidArgumentError(
                "search_logs", "search_logs_details", "must be a dict with searchQuery, timeStart and timeEnd"
            )
        params = {"limit": limit, "page": page}
        call = self.prepare_raw(
            "POST",
            f"{self.config.logging_endpoint}/search",
            params=params,
            json_body=search_logs_details,
            retry=True,
        )
        call.operation = "search_logs"
        return call

    def finish(self, call: PreparedCall, status: int, headers: Mapping[str, str], content: bytes) -> Response:
        """Turn a complete HTTP answer into a :class:`Response` or raise the typed error."""
        if status >= 400:
            raise parse_error(call.operation, status, headers, content, call.request_id)
        return Response.build(parse_body(call, headers, content), headers, status)

    @staticmethod
    def page_items(data: Any) -> list[Any]:
        """The items of one list page (a JSON array, or an object with ``items``)."""
        if isinstance(data, list):
            return data
        if isinstance(data, dict) and isinstance(data.get("items"), list):
            return data["items"]
        return []


def list_operation_for(name: str) -> str:
    """``list_all_job_runs`` -> ``list_job_runs``."""
    return "list_" + name.removeprefix("list_all_")


DOWNLOAD_CHUNK = 1024 * 1024


def download_target(path: str) -> tuple[int, str]:
    """A temporary file next to ``path`` (renamed into place when the download completes)."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    return tempfile.mkstemp(prefix=".download-", dir=directory)


def download_args(operation: str, resource_id: str, range: str | None = None) -> dict[str, str]:
    """The arguments of a download operation (``get_*_artifact_content``,
    ``get_ml_application_package_content``...): its id, and ``range`` when one is given."""
    op = get_operation(operation)
    if op.response_type != "stream" or len(op.path_args) != 1:
        raise ValueError(f"{operation} is not an artifact download operation")
    args = {op.path_args[0]: resource_id}
    if range is not None:
        args["range"] = range
    return args
