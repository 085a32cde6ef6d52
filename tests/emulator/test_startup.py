"""The three ways to start the emulator: in process, the command line, the pytest plugin."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization

from airflow_ds_provider.emulator import Emulator

from .helpers import SignedClient, signing_key


# These two construct an Emulator on purpose (they test starting one); other tests use the
# plugin's ``ds_emulator_factory``.
def test_in_process_real_clock_with_speed():
    with Emulator(speed=20) as emu:
        assert emu.url.startswith("http://127.0.0.1:")
        ident = emu.create_identity()
        assert len(ident.fingerprint.split(":")) == 16
        client = SignedClient(emu.url, signing_key(ident))
        project = client.op("create_project", json={"compartmentId": ident.compartment_id}, expect=200).json()
        job = client.op(
            "create_job", json={"projectId": project["id"], "compartmentId": ident.compartment_id}, expect=200
        ).json()
        run = client.op(
            "create_job_run",
            json={"projectId": project["id"], "compartmentId": ident.compartment_id, "jobId": job["id"]},
            expect=200,
        ).json()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # 3 s of nominal time at speed 20 is 0.15 s
            state = client.op("get_job_run", job_run_id=run["id"]).json()["lifecycleState"]
            if state == "SUCCEEDED":
                break
            time.sleep(0.05)
        assert state == "SUCCEEDED"
    assert requests.__name__


def test_fingerprint_is_md5_of_der():
    import hashlib

    with Emulator() as emu:
        ident = emu.create_identity("c")
        key = serialization.load_pem_public_key(ident.public_key_pem.encode())
        der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        assert ident.fingerprint == ":".join(f"{b:02x}" for b in hashlib.md5(der).digest())  # noqa: S324
        assert ident.key_id == f"{ident.tenancy}/{ident.user}/{ident.fingerprint}"
        assert ident.compartment_id.startswith("ocid1.compartment.oc1..")


def test_connection_formats_parse_in_airflow(emu, ident):
    from airflow.models.connection import Connection

    data = json.loads(emu.airflow_connection_json(ident))
    assert data["conn_type"] == "oci_data_science"
    assert data["extra"]["endpoint"] == emu.url and data["extra"]["private_key"] == ident.private_key_pem
    assert set(data["extra"]) == {
        "auth_type",
        "tenancy",
        "user",
        "fingerprint",
        "private_key",
        "region",
        "endpoint",
        "compartment_id",
    }
    conn = Connection(
        conn_id="x", uri=emu.airflow_connection_uri(ident, compartment_id="ocid1.compartment.oc1..zz")
    )
    assert conn.conn_type == "oci_data_science"
    assert conn.extra_dejson["compartment_id"] == "ocid1.compartment.oc1..zz"
    assert conn.extra_dejson["private_key"] == ident.private_key_pem


def test_command_line(tmp_path: Path):
    ready, conn_file = tmp_path / "ready", tmp_path / "conn.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "airflow_ds_provider.emulator",
            "--port",
            "0",
            "--generate-key",
            "--quiet",
            "--ready-file",
            str(ready),
            "--connection-file",
            str(conn_file),
            "--speed",
            "5",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        url = ready.read_text().strip()
        assert requests.get(f"{url}/_emulator/health", timeout=5).json()["status"] == "ok"
        extra = json.loads(conn_file.read_text())["extra"]
        assert extra["endpoint"] == url
        key = serialization.load_pem_private_key(extra["private_key"].encode(), None)
        from airflow_ds_provider.client.signing import SigningKey

        client = SignedClient(
            url, SigningKey(f"{extra['tenancy']}/{extra['user']}/{extra['fingerprint']}", key)
        )
        client.op("list_projects", params={"compartmentId": extra["compartment_id"]}, expect=200)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "listening on http://127.0.0.1:" in out


def test_command_line_registers_public_key(tmp_path: Path):
    from airflow_ds_provider.emulator.identity import new_identity

    ident = new_identity()
    pub = tmp_path / "pub.pem"
    pub.write_text(ident.public_key_pem)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "airflow_ds_provider.emulator",
            "--port",
            "0",
            "--quiet",
            "--public-key-file",
            str(pub),
            "--key-id",
            ident.key_id,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        url = line.rsplit(" ", 1)[1].strip()
        client = SignedClient(url, signing_key(ident))
        client.op("list_projects", params={"compartmentId": ident.compartment_id}, expect=200)
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_pytest_plugin_fixtures(ds_emulator, ds_identity):
    client = SignedClient(ds_emulator.url, signing_key(ds_identity))
    client.op("create_project", json={"compartmentId": ds_identity.compartment_id}, expect=200)
    assert len(ds_emulator.list("project")) == 1
    assert not ds_emulator.clock.manual and ds_emulator.clock.speed == 1.0


def test_pytest_plugin_factory_shares_one_server_per_configuration(ds_emulator_factory, ds_emulator):
    assert ds_emulator_factory() is ds_emulator  # ds_emulator is the factory's default configuration
    fast = ds_emulator_factory(speed=20)
    assert fast is ds_emulator_factory(speed=20.0) and fast is not ds_emulator
    assert fast.clock.speed == 20.0 and not fast.clock.manual
    manual = ds_emulator_factory(manual_clock=True)
    late = ds_emulator_factory(manual_clock=True, log_ingestion_delay=5)
    assert manual.clock.manual and manual is not late and late.log_ingestion_delay == 5.0
    assert late is ds_emulator_factory(log_ingestion_delay=5.0, manual_clock=True)


def test_pytest_plugin_factory_private_emulator_is_fresh_and_stops(ds_emulator_factory):
    shared = ds_emulator_factory(manual_clock=True)
    with ds_emulator_factory.private(manual_clock=True, log_ingestion_delay=2) as emu:
        assert emu is not shared and emu.clock.manual and emu.log_ingestion_delay == 2.0
        ident = emu.create_identity()
        SignedClient(emu.url, signing_key(ident)).op(
            "create_project", json={"compartmentId": ident.compartment_id}, expect=200
        )
        assert len(emu.list("project")) == 1
        url = emu.url
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=5)


def test_emulator_factory_close_stops_its_shared_servers():
    from airflow_ds_provider.emulator.pytest_plugin import EmulatorFactory

    factory = EmulatorFactory()
    urls = [factory().url, factory(speed=20).url]
    assert requests.get(f"{urls[0]}/20190101/projects", timeout=5).status_code == 401  # running, unsigned
    factory.close()
    for url in urls:
        with pytest.raises(requests.ConnectionError):
            requests.get(url, timeout=5)
