"""API key and config-file credentials: key formats and every documented bad input."""

from __future__ import annotations

import os

import pytest
from client_testdata import FINGERPRINT, PASS_PHRASE, TENANCY, USER

from airflow_ds_provider.client.auth import (
    ApiKeyCredentials,
    Credentials,
    auth_types,
    credentials_from_config,
    register_auth_type,
)
from airflow_ds_provider.client.config import ClientConfig
from airflow_ds_provider.client.errors import ConfigurationError


def _creds(**kwargs):
    values = {"tenancy": TENANCY, "user": USER, "fingerprint": FINGERPRINT}
    values.update(kwargs)
    return ApiKeyCredentials(values.pop("tenancy"), values.pop("user"), values.pop("fingerprint"), **values)


@pytest.mark.parametrize("flavour", ["pkcs1", "pkcs8"])
def test_plain_keys(pems, flavour) -> None:
    creds = _creds(key_content=pems[flavour])
    assert creds.signing_key().key_id == f"{TENANCY}/{USER}/{FINGERPRINT}"
    assert isinstance(creds, Credentials)
    assert creds.on_unauthorized() is False


@pytest.mark.parametrize("flavour", ["pkcs1_encrypted", "pkcs8_encrypted"])
def test_encrypted_keys(pems, flavour) -> None:
    assert _creds(key_content=pems[flavour], pass_phrase=PASS_PHRASE).signing_key()


def test_key_file_and_inline_escaped_newlines(pems, tmp_path) -> None:
    path = tmp_path / "key.pem"
    path.write_text(pems["pkcs1"])
    assert _creds(key_file=str(path)).signing_key()
    assert _creds(key_content=pems["pkcs1"].replace("\n", "\\n")).signing_key()


def test_pass_phrase_for_unencrypted_key_is_ignored(pems) -> None:
    assert _creds(key_content=pems["pkcs8"], pass_phrase="inherited").signing_key()


def test_key_parsed_once(pems, tmp_path) -> None:
    path = tmp_path / "key.pem"
    path.write_text(pems["pkcs1"])
    creds = _creds(key_file=str(path))
    os.unlink(path)  # later calls never re-read the file
    assert creds.signing_key() is creds.signing_key()


async def test_async_key(pems) -> None:
    creds = _creds(key_content=pems["pkcs1"])
    assert await creds.asigning_key() is creds.signing_key()


@pytest.mark.parametrize(
    ("kwargs", "field", "fragment"),
    [
        ({"tenancy": None}, "tenancy", "required"),
        ({"user": ""}, "user", "required"),
        ({"fingerprint": None}, "fingerprint", "required"),
        ({}, "key_file", "key_content"),
        ({"tenancy": "not-an-ocid"}, "tenancy", "OCID"),
        ({"fingerprint": "20:3B:97"}, "fingerprint", "16 lowercase hex pairs"),
        ({"fingerprint": "203b9713551c5b0dd337d8504ec53a34"}, "fingerprint", "hex pairs"),
        ({"key_file": "/nonexistent/key.pem"}, "key_file", "does not exist"),
        ({"key_content": "garbage"}, "key_content", "not a PEM"),
        (
            {"key_content": "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"},
            "key_content",
            "not a valid PEM",
        ),
    ],
)
def test_bad_input_names_the_field(kwargs, field, fragment) -> None:
    with pytest.raises(ConfigurationError) as info:
        _creds(**kwargs)
    assert info.value.field == field
    assert fragment in str(info.value)


def test_unreadable_key_file(tmp_path) -> None:
    with pytest.raises(ConfigurationError, match="directory") as info:
        _creds(key_file=str(tmp_path))
    assert info.value.field == "key_file"


def test_public_key_instead_of_private(pems) -> None:
    with pytest.raises(ConfigurationError, match="public key was provided") as info:
        _creds(key_content=pems["public"])
    assert info.value.field == "key_content"


@pytest.mark.parametrize("flavour", ["pkcs1_encrypted", "pkcs8_encrypted"])
def test_encrypted_key_without_or_with_wrong_pass_phrase(pems, flavour) -> None:
    with pytest.raises(ConfigurationError, match="encrypted") as info:
        _creds(key_content=pems[flavour])
    assert info.value.field == "pass_phrase"
    with pytest.raises(ConfigurationError, match="does not decrypt") as info:
        _creds(key_content=pems[flavour], pass_phrase="wrong")
    assert info.value.field == "pass_phrase"


def test_factory_and_unknown_auth_type(pems) -> None:
    config = ClientConfig.from_connection(
        {
            "tenancy": TENANCY,
            "user": USER,
            "fingerprint": FINGERPRINT,
            "key_content": pems["pkcs8"],
            "region": "iad",
        }
    )
    assert isinstance(credentials_from_config(config), ApiKeyCredentials)
    assert {"api_key", "config_file"} <= set(auth_types())
    with pytest.raises(ConfigurationError) as info:
        credentials_from_config(config.with_overrides(auth_type="kerberos"))
    assert info.value.field == "auth_type"
    assert "api_key" in str(info.value)


def test_config_file_auth(tmp_path, pems) -> None:
    key = tmp_path / "k.pem"
    key.write_text(pems["pkcs1_encrypted"])
    path = tmp_path / "config"
    path.write_text(
        f"[DEFAULT]\nuser={USER}\ntenancy={TENANCY}\nfingerprint={FINGERPRINT}\nkey_file={key}\n"
        f"pass_phrase={PASS_PHRASE}\nregion=iad\n"
    )
    config = ClientConfig.from_connection({"auth_type": "config_file", "config_file": str(path)})
    assert credentials_from_config(config).signing_key().key_id.endswith(FINGERPRINT)


def test_registry_accepts_new_providers(pems) -> None:
    calls = []

    @register_auth_type("test_dummy")
    def _factory(config):
        calls.append(config)
        return _creds(key_content=pems["pkcs1"])

    config = ClientConfig.from_connection({"auth_type": "test_dummy", "region": "iad"})
    assert credentials_from_config(config).signing_key()
    assert calls == [config]


def test_repr_hides_key(pems) -> None:
    creds = _creds(key_content=pems["pkcs1"])
    assert "PRIVATE" not in repr(creds) and "PRIVATE" not in repr(creds.signing_key())
