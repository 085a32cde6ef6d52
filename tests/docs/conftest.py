"""Fixtures for the documentation tests: the session's speed-20 emulator behind
``oci_data_science_default``, and the runnable snippets' fast polling."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from airflow_ds_provider.emulator import Emulator
from airflow_ds_provider.emulator.pytest_plugin import EmulatorFactory

CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"
#: Read by the runnable snippets (like the example DAGs): seconds between state reads.
POLL_ENV = "OCI_DS_EXAMPLE_POLL_INTERVAL"


@pytest.fixture(scope="session")
def docs_emulator(ds_emulator_factory: EmulatorFactory) -> tuple[Emulator, Any]:
    emu = ds_emulator_factory(speed=20)
    return emu, emu.create_identity()


@pytest.fixture
def emu(docs_emulator: tuple[Emulator, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """The fast emulator, emptied, with ``oci_data_science_default`` pointing at it."""
    emulator, identity = docs_emulator
    emulator.reset()
    monkeypatch.setenv(CONN_ENV, emulator.airflow_connection_json(identity))
    monkeypatch.setenv(POLL_ENV, "0.1")
    yield emulator
    emulator.reset()
