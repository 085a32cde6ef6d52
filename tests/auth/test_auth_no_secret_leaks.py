"""No token, certificate key or session key in any log record (DEBUG, every logger) or error text."""

from __future__ import annotations

import logging
import os
import time

import pytest
from auth_fakes import FAST, make_jwt, private_pem, public_pem
from cryptography.hazmat.primitives.asymmetric import rsa

from airflow_ds_provider.client import AsyncDataScienceClient, ClientConfig, DataScienceClient
from airflow_ds_provider.client.auth import credentials_from_config
from airflow_ds_provider.client.auth.masking import set_secret_masker
from airflow_ds_provider.client.errors import DataScienceError


def _key_lines(pem: str) -> list[str]:
    lines = [line for line in pem.splitlines() if line and not line.startswith("-----")]
    return lines[1:4]


def _token_parts(token: str) -> list[str]:
    parts = token.split(".")
    return [token, *parts[1:]] if len(parts) == 3 else [token]


async def test_nothing_secret_reaches_logs_or_errors(
    svc, emu, compartment, pki, tmp_path, monkeypatch, caplog
) -> None:
    recorded: list[str] = []
    previous_masker = set_secret_masker(recorded.extend)
    try:
        await _run_every_provider(svc, emu, compartment, pki, tmp_path, monkeypatch, caplog, recorded)
    finally:
        set_secret_masker(previous_masker)


async def _run_every_provider(svc, emu, compartment, pki, tmp_path, monkeypatch, caplog, recorded) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("airflow_ds_provider", "requests", "urllib3", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    texts: list[str] = []
    session_keys: list[rsa.RSAPrivateKey] = []

    def expect_error(build) -> None:
        with pytest.raises(DataScienceError) as info:
            build()
        texts.extend([str(info.value), repr(info.value)])

    # instance principal: success, a 401 refresh, a federation failure, unreachable metadata
    ip = {
        "auth_type": "instance_principal",
        "metadata_url": svc.metadata_url,
        "federation_endpoint": svc.http.url,
    }
    svc.skip_register = 1
    with DataScienceClient(ClientConfig.from_mapping({**ip, "endpoint": emu.url, **FAST})) as client:
        client.list_projects(compartment)
        session_keys.append(client.credentials.signing_key().private_key)
        texts.append(repr(client))
    svc.fail_federation[:] = [401]
    expect_error(
        lambda: credentials_from_config(
            ClientConfig.from_mapping({**ip, "region": "iad", **FAST}, read_config_file=False)
        ).on_unauthorized()
    )
    expect_error(
        lambda: credentials_from_config(
            ClientConfig.from_mapping(
                {**ip, "metadata_url": "http://127.0.0.1:9/opc/v2", "region": "iad", **FAST}
            )
        ).signing_key()
    )

    # workload identity: success, then a rejected service-account token
    sa_file = tmp_path / "sa"
    sa_file.write_text(svc.sa_token)
    wi = {
        "auth_type": "workload_identity",
        "proxymux_endpoint": svc.https.url,
        "service_account_token_file": str(sa_file),
        "service_account_cert_file": str(pki.ca_file),
        "endpoint": emu.url,
        **FAST,
    }
    async with AsyncDataScienceClient(ClientConfig.from_mapping(wi)) as client:
        await client.list_projects(compartment)
        session_keys.append((await client.credentials.asigning_key()).private_key)
    svc.fail_federation[:] = [403]
    expect_error(
        lambda: credentials_from_config(
            ClientConfig.from_mapping({**wi, "auth_max_attempts": 1})
        ).on_unauthorized()
    )

    # session token: success, then expired
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = make_jwt({"exp": int(time.time() + 600), "jti": os.urandom(4).hex()})
    emu.register_session_token(token, public_pem(key))
    token_file, key_file = tmp_path / "token", tmp_path / "key.pem"
    token_file.write_text(token)
    key_file.write_text(private_pem(key))
    st = {"auth_type": "security_token", "security_token_file": str(token_file), "key_file": str(key_file)}
    with DataScienceClient(ClientConfig.from_mapping({**st, "endpoint": emu.url})) as client:
        client.list_projects(compartment)
    expired = make_jwt({"exp": int(time.time() - 5)})
    expired_file = tmp_path / "expired-token"
    expired_file.write_text(expired)
    st["security_token_file"] = str(expired_file)
    expect_error(
        lambda: credentials_from_config(ClientConfig.from_mapping({**st, "region": "iad"})).signing_key()
    )

    # resource principal 2.2 with a literal token, then an unsupported version
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_VERSION", "2.2")
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_RPST", token)
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM", private_pem(key))
    with DataScienceClient(
        ClientConfig.from_mapping({"auth_type": "resource_principal", "endpoint": emu.url})
    ) as c:
        c.list_projects(compartment)
        texts.append(repr(c.credentials))
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_RPST", expired)
    expect_error(
        lambda: credentials_from_config(
            ClientConfig.from_mapping({"auth_type": "resource_principal", "region": "iad"})
        ).signing_key()
    )

    secrets = [svc.sa_token, *_key_lines(private_pem(pki.leaf_key)), *_key_lines(private_pem(key))]
    for issued in [*svc.issued, token, expired]:
        secrets += _token_parts(issued)
    for session_key in session_keys:
        secrets += _key_lines(private_pem(session_key))
    assert len(svc.issued) >= 3
    messages = [record.getMessage() for record in caplog.records] + texts
    assert any("instance principal session token" in m for m in messages), "the refresh is logged"
    for secret in secrets:
        for message in messages:
            assert secret not in message
    # Every token and private key read was registered with the log masker (Airflow's, in a task
    # or the triggerer) as it was read. Session keys are generated in memory and never serialized.
    read = [svc.sa_token, *_key_lines(private_pem(pki.leaf_key)), *_key_lines(private_pem(key))]
    for secret in [*read, *svc.issued, token]:
        assert secret in recorded or secret.removeprefix("ST$") in recorded, f"not masked: {secret[:12]}..."
