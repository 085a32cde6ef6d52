"""Fixtures shared by the sensor and trigger tests: a fast emulator (speed 20) per module and a resource factory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from airflow_ds_provider.client import ClientConfig, DataScienceClient
from airflow_ds_provider.emulator import Emulator, Identity
from airflow_ds_provider.emulator.pytest_plugin import EmulatorFactory

CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"


class World:
    """Creates Data Science resources in the emulator through the real (sync) client.

    Scripted outcomes use the emulator's freeform tags (``emulator-duration`` etc.).
    """

    def __init__(self, client: DataScienceClient, compartment_id: str) -> None:
        self.client = client
        self.comp = compartment_id
        self._project: str | None = None
        self._job: str | None = None

    @property
    def project(self) -> str:
        if self._project is None:
            body = {"compartmentId": self.comp, "displayName": "p"}
            self._project = self.client.create_project(body).data["id"]
        return self._project

    @property
    def job(self) -> str:
        if self._job is None:
            body = {
                "projectId": self.project,
                "compartmentId": self.comp,
                "displayName": "train",
                "jobConfigurationDetails": {"jobType": "DEFAULT"},
                "jobInfrastructureConfigurationDetails": {
                    "jobInfrastructureType": "ME_STANDALONE",
                    "shapeName": "VM.Standard.E4.Flex",
                    "blockStorageSizeInGBs": 50,
                    "jobShapeConfigDetails": {"ocpus": 1.0, "memoryInGBs": 16.0},
                },
            }
            job = self.client.create_job(body).data["id"]
            self.client.wait_for_state("job", job, poll_interval=0.02, timeout=10)
            self._job = job
        return self._job

    @staticmethod
    def _tags(duration: float | None, outcome: str | None, details: str | None) -> dict[str, str]:
        tags = {}
        if duration is not None:
            tags["emulator-duration"] = str(duration)
        if outcome is not None:
            tags["emulator-outcome"] = outcome
        if details is not None:
            tags["emulator-details"] = details
        return tags

    def job_run(
        self, duration: float | None = None, outcome: str | None = None, details: str | None = None
    ) -> str:
        """A new job run (``duration`` in emulator seconds IN_PROGRESS)."""
        body = {
            "projectId": self.project,
            "compartmentId": self.comp,
            "jobId": self.job,
            "displayName": "run",
            "freeformTags": self._tags(duration, outcome, details),
        }
        return self.client.create_job_run(body).data["id"]

    def model_deployment(
        self, duration: float | None = None, outcome: str | None = None, details: str | None = None
    ) -> tuple[str, str]:
        """A new model deployment; returns ``(deployment id, create work request id)``."""
        model = self.client.create_model(
            {"compartmentId": self.comp, "projectId": self.project, "displayName": "m"}
        ).data["id"]
        body = {
            "compartmentId": self.comp,
            "projectId": self.project,
            "displayName": "md",
            "modelDeploymentConfigurationDetails": {
                "deploymentType": "SINGLE_MODEL",
                "modelConfigurationDetails": {
                    "modelId": model,
                    "instanceConfiguration": {"instanceShapeName": "VM.Standard.E4.Flex"},
                    "scalingPolicy": {"policyType": "FIXED_SIZE", "instanceCount": 1},
                },
            },
            "freeformTags": self._tags(duration, outcome, details),
        }
        resp = self.client.create_model_deployment(body)
        return resp.data["id"], resp.work_request_id

    def notebook_session(self) -> str:
        body = {
            "compartmentId": self.comp,
            "projectId": self.project,
            "displayName": "nb",
            "notebookSessionConfigDetails": {"shape": "VM.Standard.E4.Flex", "blockStorageSizeInGBs": 50},
        }
        return self.client.create_notebook_session(body).data["id"]


@pytest.fixture(scope="module")
def emu(ds_emulator_factory: EmulatorFactory) -> Iterator[Emulator]:
    """A speed-20 emulator of the module's own (fresh clock and state per module)."""
    with ds_emulator_factory.private(speed=20) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def ident(emu: Emulator) -> Identity:
    return emu.create_identity()


@pytest.fixture(scope="module")
def sync_client(emu: Emulator, ident: Identity) -> Iterator[DataScienceClient]:
    with DataScienceClient(ClientConfig.from_connection(emu.connection_extra(ident))) as client:
        yield client


@pytest.fixture
def conn(emu: Emulator, ident: Identity, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """``oci_data_science_default`` points at the module's emulator; faults are cleared after."""
    monkeypatch.setenv(CONN_ENV, emu.airflow_connection_json(ident))
    yield emu.connection_extra(ident)
    emu.clear_faults()


@pytest.fixture
def world(conn: dict[str, Any], sync_client: DataScienceClient, ident: Identity) -> World:
    return World(sync_client, ident.compartment_id)
