"""DataScienceHook (and the async client it hands to triggers) on the model-artifact operations:
streamed metadata artifacts from bytes, files and paths, typed errors, ``list_all_*`` pagination,
and client-side argument checks."""

from __future__ import annotations

import hashlib
import io

import pytest

from airflow_ds_provider.client.errors import ConflictError, InvalidArgumentError, NotFoundError
from airflow_ds_provider.hooks.data_science import DataScienceHook

KMS = {
    "kmsKeyId": "ocid1.key.oc1.iad.amaaaaaaexamplekmskey",
    "kmsKeyVersionId": "ocid1.keyversion.oc1.iad.amaaaaaaexamplekmskeyversion",
    "signingAlgorithm": "SHA_512_RSA_PKCS_PSS",
}


def _model(hook: DataScienceHook) -> str:
    comp = hook.compartment_id
    pid = hook.create_project({"compartmentId": comp, "displayName": "p"}).data["id"]
    body = {
        "compartmentId": comp,
        "projectId": pid,
        "customMetadataList": [{"key": "report", "value": "r", "category": "Other"}],
    }
    return hook.create_model(body).data["id"]


def test_metadata_artifacts_stream_from_files_and_paths(ds_connection, tmp_path) -> None:
    hook = DataScienceHook()
    mid = _model(hook)
    payload = bytes(range(256)) * 4000  # ~1 MB: several upload chunks
    hook.create_model_custom_metadatum_artifact(mid, "report", io.BytesIO(payload))
    assert hook.get_model_custom_metadatum_artifact_content(mid, "report").data == payload
    head = hook.head_model_custom_metadatum_artifact(mid, "report")
    assert int(head.headers["content-length"]) == len(payload)
    path = tmp_path / "report.html"
    path.write_bytes(b"<html>v2</html>")
    hook.update_model_custom_metadatum_artifact(
        mid, "report", str(path), content_disposition="attachment; filename=report.html"
    )
    got = hook.get_model_custom_metadatum_artifact_content(mid, "report")
    assert got.data == b"<html>v2</html>"
    assert got.headers["content-disposition"] == "attachment; filename=report.html"
    assert hook.get_model(mid).data["customMetadataList"][0]["hasArtifact"] is True


def test_typed_errors(ds_connection) -> None:
    hook = DataScienceHook()
    mid = _model(hook)
    with pytest.raises(NotFoundError, match="has no custom metadatum with key 'nope'") as info:
        hook.create_model_custom_metadatum_artifact(mid, "nope", b"x")
    assert info.value.status == 404 and info.value.code == "NotAuthorizedOrNotFound"
    hook.create_model_custom_metadatum_artifact(mid, "report", b"x")
    with pytest.raises(ConflictError, match="update it instead"):
        hook.create_model_custom_metadatum_artifact(mid, "report", b"y")
    with pytest.raises(ConflictError, match="no artifact to sign"):
        hook.create_model_artifact_signature({"compartmentId": hook.compartment_id, **KMS}, mid)
    with pytest.raises(InvalidArgumentError, match="lifecycle_state"):
        hook.list_model_artifact_signatures(mid, hook.compartment_id, lifecycle_state="GONE")


def test_signatures_list_all_pages_and_wait(ds_connection, ds_emulator) -> None:
    hook = DataScienceHook()
    mid = _model(hook)
    artifact = b"model bytes" * 100
    hook.create_model_artifact(mid, artifact)
    body = {"compartmentId": hook.compartment_id, **KMS}
    created = [hook.create_model_artifact_signature({**body, "displayName": f"s{i}"}, mid) for i in range(3)]
    assert {c.data["digest"] for c in created} == {hashlib.sha512(artifact).hexdigest()}
    for resp in created:
        assert hook.wait_for_state("work_request", resp.work_request_id, poll_interval=0.01, timeout=30)
    listed = hook.list_all_model_artifact_signatures(mid, hook.compartment_id, limit=2, sort_by="displayName")
    assert [s["displayName"] for s in listed] == ["s0", "s1", "s2"]  # sortBy displayName: ASC
    assert {s["lifecycleState"] for s in listed} == {"ACTIVE"}


async def test_the_async_client_streams_metadata_artifacts(ds_connection) -> None:
    hook = DataScienceHook()
    mid = _model(hook)
    client = await hook.aget_async_client()
    async with client:
        await client.create_model_custom_metadatum_artifact(mid, "report", b"async bytes")
        got = await client.get_model_custom_metadatum_artifact_content(mid, "report", range="bytes=0-4")
        assert got.status == 206 and got.data == b"async"
        await client.delete_model_custom_metadatum_artifact(mid, "report")
        with pytest.raises(NotFoundError):
            await client.head_model_custom_metadatum_artifact(mid, "report")
