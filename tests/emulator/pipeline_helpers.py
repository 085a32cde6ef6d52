"""Pipelines through the hook against the manual-clock emulator: a small world of helpers."""

from __future__ import annotations

import io
from typing import Any

import pytest

from airflow_ds_provider.emulator import Emulator, Identity
from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.hooks.data_science import DataScienceHook

CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"
LOG_GROUP = "ocid1.loggroup.oc1.iad.amaaaaaaloggroup1"
LOG = "ocid1.log.oc1.iad.amaaaaaalog1"


def script_step(name: str, *depends_on: str, **extra: Any) -> dict[str, Any]:
    """A CUSTOM_SCRIPT step."""
    return {"stepType": "CUSTOM_SCRIPT", "stepName": name, "dependsOn": list(depends_on), **extra}


def container_step(name: str, *depends_on: str) -> dict[str, Any]:
    """A CONTAINER step (no artifact needed)."""
    return {
        "stepType": "CONTAINER",
        "stepName": name,
        "dependsOn": list(depends_on),
        "stepContainerConfigurationDetails": {
            "containerType": "OCIR_CONTAINER",
            "image": "iad.ocir.io/ns/img:1",
        },
    }


def job_step(name: str, job_id: str, *depends_on: str) -> dict[str, Any]:
    """An ML_JOB step running ``job_id``."""
    return {"stepType": "ML_JOB", "stepName": name, "jobId": job_id, "dependsOn": list(depends_on)}


class Pipes:
    """Creates projects, jobs, pipelines and runs through :class:`DataScienceHook`."""

    def __init__(self, emu: Emulator, ident: Identity, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(CONN_ENV, emu.airflow_connection_json(ident))
        self.emu = emu
        self.hook = DataScienceHook()
        self.comp = ident.compartment_id
        self._project: str | None = None

    @property
    def project(self) -> str:
        """One project per test."""
        if self._project is None:
            body = {"compartmentId": self.comp, "displayName": "p"}
            self._project = self.hook.create_project(body).data["id"]
        return self._project

    def job(self, **extra: Any) -> str:
        """An ACTIVE job."""
        body = {
            "projectId": self.project,
            "compartmentId": self.comp,
            "jobConfigurationDetails": {"jobType": "DEFAULT"},
            "jobInfrastructureConfigurationDetails": {
                "jobInfrastructureType": "ME_STANDALONE",
                "shapeName": "VM.Standard.E4.Flex",
                "blockStorageSizeInGBs": 50,
            },
            **extra,
        }
        job_id = self.hook.create_job(body).data["id"]
        self.emu.advance(1)
        return job_id

    def pipeline(self, steps: list[dict[str, Any]], logs: bool = True, **extra: Any) -> dict[str, Any]:
        """A new pipeline (CREATING; with logging to :data:`LOG` unless ``logs`` is false)."""
        body: dict[str, Any] = {
            "projectId": self.project,
            "compartmentId": self.comp,
            "displayName": "pipe",
            "stepDetails": steps,
            **extra,
        }
        if logs:
            body["logConfigurationDetails"] = {"enableLogging": True, "logGroupId": LOG_GROUP, "logId": LOG}
        return self.hook.create_pipeline(body).data

    def upload(self, pipeline_id: str, step: str, payload: bytes = b"print('hi')\n") -> Any:
        """Stream a step artifact."""
        return self.hook.create_step_artifact(
            pipeline_id,
            step,
            io.BytesIO(payload),
            content_disposition=f"attachment; filename={step}.py",
            content_length=len(payload),
        )

    def active(self, steps: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        """An ACTIVE pipeline (its script steps' artifacts uploaded)."""
        pipeline = self.pipeline(steps, **extra)
        for step in steps:
            if step["stepType"] == "CUSTOM_SCRIPT":
                self.upload(pipeline["id"], step["stepName"])
        self.emu.advance(1)
        assert self.get(pipeline["id"])["lifecycleState"] == "ACTIVE"
        return pipeline

    def get(self, pipeline_id: str) -> dict[str, Any]:
        return self.hook.get_pipeline(pipeline_id).data

    def run(self, pipeline_id: str, **extra: Any) -> dict[str, Any]:
        """A new run of the pipeline."""
        body = {"compartmentId": self.comp, "pipelineId": pipeline_id, **extra}
        return self.hook.create_pipeline_run(body).data

    def get_run(self, run_id: str) -> dict[str, Any]:
        return self.hook.get_pipeline_run(run_id).data

    def steps(self, run_id: str) -> dict[str, str]:
        """Step name -> state of a run's step runs."""
        return {s["stepName"]: s["lifecycleState"] for s in self.get_run(run_id)["stepRuns"]}

    def lines(self, query_where: str, hours: float = 2) -> list[str]:
        """Messages of the searchable log lines of :data:`LOG` matching ``where ...``."""
        now = self.emu.clock.now()
        body = {
            "timeStart": rfc3339(now - hours * 3600),
            "timeEnd": rfc3339(now + 60),
            "searchQuery": f'search "{self.comp}/{LOG_GROUP}/{LOG}" | where {query_where} | sort by datetime asc',
        }
        results = self.hook.search_logs(body).data["results"]
        return [r["data"]["logContent"]["data"]["message"] for r in results]
