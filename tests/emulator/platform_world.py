"""Builders for the platform tests (schedules, private endpoints, compute targets): a
DataScienceHook on the manual-clock emulator, and calls that check each answer against the spec."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_ds_provider.client.response import Response
from airflow_ds_provider.emulator import Emulator, Identity
from airflow_ds_provider.hooks.data_science import DataScienceHook
from airflow_ds_provider.spec import operations

from .validator import validate_response

CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"
SUBNET = "ocid1.subnet.oc1.iad.aaaaaaaasubnet1"
HOURLY = {"triggerType": "INTERVAL", "frequency": "HOURLY", "interval": 1}


class Platform:
    """Calls through the hook; every answer is checked (2xx, spec model, spec headers)."""

    def __init__(self, hook: DataScienceHook, emu: Emulator, comp: str) -> None:
        self.hook = hook
        self.emu = emu
        self.comp = comp
        self.answered: set[str] = set()

    def call(self, name: str, *args: Any, **kwargs: Any) -> Response:
        """``hook.<name>(...)``, checked; ``list_all_*`` answers are checked item by item."""
        resp = getattr(self.hook, name)(*args, **kwargs)
        op_name = name.replace("list_all_", "list_", 1)
        op = operations()[op_name]
        if name.startswith("list_all_"):
            validate_response(op.response_type, resp)  # type: ignore[arg-type] - list[<Summary>]
            self.answered.add(op_name)
            return resp
        assert 200 <= resp.status < 300, (name, resp.status)
        if op.response_type and resp.data is not None:
            body = resp.data["items"] if op.response_type.endswith("Collection") else resp.data
            validate_response(op.response_type, body)
        for header in ("etag", "opc-work-request-id", "location"):
            if header in op.response_headers:
                assert header in resp.headers, (name, header)
        self.answered.add(op_name)
        return resp

    def get(self, kind: str, ocid: str) -> dict[str, Any]:
        """``get_<kind>``'s JSON."""
        return self.call(f"get_{kind}", ocid).data

    def work_request(self, resp: Response) -> dict[str, Any]:
        """The work request an answer names."""
        return self.hook.get_work_request(resp.headers["opc-work-request-id"]).data

    def project(self) -> str:
        return self.hook.create_project({"compartmentId": self.comp, "displayName": "p"}).data["id"]

    def job(self, project_id: str, **extra: Any) -> str:
        body = {
            "projectId": project_id,
            "compartmentId": self.comp,
            "jobConfigurationDetails": {"jobType": "DEFAULT"},
            "jobInfrastructureConfigurationDetails": {
                "jobInfrastructureType": "ME_STANDALONE",
                "shapeName": "VM.Standard.E4.Flex",
                "blockStorageSizeInGBs": 50,
            },
            **extra,
        }
        job = self.hook.create_job(body).data["id"]
        self.emu.advance(1)
        return job

    def job_run_action(self, project_id: str, job_id: str, **extra: Any) -> dict[str, Any]:
        details = {"projectId": project_id, "compartmentId": self.comp, "jobId": job_id, **extra}
        return {
            "actionType": "HTTP",
            "actionDetails": {"httpActionType": "CREATE_JOB_RUN", "createJobRunDetails": details},
        }

    def schedule_body(
        self, project_id: str, action: dict[str, Any], trigger: dict[str, Any], **extra: Any
    ) -> dict:
        return {
            "displayName": "nightly",
            "projectId": project_id,
            "compartmentId": self.comp,
            "trigger": trigger,
            "action": action,
            **extra,
        }

    def active_schedule(
        self, project_id: str, action: dict[str, Any], trigger: dict[str, Any], **extra: Any
    ) -> str:
        """A schedule that is ACTIVE (created, the clock moved past its work request)."""
        ocid = self.call("create_schedule", self.schedule_body(project_id, action, trigger, **extra)).data[
            "id"
        ]
        self.emu.advance(2)
        assert self.get("schedule", ocid)["lifecycleState"] == "ACTIVE"
        return ocid

    def endpoint_body(self, **extra: Any) -> dict[str, Any]:
        return {
            "compartmentId": self.comp,
            "subnetId": SUBNET,
            "dataScienceResourceType": "NOTEBOOK_SESSION",
            **extra,
        }

    def compute_target_body(self, **extra: Any) -> dict[str, Any]:
        return {
            "compartmentId": self.comp,
            "displayName": "cluster",
            "computeConfigurationDetails": {
                "computeType": "MANAGED_COMPUTE_CLUSTER",
                "instanceConfiguration": {"instanceShape": "VM.GPU.A10.1", "bootVolumeSizeInGBs": 100},
                "scalingPolicy": {"policyType": "FIXED_SIZE", "instanceCount": 2},
            },
            **extra,
        }


@pytest.fixture
def platform(emu: Emulator, ident: Identity, monkeypatch: pytest.MonkeyPatch) -> Platform:
    """A :class:`Platform` on the manual-clock emulator of ``tests/emulator``."""
    monkeypatch.setenv(CONN_ENV, emu.airflow_connection_json(ident))
    return Platform(DataScienceHook(), emu, ident.compartment_id)
