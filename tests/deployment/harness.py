"""Run a real Airflow 3.3 deployment (separate processes, LocalExecutor, PostgreSQL) for tests.

Typical use (see ``conftest.py`` for the fixtures)::

    dep = AirflowDeployment(dags_folder, tmp_path, database_url=pg.create_database("af1"),
                            env={"AIRFLOW_CONN_OCI_DS": "..."})
    dep.start()                       # db migrate + api-server, scheduler, dag-processor, triggerer
    dep.wait_for_dag("my_dag")
    run_id = dep.trigger_dag("my_dag", conf={"x": 1})
    dep.wait_for_dag_run("my_dag", run_id, {"success"}, timeout=120)
    dep.stop()                        # kills every process the deployment started, workers included

Each component runs in its own process group. All processes start in the deployment's
AIRFLOW_HOME and carry ``AIRFLOW_E2E_DEPLOYMENT=<id>`` in their environment; :meth:`stop` uses
that to find and kill task-runner processes too, which Airflow puts in process groups of their
own. The REST API (``/api/v2``) is called without a login: the
simple auth manager runs with ``[core] simple_auth_manager_all_admins = True``, whose middleware
adds an admin JWT to every request. Nothing listens on anything but 127.0.0.1: the API server is
bound to it, the log servers of the scheduler and triggerer are not started (``--skip-serve-logs``;
task logs are read from the shared local log folder), and PostgreSQL listens on a unix socket.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from compat.features import has
from procs import (
    find_by_title,
    free_port,
    group_alive,
    kill_quietly,
    listening_addresses,
    pids_in,
    signal_group,
    wait_for,
)
from rest_api import AirflowRestApi

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
MARKER_ENV = "AIRFLOW_E2E_DEPLOYMENT"
_AIRFLOW_BIN = Path(sys.executable).with_name("airflow")


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


class AirflowDeployment(AirflowRestApi):
    """One Airflow deployment: its own AIRFLOW_HOME, metadata database, port and processes.

    :param dags_folder: the DAGs folder; it is also put on ``PYTHONPATH`` of every component,
        so triggers defined next to the DAGs can be imported by the triggerer.
    :param tmp_path: a directory for AIRFLOW_HOME, task logs and component logs.
    :param database_url: SQLAlchemy URL of an empty database (see ``pg_cluster.PostgresCluster``).
    :param env: extra environment for every component, e.g. ``AIRFLOW_CONN_...`` variables or
        ``AIRFLOW__SECTION__KEY`` overrides; it wins over the harness defaults. ``AIRFLOW*``
        variables of the calling process are not passed on, so the deployment is isolated.
    :param parallelism: LocalExecutor worker slots.

    Subclasses may run other shapes (``distributed.CeleryDeployment``): they extend
    ``components`` and override :meth:`component_args`.
    """

    #: The component names :meth:`start_component` accepts.
    components: tuple[str, ...] = COMPONENTS

    def __init__(
        self,
        dags_folder: str | os.PathLike[str],
        tmp_path: str | os.PathLike[str],
        *,
        database_url: str,
        env: Mapping[str, str] | None = None,
        parallelism: int = 4,
    ) -> None:
        self.dags_folder = Path(dags_folder).resolve()
        self.root = Path(tmp_path)
        self.home = self.root / "airflow-home"
        self.log_dir = self.root / "component-logs"
        self.task_log_dir = self.home / "logs"
        for path in (self.home, self.log_dir, self.task_log_dir):
            path.mkdir(parents=True, exist_ok=True)
        self.deployment_id = uuid.uuid4().hex
        self.port = free_port()
        super().__init__(f"http://127.0.0.1:{self.port}")
        self.env = self._build_env(database_url, parallelism, dict(env or {}))
        self.procs: dict[str, list[subprocess.Popen[bytes]]] = {name: [] for name in self.components}
        self._log_files: dict[str, Path] = {}
        self.timings: dict[str, float] = {}

    # ----------------------------------------------------------------------------- setup

    def _build_env(self, database_url: str, parallelism: int, extra: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        python_path = [str(self.dags_folder), *filter(None, os.environ.get("PYTHONPATH", "").split(":"))]
        env.update(
            {
                MARKER_ENV: self.deployment_id,
                "AIRFLOW_HOME": str(self.home),
                "PYTHONPATH": ":".join(python_path),
                "PYTHONUNBUFFERED": "1",
                "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
                "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
                "AIRFLOW__CORE__PARALLELISM": str(parallelism),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
                "AIRFLOW__CORE__FERNET_KEY": _fernet_key(),
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.base_url}/execution/",
                "AIRFLOW__CORE__AUTH_MANAGER": (
                    "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
                ),
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database_url,
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(self.port),
                "AIRFLOW__API__BASE_URL": self.base_url,
                "AIRFLOW__API__WORKERS": "1",
                "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
                # 3.0 answers ``xcomEntries/...?deserialize=true`` with 400 unless this is on
                # (3.3 dropped the option: it always may deserialize).
                "AIRFLOW__API__ENABLE_XCOM_DESERIALIZE_SUPPORT": "True",
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
                # 3.0 leaves the issuer unset, which PyJWT 2.10+ refuses ("Issuer (iss) must be a string").
                "AIRFLOW__API_AUTH__JWT_ISSUER": "ds-provider-deployment-tests",
                "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(self.task_log_dir),
                # Fast feedback: parse the DAGs folder often, notice dead triggerers soon.
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
                "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "10",
                "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
                "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
                "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "60",
                "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
                "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "2",
                "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "10",
            }
        )
        env.update(extra)
        return env

    def airflow(
        self, *args: str, timeout: float = 300, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run one ``airflow`` CLI command with the deployment's environment."""
        result = subprocess.run(
            [str(_AIRFLOW_BIN), *args],
            # 3.0's CLI logs INFO lines to stdout, before the JSON of ``-o json``.
            env={**self.env, "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING"},
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"airflow {' '.join(args)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def migrate(self) -> None:
        started = time.monotonic()
        self.airflow("db", "migrate")
        self.timings["db_migrate"] = time.monotonic() - started

    def start(
        self, components: Iterable[str] = COMPONENTS, *, migrate: bool = True, timeout: float = 180
    ) -> AirflowDeployment:
        """Migrate the database (unless ``migrate=False``: it is a copy of a migrated one), start
        ``components`` and wait until each one reports healthy."""
        started = time.monotonic()
        try:
            if migrate:
                self.migrate()
            for name in components:
                self.start_component(name)
            for name in components:
                self.wait_component_healthy(name, timeout=timeout)
        except BaseException:
            self.stop()
            raise
        self.timings["start_total"] = time.monotonic() - started
        return self

    # ------------------------------------------------------------------------ components

    def start_component(self, name: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Start one component as a new process in its own process group; return it.

        :param env: extra environment for this process only, on top of the deployment's.
        """
        if name not in self.components:
            raise ValueError(f"unknown component {name!r}; expected one of {self.components}")
        args = self.component_args(name)
        index = len(self.procs[name])
        log_path = self.log_dir / f"{name}.{index}.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [str(_AIRFLOW_BIN), *args],
                env={**self.env, **(env or {})},
                cwd=self.home,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc._started_at = time.monotonic()  # type: ignore[attr-defined]
        proc._started_wall = time.time()  # type: ignore[attr-defined]
        self.procs[name].append(proc)
        self._log_files[f"{name}.{index}"] = log_path
        return proc

    def component_args(self, name: str) -> list[str]:
        """The ``airflow`` CLI arguments that start component ``name``."""
        return {
            "api-server": ["api-server", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"],
            "scheduler": ["scheduler", "--skip-serve-logs"],
            "dag-processor": ["dag-processor"],
            "triggerer": ["triggerer", "--skip-serve-logs"],
        }[name]

    def current(self, name: str) -> subprocess.Popen[bytes] | None:
        """The most recently started process of component ``name``, if it is still running."""
        procs = self.procs[name]
        if procs and procs[-1].poll() is None:
            return procs[-1]
        return None

    def kill_component(self, name: str, sig: int = signal.SIGKILL, *, timeout: float = 30) -> None:
        """Send ``sig`` to the process group of the running component ``name`` and wait for it to exit.

        The group holds the component and the children it forked without a new group (the
        triggerer's trigger runner, the scheduler's LocalExecutor workers); task runners have
        their own groups and are not touched.
        """
        proc = self.current(name)
        if proc is None:
            raise RuntimeError(f"{name} is not running")
        signal_group(proc.pid, sig)
        if not _wait(proc, timeout):
            signal_group(proc.pid, signal.SIGKILL)
            _wait(proc, 10)
        wait_for(
            lambda: not group_alive(proc.pid),
            timeout=timeout,
            interval=0.2,
            desc=f"{name} process group to exit",
        )

    def stop_component(self, name: str, *, timeout: float = 30) -> None:
        """Stop ``name`` gracefully (SIGTERM), then SIGKILL whatever is left of its group."""
        proc = self.current(name)
        if proc is None:
            return
        signal_group(proc.pid, signal.SIGTERM)
        _wait(proc, timeout)
        signal_group(proc.pid, signal.SIGKILL)
        _wait(proc, 10)

    def stop(self, *, timeout: float = 5) -> None:
        """Stop every component (SIGTERM, then SIGKILL after ``timeout``), then SIGKILL every
        other process of the deployment, such as task runners, until none is left. Idempotent."""
        for name in ("scheduler", "triggerer", "dag-processor", "api-server"):
            for proc in self.procs.get(name, []):
                if proc.poll() is None:
                    signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for procs in self.procs.values():
            for proc in procs:
                _wait(proc, max(0.1, deadline - time.monotonic()))
                signal_group(proc.pid, signal.SIGKILL)
        sweep_deadline = time.monotonic() + 15
        while (leftovers := self.marked_pids()) and time.monotonic() < sweep_deadline:
            for pid in leftovers:
                kill_quietly(pid, signal.SIGKILL)
            time.sleep(0.2)
        for procs in self.procs.values():
            for proc in procs:
                _wait(proc, 5)
        self.close()

    def marked_pids(self) -> list[int]:
        """Pids of this deployment's live processes, task runners included (see ``procs.pids_in``)."""
        return pids_in(str(self.home), f"{MARKER_ENV}={self.deployment_id}".encode())

    def listening_addresses(self) -> set[tuple[str, int]]:
        """(ip, port) of every TCP socket in LISTEN state held by this deployment's processes."""
        return listening_addresses(self.marked_pids())

    def component_log(self, name: str, index: int = -1) -> str:
        """Text of a component's stdout/stderr log (``index`` counts its restarts)."""
        if index < 0:
            index += len(self.procs[name])
        path = self._log_files.get(f"{name}.{index}")
        return path.read_text(errors="replace") if path and path.exists() else ""

    def diagnostics(self, tail: int = 3000) -> str:
        parts = []
        for key, path in sorted(self._log_files.items()):
            text = path.read_text(errors="replace") if path.exists() else ""
            parts.append(f"----- {key} (last {tail} chars) -----\n{text[-tail:]}")
        return "\n".join(parts)

    # --------------------------------------------------------------------------- health

    def wait_component_healthy(self, name: str, *, timeout: float = 180) -> None:
        """Wait until the latest process of ``name`` is up.

        The API server is up when ``/api/v2/monitor/health`` answers; the others when that
        endpoint reports them healthy with a heartbeat newer than the process start, so a
        restarted component is not taken for ready on the heartbeat of the one it replaced.
        """
        proc = self.procs[name][-1] if self.procs[name] else None
        started = getattr(proc, "_started_at", time.monotonic())
        started_wall = getattr(proc, "_started_wall", 0.0)
        key = {"scheduler": "scheduler", "triggerer": "triggerer", "dag-processor": "dag_processor"}.get(name)

        def probe() -> bool:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{name} exited with code {proc.returncode}")
            health = self.health()
            if key is None:
                return True
            status = health.get(key) or {}
            beat = status.get(f"latest_{key}_heartbeat")
            fresh = beat is not None and datetime.fromisoformat(beat).timestamp() >= started_wall - 1
            return status.get("status") == "healthy" and fresh

        wait_for(probe, timeout=timeout, interval=0.5, desc=f"{name} healthy", diagnostics=self.diagnostics)
        self.timings.setdefault(f"ready_{name}", time.monotonic() - started)

    # ----------------------------------------------------------------- executor events

    def executor_events(self, ti_id: str, try_number: int) -> list[str]:
        """TI states the scheduler saw when it processed LocalExecutor events for this try.

        Read from the scheduler's ``TaskInstance Finished: ... ti_id=<id>, ... state=<state>,
        ... try_number=<n>`` log lines (one per workload the executor finished).
        """
        pattern = re.compile(
            rf"TaskInstance Finished: .*ti_id={re.escape(ti_id)},.* state=(\w+), .*try_number={try_number}\b"
        )
        states = []
        for index in range(len(self.procs["scheduler"])):
            states += [m.group(1) for m in pattern.finditer(self.component_log("scheduler", index))]
        return states

    def executor_events_of(self, ti: dict[str, Any]) -> list[str]:
        """:meth:`executor_events` of a TI from the REST API, found by its DAG, run, task and map
        index, which every version logs (Airflow 3.0's line has no ``ti_id``)."""
        pattern = re.compile(
            rf"TaskInstance Finished: dag_id={re.escape(ti['dag_id'])}, task_id={re.escape(ti['task_id'])}, "
            rf"run_id={re.escape(ti['dag_run_id'])}, map_index={ti['map_index']},"
            rf".* state=(\w+), .*try_number={ti['try_number']}\b"
        )
        states = []
        for index in range(len(self.procs["scheduler"])):
            states += [m.group(1) for m in pattern.finditer(self.component_log("scheduler", index))]
        return states

    def wait_deferral_settled(
        self, dag_id: str, run_id: str, task_id: str, *, min_events: int = 1, timeout: float = 90
    ) -> dict[str, Any]:
        """Wait until the TI is deferred AND the scheduler has processed the executor event of
        the worker that deferred it; return the TI.

        Airflow 3.3.2 race (apache/airflow#72716): the LocalExecutor reports a deferring
        workload as "success" when its supervisor exits, which can be seconds after the task
        deferred. If the trigger fires first and the resumed task is already RUNNING when the
        scheduler processes that event, the scheduler marks the TI FAILED. Tests that make a
        trigger fire on demand should wait for this before letting it fire.
        ``min_events`` counts executor events of this try (a task that re-defers has several).
        """

        def probe() -> dict[str, Any] | None:
            ti = self.get_ti(dag_id, run_id, task_id)
            if ti["state"] != "deferred":
                return None
            return ti if len(self.executor_events_of(ti)) >= min_events else None

        return wait_for(
            probe,
            timeout=timeout,
            desc=f"deferral of {dag_id}/{run_id}/{task_id} to settle",
            diagnostics=self.diagnostics,
        )

    # ------------------------------------------------------------------------ processes

    def find_task_process(
        self, dag_id: str, run_id: str, task_id: str, *, kind: str = "runner", timeout: float = 60
    ) -> int:
        """Pid of a process of the TI's current try, waiting until it exists.

        ``kind="runner"``: the task runner (process title ``airflow worker -- <ti id>``), which
        executes the operator; killing it is a task crash, and the supervisor reports the try failed.
        ``kind="supervisor"``: its parent, the LocalExecutor worker process (``airflow worker --
        LocalExecutor: <ti id>``) that supervises the runner and heartbeats to the API server.
        """
        if kind not in ("runner", "supervisor"):
            raise ValueError("kind must be 'runner' or 'supervisor'")

        def probe() -> int | None:
            ti_id = self.get_ti(dag_id, run_id, task_id)["id"]
            proc = find_by_title(self.marked_pids(), f"airflow worker -- {ti_id}")
            if proc is None:
                return None
            return proc.pid if kind == "runner" else proc.ppid()

        return wait_for(probe, timeout=timeout, desc=f"worker process of {dag_id}/{run_id}/{task_id}")

    #: Airflow retries a try whose task runner died (SIGKILL, OOM) when ``retries`` allows (3.1+).
    #: Airflow 3.0's supervisor reports such a try FAILED whatever ``retries`` says.
    crashed_try_is_retried: bool = has("crashed_task_retried")

    def retry_crashed_try(self, dag_id: str, run_id: str, task_id: str, *, timeout: float = 120) -> None:
        """After a test killed the TI's task runner: let the next try run.

        Airflow 3.1+ retries it by itself (nothing to do). On 3.0 the try fails with its retries
        unused, so this waits for ``failed`` and clears the TI, as a user would; the next try
        adopts what is still in progress, but counts as a deliberate clear (a new budget of
        tries), so it does not adopt what already reached its success state.
        """
        if self.crashed_try_is_retried:
            return
        ti = self.wait_for_ti(dag_id, run_id, task_id, {"failed", "up_for_retry"}, timeout=timeout)
        assert ti["state"] == "failed", f"Airflow 3.0 fails a crashed try at once: {ti}"
        self.clear_ti(dag_id, run_id, task_id)

    def __enter__(self) -> AirflowDeployment:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``proc`` to exit; True if it did."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return False
    return True
