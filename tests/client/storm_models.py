"""Fault-storm sequences of the model registry and model-artifact areas (see :mod:`storm_areas`)."""

from __future__ import annotations

import ds_bodies as bodies
from storm_steps import Advance, Call, Steps, World


def model_registry(world: World) -> Steps:
    """Version sets and their models, model groups and their version histories, their artifacts."""
    comp, project = world.comp, world.project_id
    mvs_body = {"compartmentId": comp, "projectId": project, "name": "churn"}
    mvs = (yield Call("create_model_version_set", {"create_model_version_set_details": mvs_body})).data["id"]
    models = []
    for label in ("l1", "l2"):
        model = {**bodies.model(comp, project), "modelVersionSetId": mvs, "versionLabel": label}
        models.append((yield Call("create_model", {"create_model_details": model})).data["id"])
    yield Call("get_model_version_set", {"model_version_set_id": mvs})
    change = {"description": "churn models"}
    yield Call(
        "update_model_version_set", {"model_version_set_id": mvs, "update_model_version_set_details": change}
    )
    yield Call("list_model_version_sets", {"compartment_id": comp, "name": "churn"})
    history_body = {"compartmentId": comp, "projectId": project, "displayName": "h"}
    history = (
        yield Call(
            "create_model_group_version_history", {"create_model_group_version_history_details": history_body}
        )
    ).data["id"]
    group_body = {
        "createType": "CREATE",
        "compartmentId": comp,
        "projectId": project,
        "modelGroupDetails": {"type": "HOMOGENEOUS"},
        "memberModelEntries": {"memberModelDetails": [{"modelId": m} for m in models]},
        "modelGroupVersionHistoryId": history,
    }
    gid = (yield Call("create_model_group", {"create_base_model_group_details": group_body})).data["id"]
    yield Advance(5)
    yield Call("get_model_group", {"model_group_id": gid})
    yield Call("get_model_group_version_history", {"model_group_version_history_id": history})
    yield Call("list_model_group_models", {"model_group_id": gid, "compartment_id": comp})
    yield Call("list_model_groups", {"compartment_id": comp})
    yield Call(
        "update_model_group", {"model_group_id": gid, "update_model_group_details": {"versionLabel": "first"}}
    )
    payload = b"group artifact " * 100
    upload = {
        "model_group_id": gid,
        "model_group_artifact": payload,
        "content_disposition": "attachment; filename=g.zip",
    }
    yield Call("create_model_group_artifact", upload)
    yield Call("head_model_group_artifact", {"model_group_id": gid})
    assert (yield Call("get_model_group_artifact_content", {"model_group_id": gid})).data == payload
    yield Call("deactivate_model_group", {"model_group_id": gid})
    yield Call("activate_model_group", {"model_group_id": gid})
    stay = {"compartmentId": comp}
    yield Call(
        "change_model_group_compartment",
        {"model_group_id": gid, "change_model_group_compartment_details": stay},
    )
    rename = {"description": "d", "displayName": "h2"}
    yield Call(
        "update_model_group_version_history",
        {"model_group_version_history_id": history, "update_model_group_version_history_details": rename},
    )
    yield Call("list_model_group_version_histories", {"compartment_id": comp})
    yield Call(
        "change_model_group_version_history_compartment",
        {
            "model_group_version_history_id": history,
            "change_model_group_version_history_compartment_details": stay,
        },
    )
    yield Call("delete_model_group", {"model_group_id": gid})
    yield Advance(5)
    yield Call("delete_model_group_version_history", {"model_group_version_history_id": history})
    yield Advance(5)
    yield Call(
        "change_model_version_set_compartment",
        {
            "model_version_set_id": mvs,
            "change_model_version_set_compartment_details": {"compartmentId": world.other},
        },
    )
    yield Advance(5)
    yield Call("delete_model_version_set", {"model_version_set_id": mvs, "is_delete_related_models": "true"})
    yield Advance(5)


def model_artifacts(world: World) -> Steps:
    """Metadata artifacts, artifact signatures, Object Storage transfers, archive restore, and the
    model states of a deployment."""
    comp, project = world.comp, world.project_id
    metadata = {
        "customMetadataList": [{"key": "readme", "value": "see artifact", "category": "Other"}],
        "definedMetadataList": [{"key": "UseCaseType", "value": "binary_classification"}],
    }
    model = {**bodies.model(comp, project), **metadata}
    mid = (yield Call("create_model", {"create_model_details": model})).data["id"]
    for flavour, key in (("custom", "readme"), ("defined", "UseCaseType")):
        where = {"model_id": mid, "metadatum_key_name": key}
        payload = f"{flavour} artifact\n".encode() * 50
        artifact = f"model_{flavour}_metadatum_artifact"
        disposition = f'attachment; filename="{key}.txt"'
        yield Call(f"create_{artifact}", {**where, artifact: payload, "content_disposition": disposition})
        yield Call(f"head_{artifact}", where)
        assert (yield Call(f"get_{artifact}_content", where)).data == payload
        yield Call(f"update_{artifact}", {**where, artifact: b"v2"})
        yield Call(f"delete_{artifact}", where)
    yield Call("create_model_artifact", {"model_id": mid, "model_artifact": b"PK model zip" * 50})
    signature = {
        "compartmentId": comp,
        "kmsKeyId": "ocid1.key.oc1.iad.amaaaaaaexamplekmskey",
        "kmsKeyVersionId": "ocid1.keyversion.oc1.iad.amaaaaaaexamplekmskeyversion",
        "signingAlgorithm": "SHA_256_RSA_PKCS_PSS",
        "displayName": "sig",
    }
    create = {"create_model_artifact_signature_details": signature, "model_id": mid}
    sid = (yield Call("create_model_artifact_signature", create)).data["id"]
    yield Advance(5)
    nested = {"model_id": mid, "artifact_signature_id": sid}
    yield Call("get_model_artifact_signature", nested)
    rename = {"displayName": "sig2"}
    yield Call(
        "update_model_artifact_signature", {**nested, "update_model_artifact_signature_details": rename}
    )
    yield Advance(5)
    yield Call("verify_model_artifact_signature", nested)
    yield Advance(5)
    yield Call("list_model_artifact_signatures", {"model_id": mid, "compartment_id": comp})
    move = {"compartmentId": world.other}
    yield Call(
        "change_model_artifact_signature_compartment",
        {**nested, "change_model_artifact_signature_compartment_details": move},
    )
    yield Advance(5)
    yield Call("delete_model_artifact_signature", nested)
    storage = {"artifactSourceType": "ORACLE_OBJECT_STORAGE", "namespace": "tenancyns"}
    into = {
        **storage,
        "destinationBucket": "models",
        "destinationObjectName": "m.zip",
        "destinationRegion": "us-ashburn-1",
    }
    yield Call(
        "import_model_artifact",
        {"model_id": mid, "import_model_artifact_details": {"artifactImportDetails": into}},
    )
    yield Advance(5)
    exported = (yield Call("create_model", {"create_model_details": {**model, "displayName": "e"}})).data[
        "id"
    ]
    out = {**storage, "sourceBucket": "big-models", "sourceObjectName": "llm/model.zip"}
    yield Call(
        "export_model_artifact",
        {"model_id": exported, "export_model_artifact_details": {"artifactExportDetails": out}},
    )
    yield Advance(5)
    by_ref = (yield Call("create_model", {"create_model_details": {**model, "displayName": "r"}})).data["id"]
    refs = [
        {
            "modelArtifactReferenceType": "OSS",
            "namespace": "tenancyns",
            "bucketName": "weights",
            "prefix": "llama/",
        }
    ]
    yield Call(
        "register_model_artifact_reference",
        {"model_id": by_ref, "register_model_artifact_reference_details": {"modelArtifactReferences": refs}},
    )
    yield Advance(5)
    archive = {**model, "displayName": "a", "retentionSetting": {"archiveAfterDays": 1}}
    archived = (yield Call("create_model", {"create_model_details": archive})).data["id"]
    yield Advance(86400 + 1)
    yield Call(
        "restore_archived_model_artifact", {"model_id": archived, "restore_model_for_hours_specified": 2}
    )
    yield Advance(5)
    deployment = bodies.model_deployment(comp, project, mid)
    mdid = (yield Call("create_model_deployment", {"create_model_deployment_details": deployment})).data["id"]
    yield Advance(5)
    yield Call("list_model_deployment_model_states", {"model_deployment_id": mdid, "compartment_id": comp})
    yield Call("delete_model_deployment", {"model_deployment_id": mdid})
    yield Advance(5)
    for model_id in (mid, exported, by_ref, archived):
        yield Call("delete_model", {"model_id": model_id})
