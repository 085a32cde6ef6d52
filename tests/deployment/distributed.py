"""A distributed Airflow 3.3 deployment for tests: CeleryExecutor, Redis, two workers, two triggerers.

:class:`CeleryDeployment` is an :class:`~harness.AirflowDeployment` whose scheduler hands task
instances to Celery through a private Redis server (:class:`RedisServer`, a unix socket only)
and which runs, each as its own process group::

    api-server, scheduler, dag-processor, triggerer-1, triggerer-2, worker-1, worker-2

Every component gets its own Airflow hostname (``[core] hostname_callable`` reads
``AIRFLOW_E2E_HOSTNAME``, see ``dags_distributed/e2e_hostname.py``): a task instance's
``hostname`` names the Celery worker that ran the try, a triggerer job's ``hostname`` names the
triggerer. The Celery result backend is the metadata database. Trigger queues are on
(``[triggerer] queues_enabled``): both triggerers consume ``default``, and only ``triggerer-2``
consumes ``second``, so a task on queue ``second`` defers onto ``triggerer-2``. Each triggerer
claims at most ``max_per_loop`` triggers a loop, Airflow's knob for spreading triggers over
several triggerers. Nothing listens on TCP but the API server on 127.0.0.1: workers and
triggerers run with ``--skip-serve-logs``, Redis has ``port 0``, PostgreSQL a unix socket.

Task logs of running or deferred task instances are not read through the REST API here: the API
server would ask the log server of the TI's hostname (``worker-1``), which does not exist.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psutil
from harness import COMPONENTS, AirflowDeployment
from procs import kill_quietly, signal_group, wait_for

WORKERS = ("worker-1", "worker-2")
TRIGGERERS = ("triggerer-1", "triggerer-2")
#: The trigger queues each triggerer consumes.
TRIGGERER_QUEUES = {"triggerer-1": "default", "triggerer-2": "default,second"}
#: The Celery queues every worker consumes.
WORKER_QUEUES = "default,second"
_BASE = tuple(c for c in COMPONENTS if c != "triggerer")


class RedisServer:
    """``redis-server`` (Debian package) on a unix socket in ``workdir``; no TCP port, no persistence."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run scripts/install_distributed_deps.sh")
        self.socket = workdir / "redis.sock"
        self.log_path = workdir / "redis.log"
        args = [binary, "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(workdir), "--daemonize", "no"]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        wait_for(lambda: self.socket.exists() or self.proc.poll() is not None, timeout=30, desc="redis up")
        if self.proc.poll() is not None:
            raise RuntimeError(f"redis-server exited: {self.log_path.read_text()}")

    @property
    def url(self) -> str:
        """The kombu broker URL of the socket."""
        return f"redis+socket://{self.socket}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


class CeleryDeployment(AirflowDeployment):
    """Airflow with the CeleryExecutor, two Celery workers and two triggerers (see the module doc).

    :param redis_url: the broker, e.g. :attr:`RedisServer.url`.
    :param worker_concurrency: task slots of each Celery worker.
    :param max_per_loop: ``[triggerer] max_trigger_to_select_per_loop``.
    The other parameters are those of :class:`~harness.AirflowDeployment`.
    """

    components = (*_BASE, *TRIGGERERS, *WORKERS)

    def __init__(
        self,
        dags_folder: str | os.PathLike[str],
        tmp_path: str | os.PathLike[str],
        *,
        database_url: str,
        redis_url: str,
        env: Mapping[str, str] | None = None,
        worker_concurrency: int = 4,
        max_per_loop: int = 2,
    ) -> None:
        self.database_url = database_url
        self.worker_concurrency = worker_concurrency
        celery_env = {
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "e2e_hostname.hostname",
            "AIRFLOW__CELERY__BROKER_URL": redis_url,
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{database_url}",
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(worker_concurrency),
            "AIRFLOW__CELERY__SYNC_PARALLELISM": "1",
            "AIRFLOW__TRIGGERER__QUEUES_ENABLED": "True",
            "AIRFLOW__TRIGGERER__MAX_TRIGGER_TO_SELECT_PER_LOOP": str(max_per_loop),
            # A worker that vanished is noticed after 20 s without a heartbeat (default 300 s).
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
        }
        super().__init__(
            dags_folder,
            tmp_path,
            database_url=database_url,
            env={**celery_env, **(env or {})},
            parallelism=32,
        )
        self._engine: Any = None

    # ------------------------------------------------------------------------ components

    def component_args(self, name: str) -> list[str]:
        """CLI arguments of a component; ``worker-N`` and ``triggerer-N`` included."""
        if name in WORKERS:
            return [
                "celery",
                "worker",
                "--celery-hostname",
                f"{name}@%h",
                "--queues",
                WORKER_QUEUES,
                "--concurrency",
                str(self.worker_concurrency),
                "--skip-serve-logs",
                "--pid",
                str(self.home / f"{name}.pid"),
            ]
        if name in TRIGGERERS:
            return ["triggerer", "--skip-serve-logs", "--queues", TRIGGERER_QUEUES[name]]
        return super().component_args(name)

    def start_component(self, name: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Start ``name`` with ``AIRFLOW_E2E_HOSTNAME=<name>``, its Airflow hostname."""
        return super().start_component(name, env={"AIRFLOW_E2E_HOSTNAME": name, **(env or {})})

    def wait_component_healthy(self, name: str, *, timeout: float = 180) -> None:
        """A worker is healthy when Celery logged it ready; a triggerer when its own job row
        heartbeats; the others as in :class:`~harness.AirflowDeployment`."""
        if name not in WORKERS and name not in TRIGGERERS:
            super().wait_component_healthy(name, timeout=timeout)
            return
        proc = self.procs[name][-1]
        started = getattr(proc, "_started_at", time.monotonic())

        def probe() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with code {proc.returncode}")
            if name in WORKERS:
                return f"{name}@" in self.component_log(name) and " ready." in self.component_log(name)
            return self.triggerer_job(name, since=proc._started_wall - 1) is not None  # type: ignore[attr-defined]

        wait_for(probe, timeout=timeout, interval=0.5, desc=f"{name} healthy", diagnostics=self.diagnostics)
        self.timings.setdefault(f"ready_{name}", time.monotonic() - started)

    def kill_host(self, name: str, *, timeout: float = 30) -> list[int]:
        """SIGKILL component ``name`` and every process it started (task runners in their own
        sessions too), as if its machine died; return the pids killed."""
        proc = self.current(name)
        if proc is None:
            raise RuntimeError(f"{name} is not running")
        try:
            tree = [proc.pid, *(p.pid for p in psutil.Process(proc.pid).children(recursive=True))]
        except psutil.NoSuchProcess:
            tree = [proc.pid]
        signal_group(proc.pid, signal.SIGKILL)
        for pid in tree:
            kill_quietly(pid, signal.SIGKILL)
        proc.wait(timeout=timeout)
        wait_for(
            lambda: not any(psutil.pid_exists(p) and _alive(p) for p in tree), timeout=timeout, desc=name
        )
        return tree

    def stop(self, *, timeout: float = 5) -> None:
        """Stop the workers and triggerers first (SIGTERM), then everything else; idempotent."""
        for name in (*WORKERS, *TRIGGERERS):
            for proc in self.procs[name]:
                if proc.poll() is None:
                    signal_group(proc.pid, signal.SIGTERM)
        super().stop(timeout=timeout)
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # ---------------------------------------------------------------------------- database

    def sql(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Rows of a read-only SQL query on the metadata database, as dicts."""
        import sqlalchemy

        if self._engine is None:
            self._engine = sqlalchemy.create_engine(self.database_url, poolclass=sqlalchemy.pool.NullPool)
        with self._engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(sqlalchemy.text(query), params)]

    def triggerer_job(self, name: str, *, since: float = 0.0) -> dict[str, Any] | None:
        """The running triggerer job of triggerer ``name`` that heartbeat after ``since`` (UNIX time)."""
        rows = self.sql(
            "SELECT id, hostname, latest_heartbeat FROM job WHERE job_type = 'TriggererJob' "
            "AND state = 'running' AND hostname = :name AND latest_heartbeat >= to_timestamp(:since) "
            "ORDER BY id DESC",
            name=name,
            since=since,
        )
        return rows[0] if rows else None

    def triggers(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        """The triggers of a DAG run's deferred task instances: ``trigger_id``, ``map_index``,
        ``triggerer_id``, ``triggerer`` (the job's hostname, None while unassigned), ``queue``,
        ``ti_trigger_timeout`` and ``kwargs`` (decrypted)."""
        rows = self.sql(
            "SELECT t.id AS trigger_id, t.triggerer_id, t.queue, t.kwargs AS encrypted_kwargs, j.hostname AS triggerer, "
            "ti.map_index, ti.trigger_timeout AS ti_trigger_timeout FROM task_instance ti "
            "JOIN trigger t ON t.id = ti.trigger_id LEFT JOIN job j ON j.id = t.triggerer_id "
            "WHERE ti.dag_id = :dag_id AND ti.run_id = :run_id ORDER BY ti.map_index",
            dag_id=dag_id,
            run_id=run_id,
        )
        for row in rows:
            row["kwargs"] = self._decrypt(row.pop("encrypted_kwargs"))
        return rows

    def _decrypt(self, encrypted: str) -> dict[str, Any]:
        from cryptography.fernet import Fernet

        text = encrypted if encrypted.startswith("{") else None
        if text is None:
            text = Fernet(self.env["AIRFLOW__CORE__FERNET_KEY"].encode()).decrypt(encrypted.encode()).decode()
        return _plain(json.loads(text))


def _plain(value: Any) -> Any:
    """Strip Airflow's serde envelopes (``{"__classname__", "__data__"}``) from decoded JSON."""
    if isinstance(value, dict):
        if "__data__" in value and any(k.startswith("__") and k != "__data__" for k in value):
            return _plain(value["__data__"])
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
