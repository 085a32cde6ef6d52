"""Fixtures for end-to-end tests against a real Airflow deployment.

- ``pg_cluster`` (session): one private PostgreSQL server on a unix socket.
- ``airflow_deployment_factory`` (session): ``make(dags_folder, env=None, name=None,
  components=None, deployment_class=AirflowDeployment, **options)`` returns a started
  deployment (``options`` go to the class) with its own database (a copy of a template
  database migrated once per session). Stop it in a module fixture's
  teardown so modules do not overlap; whatever is still running is stopped at the end of the
  session, even after a failure.
- ``harness_deployment`` (module): a deployment running this folder's ``dags/``.
- ``emulator`` (module): the emulator as a process (:class:`emulator_process.EmulatorProcess`).
- ``dep`` (module): a deployment of ``example_dags/`` plus ``dags_examples/``, its connection
  pointing at ``emulator`` (a module that needs other DAGs defines its own ``dep``);
  ``triggerer_up``: a test that killed the triggerer leaves a new one for the next.

Run with ``pytest -m deployment tests/deployment``; ``scripts/install_deployment_deps.sh``
installs PostgreSQL and the drivers.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from emulator_process import EmulatorProcess
from harness import AirflowDeployment
from pg_cluster import PostgresCluster

HARNESS_DAGS = Path(__file__).parent / "dags"
EXAMPLE_DAGS = Path(__file__).resolve().parents[2] / "example_dags"
E2E_DAGS = Path(__file__).parent / "dags_examples"
TEMPLATE_DB = "af_template"

_live: list[AirflowDeployment] = []
_clusters: list[PostgresCluster] = []
_timings: list[str] = []


def _stop_everything() -> None:
    while _live:
        _live.pop().stop()
    while _clusters:
        _clusters.pop().stop()


atexit.register(_stop_everything)


def _on_sigterm(signum: int, frame: object) -> None:
    # Turn SIGTERM into KeyboardInterrupt so pytest runs the fixture finalizers.
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster | None]:
    """The PostgreSQL server, or None when ``AIRFLOW_E2E_DB=sqlite`` (for comparison runs only)."""
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    cluster = None
    if os.environ.get("AIRFLOW_E2E_DB", "postgres") != "sqlite":
        cluster = PostgresCluster().start()
        _clusters.append(cluster)
    try:
        yield cluster
    finally:
        _stop_everything()
        signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="session")
def airflow_deployment_factory(
    pg_cluster: PostgresCluster | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., AirflowDeployment]]:
    made: list[AirflowDeployment] = []
    template: list[str] = []

    def database_for(label: str, root: Path) -> str:
        if pg_cluster is None:
            return f"sqlite:///{root}/airflow.db"
        if not template:
            # Migrate once into a template database; every deployment gets a copy of it.
            seed = AirflowDeployment(
                HARNESS_DAGS,
                tmp_path_factory.mktemp("airflow-template"),
                database_url=pg_cluster.create_database(TEMPLATE_DB),
            )
            seed.migrate()
            seed.close()
            template.append(TEMPLATE_DB)
            _timings.append(f"template database: db_migrate={seed.timings['db_migrate']:.1f}s")
        return pg_cluster.create_database(f"af_{label}_{len(made)}", template=TEMPLATE_DB)

    def make(
        dags_folder: str | os.PathLike[str],
        env: Mapping[str, str] | None = None,
        name: str | None = None,
        components: tuple[str, ...] | None = None,
        deployment_class: type[AirflowDeployment] = AirflowDeployment,
        **options: Any,
    ) -> AirflowDeployment:
        """``deployment_class(dags_folder, root, database_url=..., env=env, **options)``, started
        with ``components`` (default: all of the class's)."""
        label = re.sub(r"[^a-z0-9_]", "_", (name or Path(dags_folder).name).lower())
        root = tmp_path_factory.mktemp(f"airflow-{label}")
        database_url = database_for(label, root)
        deployment = deployment_class(dags_folder, root, database_url=database_url, env=env, **options)
        made.append(deployment)
        _live.append(deployment)
        deployment.start(components or deployment.components, migrate=pg_cluster is None)
        _timings.append(f"{label}: " + ", ".join(f"{k}={v:.1f}s" for k, v in deployment.timings.items()))
        return deployment

    try:
        yield make
    finally:
        for deployment in made:
            deployment.stop()
            if deployment in _live:
                _live.remove(deployment)


@pytest.fixture(scope="module")
def harness_deployment(
    airflow_deployment_factory: Callable[..., AirflowDeployment],
) -> Iterator[AirflowDeployment]:
    deployment = airflow_deployment_factory(HARNESS_DAGS, name="harness")
    yield deployment
    deployment.stop()  # free the machine for the next module; stop() is idempotent


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    emu = EmulatorProcess(tmp_path_factory.mktemp("emulator"))
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def dep(
    airflow_deployment_factory: Callable[..., AirflowDeployment],
    emulator: EmulatorProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[AirflowDeployment]:
    dags = tmp_path_factory.mktemp("dags") / "dags"
    shutil.copytree(EXAMPLE_DAGS, dags, ignore=shutil.ignore_patterns("__pycache__"))
    for path in sorted(E2E_DAGS.glob("*.py")):
        shutil.copy(path, dags / path.name)
    env = {
        "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT": emulator.connection,
        "OCI_DS_EXAMPLE_POLL_INTERVAL": "1",
        "OCI_DS_EXAMPLE_LOG_TAIL_GRACE": "0",
    }
    deployment = airflow_deployment_factory(dags, env=env, name="examples")
    yield deployment
    deployment.stop()


@pytest.fixture
def triggerer_up(dep: AirflowDeployment) -> None:
    """A test that killed the triggerer leaves a new one for the next."""
    if dep.current("triggerer") is None:
        dep.start_component("triggerer")
        dep.wait_component_healthy("triggerer")


@pytest.fixture
def marker_dir(tmp_path: Path) -> Path:
    """A directory the test DAGs' operators and triggers write marker files into."""
    path = tmp_path / "markers"
    path.mkdir()
    return path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _timings:
        terminalreporter.section("airflow deployment startup")
        for line in _timings:
            terminalreporter.write_line(line)
