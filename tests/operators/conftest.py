"""Fixtures for the operator tests: a fast emulator (speed 20), seeded resources, a task context.

The connection ``oci_data_science_default`` points at the fast emulator through the
``AIRFLOW_CONN_...`` environment variable, so operators, hooks and triggers (``dag.test()`` runs
them inline) all talk to it over real HTTP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from airflow_ds_provider.emulator import Emulator
from airflow_ds_provider.emulator.pytest_plugin import EmulatorFactory
from airflow_ds_provider.hooks.data_science import DataScienceHook

CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"
#: Polling fast enough for an emulator running 20x real time.
FAST = {"poll_interval": 0.05, "timeout": 30}
OTHER_COMPARTMENT = "ocid1.compartment.oc1..othercompartment0001"
JOB_BODY = {
    "jobConfigurationDetails": {"jobType": "DEFAULT", "environmentVariables": {"STAGE": "test"}},
    "jobInfrastructureConfigurationDetails": {
        "jobInfrastructureType": "ME_STANDALONE",
        "shapeName": "VM.Standard.E4.Flex",
        "blockStorageSizeInGBs": 50,
    },
}


@pytest.fixture(scope="session")
def _fast_emulator(ds_emulator_factory: EmulatorFactory) -> Emulator:
    """The session's shared speed-20 emulator (``ds`` resets it around each test)."""
    return ds_emulator_factory(speed=20)


@pytest.fixture(scope="session")
def _fast_identity(_fast_emulator: Emulator) -> Any:
    return _fast_emulator.create_identity()


@dataclass
class DS:
    """The fast emulator, its identity and a hook on the default connection."""

    emu: Emulator
    ident: Any
    hook: DataScienceHook

    @property
    def compartment(self) -> str:
        return self.ident.compartment_id

    def project(self, name: str = "proj") -> str:
        return self.hook.create_project({"compartmentId": self.compartment, "displayName": name}).data["id"]

    def job(self, project_id: str | None = None, tags: dict[str, str] | None = None) -> str:
        body = {
            **JOB_BODY,
            "projectId": project_id or self.project(),
            "compartmentId": self.compartment,
            "freeformTags": tags or {},
        }
        job_id = self.hook.create_job(body).data["id"]
        self.hook.wait_for_state("job", job_id, poll_interval=0.02, timeout=10)
        return job_id

    def job_run(self, job_id: str, tags: dict[str, str] | None = None) -> dict[str, Any]:
        job = self.hook.get_job(job_id).data
        body = {
            "jobId": job_id,
            "projectId": job["projectId"],
            "compartmentId": self.compartment,
            "freeformTags": tags or {},
        }
        return self.hook.create_job_run(body).data


@pytest.fixture
def ds(_fast_emulator: Emulator, _fast_identity: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[DS]:
    """The fast emulator (reset), with ``oci_data_science_default`` pointing at it."""
    _fast_emulator.reset()
    monkeypatch.setenv(CONN_ENV, _fast_emulator.airflow_connection_json(_fast_identity))
    yield DS(_fast_emulator, _fast_identity, DataScienceHook())
    _fast_emulator.reset()


@pytest.fixture
def slow(ds: DS) -> Iterator[Any]:
    """``slow(delete=20, ...)``: longer emulator durations (nominal seconds) for one test."""
    before = {name: getattr(ds.emu.timings, name) for name in vars(ds.emu.timings)}

    def apply(**timings: float) -> None:
        ds.emu.timings.update(**timings)

    yield apply
    ds.emu.timings.update(**before)


@dataclass
class FakeTI:
    """The task-instance fields our operators read, with an in-memory XCom."""

    dag_id: str = "dag"
    task_id: str = "task"
    run_id: str = "manual__2026-11-27T12:00:00+00:00"
    map_index: int = -1
    try_number: int = 1
    max_tries: int = 0
    xcoms: dict[str, Any] = field(default_factory=dict)

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcoms[key] = value


def make_context(operator: Any, try_number: int = 1, **ti: Any) -> dict[str, Any]:
    """A minimal task context for calling ``execute`` / ``execute_complete`` directly."""
    fake = FakeTI(task_id=operator.task_id, try_number=try_number, **ti)
    return {
        "ti": fake,
        "task_instance": fake,
        "logical_date": dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc),
    }
