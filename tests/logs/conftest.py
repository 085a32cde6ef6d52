"""Fixtures for the job-run log tests: a manual-clock emulator shared by a module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from log_env import Env

from airflow_ds_provider.emulator import Emulator
from airflow_ds_provider.emulator.pytest_plugin import EmulatorFactory


@pytest.fixture(scope="module")
def manual_emu(ds_emulator_factory: EmulatorFactory) -> Iterator[Emulator]:
    """An emulator whose clock moves only through ``advance`` (shared by a module)."""
    with ds_emulator_factory.private(manual_clock=True) as emu:
        yield emu


@pytest.fixture(scope="module")
def env(manual_emu: Emulator) -> Iterator[Env]:
    """A small retry budget, so injected outages are over quickly."""
    environment = Env(manual_emu, max_attempts=2, max_retry_seconds=0.3)
    yield environment
    environment.client.close()


@pytest.fixture(scope="module")
def fast_env(ds_emulator_factory: EmulatorFactory) -> Iterator[Env]:
    """A real-clock emulator at speed 20 (a 40 s run takes 2 s), shared by a module."""
    with ds_emulator_factory.private(speed=20) as emu:
        environment = Env(emu)
        yield environment
        environment.client.close()


@pytest.fixture(autouse=True)
def _clean_log(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty the request log and faults of the module's emulator around each test."""
    emu = request.getfixturevalue("manual_emu") if "env" in request.fixturenames else None
    if emu is not None:
        emu.clear_requests()
        emu.clear_faults()
    yield
    if emu is not None:
        emu.clear_faults()
