"""Resource principals (2.2, 2.1, 1.1) from the OCI_RESOURCE_PRINCIPAL_* environment."""

from __future__ import annotations

import os
import time

import pytest
from auth_fakes import FAST, INSTANCE_ID, make_jwt, private_pem, public_pem
from cryptography.hazmat.primitives.asymmetric import rsa

from airflow_ds_provider.client import AsyncDataScienceClient, ClientConfig, DataScienceClient
from airflow_ds_provider.client.auth import (
    CredentialsError,
    ResourcePrincipalV11Credentials,
    ResourcePrincipalV21Credentials,
    ResourcePrincipalV22Credentials,
    credentials_from_config,
)
from airflow_ds_provider.client.auth.masking import set_secret_masker
from airflow_ds_provider.client.errors import ConfigurationError

P = "OCI_RESOURCE_PRINCIPAL_"


@pytest.fixture(scope="module")
def rp_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _rpst(emu, key, lifetime: float = 3600) -> str:
    token = make_jwt(
        {"res_tenant": "ocid1.tenancy.oc1..t", "exp": int(time.time() + lifetime), "jti": os.urandom(6).hex()}
    )
    emu.register_session_token(token, public_pem(key))
    return token


def _config(emu, **extra) -> ClientConfig:
    return ClientConfig.from_mapping(
        {"auth_type": "resource_principal", "endpoint": emu.url, **FAST, **extra}
    )


def test_v22_literal_values(emu, compartment, rp_key, monkeypatch) -> None:
    token = _rpst(emu, rp_key)
    monkeypatch.setenv(P + "VERSION", "2.2")
    monkeypatch.setenv(P + "RPST", token)
    monkeypatch.setenv(P + "PRIVATE_PEM", private_pem(rp_key))
    monkeypatch.setenv(P + "REGION", "phx")
    config = ClientConfig.from_mapping({"auth_type": "resource_principal"})
    assert config.region == "us-phoenix-1"
    with DataScienceClient(_config(emu)) as client:
        assert isinstance(client.credentials, ResourcePrincipalV22Credentials)
        assert client.create_project({"compartmentId": compartment}).status == 200
        assert client.credentials.signing_key().key_id == "ST$" + token


async def test_v22_file_paths_are_reread(emu, compartment, rp_key, monkeypatch, tmp_path) -> None:
    token_file, pem_file = tmp_path / "rpst.token", tmp_path / "rpst.pem"
    token_file.write_text(_rpst(emu, rp_key))
    pem_file.write_text(private_pem(rp_key))
    monkeypatch.setenv(P + "VERSION", "2.2")
    monkeypatch.setenv(P + "RPST", str(token_file))
    monkeypatch.setenv(P + "PRIVATE_PEM", str(pem_file))
    async with AsyncDataScienceClient(_config(emu)) as client:
        assert (await client.list_projects(compartment)).status == 200
        new = _rpst(emu, rp_key)
        token_file.write_text(new)  # the service rotated the token; the old one is rejected
        emu.inject_fault("GET", r".*/projects.*", kind="status", status=401, count=1)
        start = len(emu.requests)
        assert (await client.list_projects(compartment)).status == 200
        assert (await client.credentials.asigning_key()).key_id == "ST$" + new
    assert [r["status"] for r in emu.requests[start:]] == [401, 200]


def test_v22_expired_literal_token(emu, rp_key, monkeypatch) -> None:
    monkeypatch.setenv(P + "VERSION", "2.2")
    monkeypatch.setenv(P + "RPST", _rpst(emu, rp_key, lifetime=-5))
    monkeypatch.setenv(P + "PRIVATE_PEM", private_pem(rp_key))
    with pytest.raises(CredentialsError) as info:
        credentials_from_config(_config(emu)).signing_key()
    assert info.value.source == P + "RPST" and "expired at" in str(info.value)


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, P + "VERSION"),
        ({"VERSION": "2.2", "PRIVATE_PEM": "x"}, P + "RPST"),
        ({"VERSION": "2.2", "RPST": "x"}, P + "PRIVATE_PEM"),
        ({"VERSION": "2.1", "RPT_ENDPOINT": "http://a", "RPST_ENDPOINT": "http://b"}, P + "RESOURCE_ID"),
        (
            {"VERSION": "2.1.1", "RPT_ENDPOINT": "http://a", "RPST_ENDPOINT": "http://b", "RESOURCE_ID": "r"},
            P + "TENANCY_ID",
        ),
        ({"VERSION": "1.1"}, P + "RPT_ENDPOINT"),
        ({"VERSION": "3.0"}, P + "VERSION"),
    ],
)
def test_missing_environment_variable_is_named(emu, monkeypatch, env, missing) -> None:
    for name, value in env.items():
        monkeypatch.setenv(P + name, value)
    with pytest.raises(ConfigurationError) as info:
        credentials_from_config(_config(emu)).signing_key()
    assert info.value.field == missing


def test_missing_region_without_endpoint(monkeypatch) -> None:
    monkeypatch.setenv(P + "VERSION", "2.2")
    config = ClientConfig.from_mapping({"auth_type": "resource_principal"})  # parsing reads no environment
    monkeypatch.setenv(P + "REGION", "phx")  # so a region set after parsing is still found
    assert config.region == "us-phoenix-1"
    config = ClientConfig.from_mapping({"auth_type": "resource_principal"})
    monkeypatch.delenv(P + "REGION")
    with pytest.raises(ConfigurationError) as info:
        config.service_endpoint  # noqa: B018 (the property reads the environment)
    assert info.value.field == "region" and P + "REGION" in str(info.value)


def test_unreadable_token_path(emu, monkeypatch, tmp_path, rp_key) -> None:
    monkeypatch.setenv(P + "VERSION", "2.2")
    monkeypatch.setenv(P + "RPST", str(tmp_path / "missing.token"))
    monkeypatch.setenv(P + "PRIVATE_PEM", private_pem(rp_key))
    with pytest.raises(ConfigurationError) as info:
        credentials_from_config(_config(emu)).signing_key()
    assert info.value.field == P + "RPST" and "missing.token" in str(info.value)


def test_v21_two_step_flow(emu, compartment, svc, rp_key, monkeypatch, tmp_path) -> None:
    svc.resource_key = rp_key
    pem_file = tmp_path / "resource.pem"
    pem_file.write_text(private_pem(rp_key))
    monkeypatch.setenv(P + "VERSION", "2.1")
    monkeypatch.setenv(P + "RPT_ENDPOINT", svc.http.url)
    monkeypatch.setenv(P + "RPST_ENDPOINT", svc.http.url)
    monkeypatch.setenv(P + "RESOURCE_ID", svc.resource_id)
    monkeypatch.setenv(P + "PRIVATE_PEM", str(pem_file))
    recorded: list[str] = []
    previous = set_secret_masker(recorded.extend)
    try:
        with DataScienceClient(_config(emu)) as client:
            assert isinstance(client.credentials, ResourcePrincipalV21Credentials)
            assert client.list_projects(compartment).status == 200
            session_token = client.credentials.signing_key().key_id.removeprefix("ST$")
    finally:
        set_secret_masker(previous)
    # both tokens of the exchange and the resource's key went to the log masker as they were read
    rpt = [value for value in recorded if value.startswith("rpt-")]
    assert len(rpt) == 1 and "spst" in recorded and session_token in recorded
    assert all(line in recorded for line in private_pem(rp_key).splitlines()[1:-2])
    assert svc.rejections == []
    assert svc.count(f"/20180711/resourcePrincipalTokenV2/{svc.resource_id}") == 1
    assert svc.count("/v1/resourcePrincipalSessionToken") == 1


def test_v11_flow_through_the_instance_principal(emu, compartment, svc, monkeypatch) -> None:
    monkeypatch.setenv(P + "VERSION", "1.1")
    monkeypatch.setenv(P + "RPT_ENDPOINT", svc.http.url)
    monkeypatch.setenv(P + "RPST_ENDPOINT", svc.http.url)
    config = _config(emu, metadata_url=svc.metadata_url, federation_endpoint=svc.http.url)
    with DataScienceClient(config) as client:
        assert isinstance(client.credentials, ResourcePrincipalV11Credentials)
        assert svc.calls == {}
        assert client.list_projects(compartment).status == 200
    assert svc.rejections == []
    assert svc.count(f"/20180711/resourcePrincipalToken/{INSTANCE_ID}") == 1
    assert svc.count("/v1/x509") == 1 and svc.count("/v1/resourcePrincipalSessionToken") == 1
    assert client.credentials.signing_key().key_id == "ST$" + svc.issued[-1]


def test_v21_rpst_failure_is_a_clear_error(emu, svc, rp_key, monkeypatch) -> None:
    svc.resource_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # not our key
    monkeypatch.setenv(P + "VERSION", "2.1")
    monkeypatch.setenv(P + "RPT_ENDPOINT", svc.http.url)
    monkeypatch.setenv(P + "RPST_ENDPOINT", svc.http.url)
    monkeypatch.setenv(P + "RESOURCE_ID", svc.resource_id)
    monkeypatch.setenv(P + "PRIVATE_PEM", private_pem(rp_key))
    with pytest.raises(CredentialsError) as info:
        credentials_from_config(_config(emu)).signing_key()
    assert info.value.source == P + "RPT_ENDPOINT" and "HTTP 401 NotAuthenticated" in str(info.value)
