"""Connection secrets on a real Airflow 3.3 deployment: REST API, CLI and task log show ``***``.

A connection made with the documented names (``private_key``, ``private_key_passphrase``) is
redacted by Airflow itself everywhere; one made with the OCI config-file aliases (``key_content``,
``pass_phrase``) still authenticates, warns once, and from the moment the hook reads it, its values
are masked in the task log too. The key is an encrypted traditional PKCS#1 PEM whose newlines
were flattened to spaces, as the UI's single-line input does.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from harness import AirflowDeployment

from airflow_ds_provider.emulator import Emulator
from airflow_ds_provider.emulator.pytest_plugin import EmulatorFactory

pytestmark = pytest.mark.deployment

DAGS = Path(__file__).parent / "dags_secrets"
DAG_ID = "ds_print_connection"
WARNING = "names Airflow does not mask"


class Secrets:
    """An emulator identity whose key is encrypted with a fresh pass phrase."""

    def __init__(self, emu: Emulator) -> None:
        self.ident = emu.create_identity()
        self.phrase = secrets.token_hex(10)
        key = serialization.load_pem_private_key(self.ident.private_key_pem.encode(), None)
        self.pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.BestAvailableEncryption(self.phrase.encode()),
        ).decode()
        assert "Proc-Type: 4,ENCRYPTED" in self.pem
        self.flat = self.pem.strip().replace("\n", " ")
        self.base = {k: v for k, v in emu.connection_extra(self.ident).items() if k != "private_key"}

    def connection_extra(self, key_name: str, phrase_name: str) -> dict[str, str]:
        return {**self.base, key_name: self.flat, phrase_name: self.phrase}

    def fragments(self) -> list[str]:
        """What must never be visible: the pass phrase and every line of the key."""
        lines = [line for line in self.pem.splitlines()[3:-1] if len(line) >= 16]
        assert len(lines) > 20
        return [self.phrase, *lines]

    def assert_hidden(self, text: str, where: str) -> None:
        for fragment in self.fragments():
            assert fragment not in text, f"{fragment[:10]}... visible in {where}"


@pytest.fixture(scope="module")
def emulator(ds_emulator_factory: EmulatorFactory) -> Iterator[Emulator]:
    with ds_emulator_factory.private() as emu:
        yield emu


@pytest.fixture(scope="module")
def deployment(airflow_deployment_factory, emulator: Emulator) -> Iterator[AirflowDeployment]:
    dep = airflow_deployment_factory(
        DAGS, name="secrets", components=("api-server", "scheduler", "dag-processor")
    )
    yield dep
    dep.stop()


def _add(dep: AirflowDeployment, conn_id: str, extra: dict[str, str]) -> str:
    result = dep.airflow(
        "connections", "add", conn_id, "--conn-type", "oci_data_science", "--conn-extra", json.dumps(extra)
    )
    assert f"Successfully added `conn_id`={conn_id}" in result.stdout, result.stdout[-2000:]
    return result.stdout + result.stderr


def _run(dep: AirflowDeployment, conn_id: str) -> tuple[dict, str]:
    dep.wait_for_dag(DAG_ID)
    run_id = dep.trigger_dag(DAG_ID, conf={"conn_id": conn_id})
    run = dep.wait_for_dag_run(DAG_ID, run_id, {"success", "failed"}, timeout=240)
    log = dep.task_log(DAG_ID, run_id, "print_connection")
    assert run["state"] == "success", log[-4000:]
    return run, log


def test_documented_names_are_masked_everywhere(deployment: AirflowDeployment, emulator: Emulator) -> None:
    s = Secrets(emulator)
    echo = _add(deployment, "oci_masked", s.connection_extra("private_key", "private_key_passphrase"))
    s.assert_hidden(echo, "the echo of 'airflow connections add'")

    api = deployment.api("GET", "/connections/oci_masked")
    extra = json.loads(api["extra"])
    assert extra["private_key"] == "***" and extra["private_key_passphrase"] == "***", extra
    assert extra["user"] == s.ident.user  # not secret, stays readable
    s.assert_hidden(json.dumps(api), "GET /api/v2/connections/{id}")

    # 'airflow connections get' is Airflow's way to read a connection back: in 3.3.2 it prints
    # every field in full, the standard password field included, whatever the names (documented).
    deployment.airflow("connections", "add", "oci_with_password", "--conn-type", "oci_data_science",
                       "--conn-password", s.phrase)  # fmt: skip
    got = deployment.airflow("connections", "get", "oci_with_password", "-o", "json")
    assert json.loads(got.stdout)[0]["password"] == s.phrase

    _, log = _run(deployment, "oci_masked")
    assert "extras: {" in log and "parsed pass phrase: ***" in log, log[-4000:]
    s.assert_hidden(log, "the task log")
    assert WARNING not in log


def test_alias_names_authenticate_warn_and_are_masked_once_read(
    deployment: AirflowDeployment, emulator: Emulator
) -> None:
    s = Secrets(emulator)
    _add(deployment, "oci_aliases", s.connection_extra("key_content", "pass_phrase"))
    _, log = _run(deployment, "oci_aliases")
    assert log.count(WARNING) == 1 and "key_content -> private_key" in log, log[-4000:]
    assert "parsed pass phrase: ***" in log and "extras: {" in log, log[-4000:]
    s.assert_hidden(log, "the task log")
