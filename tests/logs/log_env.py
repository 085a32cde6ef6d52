"""Helpers for the job-run log tests: an emulator environment that creates job runs."""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.client import ClientConfig, DataScienceClient
from airflow_ds_provider.emulator import Emulator

LOG_GROUP = "ocid1.loggroup.oc1.iad.amaaaaaalogsgroup"
SEARCH_PATH = "/20190909/search"


class Env:
    """One emulator, an identity, a signed client and a project to create job runs in."""

    def __init__(self, emu: Emulator, **extra: Any) -> None:
        self.emu = emu
        self.ident = emu.create_identity()
        self.extra = {**emu.connection_extra(self.ident), **extra}
        self.client = DataScienceClient(ClientConfig.from_connection(self.extra))
        self.compartment = self.ident.compartment_id
        body = {"compartmentId": self.compartment, "displayName": "logs"}
        self.project = self.client.create_project(body).data["id"]

    def job(self, logging: bool = True) -> str:
        """A new job (with automatic log creation in LOG_GROUP when ``logging``)."""
        body: dict[str, Any] = {
            "projectId": self.project,
            "compartmentId": self.compartment,
            "displayName": "train",
            "jobConfigurationDetails": {"jobType": "DEFAULT"},
            "jobInfrastructureConfigurationDetails": {
                "jobInfrastructureType": "ME_STANDALONE",
                "shapeName": "VM.Standard.E4.Flex",
                "blockStorageSizeInGBs": 50,
            },
        }
        if logging:
            body["jobLogConfigurationDetails"] = {
                "enableLogging": True,
                "enableAutoLogCreation": True,
                "logGroupId": LOG_GROUP,
            }
        return self.client.create_job(body).data["id"]

    def run(
        self,
        lines: list[str] | None,
        duration: float = 60.0,
        logging: bool = True,
        outcome: str | None = None,
    ) -> dict[str, Any]:
        """Start a run of a new job that emits ``lines`` evenly over ``duration`` seconds."""
        job_id = self.job(logging)
        self.emu.script_job_run(job_id, duration=duration, outcome=outcome, log_lines=lines)
        body = {"projectId": self.project, "compartmentId": self.compartment, "jobId": job_id}
        return self.client.create_job_run(body).data

    def get(self, run: dict[str, Any]) -> dict[str, Any]:
        """The run's current wire JSON."""
        return self.client.get_job_run(run["id"]).data

    def searches(self) -> list[dict[str, Any]]:
        """Logging Search requests in the emulator's request log."""
        return [r for r in self.emu.requests if r["path"] == SEARCH_PATH]
