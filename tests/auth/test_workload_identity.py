"""OKE workload identity: a fake proxymux over verified TLS, real signed calls to the emulator."""

from __future__ import annotations

import json

import pytest
from auth_fakes import FAST

from airflow_ds_provider.client import ClientConfig, DataScienceClient
from airflow_ds_provider.client.auth import (
    CredentialsError,
    WorkloadIdentityCredentials,
    credentials_from_config,
)
from airflow_ds_provider.client.auth._http import AuthHttpSettings
from airflow_ds_provider.client.auth.workload_identity import proxymux_endpoint
from airflow_ds_provider.client.errors import ConfigurationError
from airflow_ds_provider.hooks.data_science import DataScienceHook

PROXY = "/resourcePrincipalSessionTokens"


@pytest.fixture
def sa_token_file(tmp_path, svc):
    path = tmp_path / "token"
    path.write_text(svc.sa_token + "\n")
    return path


def _values(svc, emu, sa_token_file, pki, **extra) -> dict:
    return {
        "auth_type": "workload_identity",
        "proxymux_endpoint": svc.https.url,
        "service_account_token_file": str(sa_token_file),
        "service_account_cert_file": str(pki.ca_file),
        "endpoint": emu.url,
        **FAST,
        **extra,
    }


def _creds(svc, sa_token_file, ca_file, **kw) -> WorkloadIdentityCredentials:
    settings = AuthHttpSettings(timeout=(1.0, 1.0), max_attempts=2, max_seconds=3.0)
    return WorkloadIdentityCredentials(
        svc.https.url, str(sa_token_file), str(ca_file), http_settings=settings, **kw
    )


def test_signed_call_through_the_client(svc, emu, compartment, sa_token_file, pki, monkeypatch) -> None:
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_REGION", "us-ashburn-1")
    assert ClientConfig.from_mapping({"auth_type": "workload_identity"}).region == "us-ashburn-1"
    with DataScienceClient(ClientConfig.from_mapping(_values(svc, emu, sa_token_file, pki))) as client:
        assert svc.calls == {}
        assert client.create_project({"compartmentId": compartment}).status == 200
        assert client.credentials.signing_key().key_id == "ST$" + svc.issued[-1]
    assert svc.count(PROXY) == 1


def test_hook_with_airflow_connection_env(svc, emu, compartment, sa_token_file, pki, monkeypatch) -> None:
    extra = _values(svc, emu, sa_token_file, pki, compartment_id=compartment)
    monkeypatch.setenv("AIRFLOW_CONN_OCI_OKE", json.dumps({"conn_type": "oci_data_science", "extra": extra}))
    hook = DataScienceHook(oci_conn_id="oci_oke")
    assert hook.list_projects(hook.compartment_id).status == 200


def test_refresh_at_half_life(svc, emu, compartment, sa_token_file, pki, clock) -> None:
    creds = _creds(svc, sa_token_file, pki.ca_file, clock=clock)
    first = creds.signing_key()
    clock.advance(svc.lifetime / 2 - 30)
    assert creds.signing_key() is first
    clock.advance(60)
    second = creds.signing_key()
    assert second.key_id != first.key_id and svc.count(PROXY) == 2
    with DataScienceClient(
        ClientConfig.from_mapping(_values(svc, emu, sa_token_file, pki)), credentials=creds
    ) as c:
        assert c.list_projects(compartment).status == 200


def test_401_refreshes_once(svc, emu, compartment, sa_token_file, pki) -> None:
    svc.skip_register = 1
    with DataScienceClient(ClientConfig.from_mapping(_values(svc, emu, sa_token_file, pki))) as client:
        start = len(emu.requests)
        assert client.list_projects(compartment).status == 200
    assert [r["status"] for r in emu.requests[start:]] == [401, 200]
    assert svc.count(PROXY) == 2


def test_403_explains_enhanced_clusters(svc, sa_token_file, pki) -> None:
    svc.fail_federation[:] = [403]
    with pytest.raises(CredentialsError) as info:
        _creds(svc, sa_token_file, pki.ca_file).signing_key()
    assert info.value.source == "proxymux_endpoint" and "enhanced cluster" in str(info.value)


def test_rejected_service_account_token(svc, sa_token_file, pki) -> None:
    sa_token_file.write_text("not-the-right-token")
    with pytest.raises(CredentialsError, match="HTTP 401"):
        _creds(svc, sa_token_file, pki.ca_file).signing_key()


def test_untrusted_proxy_certificate(svc, sa_token_file, tmp_path) -> None:
    from auth_fakes import Pki

    other = Pki(directory=tmp_path)  # a CA that did not sign the proxy's certificate
    with pytest.raises(CredentialsError, match="TLS verification failed"):
        _creds(svc, sa_token_file, other.ca_file).signing_key()


def test_missing_files(svc, tmp_path, pki, sa_token_file) -> None:
    with pytest.raises(ConfigurationError) as info:
        _creds(svc, tmp_path / "nope", pki.ca_file).signing_key()
    assert info.value.field == "service_account_token_file"
    with pytest.raises(ConfigurationError) as info:
        _creds(svc, sa_token_file, tmp_path / "no-ca.crt").signing_key()
    assert info.value.field == "service_account_cert_file"


def test_endpoint_from_kubernetes_service_host(monkeypatch) -> None:
    with pytest.raises(ConfigurationError) as info:
        proxymux_endpoint({})
    assert info.value.field == "KUBERNETES_SERVICE_HOST"
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1")
    assert proxymux_endpoint({}) == "https://10.96.0.1:12250"
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "fd00::1")
    assert proxymux_endpoint({}) == "https://[fd00::1]:12250"
    config = ClientConfig.from_mapping({"auth_type": "workload_identity", "region": "iad"})
    assert credentials_from_config(config).url == "https://[fd00::1]:12250/resourcePrincipalSessionTokens"


def test_missing_region(monkeypatch) -> None:
    config = ClientConfig.from_mapping({"auth_type": "workload_identity"})  # parsing reads no environment
    with pytest.raises(ConfigurationError) as info:
        config.service_endpoint  # noqa: B018 (the property reads the environment)
    assert info.value.field == "region" and "OCI_RESOURCE_PRINCIPAL_REGION" in str(info.value)
