"""Pytest fixtures for the emulator, registered through the ``pytest11`` entry point.

* ``ds_emulator``: a running :class:`~airflow_ds_provider.emulator.Emulator` (real clock,
  speed 1), reset after each test; one server per test session.
* ``ds_identity``: an API-key identity registered with it (one per session).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airflow_ds_provider.emulator.core import Emulator
from airflow_ds_provider.emulator.identity import Identity


@pytest.fixture(scope="session")
def _ds_emulator_server() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def ds_emulator(_ds_emulator_server: Emulator) -> Iterator[Emulator]:
    """A running emulator with empty state (faults and request log cleared after the test)."""
    _ds_emulator_server.reset()
    yield _ds_emulator_server
    _ds_emulator_server.reset()


@pytest.fixture(scope="session")
def _ds_session_identity(_ds_emulator_server: Emulator) -> Identity:
    return _ds_emulator_server.create_identity()


@pytest.fixture
def ds_identity(ds_emulator: Emulator, _ds_session_identity: Identity) -> Identity:
    """An API-key identity (RSA 2048) registered with ``ds_emulator``."""
    return _ds_session_identity
