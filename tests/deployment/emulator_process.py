"""The emulator as a process for the deployment tests (``python -m airflow_ds_provider.emulator``),
with its control API and a signed client; the ``emulator`` fixture of ``conftest.py`` starts one
per test module."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from procs import wait_for

from airflow_ds_provider.client.client import DataScienceClient

JOB_BODY = {
    "jobConfigurationDetails": {"jobType": "DEFAULT"},
    "jobInfrastructureConfigurationDetails": {
        "jobInfrastructureType": "ME_STANDALONE",
        "shapeName": "VM.Standard.E4.Flex",
        "blockStorageSizeInGBs": 50,
    },
}


class EmulatorProcess:
    """``python -m airflow_ds_provider.emulator`` with a generated key, on a free loopback port."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.log_path = workdir / "emulator.log"
        ready, conn = workdir / "emulator.url", workdir / "connection.json"
        args = [sys.executable, "-m", "airflow_ds_provider.emulator", "--port", "0", "--generate-key"]
        args += ["--connection-file", str(conn), "--ready-file", str(ready), "--quiet"]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_for(lambda: ready.exists() or self.proc.poll() is not None, timeout=60, desc="emulator ready")
        assert self.proc.poll() is None, self.log_path.read_text()
        self.url = ready.read_text().strip()
        self.connection = conn.read_text()
        self.extra: dict[str, Any] = json.loads(self.connection)["extra"]
        self.control = httpx.Client(base_url=f"{self.url}/_emulator", timeout=10)
        self.client = DataScienceClient(dict(self.extra))

    def resources(self, kind: str) -> list[dict[str, Any]]:
        return self.control.get("/resources", params={"kind": kind}).raise_for_status().json()

    def get(self, ocid: str) -> dict[str, Any]:
        return self.control.get(f"/resources/{ocid}").raise_for_status().json()

    def script_job(self, job_id: str, **script: Any) -> None:
        self.control.post("/script/job-run", json={"id": job_id, **script}).raise_for_status()

    def requests(self) -> list[dict[str, Any]]:
        return self.control.get("/requests", params={"limit": "20000"}).raise_for_status().json()

    def new_job(self, name: str) -> str:
        """A fresh ACTIVE job (in its own project) to run in a test."""
        compartment = self.extra["compartment_id"]
        project = self.client.create_project({"compartmentId": compartment, "displayName": name}).data
        body = {**JOB_BODY, "projectId": project["id"], "compartmentId": compartment, "displayName": name}
        job = self.client.create_job(body).data
        self.client.wait_for_state("job", job["id"], poll_interval=0.2, timeout=30)
        return job["id"]

    def runs_of(self, job_id: str) -> list[dict[str, Any]]:
        return [r for r in self.resources("job_run") if r["jobId"] == job_id]

    def stop(self) -> None:
        self.control.close()
        self.client.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
