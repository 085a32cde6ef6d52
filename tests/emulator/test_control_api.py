"""The rest of the /_emulator/ control API over HTTP."""

from __future__ import annotations

import requests
from cryptography.hazmat.primitives import serialization

from airflow_ds_provider.client.signing import SigningKey
from airflow_ds_provider.emulator.identity import generate_key_pair, new_identity

from .helpers import SignedClient, signing_key


def _post(emu, path, body=None):
    return requests.post(f"{emu.url}/_emulator/{path}", json=body or {}, timeout=5)


def test_keys_identities_timings_logs_reset(world, emu):
    other = new_identity()
    assert _post(emu, "keys", {"keyId": other.key_id, "publicKey": other.public_key_pem}).status_code == 200
    SignedClient(emu.url, signing_key(other)).op(
        "list_projects", params={"compartmentId": world.comp}, expect=200
    )
    private_pem, public_pem, _ = generate_key_pair()
    assert _post(emu, "session-tokens", {"token": "t1", "publicKey": public_pem}).status_code == 200
    key = SigningKey("ST$t1", serialization.load_pem_private_key(private_pem.encode(), None))
    SignedClient(emu.url, key).op("list_projects", params={"compartmentId": world.comp}, expect=200)
    made = _post(emu, "identities", {"compartmentName": "demo"}).json()
    assert made["connection"]["endpoint"] == emu.url and made["compartmentName"] == "demo"
    assert _post(emu, "keys", {"keyId": "bad", "publicKey": "x"}).status_code == 400

    assert _post(emu, "timings", {"job_run_accepted": 5}).json()["job_run_accepted"] == 5
    assert _post(emu, "timings", {"nope": 1}).status_code == 400
    group, log = "ocid1.loggroup.oc1.iad.amaaaaaag", "ocid1.log.oc1.iad.amaaaaaal"
    job = world.job(
        world.project()["id"],
        jobLogConfigurationDetails={"enableLogging": True, "logGroupId": group, "logId": log},
    )
    run = world.run(job, freeformTags={"emulator-logs": "a\nb"})
    emu.advance(4)
    assert world.get("get_job_run", job_run_id=run["id"])["lifecycleState"] == "ACCEPTED"
    records = requests.get(f"{emu.url}/_emulator/logs", params={"source": run["id"]}, timeout=5).json()
    assert [r["message"] for r in records] == ["a", "b"]
    assert _post(emu, "script/model-deployment", {"id": run["id"]}).status_code == 400
    assert _post(emu, "script/other", {"id": run["id"]}).status_code == 404
    assert requests.delete(f"{emu.url}/_emulator/requests", timeout=5).json() == []
    assert _post(emu, "reset").json() == {"status": "reset"}
    assert emu.list("project") == []
    assert requests.get(f"{emu.url}/_emulator/resources/{run['id']}", timeout=5).status_code == 404
    assert (
        requests.get(f"{emu.url}/_emulator/resources", params={"kind": "bogus"}, timeout=5).status_code == 400
    )
