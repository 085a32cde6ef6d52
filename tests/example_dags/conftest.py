"""Fixtures for the example-DAG tests: a fast emulator and the example DAGs loaded by a DagBag.

The DAGs are parsed from ``example_dags/`` exactly as a DAG processor would (``DagBag``), with
``OCI_DS_EXAMPLE_POLL_INTERVAL`` lowered so the waits keep up with an emulator running 20x real
time (and ``OCI_DS_EXAMPLE_LOG_TAIL_GRACE=0``: the emulator's logs have no ingestion delay), and run through ``dag.test()`` (the ``run_dag`` fixture) against it over real HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from airflow_ds_provider.emulator import Emulator
from airflow_ds_provider.emulator.pytest_plugin import EmulatorFactory

from ._helpers import EXAMPLES_DIR

CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"
POLL_ENV = "OCI_DS_EXAMPLE_POLL_INTERVAL"
GRACE_ENV = "OCI_DS_EXAMPLE_LOG_TAIL_GRACE"


@pytest.fixture(scope="session")
def fast_emulator(ds_emulator_factory: EmulatorFactory) -> Emulator:
    """The session's shared speed-20 emulator (``emu`` resets it around each test)."""
    return ds_emulator_factory(speed=20)


@pytest.fixture(scope="session")
def fast_identity(fast_emulator: Emulator) -> Any:
    return fast_emulator.create_identity()


@pytest.fixture
def emu(fast_emulator: Emulator, fast_identity: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """The fast emulator, emptied, with ``oci_data_science_default`` pointing at it."""
    fast_emulator.reset()
    monkeypatch.setenv(CONN_ENV, fast_emulator.airflow_connection_json(fast_identity))
    yield fast_emulator
    fast_emulator.reset()


@pytest.fixture(scope="session")
def example_dagbag() -> Any:
    """The example DAGs parsed from their folder, with fast polling and no wait for late log lines."""
    from dag_db import dag_bag_class

    DagBag = dag_bag_class()

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(POLL_ENV, "0.1")
        mp.setenv(GRACE_ENV, "0")
        bag = DagBag(dag_folder=str(EXAMPLES_DIR))
    assert not bag.import_errors, bag.import_errors
    return bag
