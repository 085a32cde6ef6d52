"""DataScienceHook against the emulator, with the connection given as an AIRFLOW_CONN_ env var."""

from __future__ import annotations

import inspect
import json

import pytest

from airflow_ds_provider.client import AsyncDataScienceClient, DataScienceClient
from airflow_ds_provider.client.errors import ResourceFailedError, WaitTimeoutError
from airflow_ds_provider.hooks.data_science import DataScienceHook
from airflow_ds_provider.spec import operations

CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"


def _project(hook, comp: str) -> str:
    return hook.create_project({"compartmentId": comp, "displayName": "p"}).data["id"]


def _job(hook, comp: str, pid: str) -> str:
    body = {
        "projectId": pid,
        "compartmentId": comp,
        "jobConfigurationDetails": {"jobType": "DEFAULT"},
        "jobInfrastructureConfigurationDetails": {
            "jobInfrastructureType": "ME_STANDALONE",
            "shapeName": "VM.Standard.E4.Flex",
            "blockStorageSizeInGBs": 50,
        },
    }
    return hook.create_job(body).data["id"]


def test_metadata() -> None:
    assert DataScienceHook.conn_name_attr == "oci_conn_id"
    assert DataScienceHook.default_conn_name == "oci_data_science_default"
    assert DataScienceHook.conn_type == "oci_data_science"
    assert DataScienceHook.hook_name == "OCI Data Science"


def test_every_operation_is_on_the_hook() -> None:
    for name in operations():
        hook_sig = inspect.signature(getattr(DataScienceHook, name))
        assert hook_sig == inspect.signature(getattr(DataScienceClient, name)), name


def test_config_client_and_calls(ds_connection, ds_identity) -> None:
    hook = DataScienceHook()
    assert hook.config is hook.config and hook.client is hook.client and hook.get_conn() is hook.client
    assert hook.compartment_id == ds_identity.compartment_id
    pid = _project(hook, hook.compartment_id)
    assert [p["id"] for p in hook.list_all_projects(hook.compartment_id)] == [pid]
    assert hook.get_project(pid).data["lifecycleState"] == "ACTIVE"
    assert hook.request("GET", f"/projects/{pid}").data["id"] == pid
    assert [p["id"] for p in hook.paginate("list_projects", compartment_id=hook.compartment_id)] == [pid]
    assert hook.call("get_project", project_id=pid).status == 200


def test_region_override_and_login_field(ds_emulator, ds_identity, monkeypatch) -> None:
    conn = json.loads(ds_emulator.airflow_connection_json(ds_identity))
    user = conn["extra"].pop("user")
    conn["login"] = user
    monkeypatch.setenv(CONN_ENV, json.dumps(conn))
    hook = DataScienceHook(region="fra")
    assert hook.config.region == "eu-frankfurt-1" and hook.config.user == user
    assert hook.list_projects(ds_identity.compartment_id).status == 200


def test_test_connection(ds_connection) -> None:
    ok, message = DataScienceHook().test_connection()
    assert ok, message
    assert "Connected" in message


def test_test_connection_reports_oci_error(ds_emulator, ds_identity, monkeypatch) -> None:
    conn = json.loads(ds_emulator.airflow_connection_json(ds_identity))
    conn["extra"]["fingerprint"] = "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"
    monkeypatch.setenv(CONN_ENV, json.dumps(conn))
    ok, message = DataScienceHook().test_connection()
    assert not ok
    assert "NotAuthenticated" in message and "401" in message
    conn["extra"]["fingerprint"] = "not-a-fingerprint"
    monkeypatch.setenv(CONN_ENV, json.dumps(conn))
    ok, message = DataScienceHook().test_connection()
    assert not ok and message.startswith("fingerprint:")


async def test_aget_async_client_uses_the_async_connection_api(
    ds_connection, ds_identity, monkeypatch
) -> None:
    import threading

    from compat.features import has

    from airflow_ds_provider._compat import BaseHook

    loop_thread = threading.current_thread()
    sync_get = BaseHook.get_connection
    sync_calls: list[threading.Thread] = []

    def off_the_loop_only(*args, **kwargs):
        # Airflow 3.0 has no async connection API: the sync one runs in a worker thread
        sync_calls.append(threading.current_thread())
        if has("aget_connection") or threading.current_thread() is loop_thread:
            raise AssertionError("the sync connection API must not be used on the event loop")
        return sync_get(*args, **kwargs)

    monkeypatch.setattr(BaseHook, "get_connection", off_the_loop_only)
    hook = DataScienceHook()
    client = await hook.aget_async_client()
    assert isinstance(client, AsyncDataScienceClient)
    async with client:
        resp = await client.list_projects(ds_identity.compartment_id, limit=1)
    assert resp.status == 200
    if has("aget_connection"):
        assert sync_calls == []
    else:
        assert len(sync_calls) == 1 and sync_calls[0] is not loop_thread


def test_wait_for_state(ds_connection, ds_emulator, ds_identity) -> None:
    hook = DataScienceHook()
    comp = hook.compartment_id
    pid = _project(hook, comp)
    job = _job(hook, comp, pid)
    ds_emulator.advance(5)
    assert hook.wait_for_state("job", job, poll_interval=0.01, timeout=5)["lifecycleState"] == "ACTIVE"
    body = {"projectId": pid, "compartmentId": comp, "jobId": job}
    run = hook.create_job_run(body).data["id"]
    ds_emulator.set_state(run, "FAILED")
    with pytest.raises(ResourceFailedError) as info:
        hook.wait_for_state("job_run", run, poll_interval=0.01, timeout=5)
    assert info.value.resource == "job_run" and info.value.state == "FAILED"
    run = hook.create_job_run({**body, "freeformTags": {"emulator-duration": "3600"}}).data["id"]
    with pytest.raises(WaitTimeoutError, match="timed out"):
        hook.wait_for_state("job_run", run, poll_interval=0.01, timeout=0.1)
    assert hook.wait_for_state("job_run", run, target_states=["ACCEPTED", "IN_PROGRESS"], timeout=1)
    assert (
        hook.wait_for_state("job_run", "ocid1.datasciencejobrun.oc1.iad.gone", not_found_ok=True, timeout=1)
        is None
    )


def test_wait_for_failed_work_request_reports_its_errors(ds_connection, ds_emulator) -> None:
    hook = DataScienceHook()
    comp = hook.compartment_id
    pid = _project(hook, comp)
    mid = hook.create_model({"compartmentId": comp, "projectId": pid}).data["id"]
    hook.create_model_artifact(mid, b"model bytes")
    body = {
        "compartmentId": comp,
        "projectId": pid,
        "modelDeploymentConfigurationDetails": {
            "deploymentType": "SINGLE_MODEL",
            "modelConfigurationDetails": {
                "modelId": mid,
                "instanceConfiguration": {"instanceShapeName": "VM.Standard.E4.Flex"},
            },
        },
    }
    resp = hook.create_model_deployment(body)
    ds_emulator.script_model_deployment(resp.data["id"], outcome="FAILED", details="health check failed")
    ds_emulator.advance(60)
    with pytest.raises(ResourceFailedError) as info:
        hook.wait_for_state("work_request", resp.work_request_id, poll_interval=0.01, timeout=5)
    assert info.value.errors and "health check failed" in str(info.value)
    with pytest.raises(ResourceFailedError, match="health check failed") as info:
        hook.wait_for_state("model_deployment", resp.data["id"], poll_interval=0.01, timeout=5)
    assert info.value.details == "health check failed"
