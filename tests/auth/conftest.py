"""Fixtures for the credential-provider tests: the emulator, a test PKI and fake identity endpoints."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from auth_fakes import FakeClock, IdentityService, Pki

from airflow_ds_provider.client.auth import clear_shared_credentials
from airflow_ds_provider.emulator import Emulator
from airflow_ds_provider.emulator.pytest_plugin import EmulatorFactory


@pytest.fixture(scope="session")
def emu(ds_emulator_factory: EmulatorFactory) -> Emulator:
    """The session's shared manual-clock emulator (not reset: the tests register their own keys)."""
    return ds_emulator_factory(manual_clock=True)


@pytest.fixture(scope="session")
def compartment(emu: Emulator) -> str:
    return emu.create_identity().compartment_id


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki(directory=tmp_path_factory.mktemp("pki"))


@pytest.fixture
def svc(emu: Emulator, pki: Pki) -> Iterator[IdentityService]:
    service = IdentityService(emu, pki)
    yield service
    service.stop()


@pytest.fixture(autouse=True)
def _fresh_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in (
        "OCI_METADATA_BASE_URL",
        "KUBERNETES_SERVICE_HOST",
        "OCI_KUBERNETES_SERVICE_ACCOUNT_CERT_PATH",
    ):
        monkeypatch.delenv(name, raising=False)
    import os

    for name in list(os.environ):
        if name.startswith("OCI_RESOURCE_PRINCIPAL_"):
            monkeypatch.delenv(name)
    clear_shared_credentials()
    yield
    clear_shared_credentials()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
