"""Session tokens (``oci session authenticate``): token file + session key, against the emulator."""

from __future__ import annotations

import json
import os
import time

import pytest
from auth_fakes import make_jwt, private_pem, public_pem
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from airflow_ds_provider.client import AsyncDataScienceClient, ClientConfig, DataScienceClient
from airflow_ds_provider.client.auth import (
    CredentialsError,
    SecurityTokenCredentials,
    credentials_from_config,
)
from airflow_ds_provider.client.errors import ConfigurationError
from airflow_ds_provider.hooks.data_science import DataScienceHook


@pytest.fixture(scope="module")
def session_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _token(emu, key, lifetime: float = 3600, register: bool = True) -> str:
    token = make_jwt(
        {"sub": "ocid1.user.oc1..me", "exp": int(time.time() + lifetime), "jti": os.urandom(6).hex()}
    )
    if register:
        emu.register_session_token(token, public_pem(key))
    return token


@pytest.fixture
def session_files(tmp_path, emu, session_key):
    token_file = tmp_path / "token"
    token_file.write_text(_token(emu, session_key))
    key_file = tmp_path / "oci_api_key.pem"
    key_file.write_text(private_pem(session_key))
    return token_file, key_file


def _config(emu, token_file, key_file, **extra) -> ClientConfig:
    values = {
        "auth_type": "security_token",
        "security_token_file": str(token_file),
        "key_file": str(key_file),
        "endpoint": emu.url,
        **extra,
    }
    return ClientConfig.from_mapping(values)


def test_signed_call_with_token_file(emu, compartment, session_files) -> None:
    token_file, key_file = session_files
    with DataScienceClient(_config(emu, token_file, key_file)) as client:
        project = client.create_project({"compartmentId": compartment}).data
        assert client.credentials.signing_key().key_id == "ST$" + token_file.read_text()
    assert project["createdBy"].startswith("ocid1.user.oc1..session")


async def test_async_client_and_inline_key(emu, compartment, session_files, session_key) -> None:
    token_file, _ = session_files
    config = ClientConfig.from_mapping(
        {
            "auth_type": "security_token",
            "security_token_file": str(token_file),
            "key_content": private_pem(session_key),
            "endpoint": emu.url,
        }
    )
    async with AsyncDataScienceClient(config) as client:
        assert (await client.list_projects(compartment)).status == 200


def test_config_file_session_profile(emu, compartment, session_files, tmp_path) -> None:
    token_file, key_file = session_files
    config_file = tmp_path / "config"
    config_file.write_text(
        "[DEFAULT]\nregion=us-ashburn-1\n\n"
        f"[SESSION]\nfingerprint=aa:bb\nkey_file={key_file}\ntenancy=ocid1.tenancy.oc1..t\n"
        f"region=us-phoenix-1\nsecurity_token_file={token_file}\n"
    )
    config = ClientConfig.from_mapping(
        {
            "auth_type": "config_file",
            "config_file": str(config_file),
            "profile": "SESSION",
            "endpoint": emu.url,
        }
    )
    assert config.region == "us-phoenix-1"
    with DataScienceClient(config) as client:
        assert isinstance(client.credentials, SecurityTokenCredentials)
        assert client.credentials.profile == "SESSION"
        assert client.list_projects(compartment).status == 200


def test_hook_with_airflow_connection_env(emu, compartment, session_files, monkeypatch) -> None:
    token_file, key_file = session_files
    extra = {
        "auth_type": "security_token",
        "security_token_file": str(token_file),
        "key_file": str(key_file),
        "endpoint": emu.url,
        "compartment_id": compartment,
    }
    monkeypatch.setenv(
        "AIRFLOW_CONN_OCI_SESSION", json.dumps({"conn_type": "oci_data_science", "extra": extra})
    )
    hook = DataScienceHook(oci_conn_id="oci_session")
    assert hook.list_projects(hook.compartment_id).status == 200


def test_token_file_is_reread_when_it_changes(emu, session_files, session_key) -> None:
    token_file, key_file = session_files
    creds = SecurityTokenCredentials(str(token_file), key_file=str(key_file), recheck_interval=0.0)
    first = creds.signing_key()
    assert creds.signing_key() is first  # unchanged file: same key object, nothing re-parsed
    new = _token(emu, session_key)
    token_file.write_text(new)
    assert creds.signing_key().key_id == "ST$" + new


def test_401_rereads_a_refreshed_token_file(emu, compartment, session_files, session_key) -> None:
    token_file, key_file = session_files
    config = _config(emu, token_file, key_file)
    with DataScienceClient(config) as client:
        client.list_projects(compartment)
        new = _token(emu, session_key)
        token_file.write_text(new)  # `oci session refresh` ran; the old token is now rejected
        emu.inject_fault("GET", r".*/projects.*", kind="status", status=401, count=1)
        start = len(emu.requests)
        assert client.list_projects(compartment).status == 200
    assert [r["status"] for r in emu.requests[start:]] == [401, 200]
    assert client.credentials.signing_key().key_id == "ST$" + new


def test_401_with_an_unchanged_file_is_not_retried(emu, compartment, session_files, session_key) -> None:
    token_file, key_file = session_files
    token_file.write_text(_token(emu, session_key, register=False))
    with DataScienceClient(_config(emu, token_file, key_file)) as client:
        start = len(emu.requests)
        with pytest.raises(Exception) as info:
            client.list_projects(compartment)
    assert getattr(info.value, "status", None) == 401
    assert [r["status"] for r in emu.requests[start:]] == [401]


def test_expired_token_says_how_to_refresh(emu, session_files, session_key, tmp_path) -> None:
    token_file, key_file = session_files
    token_file.write_text(_token(emu, session_key, lifetime=-60))
    creds = credentials_from_config(_config(emu, token_file, key_file, profile="work"))
    with pytest.raises(CredentialsError) as info:
        creds.signing_key()
    text = str(info.value)
    assert info.value.source == "security_token_file"
    assert "expired at" in text and "oci session refresh --profile work" in text
    assert "oci session authenticate" in text


def test_token_expiring_while_in_use(emu, session_files, clock) -> None:
    token_file, key_file = session_files
    creds = SecurityTokenCredentials(
        str(token_file), key_file=str(key_file), recheck_interval=1e9, clock=clock
    )
    creds.signing_key()
    clock.advance(3601)
    with pytest.raises(CredentialsError, match="expired at"):
        creds.signing_key()


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({"security_token_file": None}, "security_token_file", "is required"),
        ({"security_token_file": "/nonexistent/token"}, "security_token_file", "/nonexistent/token"),
        ({"key_file": None}, "key_file", "session private key"),
        ({"key_file": "/nonexistent/key.pem"}, "key_file", "/nonexistent/key.pem"),
    ],
)
def test_bad_input_names_the_field(emu, session_files, values, field, fragment) -> None:
    token_file, key_file = session_files
    merged = {"security_token_file": str(token_file), "key_file": str(key_file), **values}
    merged = {k: v for k, v in merged.items() if v is not None}
    with pytest.raises(ConfigurationError) as info:
        config = ClientConfig.from_mapping({"auth_type": "security_token", "region": "iad", **merged})
        credentials_from_config(config).signing_key()
    assert info.value.field == field and fragment in str(info.value)


def test_unreadable_and_empty_token_files(emu, session_files, tmp_path) -> None:
    _, key_file = session_files
    empty = tmp_path / "empty"
    empty.write_text("  \n")
    with pytest.raises(ConfigurationError, match="is empty"):
        SecurityTokenCredentials(str(empty), key_file=str(key_file)).signing_key()
    with pytest.raises(ConfigurationError, match="directory"):
        SecurityTokenCredentials(str(tmp_path), key_file=str(key_file)).signing_key()


def test_encrypted_session_key(emu, compartment, session_files, session_key, tmp_path) -> None:
    token_file, _ = session_files
    encrypted = tmp_path / "enc.pem"
    encrypted.write_bytes(
        session_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"s3cret-phrase"),
        )
    )
    config = _config(emu, token_file, encrypted, pass_phrase="s3cret-phrase")
    with DataScienceClient(config) as client:
        assert client.list_projects(compartment).status == 200


def test_connection_test_without_compartment_reports_authenticated(emu, session_files, monkeypatch) -> None:
    token_file, key_file = session_files
    extra = {
        "auth_type": "security_token",
        "security_token_file": str(token_file),
        "key_file": str(key_file),
        "endpoint": emu.url,
    }
    monkeypatch.setenv(
        "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT", json.dumps({"conn_type": "oci_data_science", "extra": extra})
    )
    ok, message = DataScienceHook().test_connection()
    assert ok, message
    assert "compartment_id" in message

    unknown = token_file.with_name("unregistered-token")
    unknown.write_text(_token(emu, rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    extra["security_token_file"] = str(unknown)
    monkeypatch.setenv(
        "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT", json.dumps({"conn_type": "oci_data_science", "extra": extra})
    )
    ok, message = DataScienceHook().test_connection()
    assert not ok
    assert "NotAuthenticated" in message
