"""Fixtures for the emulator tests: one manual-clock emulator per module, reset per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from airflow_ds_provider.client.signing import SigningKey
from airflow_ds_provider.emulator import Emulator, Identity
from airflow_ds_provider.emulator.pytest_plugin import EmulatorFactory

from .helpers import SignedClient, signing_key


@pytest.fixture(scope="session")
def emu_server(ds_emulator_factory: EmulatorFactory) -> Emulator:
    """The session's shared manual-clock emulator with a 5 s log ingestion delay."""
    return ds_emulator_factory(manual_clock=True, log_ingestion_delay=5.0)


@pytest.fixture(scope="session")
def ident(emu_server: Emulator) -> Identity:
    return emu_server.create_identity("tests")


@pytest.fixture
def emu(emu_server: Emulator) -> Iterator[Emulator]:
    emu_server.reset()
    emu_server.timings.update(**vars(type(emu_server.timings)()))
    yield emu_server
    emu_server.reset()


@pytest.fixture(scope="session")
def ident_key(ident: Identity) -> SigningKey:
    return signing_key(ident)  # parsing an RSA key is slow: once per session


@pytest.fixture
def client(emu: Emulator, ident_key: SigningKey) -> SignedClient:
    return SignedClient(emu.url, ident_key)


class World:
    """Creates the usual resources through the API."""

    def __init__(self, client: SignedClient, ident: Identity, emu: Emulator) -> None:
        self.client = client
        self.comp = ident.compartment_id
        self.emu = emu

    def project(self, **extra: Any) -> dict[str, Any]:
        body = {"compartmentId": self.comp, "displayName": "p", **extra}
        return self.client.op("create_project", json=body, expect=200).json()

    def job(self, project_id: str, **extra: Any) -> dict[str, Any]:
        body = {
            "projectId": project_id,
            "compartmentId": self.comp,
            "displayName": "train",
            "jobConfigurationDetails": {"jobType": "DEFAULT", "environmentVariables": {"A": "1"}},
            "jobInfrastructureConfigurationDetails": {
                "jobInfrastructureType": "ME_STANDALONE",
                "shapeName": "VM.Standard.E4.Flex",
                "blockStorageSizeInGBs": 50,
                "jobShapeConfigDetails": {"ocpus": 1.0, "memoryInGBs": 16.0},
            },
            **extra,
        }
        return self.client.op("create_job", json=body, expect=200).json()

    def run(self, job: dict[str, Any], **extra: Any) -> dict[str, Any]:
        body = {"projectId": job["projectId"], "compartmentId": self.comp, "jobId": job["id"], **extra}
        return self.client.op("create_job_run", json=body, expect=200).json()

    def model(self, project_id: str, **extra: Any) -> dict[str, Any]:
        body = {"projectId": project_id, "compartmentId": self.comp, "displayName": "m", **extra}
        return self.client.op("create_model", json=body, expect=200).json()

    def deployment_body(self, project_id: str, model_id: str, **extra: Any) -> dict[str, Any]:
        return {
            "projectId": project_id,
            "compartmentId": self.comp,
            "displayName": "md",
            "modelDeploymentConfigurationDetails": {
                "deploymentType": "SINGLE_MODEL",
                "modelConfigurationDetails": {
                    "modelId": model_id,
                    "instanceConfiguration": {"instanceShapeName": "VM.Standard.E4.Flex"},
                    "scalingPolicy": {"policyType": "FIXED_SIZE", "instanceCount": 1},
                },
            },
            **extra,
        }

    def get(self, op: str, **ids: str) -> dict[str, Any]:
        return self.client.op(op, expect=200, **ids).json()


@pytest.fixture
def world(client: SignedClient, ident: Identity, emu: Emulator) -> World:
    return World(client, ident, emu)
