"""The control API under ``/_emulator/``: reset, clock, states, faults, scripts, keys, request log.

It is not signed (it is a test harness, bound to localhost by default) and mirrors the
:class:`~airflow_ds_provider.emulator.core.Emulator` methods.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.emulator.resources.base import ApiError

if TYPE_CHECKING:
    from airflow_ds_provider.emulator.core import Emulator


class ControlApi:
    """Dispatches ``/_emulator/<path>`` requests to the emulator.

    :param emulator: the emulator to control.
    """

    def __init__(self, emulator: Emulator) -> None:
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
        try:
            return self._route(route, rest, query, body)
        except (ValueError, TypeError, KeyError) as exc:
            raise ApiError(400, "InvalidParameter", f"control: {exc}") from None

    def _route(
        self, route: tuple[str, str], rest: str, query: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, Any]:
        emu = self.emu
        if route == ("GET", "health"):
            return 200, {"status": "ok", "url": emu.url, "now": emu.clock.now()}
        if route == ("POST", "reset"):
            emu.reset()
            return 200, {"status": "reset"}
        if route == ("POST", "advance"):
            return 200, {"now": emu.advance(float(body["seconds"]))}
        if route == ("POST", "state"):
            emu.set_state(body["id"], body["state"])
            return 200, emu.get(body["id"])
        if route == ("GET", "faults"):
            return 200, emu.faults.active()
        if route == ("POST", "faults"):
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
        if route == ("DELETE", "faults"):
            emu.faults.clear()
            return 200, []
        if route == ("GET", "requests"):
            return 200, emu.requests[-int(query.get("limit", "1000")) :]
        if route == ("DELETE", "requests"):
            emu.clear_requests()
            return 200, []
        if route == ("POST", "keys"):
            emu.register_key(body["keyId"], body["publicKey"])
            return 200, {"keyId": body["keyId"]}
        if route == ("POST", "session-tokens"):
            emu.register_session_token(body["token"], body["publicKey"])
            return 200, {"keyId": f"ST${body['token']}"}
        if route == ("POST", "identities"):
            ident = emu.create_identity(body.get("compartmentName"))
            return 200, {**ident.to_dict(), "connection": emu.connection_extra(ident)}
        if route == ("GET", "resources"):
            if rest:
                found = emu.get(rest)
                if found is None:
                    raise ApiError(404, "NotAuthorizedOrNotFound", f"no resource {rest}")
                return 200, found
            return 200, emu.list(query["kind"])
        if route == ("POST", "script"):
            return self._script(rest, body)
        if route == ("POST", "timings"):
            emu.lifecycles.timings.update(**body)
            return 200, vars(emu.lifecycles.timings)
        if route == ("GET", "logs"):
            return 200, emu.log_records(query.get("source"))
        if route == ("POST", "log-ingestion-delay"):
            emu.set_log_ingestion_delay(body["seconds"])
            return 200, {"seconds": emu.log_ingestion_delay}
        if route == ("POST", "log-search"):
            emu.set_log_search_max_results(body.get("maxResults"))
            return 200, {"maxResults": emu.services.log_search_max_results}
        if route == ("POST", "retry-token-ttl"):
            emu.set_retry_token_ttl(body["seconds"])
            return 200, {"seconds": emu.services.retry_token_ttl}
        raise ApiError(404, "NotFound", f"no control operation {route[0]} /_emulator/{route[1]}")

    def _script(self, what: str, body: dict[str, Any]) -> tuple[int, Any]:
        if what == "job-run":
            self.emu.script_job_run(
                body["id"],
                duration=body.get("duration"),
                outcome=body.get("outcome"),
                details=body.get("details"),
                log_lines=body.get("logLines"),
                log_delays=body.get("logDelays"),
            )
        elif what in ("model-deployment", "notebook-session"):
            method = (
                self.emu.script_model_deployment
                if what == "model-deployment"
                else self.emu.script_notebook_session
            )
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
                f"no script target {what!r}; expected job-run, model-deployment or notebook-session",
            )
        return 200, {"scripted": body["id"]}
