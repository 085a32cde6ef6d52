"""Shared test setup: an isolated Airflow home with a SQLite metadata DB, and DAG-run helpers.

The Airflow environment is configured at import time, before anything imports ``airflow``.
The emulator fixtures (``ds_emulator``, ``ds_identity``, ``ds_emulator_factory``) come from the
package's own pytest plugin (``airflow_ds_provider.emulator.pytest_plugin``), which our users get
too. Every folder's emulator fixture is built on ``ds_emulator_factory``: one shared server per
configuration, or ``ds_emulator_factory.private(...)`` for a module that wants its own clock.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import airflow_guard
import pytest
from dag_db import sync_dag_to_db

if airflow_guard.enabled():
    airflow_guard.install()

_HOME = Path(tempfile.mkdtemp(prefix="ds-provider-airflow-home-"))
(_HOME / "dags").mkdir()
os.environ["AIRFLOW_HOME"] = str(_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(_HOME / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_HOME / 'airflow.db'}"
os.environ.setdefault("AIRFLOW__CORE__TEST_CONNECTION", "Enabled")
# dag.test() runs the execution API in process; Airflow 3.2 needs a JWT secret for that (3.3 does not).
os.environ.setdefault("AIRFLOW__API_AUTH__JWT_SECRET", "ds-provider-tests-only-jwt-secret")
os.environ.pop("AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT", None)

CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In the Airflow-free run (``airflow_guard``), fail if anything imported Airflow after all."""
    if airflow_guard.enabled():
        try:
            airflow_guard.check()
        except airflow_guard.AirflowImportBlocked as exc:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            print(f"\nERROR: {exc}")


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Create the Airflow metadata database once per test session (for ``dag.test()``)."""
    from airflow.utils import db
    from airflow_workarounds import (
        give_callbacks_the_exception,
        keep_secrets_out_of_the_request_debug_line,
        parse_the_first_reschedule_date,
        share_the_in_process_api,
    )

    share_the_in_process_api()
    give_callbacks_the_exception()
    parse_the_first_reschedule_date()
    keep_secrets_out_of_the_request_debug_line()
    db.initdb()
    return _HOME


@pytest.fixture
def ds_connection(ds_emulator: Any, ds_identity: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Point ``oci_data_science_default`` at the emulator; returns the connection extras."""
    monkeypatch.setenv(CONN_ENV, ds_emulator.airflow_connection_json(ds_identity))
    return ds_emulator.connection_extra(ds_identity)


class DagRunResult:
    """What a ``dag.test()`` run left behind: task states and XComs."""

    def __init__(self, dag_run: Any) -> None:
        self.dag_run = dag_run
        self.state = str(dag_run.state)
        self.run_id = dag_run.run_id
        self.dag_id = dag_run.dag_id

    def task_states(self) -> dict[str, str]:
        """task_id (with ``[map_index]`` for mapped tasks) -> final state."""
        from airflow.models.taskinstance import TaskInstance
        from airflow.utils.session import create_session

        with create_session() as session:
            tis = (
                session.query(TaskInstance)
                .filter(TaskInstance.dag_id == self.dag_id, TaskInstance.run_id == self.run_id)
                .all()
            )
            return {
                (ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"): str(ti.state)
                for ti in tis
            }

    def xcom(self, task_id: str, key: str = "return_value", map_index: int = -1) -> Any:
        """The XCom value a task pushed (deserialized), or None."""
        from airflow.models.xcom import XComModel
        from airflow.utils.session import create_session

        with create_session() as session:
            row = (
                session.query(XComModel)
                .filter(
                    XComModel.dag_id == self.dag_id,
                    XComModel.run_id == self.run_id,
                    XComModel.task_id == task_id,
                    XComModel.key == key,
                    XComModel.map_index == map_index,
                )
                .one_or_none()
            )
            return None if row is None else XComModel.deserialize_value(row)


@pytest.fixture
def run_dag(airflow_db: Path) -> Iterator[Callable[..., DagRunResult]]:
    """Run a DAG object through ``dag.test()`` and return a :class:`DagRunResult`."""

    def _run(dag: Any, **kwargs: Any) -> DagRunResult:
        sync_dag_to_db(dag)
        return DagRunResult(dag.test(**kwargs))

    yield _run
