"""The control API under ``/_emulator/``: reset, clock, states, faults, scripts, keys, request log.

It is not signed (it is a test harness, bound to localhost by default) and mirrors the
:class:`~airflow_ds_provider.emulator.core.Emulator` methods. :data:`ROUTES` maps
``(method, first path segment)`` to a handler.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from airflow_ds_provider.emulator.resources.base import ApiError

#: The :class:`~airflow_ds_provider.emulator.core.Emulator` being controlled. Not imported by
#: name: ``core`` imports this module, and the layers never import each other in a circle.
Controlled = Any

#: A control handler: ``(emulator, rest of the path, query, JSON body) -> (status, JSON body)``.
ControlHandler = Callable[[Controlled, str, dict[str, str], dict[str, Any]], tuple[int, Any]]


class ControlApi:
    """Dispatches ``/_emulator/<path>`` requests to the emulator through :data:`ROUTES`.

    :param emulator: the emulator to control.
    """

    def __init__(self, emulator: Controlled) -> None:
        self.emu = emulator

    def handle(self, method: str, path: str, query: dict[str, str], raw: bytes) -> tuple[int, Any]:
        """Serve one control request; returns ``(status, JSON body)``."""
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            raise ApiError(400, "InvalidParameter", "control body: not valid JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "InvalidParameter", "control body: must be a JSON object")
        route = (method, path.strip("/").split("/")[0])
        rest = path.strip("/").partition("/")[2]
        handler = ROUTES.get(route)
        if handler is None:
            raise ApiError(404, "NotFound", f"no control operation {route[0]} /_emulator/{route[1]}")
        try:
            return handler(self.emu, rest, query, body)
        except (ValueError, TypeError, KeyError) as exc:
            raise ApiError(400, "InvalidParameter", f"control: {exc}") from None


def _health(emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    return 200, {"status": "ok", "url": emu.url, "now": emu.clock.now()}


def _reset(emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    emu.reset()
    return 200, {"status": "reset"}


def _advance(emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    return 200, {"now": emu.advance(float(body["seconds"]))}


def _state(emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    emu.set_state(body["id"], body["state"])
    return 200, emu.get(body["id"])


def _faults(emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    return 200, emu.faults.active()


def _add_fault(emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    fault = emu.inject_fault(
        method=body.get("method", "GET"),
        path=body.get("path", ".*"),
        kind=body.get("kind", "status"),
        status=int(body.get("status", 503)),
        count=int(body.get("count", 1)),
        retry_after=body.get("retryAfter"),
        latency=float(body.get("latency", 0.0)),
        error_code=body.get("errorCode"),
        message=body.get("message"),
    )
    return 200, fault.to_dict()


def _clear_faults(emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    emu.faults.clear()
    return 200, []


def _requests(emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    return 200, emu.requests[-int(query.get("limit", "1000")) :]


def _clear_requests(
    emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]
) -> tuple[int, Any]:
    emu.clear_requests()
    return 200, []


def _key(emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    emu.register_key(body["keyId"], body["publicKey"])
    return 200, {"keyId": body["keyId"]}


def _session_token(
    emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]
) -> tuple[int, Any]:
    emu.register_session_token(body["token"], body["publicKey"])
    return 200, {"keyId": f"ST${body['token']}"}


def _identity(emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    ident = emu.create_identity(body.get("compartmentName"))
    return 200, {**ident.to_dict(), "connection": emu.connection_extra(ident)}


def _resources(emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    if rest:
        found = emu.get(rest)
        if found is None:
            raise ApiError(404, "NotAuthorizedOrNotFound", f"no resource {rest}")
        return 200, found
    return 200, emu.list(query["kind"])


def _script(emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    if rest == "job-run":
        emu.script_job_run(
            body["id"],
            duration=body.get("duration"),
            outcome=body.get("outcome"),
            details=body.get("details"),
            log_lines=body.get("logLines"),
            log_delays=body.get("logDelays"),
        )
    elif rest in ("model-deployment", "notebook-session"):
        method = emu.script_model_deployment if rest == "model-deployment" else emu.script_notebook_session
        method(
            body["id"],
            duration=body.get("duration"),
            outcome=body.get("outcome"),
            details=body.get("details"),
            action=body.get("action", "create"),
        )
    else:
        raise ApiError(
            404,
            "NotFound",
            f"no script target {rest!r}; expected job-run, model-deployment or notebook-session",
        )
    return 200, {"scripted": body["id"]}


def _timings(emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    emu.lifecycles.timings.update(**body)
    return 200, vars(emu.lifecycles.timings)


def _logs(emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    return 200, emu.log_records(query.get("source"))


def _log_ingestion_delay(
    emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]
) -> tuple[int, Any]:
    emu.set_log_ingestion_delay(body["seconds"])
    return 200, {"seconds": emu.log_ingestion_delay}


def _log_search(emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    emu.set_log_search_max_results(body.get("maxResults"))
    return 200, {"maxResults": emu.services.log_search_max_results}


def _retry_token_ttl(
    emu: Controlled, rest: str, query: dict[str, str], body: dict[str, Any]
) -> tuple[int, Any]:
    emu.set_retry_token_ttl(body["seconds"])
    return 200, {"seconds": emu.services.retry_token_ttl}


#: ``(method, first path segment under /_emulator/)`` -> handler.
ROUTES: dict[tuple[str, str], ControlHandler] = {
    ("GET", "health"): _health,
    ("POST", "reset"): _reset,
    ("POST", "advance"): _advance,
    ("POST", "state"): _state,
    ("GET", "faults"): _faults,
    ("POST", "faults"): _add_fault,
    ("DELETE", "faults"): _clear_faults,
    ("GET", "requests"): _requests,
    ("DELETE", "requests"): _clear_requests,
    ("POST", "keys"): _key,
    ("POST", "session-tokens"): _session_token,
    ("POST", "identities"): _identity,
    ("GET", "resources"): _resources,
    ("POST", "script"): _script,
    ("POST", "timings"): _timings,
    ("GET", "logs"): _logs,
    ("POST", "log-ingestion-delay"): _log_ingestion_delay,
    ("POST", "log-search"): _log_search,
    ("POST", "retry-token-ttl"): _retry_token_ttl,
}
