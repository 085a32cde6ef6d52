"""No private key material, pass phrase or Authorization value in any exception text or log record."""

from __future__ import annotations

import logging

import pytest
from client_testdata import FINGERPRINT, PASS_PHRASE, TENANCY, USER

from airflow_ds_provider.client import AsyncDataScienceClient, ClientConfig, DataScienceClient, RetryPolicy
from airflow_ds_provider.client.auth import ApiKeyCredentials, credentials_from_config
from airflow_ds_provider.client.errors import DataScienceError

LOGGERS = ("airflow_ds_provider", "requests", "urllib3", "httpx", "httpcore", "")


def _secret_fragments(pems: dict[str, str]) -> list[str]:
    fragments = [PASS_PHRASE, "Signature version=", 'signature="', "PRIVATE KEY"]
    for pem in pems.values():
        lines = [line for line in pem.splitlines() if line and not line.startswith("-----")]
        fragments += lines[1:4]  # a few base64 lines of every key
    return fragments


def _bad_inputs(pems: dict[str, str], tmp_path) -> list[dict]:
    public_file = tmp_path / "public.pem"
    public_file.write_text(pems["public"])
    base = {"tenancy": TENANCY, "user": USER, "fingerprint": FINGERPRINT, "region": "iad"}
    return [
        {**base, "tenancy": None},
        {**base, "key_file": str(tmp_path / "missing.pem")},
        {**base, "key_file": str(tmp_path)},
        {**base, "key_content": pems["pkcs8"][:200]},
        {**base, "key_content": pems["public"]},
        {**base, "key_file": str(public_file)},
        {**base, "key_content": pems["pkcs8_encrypted"]},
        {**base, "key_content": pems["pkcs1_encrypted"], "pass_phrase": PASS_PHRASE + "x"},
        {**base, "key_content": pems["pkcs8_encrypted"], "pass_phrase": PASS_PHRASE[:-1]},
        {**base, "key_content": pems["pkcs8"], "fingerprint": "AB:CD"},
        {**base, "key_content": pems["pkcs8"], "auth_type": "bogus", "pass_phrase": PASS_PHRASE},
        {**base, "key_content": pems["pkcs8"], "endpoint": "localhost:8080", "pass_phrase": PASS_PHRASE},
        {"auth_type": "config_file", "config_file": str(tmp_path / "nope"), "pass_phrase": PASS_PHRASE},
    ]


async def test_nothing_secret_leaks(pems, tmp_path, caplog, ds_emulator_factory) -> None:
    texts: list[str] = []
    for logger in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=logger)
    for values in _bad_inputs(pems, tmp_path):
        with pytest.raises(DataScienceError) as info:
            credentials_from_config(ClientConfig.from_connection(values))
        texts += [str(info.value), repr(info.value)]

    with ds_emulator_factory.private(manual_clock=True) as emu:
        ident = emu.create_identity()
        extra = emu.connection_extra(ident)
        # the emulator identity's key is secret too
        key_lines = [
            line for line in extra["private_key"].splitlines() if line and not line.startswith("-----")
        ]
        policy = RetryPolicy(max_attempts=2, base_delay=0.01)
        config = ClientConfig.from_connection({**extra, "private_key_passphrase": PASS_PHRASE})
        with DataScienceClient(config, retry_policy=policy) as client:
            texts.append(repr(client) + repr(client.config) + repr(client.credentials))
            client.list_projects(ident.compartment_id)
            emu.inject_fault(method="GET", path="/projects$", status=503, count=5)
            with pytest.raises(DataScienceError) as info:
                client.list_projects(ident.compartment_id)
            texts.append(str(info.value))
        wrong = ApiKeyCredentials(
            ident.tenancy,
            ident.user,
            "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff",
            key_content=pems["pkcs1"],
        )
        with DataScienceClient(config, credentials=wrong, retry_policy=policy) as client:
            with pytest.raises(DataScienceError) as info:
                client.list_projects(ident.compartment_id)
            texts.append(str(info.value))
        async with AsyncDataScienceClient(config, credentials=wrong, retry_policy=policy) as aclient:
            with pytest.raises(DataScienceError) as info:
                await aclient.list_projects(ident.compartment_id)
            texts.append(str(info.value))

    texts += [record.getMessage() for record in caplog.records]
    texts += [str(record.args) for record in caplog.records]
    blob = "\n".join(texts)
    assert "NotAuthenticated" in blob  # the runs above did produce errors and logs
    names = {record.name.split(".")[0] for record in caplog.records}
    assert {"urllib3", "httpx", "airflow_ds_provider"} <= names, names
    for fragment in [*_secret_fragments(pems), *key_lines[1:4]]:
        assert fragment not in blob, f"secret fragment leaked: {fragment[:12]}..."
