"""Pytest fixtures for the emulator, registered through the ``pytest11`` entry point.

* ``ds_emulator_factory``: an :class:`EmulatorFactory` (one per session). ``factory(speed=20)``
  gives the session's shared, running emulator for that configuration (one server per
  configuration); ``with factory.private(manual_clock=True) as emu:`` gives a fresh one that
  stops when the block ends (for a module that wants its own clock and state).
* ``ds_emulator``: ``factory()`` (real clock, speed 1), reset before and after each test.
* ``ds_identity``: an API-key identity registered with it (one per session).

Pytest loads this module in every run of an environment where the provider is installed, used
or not, so loading it stays cheap: it imports only ``pytest`` and the standard library, and the
emulator (with ``cryptography``, ``requests`` and the spec) is imported when a fixture first
starts one. ``tests/emulator/test_pytest_plugin.py`` checks it; ``docs/testing-with-the-emulator.md``
says how to opt out (``-p no:airflow_ds_provider_emulator``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from airflow_ds_provider.emulator.core import Emulator
    from airflow_ds_provider.emulator.identity import Identity


def _emulator(**config: Any) -> Emulator:
    """A new (not yet started) emulator; the import happens here, on first use."""
    from airflow_ds_provider.emulator.core import Emulator

    return Emulator(**config)


class EmulatorFactory:
    """Starts emulators for tests: shared ones cached per configuration, or private ones."""

    def __init__(self) -> None:
        self._shared: dict[tuple[tuple[str, Any], ...], Emulator] = {}

    def __call__(
        self, *, speed: float = 1.0, manual_clock: bool = False, log_ingestion_delay: float = 0.0
    ) -> Emulator:
        """The running emulator shared by every caller asking for this configuration."""
        config = {"speed": float(speed), "manual_clock": bool(manual_clock)}
        config["log_ingestion_delay"] = float(log_ingestion_delay)
        key = tuple(sorted(config.items()))
        if key not in self._shared:
            self._shared[key] = _emulator(**config).start()
        return self._shared[key]

    @contextmanager
    def private(
        self, *, speed: float = 1.0, manual_clock: bool = False, log_ingestion_delay: float = 0.0
    ) -> Iterator[Emulator]:
        """A fresh running emulator of its own, stopped when the block ends."""
        with _emulator(
            speed=speed, manual_clock=manual_clock, log_ingestion_delay=log_ingestion_delay
        ) as emu:
            yield emu

    def close(self) -> None:
        """Stop every shared emulator."""
        while self._shared:
            self._shared.popitem()[1].stop()


@pytest.fixture(scope="session")
def ds_emulator_factory() -> Iterator[EmulatorFactory]:
    """The session's :class:`EmulatorFactory`; its shared emulators stop at the session's end."""
    factory = EmulatorFactory()
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def _ds_emulator_server(ds_emulator_factory: EmulatorFactory) -> Emulator:
    return ds_emulator_factory()


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
