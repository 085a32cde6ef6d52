"""Connection secrets in Airflow: names Airflow masks, the alias warning, the secrets masker.

Real Airflow (connections from ``AIRFLOW_CONN_*``, Airflow's own secrets masker) and real HTTP
against the emulator. Every test makes a fresh pass phrase and a freshly encrypted PEM, so what
Airflow's process-wide masker knows from earlier tests cannot make an assertion pass.
"""

from __future__ import annotations

import json
import logging
import secrets

from cryptography.hazmat.primitives import serialization

from airflow_ds_provider._compat import redact, secrets_masker
from airflow_ds_provider.client.auth.masking import get_secret_masker, set_secret_masker
from airflow_ds_provider.hooks.data_science import DataScienceHook, airflow_mask_secret

HOOK_LOGGER = "airflow_ds_provider.hooks.data_science"


def _encrypted_pkcs1(ident, phrase: str) -> str:
    """The identity's key as an encrypted traditional PEM (Proc-Type/DEK-Info headers)."""
    key = serialization.load_pem_private_key(ident.private_key_pem.encode(), None)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.BestAvailableEncryption(phrase.encode()),
    ).decode()


def _body_lines(pem: str) -> list[str]:
    lines = [line for line in pem.split() if len(line) == 64]
    assert len(lines) > 20
    return lines


def _connect(monkeypatch, emu, ident, conn_id: str, secret_keys: dict, password: str | None = None) -> None:
    extra = {k: v for k, v in emu.connection_extra(ident).items() if k != "private_key"}
    conn = {"conn_type": "oci_data_science", "extra": {**extra, **secret_keys}}
    if password is not None:
        conn["password"] = password
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == HOOK_LOGGER and r.levelno == logging.WARNING]


def _assert_masked(*secret_values: str) -> None:
    for value in secret_values:
        assert redact(f"<{value}>") == "<***>", "not registered with Airflow's secrets masker"


def test_the_hook_installs_airflows_masker() -> None:
    assert get_secret_masker() is airflow_mask_secret


def test_alias_named_connection_authenticates_warns_once_and_is_masked(
    ds_emulator, ds_identity, monkeypatch, caplog
) -> None:
    """``key_content``/``pass_phrase`` (OCI config-file names), with a flattened encrypted PKCS#1 key."""
    phrase = secrets.token_hex(8)
    pem = _encrypted_pkcs1(ds_identity, phrase)
    flat = pem.strip().replace("\n", " ")  # as pasted into the UI's single-line masked input
    _connect(
        monkeypatch, ds_emulator, ds_identity, "oci_alias_sync", {"key_content": flat, "pass_phrase": phrase}
    )
    caplog.set_level(logging.DEBUG)

    hook = DataScienceHook("oci_alias_sync")
    assert hook.list_projects(ds_identity.compartment_id).status == 200
    assert (
        DataScienceHook("oci_alias_sync").config.pass_phrase == phrase
    )  # a second hook of the same connection: no second warning

    (warning,) = _warnings(caplog)
    assert "'oci_alias_sync'" in warning and "key_content -> private_key" in warning
    assert "pass_phrase -> private_key_passphrase" in warning and "sensitive_var_conn_names" in warning
    _assert_masked(phrase, *_body_lines(pem))
    # the provider's own log lines never carried the values
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert phrase not in logged and not any(line in logged for line in _body_lines(pem))


async def test_alias_named_connection_in_the_async_path(
    ds_emulator, ds_identity, monkeypatch, caplog
) -> None:
    """Triggers build their client with ``aget_async_client``: the same warning and masking."""
    phrase = secrets.token_hex(8)
    pem = _encrypted_pkcs1(ds_identity, phrase)
    _connect(
        monkeypatch, ds_emulator, ds_identity, "oci_alias_async", {"key_content": pem, "pass_phrase": phrase}
    )
    caplog.set_level(logging.WARNING)

    async with await DataScienceHook("oci_alias_async").aget_async_client() as client:
        assert (await client.list_projects(ds_identity.compartment_id)).status == 200
    (warning,) = _warnings(caplog)
    assert "'oci_alias_async'" in warning and "key_content" in warning
    _assert_masked(phrase, *_body_lines(pem))


def test_documented_names_need_no_warning_and_airflow_redacts_them(
    ds_emulator, ds_identity, monkeypatch, caplog
) -> None:
    phrase = secrets.token_hex(8)
    pem = _encrypted_pkcs1(ds_identity, phrase)
    keys = {"private_key": pem, "private_key_passphrase": phrase}
    _connect(monkeypatch, ds_emulator, ds_identity, "oci_masked_names", keys)
    caplog.set_level(logging.WARNING)

    assert DataScienceHook("oci_masked_names").list_projects(ds_identity.compartment_id).status == 200
    assert _warnings(caplog) == []
    _assert_masked(phrase, *_body_lines(pem))
    # What the REST API, the form and the CLI do: redact the extras by key name.
    assert redact({**keys, "key_content": "x" * 40, "pass_phrase": "y" * 12}) == {
        "private_key": "***",
        "private_key_passphrase": "***",
        "key_content": "x" * 40,
        "pass_phrase": "y" * 12,
    }


def test_pass_phrase_in_the_password_field(ds_emulator, ds_identity, monkeypatch, caplog) -> None:
    phrase = secrets.token_hex(8)
    pem = _encrypted_pkcs1(ds_identity, phrase)
    _connect(
        monkeypatch, ds_emulator, ds_identity, "oci_password_phrase", {"private_key": pem}, password=phrase
    )
    caplog.set_level(logging.WARNING)
    assert DataScienceHook("oci_password_phrase").list_projects(ds_identity.compartment_id).status == 200
    assert _warnings(caplog) == []
    _assert_masked(phrase)


def test_no_warning_when_airflow_is_told_to_mask_the_alias_names(
    ds_emulator, ds_identity, monkeypatch, caplog
) -> None:
    """``[core] sensitive_var_conn_names = key_content,pass_phrase`` makes Airflow mask them."""
    module = secrets_masker()
    masker = module._secrets_masker()
    if hasattr(masker, "sensitive_variables_fields"):  # 3.1+: the masker holds the configured names
        monkeypatch.setattr(
            masker, "sensitive_variables_fields", [*masker.sensitive_variables_fields, "key_content"]
        )
    else:  # 3.0: a cached module function reads them from the configuration
        fields = module.get_sensitive_variables_fields() | {"key_content"}
        monkeypatch.setattr(module, "get_sensitive_variables_fields", lambda: fields)
    phrase = secrets.token_hex(8)
    keys = {"key_content": _encrypted_pkcs1(ds_identity, phrase), "pass_phrase": phrase}
    _connect(monkeypatch, ds_emulator, ds_identity, "oci_configured_names", keys)
    caplog.set_level(logging.WARNING)
    assert DataScienceHook("oci_configured_names").config.pass_phrase == phrase
    (warning,) = _warnings(caplog)  # pass_phrase is still not masked, key_content now is
    assert "pass_phrase -> private_key_passphrase" in warning and "key_content" not in warning


def test_a_failing_masker_never_fails_the_task(ds_emulator, ds_identity, monkeypatch) -> None:
    def broken(values: list[str]) -> None:
        raise RuntimeError("masker is down")

    previous = set_secret_masker(broken)
    try:
        _connect(
            monkeypatch,
            ds_emulator,
            ds_identity,
            "oci_broken_masker",
            {"private_key": ds_identity.private_key_pem},
        )
        assert DataScienceHook("oci_broken_masker").list_projects(ds_identity.compartment_id).status == 200
    finally:
        set_secret_masker(previous)
