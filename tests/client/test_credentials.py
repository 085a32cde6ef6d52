"""API key and config-file credentials: key formats and every documented bad input."""

from __future__ import annotations

import os
import shutil
import subprocess

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
        ({}, "key_file", "private_key"),
        ({"tenancy": "not-an-ocid"}, "tenancy", "OCID"),
        ({"fingerprint": "20:3B:97"}, "fingerprint", "16 lowercase hex pairs"),
        ({"fingerprint": "203b9713551c5b0dd337d8504ec53a34"}, "fingerprint", "hex pairs"),
        ({"key_file": "/nonexistent/key.pem"}, "key_file", "does not exist"),
        ({"key_content": "garbage"}, "private_key", "not a PEM"),
        (
            {"key_content": "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"},
            "private_key",
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
    assert info.value.field == "private_key"


@pytest.mark.parametrize("flavour", ["pkcs1_encrypted", "pkcs8_encrypted"])
def test_encrypted_key_without_or_with_wrong_pass_phrase(pems, flavour) -> None:
    with pytest.raises(ConfigurationError, match="encrypted") as info:
        _creds(key_content=pems[flavour])
    assert info.value.field == "private_key_passphrase"
    with pytest.raises(ConfigurationError, match="does not decrypt") as info:
        _creds(key_content=pems[flavour], pass_phrase="wrong")
    assert info.value.field == "private_key_passphrase"


def _api_key_config(**values) -> ClientConfig:
    return ClientConfig.from_connection(
        {
            "tenancy": TENANCY,
            "user": USER,
            "fingerprint": FINGERPRINT,
            "region": "iad",
            **values.pop("extra"),
        },
        **values,
    )


@pytest.mark.parametrize(
    ("extra", "password", "key_field", "pass_field"),
    [
        (
            {"private_key": "PEM", "private_key_passphrase": "wrong"},
            None,
            "private_key",
            "private_key_passphrase",
        ),
        ({"key_content": "PEM", "pass_phrase": "wrong"}, None, "key_content", "pass_phrase"),
        ({"private_key": "PEM"}, "wrong", "private_key", "password"),
    ],
)
def test_errors_name_the_connection_key_that_was_used(pems, extra, password, key_field, pass_field) -> None:
    good = {k: (pems["pkcs1_encrypted"] if v == "PEM" else v) for k, v in extra.items()}
    config = _api_key_config(extra=good, password=password)
    with pytest.raises(ConfigurationError, match="does not decrypt") as info:
        credentials_from_config(config)
    assert info.value.field == pass_field and f"in {key_field} " in str(info.value)
    bad = _api_key_config(extra={k: ("garbage" if v == "PEM" else v) for k, v in extra.items()})
    with pytest.raises(ConfigurationError, match="not a PEM") as info:
        credentials_from_config(bad)
    assert info.value.field == key_field


@pytest.mark.parametrize("flavour", ["pkcs1", "pkcs8", "pkcs1_encrypted", "pkcs8_encrypted"])
@pytest.mark.parametrize("sep", [" ", "  ", "\t"])
def test_pem_with_flattened_newlines(pems, rsa_key, flavour, sep) -> None:
    """A PEM pasted into the UI's single-line masked input: its newlines became spaces."""
    flat = pems[flavour].strip().replace("\n", sep)
    assert "\n" not in flat
    if flavour == "pkcs1_encrypted":
        assert "Proc-Type: 4,ENCRYPTED" + sep + "DEK-Info: " in flat
    key = _creds(key_content=flat, pass_phrase=PASS_PHRASE if "encrypted" in flavour else None)
    assert key.signing_key().private_key.private_numbers() == rsa_key.private_numbers()


def test_flattened_encrypted_pkcs1_still_rejects_a_wrong_pass_phrase(pems) -> None:
    flat = pems["pkcs1_encrypted"].replace("\n", " ")
    with pytest.raises(ConfigurationError, match="does not decrypt") as info:
        _creds(key_content=flat, pass_phrase=PASS_PHRASE + "x")
    assert info.value.field == "private_key_passphrase"
    with pytest.raises(ConfigurationError, match="is encrypted"):
        _creds(key_content=flat)


@pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl command")
def test_openssl_traditional_aes128_key_flattened(tmp_path) -> None:
    """The exact key of the report: ``openssl genrsa -traditional -aes128``, newlines flattened."""
    path = tmp_path / "k.pem"
    subprocess.run(
        [
            "openssl",
            "genrsa",
            "-traditional",
            "-aes128",
            "-passout",
            f"pass:{PASS_PHRASE}",
            "-out",
            str(path),
            "2048",
        ],
        check=True,
        capture_output=True,
    )
    pem = path.read_text()
    assert "DEK-Info: AES-128-CBC," in pem
    flat = pem.strip().replace("\n", " ")
    expected = _creds(key_content=pem, pass_phrase=PASS_PHRASE).signing_key().private_key
    got = _creds(key_content=flat, pass_phrase=PASS_PHRASE).signing_key().private_key
    assert got.private_numbers() == expected.private_numbers()


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
