"""Work requests: get, list, their errors and logs, cancel."""

from __future__ import annotations

from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.emulator.resources.base import (
    Reply,
    Request,
    Services,
    check_if_match,
    incorrect_state,
    list_reply,
    paginate,
    require,
    resource_reply,
)
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.lifecycle import WORK_REQUEST

_WHAT = "work request"


@handles("get_work_request")
def get_work_request(svc: Services, req: Request) -> Reply:
    """GET /workRequests/{workRequestId}; ``retry-after`` while it is still running."""
    with svc.store.lock:
        record = require(svc, "work_request", req.params["workRequestId"], _WHAT)
        reply = resource_reply(svc, record)
        if record.data["status"] in WORK_REQUEST.pending:
            reply.headers["retry-after"] = "1"
        return reply


@handles("list_work_requests")
def list_work_requests(svc: Services, req: Request) -> Reply:
    """GET /workRequests (``resourceId`` matches any resource of the request)."""
    filters = {"resourceId": lambda data, value: any(r["identifier"] == value for r in data["resources"])}
    return list_reply(svc, req, "work_request", filters=filters, time_field="timeAccepted")


@handles("list_work_request_errors")
def list_work_request_errors(svc: Services, req: Request) -> Reply:
    """GET /workRequests/{workRequestId}/errors."""
    with svc.store.lock:
        record = require(svc, "work_request", req.params["workRequestId"], _WHAT)
        now = svc.now()
        items = [
            {"code": code, "message": message, "timestamp": rfc3339(ts)}
            for ts, code, message in record.extra["errors"]
            if ts <= now
        ]
    return paginate(req.query, items)


@handles("list_work_request_logs")
def list_work_request_logs(svc: Services, req: Request) -> Reply:
    """GET /workRequests/{workRequestId}/logs."""
    with svc.store.lock:
        record = require(svc, "work_request", req.params["workRequestId"], _WHAT)
        now = svc.now()
        items = [
            {"message": message, "timestamp": rfc3339(ts)}
            for ts, message in record.extra["logs"]
            if ts <= now
        ]
    return paginate(req.query, items)


@handles("cancel_work_request")
def cancel_work_request(svc: Services, req: Request) -> Reply:
    """DELETE /workRequests/{workRequestId}: only a work request that has not started."""
    with svc.store.lock:
        record = require(svc, "work_request", req.params["workRequestId"], _WHAT)
        check_if_match(req, record)
        if record.data["status"] != "ACCEPTED":
            raise incorrect_state(_WHAT, record.data["status"], "cancel")
        svc.lifecycles.cancel_work_request(record)
    return Reply(202, None, {})
