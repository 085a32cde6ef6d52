"""The Airflow REST API (``/api/v2``) calls the end-to-end tests need, with polling waits.

Auth: the harness runs the simple auth manager with ``[core] simple_auth_manager_all_admins =
True``; its ``SimpleAllAdminMiddleware`` adds an admin JWT to every request, so no login or token
is needed. (Without that setting, ``POST /auth/token`` with a user's credentials returns a JWT.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote

import httpx
from procs import wait_for


class AirflowRestApi:
    """A client for one API server.

    :param base_url: the API server's root, e.g. ``http://127.0.0.1:8080``.
    :param diagnostics: called when a wait times out; its text is added to the error.
    """

    def __init__(self, base_url: str, diagnostics: Callable[[], str] | None = None) -> None:
        self.base_url = base_url
        self.client = httpx.Client(base_url=f"{base_url}/api/v2", timeout=30.0)
        self._diagnostics = diagnostics or (lambda: "")

    def diagnostics(self) -> str:
        return self._diagnostics()

    def close(self) -> None:
        self.client.close()

    def health(self) -> dict[str, Any]:
        return self.api("GET", "/monitor/health")

    def api(self, method: str, path: str, *, ok: Iterable[int] = (200, 201), **kwargs: Any) -> Any:
        """Call ``/api/v2{path}``; return the decoded JSON, or raise with the response text."""
        response = self.client.request(method, path, **kwargs)
        if response.status_code not in set(ok):
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:2000]}")
        return response.json() if response.content else None

    @staticmethod
    def _q(value: str) -> str:
        return quote(value, safe="")

    def _ti_path(self, dag_id: str, run_id: str, task_id: str) -> str:
        return f"/dags/{self._q(dag_id)}/dagRuns/{self._q(run_id)}/taskInstances/{self._q(task_id)}"

    def wait_for_dag(self, dag_id: str, *, timeout: float = 120) -> dict[str, Any]:
        """Wait until the dag-processor has parsed ``dag_id`` into the database; return the DAG."""
        return wait_for(
            lambda: self.api("GET", f"/dags/{self._q(dag_id)}"),
            timeout=timeout,
            desc=f"DAG {dag_id} to be parsed",
            diagnostics=self.import_errors,
        )

    def import_errors(self) -> str:
        try:
            return repr(self.api("GET", "/importErrors"))
        except Exception as exc:
            return f"(import errors unavailable: {exc})"

    def unpause(self, dag_id: str) -> None:
        self.api("PATCH", f"/dags/{self._q(dag_id)}", json={"is_paused": False})

    def trigger_dag(
        self, dag_id: str, conf: Mapping[str, Any] | None = None, *, run_id: str | None = None
    ) -> str:
        """Create a manual DAG run with ``conf`` through the REST API; return its run id."""
        body: dict[str, Any] = {"logical_date": None, "conf": dict(conf or {})}
        if run_id:
            body["dag_run_id"] = run_id
        return self.api("POST", f"/dags/{self._q(dag_id)}/dagRuns", json=body)["dag_run_id"]

    def get_dag_run(self, dag_id: str, run_id: str) -> dict[str, Any]:
        return self.api("GET", f"/dags/{self._q(dag_id)}/dagRuns/{self._q(run_id)}")

    def wait_for_dag_run(
        self, dag_id: str, run_id: str, states: Iterable[str], *, timeout: float = 180
    ) -> dict[str, Any]:
        """Wait until the DAG run's state is one of ``states``; return the run."""
        wanted = set(states)
        return wait_for(
            lambda: (run := self.get_dag_run(dag_id, run_id))["state"] in wanted and run,
            timeout=timeout,
            desc=f"DAG run {dag_id}/{run_id} in {sorted(wanted)}",
            diagnostics=self.diagnostics,
        )

    def get_ti(self, dag_id: str, run_id: str, task_id: str) -> dict[str, Any]:
        """The task instance as the REST API returns it (``state``, ``try_number``, ``id``, ...)."""
        return self.api("GET", self._ti_path(dag_id, run_id, task_id))

    def wait_for_ti(
        self,
        dag_id: str,
        run_id: str,
        task_id: str,
        states: Iterable[str | None],
        *,
        timeout: float = 180,
        min_try_number: int = 0,
    ) -> dict[str, Any]:
        """Wait until the TI's state is in ``states`` (and its try number >= ``min_try_number``)."""
        wanted = set(states)

        def probe() -> dict[str, Any] | None:
            ti = self.get_ti(dag_id, run_id, task_id)
            if ti["state"] in wanted and ti["try_number"] >= min_try_number:
                return ti
            return None

        return wait_for(
            probe,
            timeout=timeout,
            desc=f"TI {dag_id}/{run_id}/{task_id} in {sorted(map(str, wanted))}",
            diagnostics=self.diagnostics,
        )

    def ti_tries(self, dag_id: str, run_id: str, task_id: str) -> list[dict[str, Any]]:
        """All tries of a TI (``GET .../tries``), oldest first."""
        return self.api("GET", f"{self._ti_path(dag_id, run_id, task_id)}/tries")["task_instances"]

    def set_ti_state(self, dag_id: str, run_id: str, task_id: str, state: str) -> dict[str, Any]:
        """Mark a TI ``failed``/``success``/``skipped`` the way the UI does (PATCH the TI)."""
        return self.api("PATCH", self._ti_path(dag_id, run_id, task_id), json={"new_state": state})

    def clear_ti(self, dag_id: str, run_id: str, task_id: str) -> list[dict[str, Any]]:
        """Clear a TI in any state (``POST /dags/{dag_id}/clearTaskInstances``), so it runs again."""
        body = {"dry_run": False, "dag_run_id": run_id, "task_ids": [task_id], "only_failed": False}
        return self.api("POST", f"/dags/{self._q(dag_id)}/clearTaskInstances", json=body)["task_instances"]

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int | None = None) -> str:
        """A TI try's log (worker and triggerer parts) as text, one line per log event."""
        if try_number is None:
            try_number = self.get_ti(dag_id, run_id, task_id)["try_number"]
        data = self.api(
            "GET",
            f"{self._ti_path(dag_id, run_id, task_id)}/logs/{try_number}",
            params={"full_content": "true"},
            headers={"Accept": "application/json"},
        )
        lines = []
        for item in data.get("content", []):
            if isinstance(item, dict):
                extra = {k: v for k, v in item.items() if k not in ("event", "timestamp", "level", "logger")}
                lines.append(
                    f"{item.get('timestamp', '')} {item.get('level', '')} {item.get('event', '')} {extra or ''}"
                )
            else:
                lines.append(str(item))
        return "\n".join(lines)

    def xcom(self, dag_id: str, run_id: str, task_id: str, key: str = "return_value") -> Any:
        """The deserialized value of one XCom (``KeyError`` if it does not exist)."""
        response = self.client.get(
            f"{self._ti_path(dag_id, run_id, task_id)}/xcomEntries/{self._q(key)}",
            params={"deserialize": "true"},
        )
        if response.status_code == 404:
            raise KeyError(key)
        if response.status_code != 200:
            raise RuntimeError(f"xcom {key} -> {response.status_code}: {response.text[:1000]}")
        return response.json()["value"]
