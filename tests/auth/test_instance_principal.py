"""Instance principals end to end: fake metadata service + federation, real signed calls to the emulator."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from auth_fakes import FAST, TENANCY

from airflow_ds_provider.client import AsyncDataScienceClient, ClientConfig, DataScienceClient, RetryPolicy
from airflow_ds_provider.client.auth import (
    CredentialsError,
    InstancePrincipalCredentials,
    credentials_from_config,
)
from airflow_ds_provider.client.auth import instance_principal as ip
from airflow_ds_provider.client.auth._http import AuthHttpSettings
from airflow_ds_provider.client.errors import AuthenticationError, ConfigurationError
from airflow_ds_provider.hooks.data_science import DataScienceHook

FED = "/v1/x509"
SETTINGS = AuthHttpSettings(timeout=(1.0, 1.0), max_attempts=2, max_seconds=3.0)


def _values(svc, emu, **extra) -> dict:
    return {
        "auth_type": "instance_principal",
        "metadata_url": svc.metadata_url,
        "federation_endpoint": svc.http.url,
        "endpoint": emu.url,
        **FAST,
        **extra,
    }


def _creds(svc, **kw) -> InstancePrincipalCredentials:
    return InstancePrincipalCredentials(svc.metadata_url, svc.http.url, http_settings=SETTINGS, **kw)


def test_signed_call_through_the_client(svc, emu, compartment) -> None:
    config = ClientConfig.from_mapping(_values(svc, emu))
    with DataScienceClient(config) as client:
        assert svc.calls == {}, "building the client must not touch the network"
        project = client.create_project({"compartmentId": compartment, "displayName": "ip"}).data
        assert client.list_projects(compartment).status == 200
        key = client.credentials.signing_key()
    assert project["createdBy"].startswith("ocid1.user.oc1..session")
    assert key.key_id == "ST$" + svc.issued[-1]
    assert svc.count(FED) == 1 and svc.rejections == []
    assert client.credentials.tenancy == TENANCY


async def test_signed_call_through_the_async_client(svc, emu, compartment) -> None:
    config = ClientConfig.from_mapping(_values(svc, emu))
    async with AsyncDataScienceClient(config) as client:
        resp = await client.list_projects(compartment)
    assert resp.status == 200 and svc.count(FED) == 1


def test_hook_with_airflow_connection_env(svc, emu, compartment, monkeypatch) -> None:
    extra = _values(svc, emu, compartment_id=compartment)
    monkeypatch.setenv("AIRFLOW_CONN_OCI_IP", json.dumps({"conn_type": "oci_data_science", "extra": extra}))
    hook = DataScienceHook(oci_conn_id="oci_ip")
    assert svc.calls == {}
    assert hook.list_projects(hook.compartment_id).status == 200
    assert svc.count(FED) == 1


def test_region_comes_from_the_metadata_service(svc, monkeypatch) -> None:
    monkeypatch.setenv("OCI_METADATA_BASE_URL", svc.metadata_url)
    config = ClientConfig.from_mapping({"auth_type": "instance_principal", **FAST})
    assert config.region == "us-ashburn-1"
    assert config.service_endpoint == "https://datascience.us-ashburn-1.oci.oraclecloud.com/20190101"
    creds = credentials_from_config(config)
    assert creds.federation_url() == "https://auth.us-ashburn-1.oraclecloud.com/v1/x509"
    assert svc.count("/opc/v2/instance/region") == 1  # shared: asked once


def test_token_near_expiry_is_refreshed_before_use(svc, emu, compartment, clock) -> None:
    creds = _creds(svc, clock=clock)
    with DataScienceClient(ClientConfig.from_mapping(_values(svc, emu)), credentials=creds) as client:
        client.list_projects(compartment)
        first = creds.signing_key()
        clock.advance(svc.lifetime - 120)  # still 2 minutes left: no refresh
        client.list_projects(compartment)
        assert svc.count(FED) == 1
        clock.advance(90)  # 30 s before expiry: refreshed before the next request
        assert client.list_projects(compartment).status == 200
    assert svc.count(FED) == 2
    assert creds.signing_key().key_id != first.key_id
    assert creds.signing_key().private_key is not first.private_key  # a fresh session key


def test_failed_proactive_refresh_keeps_the_valid_token(svc, emu, compartment, clock, caplog) -> None:
    creds = _creds(svc, clock=clock)
    first = creds.signing_key()
    clock.advance(svc.lifetime - 30)
    svc.fail_federation[:] = [500, 500]
    assert creds.signing_key() is first
    assert "using the current token" in caplog.text
    clock.advance(11)
    assert creds.signing_key() is not first  # tried again after RETRY_AFTER_FAILURE


def test_401_refreshes_once_and_retries(svc, emu, compartment) -> None:
    svc.skip_register = 1  # the first token is unknown to the service: a 401
    with DataScienceClient(ClientConfig.from_mapping(_values(svc, emu))) as client:
        start = len(emu.requests)
        assert client.list_projects(compartment).status == 200
    assert [r["status"] for r in emu.requests[start:]] == [401, 200]
    assert svc.count(FED) == 2


def test_persistent_401_is_raised_after_one_refresh(svc, emu, compartment) -> None:
    svc.skip_register = 5
    with (
        DataScienceClient(ClientConfig.from_mapping(_values(svc, emu))) as client,
        pytest.raises(AuthenticationError),
    ):
        client.list_projects(compartment)
    assert svc.count(FED) == 2


def test_concurrent_threads_share_one_refresh(svc, emu, compartment) -> None:
    creds = _creds(svc)
    svc.delay = 0.3
    svc.skip_register = 1  # and every thread then sees a 401: still one refresh
    config = ClientConfig.from_mapping(_values(svc, emu))
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def work() -> None:
        with DataScienceClient(config, credentials=creds, retry_policy=RetryPolicy(max_attempts=1)) as client:
            barrier.wait()
            statuses.append(client.list_projects(compartment).status)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert statuses == [200] * 8
    assert svc.count(FED) == 2  # the first token, then one refresh after the 401s
    assert creds.refresh_count == 2


async def test_concurrent_tasks_share_one_refresh_without_blocking_the_loop(svc, emu, compartment) -> None:
    creds = _creds(svc)
    svc.delay = 0.4
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    tick_task = asyncio.create_task(ticker())
    keys = await asyncio.gather(*(creds.asigning_key() for _ in range(20)))
    stop.set()
    await tick_task
    assert len({k.key_id for k in keys}) == 1
    assert svc.count(FED) == 1
    assert ticks >= 5, "the event loop was blocked during the refresh"

    svc.skip_register = 1
    creds2 = _creds(svc)
    config = ClientConfig.from_mapping(_values(svc, emu))
    async with AsyncDataScienceClient(
        config, credentials=creds2, retry_policy=RetryPolicy(max_attempts=1)
    ) as client:
        results = await asyncio.gather(*(client.list_projects(compartment) for _ in range(10)))
    assert {r.status for r in results} == {200}
    assert creds2.refresh_count == 2  # first token + one refresh after the 401s


async def test_cancelled_awaiter_does_not_cancel_the_shared_refresh(svc) -> None:
    creds = _creds(svc)
    svc.delay = 0.3
    first = asyncio.create_task(creds.asigning_key())
    await asyncio.sleep(0.05)
    first.cancel()
    key = await creds.asigning_key()
    assert key.key_id.startswith("ST$") and svc.count(FED) == 1


def test_metadata_service_unreachable(emu) -> None:
    config = ClientConfig.from_mapping(
        {
            "auth_type": "instance_principal",
            "metadata_url": "http://127.0.0.1:9/opc/v2",
            "endpoint": emu.url,
            **FAST,
        }
    )
    started = time.monotonic()
    with DataScienceClient(config) as client, pytest.raises(CredentialsError) as info:
        client.list_projects("ocid1.compartment.oc1..x")
    assert time.monotonic() - started < 10
    assert info.value.source == "metadata_url"
    assert "cannot reach the instance metadata service at http://127.0.0.1:9/opc/v2/identity/cert.pem" in str(
        info.value
    )


def test_region_lookup_failure_names_region() -> None:
    config = ClientConfig.from_mapping(
        {"auth_type": "instance_principal", "metadata_url": "http://127.0.0.1:9/opc/v2", **FAST}
    )  # parsing asks nothing: the lookup fails at the first endpoint use
    with pytest.raises(ConfigurationError) as info:
        config.service_endpoint  # noqa: B018 (the property does the lookup)
    assert info.value.field == "region" and "instance metadata service" in str(info.value)
    with pytest.raises(ConfigurationError) as again:  # a failure is not cached: asked again
        config.region  # noqa: B018
    assert again.value.field == "region"


def test_parsing_does_no_io_and_the_region_is_asked_once(svc) -> None:
    values = {"auth_type": "instance_principal", "metadata_url": svc.metadata_url, **FAST}
    config = ClientConfig.from_mapping(values)
    hook_config = ClientConfig.from_connection(values)
    assert svc.calls == {}, "parsing a connection must not ask the metadata service"
    assert "us-ashburn-1" not in str(config.redacted())  # a redacted view never resolves
    with ThreadPoolExecutor(max_workers=8) as pool:
        regions = set(pool.map(lambda _: config.region, range(16)))
    assert regions == {"us-ashburn-1"}
    assert config.logging_endpoint == "https://logging.us-ashburn-1.oci.oraclecloud.com/20190909"
    assert config.with_overrides(max_attempts=2).region == "us-ashburn-1"
    assert config.redacted()["region"] == "us-ashburn-1"
    assert hook_config.service_endpoint == "https://datascience.us-ashburn-1.oci.oraclecloud.com/20190101"
    assert svc.count("/opc/v2/instance/region") == 1
    assert config.with_overrides(region="phx").region == "us-phoenix-1"  # a declared region wins


async def test_async_client_resolves_the_region_off_the_event_loop(svc, monkeypatch) -> None:
    values = {"auth_type": "instance_principal", "metadata_url": svc.metadata_url, **FAST}
    monkeypatch.setenv(
        "AIRFLOW_CONN_OCI_IP_ASYNC", json.dumps({"conn_type": "oci_data_science", "extra": values})
    )
    loop_thread = threading.current_thread()
    seen: list[threading.Thread] = []
    original = ip.MetadataService.region

    def recording_region(self: ip.MetadataService) -> str:  # a spy: the real HTTP lookup still runs
        seen.append(threading.current_thread())
        return original(self)

    monkeypatch.setattr(ip.MetadataService, "region", recording_region)
    async with await DataScienceHook(oci_conn_id="oci_ip_async").aget_async_client() as client:
        assert client.base_url == "https://datascience.us-ashburn-1.oci.oraclecloud.com/20190101"
    assert seen and loop_thread not in seen


def test_federation_401_is_a_clear_error(svc, emu) -> None:
    svc.fail_federation[:] = [401]
    creds = _creds(svc)
    with pytest.raises(CredentialsError) as info:
        creds.signing_key()
    text = str(info.value)
    assert info.value.source == "federation_endpoint"
    assert "HTTP 401 NotAuthenticated" in text and "rejected the instance certificate" in text


def test_federation_5xx_is_retried(svc) -> None:
    svc.fail_federation[:] = [503]
    assert _creds(svc).signing_key().key_id.startswith("ST$")
    assert svc.count(FED) == 2


def test_certificate_without_tenancy_is_rejected(svc, monkeypatch) -> None:
    from auth_fakes import Pki

    svc.pki = Pki(tenancy="")
    monkeypatch.setattr(svc.pki, "leaf", svc.pki.intermediate)  # a certificate without opc-tenant
    with pytest.raises(CredentialsError, match="opc-tenant"):
        _creds(svc).signing_key()


async def test_triggers_in_one_process_share_the_credentials(svc, emu, compartment, monkeypatch) -> None:
    """As in a triggerer: each trigger builds its own async client from the connection."""
    extra = _values(svc, emu, compartment_id=compartment)
    monkeypatch.setenv("AIRFLOW_CONN_OCI_IP", json.dumps({"conn_type": "oci_data_science", "extra": extra}))
    svc.delay = 0.2

    async def trigger_run() -> int:
        async with await DataScienceHook(oci_conn_id="oci_ip").aget_async_client() as client:
            return (await client.list_projects(compartment)).status

    assert await asyncio.gather(*(trigger_run() for _ in range(5))) == [200] * 5
    assert svc.count(FED) == 1
