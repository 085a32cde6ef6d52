"""What every resource handler shares: the request and reply types, errors, lookups, etags,
retry tokens and list paging/filtering/sorting."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from airflow_ds_provider.emulator.auth import Principal
from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.emulator.store import Record, Store
from airflow_ds_provider.emulator.transitions import Lifecycles
from airflow_ds_provider.spec import Operation, models

COMPARTMENT_RE = re.compile(r"^ocid1\.(compartment|tenancy)\.oc1\.[a-z0-9-]*\.[a-z0-9]+$")
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
RETRY_TOKEN_TTL = 24 * 3600.0


class ApiError(Exception):
    """An error reply: HTTP status, OCI error code and message."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        super().__init__(f"{status} {code}: {message}")


def invalid(field: str, message: str) -> ApiError:
    """400 ``InvalidParameter`` naming ``field``."""
    return ApiError(400, "InvalidParameter", f"{field}: {message}")


def not_found(what: str, ocid: str) -> ApiError:
    """404 ``NotAuthorizedOrNotFound``."""
    return ApiError(
        404, "NotAuthorizedOrNotFound", f"{what} {ocid} does not exist or you are not authorized to access it"
    )


def incorrect_state(what: str, state: str, action: str) -> ApiError:
    """409 ``IncorrectState``."""
    return ApiError(409, "IncorrectState", f"cannot {action} {what} in state {state}")


@dataclass
class Request:
    """One parsed API request, as handlers see it."""

    op: Operation
    params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    principal: Principal
    upload: Callable[[], Any] | None = None


@dataclass
class Reply:
    """One API reply: a JSON body (or a byte range of an artifact file) and headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    file: tuple[str, int, int] | None = None  # (path, offset, length)


@dataclass
class Services:
    """What handlers work with."""

    store: Store
    lifecycles: Lifecycles
    region: str
    #: Logging Search answers 400 "too large" above this many results in a window (None: no limit).
    log_search_max_results: int | None = None
    #: Seconds an ``opc-retry-token`` is remembered (OCI: 24 hours).
    retry_token_ttl: float = RETRY_TOKEN_TTL

    def __post_init__(self) -> None:
        self.store.tickers.append(lambda now: run_tickers(self, now))

    def now(self) -> float:
        """Emulator time."""
        return self.store.clock.now()

    def stamp(self) -> str:
        """Emulator time on the wire."""
        return rfc3339(self.now())


#: What must happen by a given time even when nobody reads the resource that causes it (a
#: schedule starting its runs): called with the services and the time before every store read.
TICKERS: list[Callable[[Services, float], None]] = []


def ticks(func: Callable[[Services, float], None]) -> Callable[[Services, float], None]:
    """Register ``func`` in :data:`TICKERS` (a decorator)."""
    TICKERS.append(func)
    return func


def run_tickers(svc: Services, now: float) -> None:
    """Run every registered ticker for ``now`` (the store calls this with its lock held)."""
    for ticker in TICKERS:
        ticker(svc, now)


def require(svc: Services, kind: str, ocid: str, what: str) -> Record:
    """The resource, or 404."""
    record = svc.store.get(ocid, kind)
    if record is None:
        raise not_found(what, ocid)
    return record


def check_if_match(req: Request, record: Record) -> None:
    """412 ``NoEtagMatch`` when ``if-match`` is given and differs from the current etag."""
    wanted = req.headers.get("if-match")
    if wanted is not None and wanted not in ("*", record.etag):
        raise ApiError(412, "NoEtagMatch", f"the if-match etag {wanted!r} does not match the current etag")


def check_compartment(value: Any, field_name: str = "compartmentId") -> str:
    """A compartment (or tenancy) OCID of the right shape, or 400."""
    if not isinstance(value, str) or not COMPARTMENT_RE.match(value):
        raise invalid(field_name, "must be a compartment OCID (ocid1.compartment.oc1..<unique>)")
    return value


def resource_reply(svc: Services, record: Record, status: int = 200, **headers: str) -> Reply:
    """The resource's wire JSON with its etag."""
    return Reply(status, svc.store.snapshot(record), {"etag": record.etag, **headers})


def body_fingerprint(req: Request) -> str:
    """What must match for a retry token to be replayed: path, parameters and body."""
    text = json.dumps([req.op.name, req.params, req.body], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(
    svc: Services, req: Request, create: Callable[[], Reply], fingerprint: str | None = None
) -> Reply:
    """Run ``create`` once per ``opc-retry-token``.

    The same token with the same request replays the first reply (with the resource's current
    JSON); the same token with a different request is 409 ``InvalidatedRetryToken``. Tokens
    expire after ``svc.retry_token_ttl`` seconds (24 hours): then the request runs again.
    """
    token = req.headers.get("opc-retry-token")
    if not token:
        return create()
    key = (req.op.name, token)
    fingerprint = fingerprint or body_fingerprint(req)
    with svc.store.lock:
        seen = live_retry_token(svc, key)
        if seen is not None:
            old_fingerprint, (reply, ocid) = seen
            if old_fingerprint != fingerprint:
                raise ApiError(
                    409, "InvalidatedRetryToken", "opc-retry-token was already used for a different request"
                )
            record = svc.store.get(ocid) if ocid else None
            if record is not None and isinstance(reply.body, dict):
                return Reply(reply.status, svc.store.snapshot(record), {**reply.headers, "etag": record.etag})
            return reply
        reply = create()
        ocid = reply.body.get("id") if isinstance(reply.body, dict) else reply.headers.get("x-emulator-id")
        reply.headers.pop("x-emulator-id", None)
        remember_retry_token(svc, key, (fingerprint, (reply, ocid)))
        return reply


def live_retry_token(svc: Services, key: tuple[str, str]) -> Any:
    """What a retry token was first used for, or None (never used, or expired: then forgotten)."""
    seen = svc.store.retry_tokens.get(key)
    if seen is None:
        return None
    used = svc.store.retry_token_times.get(key, svc.now())
    if svc.now() - used >= svc.retry_token_ttl:
        svc.store.retry_tokens.pop(key, None)
        svc.store.retry_token_times.pop(key, None)
        return None
    return seen


def remember_retry_token(svc: Services, key: tuple[str, str], value: Any) -> None:
    """Record the first use of a retry token (now)."""
    svc.store.retry_tokens[key] = value
    svc.store.retry_token_times[key] = svc.now()


def _limit(query: dict[str, str]) -> int:
    raw = query.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise invalid("limit", "must be an integer") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid("limit", f"must be between 1 and {MAX_LIMIT}")
    return limit


def paginate(query: dict[str, str], items: list[Any]) -> Reply:
    """One page of ``items`` with ``opc-next-page`` / ``opc-prev-page`` headers."""
    limit = _limit(query)
    page = query.get("page")
    start = 0
    if page is not None:
        if not page.startswith("p") or not page[1:].isdigit():
            raise invalid("page", "is not a page token this service issued")
        start = int(page[1:])
    headers: dict[str, str] = {}
    if start + limit < len(items):
        headers["opc-next-page"] = f"p{start + limit}"
    if start > 0:
        headers["opc-prev-page"] = f"p{max(0, start - limit)}"
    return Reply(200, items[start : start + limit], headers)


def summary_model(op: Operation) -> tuple[str, bool]:
    """The summary model a list operation answers with, and whether the page is wrapped in a
    collection (``{"items": [...]}``, e.g. ``MlApplicationCollection``) rather than a bare list."""
    response = op.response_type or ""
    if response.startswith("list["):
        return response[5:-1], False
    items = models()[response].field_by_wire()["items"].type
    return items[5:-1], True


def list_reply(
    svc: Services,
    req: Request,
    kind: str,
    filters: dict[str, Callable[[dict[str, Any], str], bool]] | None = None,
    time_field: str = "timeCreated",
) -> Reply:
    """Filter, sort and page the resources of ``kind`` as the list operations do; each item
    carries exactly the fields of the operation's summary model (from the spec) that it has.

    :param filters: extra query filters (query name -> predicate over the wire JSON).
    """
    summary, wrapped = summary_model(req.op)
    query = req.query
    _validate_enums(req)
    compartment = query.get("compartmentId")
    if compartment is None and "compartment_id" in req.op.required_args:
        raise invalid("compartmentId", "is required")
    if compartment is not None:
        check_compartment(compartment)
    plain = ("compartmentId", "id", "projectId", "jobId", "displayName", "lifecycleState", "createdBy")
    plain += ("modelVersionSetName", "versionLabel", "category", "status", "operationType")
    fields = list(models()[summary].field_by_wire())
    with svc.store.lock:
        rows = []
        for record in svc.store.of_kind(kind):
            data = record.data
            if any(name in query and data.get(name) != query[name] for name in plain):
                continue
            if filters and any(
                name in query and not pred(data, query[name]) for name, pred in filters.items()
            ):
                continue
            rows.append((record.seq, {k: data[k] for k in fields if k in data}))
        rows = [(seq, json.loads(json.dumps(row))) for seq, row in rows]
    sort_by = query.get("sortBy", "timeCreated")
    key_field = time_field if sort_by in ("timeCreated", "timeAccepted") else sort_by
    descending = query.get("sortOrder", "DESC" if key_field == time_field else "ASC") == "DESC"
    rows.sort(key=lambda r: (str(r[1].get(key_field) or ""), r[0]), reverse=descending)
    reply = paginate(query, [row for _, row in rows])
    if wrapped:
        reply.body = {"items": reply.body}
    return reply


def _validate_enums(req: Request) -> None:
    for name, allowed in req.op.query_param_allowed_values.items():
        value = req.query.get(name)
        if value is not None and value not in allowed:
            raise invalid(name, f"must be one of {list(allowed)}, got {value!r}")


def tags(body: dict[str, Any]) -> dict[str, Any]:
    """The tag fields of a create body, defaulted."""
    return {"freeformTags": body.get("freeformTags") or {}, "definedTags": body.get("definedTags") or {}}


def apply_update(record: Record, body: dict[str, Any], allowed: Iterable[str]) -> None:
    """Merge the updatable fields of an update body."""
    patch = {k: v for k, v in body.items() if k in allowed and v is not None}
    if patch:
        record.apply(patch)


def change_compartment(svc: Services, req: Request, kind: str, id_param: str, what: str) -> Reply:
    """The ``change_*_compartment`` actions: move the resource to ``body.compartmentId``."""
    with svc.store.lock:
        record = require(svc, kind, req.params[id_param], what)
        check_if_match(req, record)
        target = check_compartment(req.body.get("compartmentId"))
        if record.data.get("lifecycleState") in ("DELETING", "DELETED"):
            raise incorrect_state(what, record.data["lifecycleState"], "move")
        record.apply({"compartmentId": target})
    return Reply(200, None, {})


def related(svc: Services, kind: str, ocid: Any, field_name: str, what: str) -> Record:
    """A resource a request body refers to, or 404 naming the field."""
    record = svc.store.get(ocid, kind) if isinstance(ocid, str) else None
    if record is None:
        raise ApiError(
            404, "NotAuthorizedOrNotFound", f"{field_name}: {what} {ocid} does not exist or is not authorized"
        )
    return record
