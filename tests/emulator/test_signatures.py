"""Strict signature checks: each failure is a 401 NotAuthenticated that names the failed check."""

from __future__ import annotations

import email.utils
import json
import time

import pytest
import requests
from cryptography.hazmat.primitives import serialization

from airflow_ds_provider.client.signing import SigningKey, sign_request
from airflow_ds_provider.emulator.identity import generate_key_pair

from .helpers import SignedClient, signing_key


def _body(comp):
    return {"compartmentId": comp, "displayName": "p"}


def _assert_401(resp, fragment):
    assert resp.status_code == 401, resp.text
    err = resp.json()
    assert err["code"] == "NotAuthenticated"
    assert fragment in err["message"], err["message"]


def test_valid_get_and_post(client, world):
    assert client.op("list_projects", params={"compartmentId": world.comp}).status_code == 200
    assert client.op("create_project", json=_body(world.comp)).status_code == 200


def test_wrong_private_key(emu, ident, world):
    other_private, _, _ = generate_key_pair()
    bad = SignedClient(emu.url, signing_key(ident, private_key_pem=other_private))
    _assert_401(bad.op("list_projects", params={"compartmentId": world.comp}), "does not verify")


def test_unknown_key_id(emu, ident, world):
    bad = SignedClient(emu.url, signing_key(ident, key_id=f"{ident.tenancy}/{ident.user}/00:11"))
    _assert_401(bad.op("list_projects", params={"compartmentId": world.comp}), "keyId is not a registered")


def test_tampered_body(client, world):
    def tamper(prepared):
        prepared.body = prepared.body.replace(b'"p"', b'"q"')

    _assert_401(client.call("POST", "/projects", json=_body(world.comp), mutate=tamper), "x-content-sha256")
    assert world.emu.list("project") == []


def test_tampered_body_with_matching_hash_fails_signature(client, world):
    from airflow_ds_provider.client.signing import body_sha256

    def tamper(prepared):
        prepared.body = prepared.body.replace(b'"p"', b'"q"')
        prepared.headers["x-content-sha256"] = body_sha256(prepared.body)

    _assert_401(client.call("POST", "/projects", json=_body(world.comp), mutate=tamper), "does not verify")


def test_missing_signed_body_headers(client, world):
    resp = client.call("POST", "/projects", json=_body(world.comp), sign_body=False)
    _assert_401(resp, "'content-length'")


def test_signed_header_missing_from_request(client, world):
    def drop(prepared):
        del prepared.headers["x-content-sha256"]

    _assert_401(
        client.call("POST", "/projects", json=_body(world.comp), mutate=drop), "missing from the request"
    )


@pytest.mark.parametrize("offset", [-400, 400])
def test_stale_or_future_date(client, world, offset):
    date = email.utils.formatdate(time.time() + offset, usegmt=True)
    resp = client.call("GET", "/projects", params={"compartmentId": world.comp}, date=date)
    _assert_401(resp, "5 minutes")


def test_date_within_five_minutes_is_fine(client, world):
    date = email.utils.formatdate(time.time() - 200, usegmt=True)
    assert client.call("GET", "/projects", params={"compartmentId": world.comp}, date=date).status_code == 200


def test_missing_and_malformed_authorization(emu, world):
    url = f"{emu.url}/20190101/projects?compartmentId={world.comp}"
    _assert_401(requests.get(url, timeout=5), "missing Authorization")
    _assert_401(requests.get(url, headers={"authorization": "Bearer x"}, timeout=5), "Signature")


def test_parameters_in_any_order(client, world):
    def reorder(prepared):
        value = prepared.headers["authorization"]
        params = value[len("Signature ") :].split('",')
        params = [p if p.endswith('"') else p + '"' for p in params]
        prepared.headers["authorization"] = "Signature " + ",".join(reversed(params))

    resp = client.call("GET", "/projects", params={"compartmentId": world.comp}, mutate=reorder)
    assert resp.status_code == 200, resp.text


def test_tampered_query_fails(client, world):
    def tamper(prepared):
        prepared.url = prepared.url + "&displayName=x"

    resp = client.call("GET", "/projects", params={"compartmentId": world.comp}, mutate=tamper)
    _assert_401(resp, "does not verify")


def test_session_token(emu, world):
    private_pem, public_pem, _ = generate_key_pair()
    emu.register_session_token("tok123", public_pem)
    key = SigningKey("ST$tok123", serialization.load_pem_private_key(private_pem.encode(), None))
    session_client = SignedClient(emu.url, key)
    resp = session_client.op("create_project", json=_body(world.comp), expect=200)
    assert resp.json()["createdBy"].startswith("ocid1.user.oc1..")
    bad = SignedClient(emu.url, SigningKey("ST$other", key.private_key))
    _assert_401(bad.op("list_projects", params={"compartmentId": world.comp}), "session token")


def test_upload_signed_without_body_headers(client, world):
    project = world.project()
    model = world.model(project["id"])
    ok = client.op("create_model_artifact", model_id=model["id"], data=b"abc")
    assert ok.status_code == 200, ok.text


def test_upload_with_signed_body_hash_is_checked(client, world, emu):
    model = world.model(world.project()["id"])
    path = f"/models/{model['id']}/artifact"

    def tamper(prepared):
        prepared.body = b"abd"

    resp = client.call("POST", path, data=b"abc", sign_body=True, mutate=tamper)
    _assert_401(resp, "x-content-sha256")


def test_raw_signing_matches_verifier(emu, ident, world):
    """sign_request from the provider's signing core is accepted for a hand-built request."""
    key = signing_key(ident)
    url = f"{emu.url}/20190101/projects"
    body = json.dumps(_body(world.comp)).encode()
    headers = sign_request(key, "POST", url, {"content-type": "application/json"}, body)
    resp = requests.post(url, data=body, headers=headers, timeout=5)
    assert resp.status_code == 200, resp.text
    assert "authorization" not in json.dumps(emu.requests).lower()
