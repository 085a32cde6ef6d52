"""Model artifact signatures on the manual clock: CREATING -> ACTIVE with its work request,
update and verify work requests, 409 on a wrong-state action, delete rules, nesting under a model."""

from __future__ import annotations

import hashlib

import pytest

from airflow_ds_provider.resources import RESOURCES

from .artifacts_world import KMS_KEY, KMS_KEY_VERSION

ARTIFACT = b"PK\x03\x04 signed model" * 100


def _body(world, **extra):
    return {
        "compartmentId": world.comp,
        "kmsKeyId": KMS_KEY,
        "kmsKeyVersionId": KMS_KEY_VERSION,
        "signingAlgorithm": "SHA_384_RSA_PKCS_PSS",
        **extra,
    }


@pytest.fixture
def model(world):
    mid = world.model(world.project()["id"])["id"]
    world.client.op("create_model_artifact", model_id=mid, data=ARTIFACT, expect=200)
    return mid


def _create(world, mid, **extra):
    resp = world.client.op(
        "create_model_artifact_signature", model_id=mid, json=_body(world, **extra), expect=200
    )
    return resp.json(), resp.headers["opc-work-request-id"]


def _wr(world, wr):
    return world.get("get_work_request", work_request_id=wr)


def _sig(world, mid, sid, expect=200):
    return world.client.op(
        "get_model_artifact_signature", model_id=mid, artifact_signature_id=sid, expect=expect
    )


def test_create_is_creating_then_active_with_its_work_request(world, emu, model):
    sig, wr = _create(world, model)
    assert sig["lifecycleState"] == "CREATING" and sig["modelId"] == model
    assert sig["id"].startswith(f"ocid1.{RESOURCES['model_artifact_signature'].ocid_type}.oc1.")
    assert sig["digest"] == hashlib.sha384(ARTIFACT).hexdigest()
    work = _wr(world, wr)
    assert work["operationType"] == "CREATE_MODEL_ARTIFACT_SIGNATURE" and work["status"] == "ACCEPTED"
    assert work["resources"][0]["identifier"] == sig["id"]
    emu.advance(5)
    assert _sig(world, model, sig["id"]).json()["lifecycleState"] == "ACTIVE"
    work = _wr(world, wr)
    assert work["status"] == "SUCCEEDED" and work["resources"][0]["actionType"] == "CREATED"


def test_wrong_state_actions_are_409(world, emu, model):
    sig, _ = _create(world, model)
    ids = {"model_id": model, "artifact_signature_id": sig["id"]}
    for op, kw in (
        ("update_model_artifact_signature", {"json": {"displayName": "x"}}),
        ("verify_model_artifact_signature", {}),
        ("delete_model_artifact_signature", {}),
    ):
        resp = world.client.op(op, expect=409, **ids, **kw)
        assert resp.json()["code"] == "IncorrectState" and "CREATING" in resp.json()["message"]
    emu.advance(5)
    world.client.op("delete_model_artifact_signature", **ids, expect=204)
    assert _sig(world, model, sig["id"]).json()["lifecycleState"] == "DELETED"
    resp = world.client.op("verify_model_artifact_signature", **ids, expect=409)
    assert "DELETED" in resp.json()["message"]


def test_update_and_verify_have_work_requests(world, emu, model):
    sig, _ = _create(world, model)
    emu.advance(5)
    ids = {"model_id": model, "artifact_signature_id": sig["id"]}
    etag = _sig(world, model, sig["id"]).headers["etag"]
    stale = world.client.op(
        "update_model_artifact_signature", **ids, json={"displayName": "x"}, headers={"if-match": "nope"}
    )
    assert stale.status_code == 412
    resp = world.client.op(
        "update_model_artifact_signature",
        **ids,
        json={"displayName": "renamed", "freeformTags": {"team": "ml"}},
        headers={"if-match": etag},
        expect=200,
    )
    assert resp.json()["displayName"] == "renamed" and resp.json()["freeformTags"] == {"team": "ml"}
    assert resp.json()["lifecycleState"] == "ACTIVE"
    update_wr = resp.headers["opc-work-request-id"]
    verify = world.client.op("verify_model_artifact_signature", **ids, expect=200)
    wr = verify.headers["opc-work-request-id"]
    assert _wr(world, wr)["operationType"] == "VERIFY_MODEL_ARTIFACT_SIGNATURE"
    emu.advance(5)
    assert _wr(world, wr)["status"] == "SUCCEEDED"
    assert _wr(world, update_wr)["resources"][0]["actionType"] == "UPDATED"


def test_verify_fails_when_the_artifact_no_longer_matches(world, emu, model):
    sig, _ = _create(world, model)
    emu.advance(5)
    with open(emu.store.artifacts[model].path, "ab") as fh:  # the stored bytes changed under it
        fh.write(b"tampered")
    wr = world.client.op(
        "verify_model_artifact_signature", model_id=model, artifact_signature_id=sig["id"], expect=200
    ).headers["opc-work-request-id"]
    emu.advance(5)
    assert _wr(world, wr)["status"] == "FAILED"
    errors = world.client.op("list_work_request_errors", work_request_id=wr, expect=200).json()
    assert "does not match the signed digest" in errors[0]["message"]


def test_signatures_are_nested_under_their_model(world, emu, model):
    sig, _ = _create(world, model)
    other = world.model(world.project()["id"])["id"]
    resp = _sig(world, other, sig["id"], expect=404)
    assert resp.json()["code"] == "NotAuthorizedOrNotFound"
    q = {"compartmentId": world.comp}
    listed = world.client.op("list_model_artifact_signatures", model_id=other, params=q, expect=200).json()
    assert listed == []
    listed = world.client.op("list_model_artifact_signatures", model_id=model, params=q, expect=200).json()
    assert [s["id"] for s in listed] == [sig["id"]]
    by_digest = {**q, "digest": "0" * 96}
    assert (
        world.client.op("list_model_artifact_signatures", model_id=model, params=by_digest, expect=200).json()
        == []
    )
    resp = world.client.op("list_model_artifact_signatures", model_id=model, expect=400)
    assert "compartmentId" in resp.json()["message"]


def test_create_needs_an_artifact_and_kms_keys(world, emu, model):
    bare = world.model(world.project()["id"])["id"]
    resp = world.client.op("create_model_artifact_signature", model_id=bare, json=_body(world), expect=409)
    assert "has no artifact to sign" in resp.json()["message"]
    resp = world.client.op(
        "create_model_artifact_signature", model_id=model, json=_body(world, kmsKeyId="key-1"), expect=400
    )
    assert resp.json()["message"].startswith("kmsKeyId: must be a Vault key OCID")
    resp = world.client.op(
        "create_model_artifact_signature",
        model_id=model,
        json=_body(world, signingAlgorithm="MD5"),
        expect=400,
    )
    assert "signingAlgorithm" in resp.json()["message"]


def test_a_signature_a_deployment_uses_cannot_be_deleted(world, emu, model):
    sig, _ = _create(world, model)
    emu.advance(5)
    body = world.deployment_body(world.get("get_model", model_id=model)["projectId"], model)
    body["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"]["modelArtifactSignatureId"] = (
        sig["id"]
    )
    world.client.op("create_model_deployment", json=body, expect=200)
    ids = {"model_id": model, "artifact_signature_id": sig["id"]}
    resp = world.client.op("delete_model_artifact_signature", **ids, expect=409)
    assert "is used by model deployment" in resp.json()["message"]


def test_change_compartment(world, emu, model, ident):
    sig, _ = _create(world, model)
    other = ident.compartment_id.replace("amaaaaaa", "amaaaaab")
    ids = {"model_id": model, "artifact_signature_id": sig["id"]}
    world.client.op(
        "change_model_artifact_signature_compartment", **ids, json={"compartmentId": other}, expect=200
    )
    assert _sig(world, model, sig["id"]).json()["compartmentId"] == other
    resp = world.client.op(
        "change_model_artifact_signature_compartment", **ids, json={"compartmentId": "nope"}, expect=400
    )
    assert "compartmentId" in resp.json()["message"]
