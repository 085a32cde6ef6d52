"""Argument validation and request building from the operation table (no HTTP)."""

from __future__ import annotations

import io
import json
import re

import pytest

from airflow_ds_provider.client import DataScienceClient, InvalidArgumentError
from airflow_ds_provider.client._base import USER_AGENT, is_retry_safe
from airflow_ds_provider.spec import operations


@pytest.fixture
def client(api_key_values):
    with DataScienceClient(api_key_values) as c:
        yield c


def test_unknown_argument(client) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        client.prepare("get_job_run", {"job_run_id": "ocid1.jobrun.oc1..x", "jobRunId": "y"})
    assert info.value.argument == "jobRunId"
    assert "job_run_id" in str(info.value)


def test_unknown_keyword_on_typed_method(client) -> None:
    with pytest.raises(TypeError, match="nonsense"):
        client.get_job_run("ocid1.jobrun.oc1..x", nonsense=1)


def test_missing_required(client) -> None:
    with pytest.raises(InvalidArgumentError, match=r"compartment_id.*required"):
        client.prepare("list_job_runs", {"compartment_id": None})
    with pytest.raises(InvalidArgumentError, match=r"create_job_run_details.*required"):
        client.prepare("create_job_run", {})
    with pytest.raises(InvalidArgumentError, match="job_run_id"):
        client.prepare("get_job_run", {"job_run_id": ""})


def test_bad_enum_names_argument_and_allowed_values(client) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        client.prepare("list_job_runs", {"compartment_id": "c", "lifecycle_state": "RUNNING"})
    assert info.value.argument == "lifecycle_state"
    assert (
        "'RUNNING'" in str(info.value) and "SUCCEEDED" in str(info.value) and "IN_PROGRESS" in str(info.value)
    )
    with pytest.raises(InvalidArgumentError, match="sort_order"):
        client.prepare("list_projects", {"compartment_id": "c", "sort_order": "UP"})


def test_bad_limit_and_body(client) -> None:
    with pytest.raises(InvalidArgumentError, match="limit"):
        client.prepare("list_projects", {"compartment_id": "c", "limit": 0})
    with pytest.raises(InvalidArgumentError, match=r"create_project_details.*dict"):
        client.prepare("create_project", {"create_project_details": "text"})


def test_query_path_headers_and_body(client) -> None:
    call = client.prepare(
        "list_job_runs",
        {
            "compartment_id": "ocid1.compartment.oc1..c",
            "display_name": "a b/c",
            "lifecycle_state": "SUCCEEDED",
            "limit": 5,
        },
    )
    assert call.method == "GET"
    assert call.url == (
        "http://127.0.0.1:9/20190101/jobRuns?compartmentId=ocid1.compartment.oc1..c"
        "&displayName=a%20b%2Fc&limit=5&lifecycleState=SUCCEEDED"
    )
    assert re.fullmatch(r"[0-9A-F]{32}", call.headers["opc-request-id"])
    assert call.headers["user-agent"] == USER_AGENT and "airflow-ds-provider" in USER_AGENT
    call = client.prepare(
        "create_job_run",
        {"create_job_run_details": {"jobId": "j", "projectId": "p"}, "opc_parent_rpt_url": "u"},
    )
    assert json.loads(call.body) == {"jobId": "j", "projectId": "p"}
    assert call.headers["content-type"] == "application/json"
    assert call.headers["opc-parent-rpt-url"] == "u"
    assert re.fullmatch(r"[A-Za-z0-9]{30}", call.headers["opc-retry-token"])
    call = client.prepare("create_project", {"create_project_details": {}, "opc_retry_token": "mine"})
    assert call.headers["opc-retry-token"] == "mine"
    call = client.prepare(
        "delete_job", {"job_id": "ocid1.job.oc1..x/y", "delete_related_job_runs": True, "if_match": "e"}
    )
    assert call.url.endswith("/jobs/ocid1.job.oc1..x%2Fy?deleteRelatedJobRuns=true")
    assert call.headers["if-match"] == "e"


def test_upload_body(client, tmp_path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"print(1)\n")
    call = client.prepare(
        "create_job_artifact",
        {"job_id": "j", "job_artifact": str(path), "content_disposition": "attachment; filename=a.py"},
    )
    assert call.headers["content-type"] == "application/octet-stream"
    assert call.headers["content-length"] == "9"
    assert call.include_body_headers is False and call.retry_allowed is True
    call.upload.close()

    class Pipe(io.RawIOBase):
        def readable(self):
            return True

    with pytest.raises(InvalidArgumentError, match="content_length"):
        client.prepare("create_job_artifact", {"job_id": "j", "job_artifact": Pipe()})
    call = client.prepare("create_job_artifact", {"job_id": "j", "job_artifact": Pipe(), "content_length": 3})
    assert call.retry_allowed is False  # not rewindable: never retried


def test_retry_safety_table() -> None:
    ops = operations()
    assert all(is_retry_safe(op, None) for op in ops.values() if op.method in ("GET", "HEAD"))
    assert is_retry_safe(ops["create_job_run"], None)
    assert is_retry_safe(ops["change_model_compartment"], None)  # has a retry token
    assert not is_retry_safe(ops["change_job_compartment"], None)  # no token, SDK does not retry
    assert not is_retry_safe(ops["activate_model_deployment"], None)
    assert is_retry_safe(ops["cancel_job_run"], None)


def test_raw_request_building(client) -> None:
    call = client.prepare_raw("get", "/20190101/jobs", params={"compartmentId": "c", "x": None})
    assert call.url == "http://127.0.0.1:9/20190101/jobs?compartmentId=c" and call.retry_allowed
    assert not client.prepare_raw("POST", "jobs", json_body={}).retry_allowed
