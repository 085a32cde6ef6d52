"""Every operation of the model-artifact area (metadata artifacts, artifact transfers, artifact
signatures, the model states of a deployment) through DataScienceHook over real signed HTTP:
streamed uploads and downloads, ``list_all_*`` pagination, each body validated against the
models and each answered 2xx."""

from __future__ import annotations

import base64
import hashlib

import pytest

from .artifacts_world import checked, deployment_body, make_hook, project_and_model, signature_body

#: This area's operations; the coverage test (test_operation_coverage.py) reads it.
OPERATIONS = frozenset(
    {
        "change_model_artifact_signature_compartment",
        "create_model_artifact_signature",
        "create_model_custom_metadatum_artifact",
        "create_model_defined_metadatum_artifact",
        "delete_model_artifact_signature",
        "delete_model_custom_metadatum_artifact",
        "delete_model_defined_metadatum_artifact",
        "export_model_artifact",
        "get_model_artifact_signature",
        "get_model_custom_metadatum_artifact_content",
        "get_model_defined_metadatum_artifact_content",
        "head_model_custom_metadatum_artifact",
        "head_model_defined_metadatum_artifact",
        "import_model_artifact",
        "list_model_artifact_signatures",
        "list_model_deployment_model_states",
        "register_model_artifact_reference",
        "restore_archived_model_artifact",
        "update_model_artifact_signature",
        "update_model_custom_metadatum_artifact",
        "update_model_defined_metadatum_artifact",
        "verify_model_artifact_signature",
    }
)


@pytest.fixture
def hook(emu, ident, monkeypatch):
    return make_hook(emu, ident, monkeypatch)


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324 - content-md5 is MD5


def test_every_model_artifact_operation(hook, emu, ident):
    comp = hook.compartment_id
    pid, mid = project_and_model(hook)
    # custom and defined metadata artifacts: streamed up, HEAD, streamed down, replaced, deleted
    for flavour, key in (("custom", "readme"), ("defined", "UseCaseType")):
        payload = f"{flavour} artifact\n".encode() * 1000
        create = getattr(hook, f"create_model_{flavour}_metadatum_artifact")
        resp = checked(
            f"create_model_{flavour}_metadatum_artifact",
            create(mid, key, payload, content_disposition=f'attachment; filename="{key} notes.txt"'),
        )
        head = getattr(hook, f"head_model_{flavour}_metadatum_artifact")(mid, key)
        assert head.headers["content-length"] == str(len(payload))
        assert head.headers["content-md5"] == _md5(payload)
        assert head.headers["content-disposition"] == f'attachment; filename="{key} notes.txt"'
        assert head.headers["etag"] == resp.etag and head.headers["last-modified"]
        got = getattr(hook, f"get_model_{flavour}_metadatum_artifact_content")(mid, key)
        assert got.data == payload and got.headers["content-md5"] == _md5(payload)
        part = getattr(hook, f"get_model_{flavour}_metadatum_artifact_content")(mid, key, range="bytes=0-9")
        assert part.status == 206 and part.data == payload[:10]
        update = getattr(hook, f"update_model_{flavour}_metadatum_artifact")
        checked(f"update_model_{flavour}_metadatum_artifact", update(mid, key, b"v2", if_match=resp.etag))
        assert getattr(hook, f"get_model_{flavour}_metadatum_artifact_content")(mid, key).data == b"v2"
        getattr(hook, f"delete_model_{flavour}_metadatum_artifact")(mid, key)
    # the model artifact, then its signatures
    artifact = b"PK\x03\x04 model zip" * 500
    hook.create_model_artifact(mid, artifact)
    sig = checked(
        "create_model_artifact_signature", hook.create_model_artifact_signature(signature_body(hook), mid)
    )
    sid = sig.data["id"]
    assert sig.data["lifecycleState"] == "CREATING"
    assert sig.data["digest"] == hashlib.sha256(artifact).hexdigest()
    emu.advance(5)
    got = checked("get_model_artifact_signature", hook.get_model_artifact_signature(mid, sid))
    assert got.data["lifecycleState"] == "ACTIVE"
    checked(
        "update_model_artifact_signature",
        hook.update_model_artifact_signature({"displayName": "sig2"}, mid, sid, if_match=got.etag),
    )
    checked("verify_model_artifact_signature", hook.verify_model_artifact_signature(mid, sid))
    second = hook.create_model_artifact_signature(signature_body(hook, displayName="other"), mid).data["id"]
    page = checked("list_model_artifact_signatures", hook.list_model_artifact_signatures(mid, comp, limit=1))
    assert page.next_page
    assert {s["id"] for s in hook.list_all_model_artifact_signatures(mid, comp, limit=1)} == {sid, second}
    other = ident.compartment_id.replace("amaaaaaa", "amaaaaab")
    hook.change_model_artifact_signature_compartment({"compartmentId": other}, mid, second)
    emu.advance(5)
    hook.delete_model_artifact_signature(mid, second)
    hook.delete_model_artifact_signature(mid, sid)
    # Object Storage transfers
    wr = hook.import_model_artifact(
        mid,
        {
            "artifactImportDetails": {
                "artifactSourceType": "ORACLE_OBJECT_STORAGE",
                "namespace": "tenancyns",
                "destinationBucket": "models",
                "destinationObjectName": "exports/m.zip",
                "destinationRegion": "us-ashburn-1",
            }
        },
    )
    checked("import_model_artifact", wr)
    _, exported = project_and_model(hook)
    export_body = {
        "artifactExportDetails": {
            "artifactSourceType": "ORACLE_OBJECT_STORAGE",
            "namespace": "tenancyns",
            "sourceBucket": "big-models",
            "sourceObjectName": "llm/model.zip",
        }
    }
    checked("export_model_artifact", hook.export_model_artifact(exported, export_body))
    _, by_ref = project_and_model(hook)
    refs = {
        "modelArtifactReferences": [
            {
                "modelArtifactReferenceType": "OSS",
                "namespace": "tenancyns",
                "bucketName": "weights",
                "prefix": "llama/",
            }
        ]
    }
    checked("register_model_artifact_reference", hook.register_model_artifact_reference(refs, by_ref))
    _, archived = project_and_model(hook, retentionSetting={"archiveAfterDays": 1})
    emu.advance(86400 + 1)
    hook.restore_archived_model_artifact(archived, restore_model_for_hours_specified=2)
    # the models a deployment serves
    md = hook.create_model_deployment(deployment_body(hook, pid, mid)).data["id"]
    emu.advance(5)
    states = checked("list_model_deployment_model_states", hook.list_model_deployment_model_states(md, comp))
    assert [(s["modelId"], s["state"]) for s in states.data] == [(mid, "SUCCESS")]
    seen = {entry["operation"] for entry in emu.requests if 200 <= entry["status"] < 300}
    assert seen >= OPERATIONS, sorted(OPERATIONS - seen)
