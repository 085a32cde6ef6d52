"""Artifact export/import through (emulated) Object Storage, artifact references, archival and
restore of a model's artifact, and the model states of a deployment."""

from __future__ import annotations

from airflow_ds_provider.emulator.clock import parse_rfc3339

DAY = 86400


def _export(bucket="big-models", obj="llm/model.zip", **extra):
    return {
        "artifactExportDetails": {
            "artifactSourceType": "ORACLE_OBJECT_STORAGE",
            "namespace": "tenancyns",
            "sourceBucket": bucket,
            "sourceObjectName": obj,
            **extra,
        }
    }


def _import(**extra):
    return {
        "artifactImportDetails": {
            "artifactSourceType": "ORACLE_OBJECT_STORAGE",
            "namespace": "tenancyns",
            "destinationBucket": "exports",
            "destinationObjectName": "m.zip",
            **extra,
        }
    }


def _wr(world, wr):
    return world.get("get_work_request", work_request_id=wr)


def test_export_gives_the_model_its_artifact(world, emu):
    mid = world.model(world.project()["id"])["id"]
    resp = world.client.op("export_model_artifact", model_id=mid, json=_export(), expect=202)
    wr = resp.headers["opc-work-request-id"]
    assert _wr(world, wr)["operationType"] == "EXPORT_MODEL_ARTIFACT"
    emu.advance(5)
    work = _wr(world, wr)
    assert work["status"] == "SUCCEEDED" and work["resources"][0]["identifier"] == mid
    head = world.client.op("head_model_artifact", model_id=mid, expect=200)
    assert head.headers["content-disposition"] == "attachment; filename=model.zip"
    assert world.client.op("create_model_artifact", model_id=mid, data=b"x").status_code == 409
    assert world.client.op("export_model_artifact", model_id=mid, json=_export()).status_code == 409


def test_object_storage_fields_are_checked(world, emu):
    mid = world.model(world.project()["id"])["id"]
    cases = [
        (_export(bucket="bad bucket!"), "artifactExportDetails.sourceBucket: must be a bucket name"),
        (_export(obj=""), "artifactExportDetails.sourceObjectName: must be an object name"),
        (_export(namespace="Not A Namespace"), "artifactExportDetails.namespace"),
        (_export(sourceRegion="ashburn"), "artifactExportDetails.sourceRegion: must be a region identifier"),
        ({"artifactExportDetails": {"artifactSourceType": "ORACLE_OBJECT_STORAGE"}}, "namespace"),
        ({"artifactExportDetails": {"artifactSourceType": "S3"}}, "artifactSourceType"),
    ]
    for body, message in cases:
        resp = world.client.op("export_model_artifact", model_id=mid, json=body, expect=400)
        assert message in resp.json()["message"], (body, resp.json())
    resp = world.client.op(
        "import_model_artifact", model_id=mid, json=_import(destinationBucket=None), expect=400
    )
    assert "artifactImportDetails.destinationBucket" in resp.json()["message"]


def test_import_copies_an_existing_artifact(world, emu):
    mid = world.model(world.project()["id"])["id"]
    resp = world.client.op("import_model_artifact", model_id=mid, json=_import(), expect=404)
    assert "has no artifact" in resp.json()["message"]
    world.client.op("create_model_artifact", model_id=mid, data=b"zip", expect=200)
    wr = world.client.op("import_model_artifact", model_id=mid, json=_import(), expect=202).headers[
        "opc-work-request-id"
    ]
    assert _wr(world, wr)["operationType"] == "IMPORT_MODEL_ARTIFACT"


def test_register_reference_makes_the_model_by_reference(world, emu):
    pid = world.project()["id"]
    mid = world.model(pid)["id"]
    assert world.get("get_model", model_id=mid)["isModelByReference"] is False
    refs = {
        "modelArtifactReferences": [
            {"modelArtifactReferenceType": "OSS", "namespace": "ns", "bucketName": "w"}
        ]
    }
    wr = world.client.op("register_model_artifact_reference", model_id=mid, json=refs, expect=202).headers[
        "opc-work-request-id"
    ]
    assert _wr(world, wr)["operationType"] == "REGISTER_MODEL_ARTIFACT"
    assert world.get("get_model", model_id=mid)["isModelByReference"] is True
    assert world.client.op("export_model_artifact", model_id=mid, json=_export()).status_code == 409
    uploaded = world.model(pid)["id"]
    world.client.op("create_model_artifact", model_id=uploaded, data=b"zip", expect=200)
    resp = world.client.op("register_model_artifact_reference", model_id=uploaded, json=refs, expect=409)
    assert "already has an uploaded artifact" in resp.json()["message"]
    empty = world.client.op(
        "register_model_artifact_reference", model_id=uploaded, json={"modelArtifactReferences": []}
    )
    assert empty.status_code == 400 and "modelArtifactReferences" in empty.json()["message"]
    missing = {"modelArtifactReferences": [{"modelArtifactReferenceType": "OSS", "namespace": "ns"}]}
    resp = world.client.op("register_model_artifact_reference", model_id=mid, json=missing, expect=400)
    assert "bucketName" in resp.json()["message"]


def test_archival_and_restore(world, emu):
    mid = world.model(world.project()["id"], retentionSetting={"archiveAfterDays": 2})["id"]
    world.client.op("create_model_artifact", model_id=mid, data=b"zip", expect=200)
    details = world.get("get_model", model_id=mid)["retentionOperationDetails"]
    created = parse_rfc3339(world.get("get_model", model_id=mid)["timeCreated"])
    assert parse_rfc3339(details["timeArchivalScheduled"]) == created + 2 * DAY
    resp = world.client.op("restore_archived_model_artifact", model_id=mid, expect=409)
    assert "is not archived (archiveState PENDING)" in resp.json()["message"]
    emu.advance(2 * DAY)
    assert world.get("get_model", model_id=mid)["retentionOperationDetails"]["archiveState"] == "SUCCEEDED"
    resp = world.client.op("get_model_artifact_content", model_id=mid, expect=409)
    assert "restore it first" in resp.json()["message"]
    resp = world.client.op("import_model_artifact", model_id=mid, json=_import(), expect=409)
    assert "restore it first" in resp.json()["message"]
    bad = world.client.op(
        "restore_archived_model_artifact", model_id=mid, params={"restoreModelForHoursSpecified": "0"}
    )
    assert bad.status_code == 400 and "restoreModelForHoursSpecified" in bad.json()["message"]
    resp = world.client.op(
        "restore_archived_model_artifact",
        model_id=mid,
        params={"restoreModelForHoursSpecified": "3"},
        expect=202,
    )
    assert "opc-work-request-id" not in resp.headers  # the spec's response headers name none
    [work] = world.client.op(
        "list_work_requests",
        params={"compartmentId": world.comp, "operationType": "RESTORE_ARCHIVED_MODEL", "resourceId": mid},
        expect=200,
    ).json()
    assert world.client.op("restore_archived_model_artifact", model_id=mid).status_code == 409  # running
    emu.advance(5)
    assert _wr(world, work["id"])["status"] == "SUCCEEDED"
    details = world.get("get_model", model_id=mid)["retentionOperationDetails"]
    assert details["archiveState"] == "PENDING"
    finished = parse_rfc3339(_wr(world, work["id"])["timeFinished"])
    assert parse_rfc3339(details["timeArchivalScheduled"]) == finished + 3 * 3600
    assert world.client.op("get_model_artifact_content", model_id=mid, expect=200).content == b"zip"
    emu.advance(3 * 3600)
    assert world.get("get_model", model_id=mid)["retentionOperationDetails"]["archiveState"] == "SUCCEEDED"


def test_model_states_follow_the_deployment(world, emu):
    pid = world.project()["id"]
    mid = world.model(pid)["id"]
    md = world.client.op("create_model_deployment", json=world.deployment_body(pid, mid), expect=200).json()
    q = {"compartmentId": world.comp}

    def states(**extra):
        resp = world.client.op(
            "list_model_deployment_model_states",
            model_deployment_id=md["id"],
            params={**q, **extra},
            expect=200,
        )
        return [(row["modelId"], row["state"]) for row in resp.json()]

    assert states() == [(mid, "INCONSISTENT")]  # CREATING
    emu.advance(5)
    assert states() == [(mid, "SUCCESS")]
    assert states(modelId="ocid1.datasciencemodel.oc1.iad.other") == []
    assert states(projectId=pid) == [(mid, "SUCCESS")]
    emu.set_state(md["id"], "NEEDS_ATTENTION")
    assert states() == [(mid, "FAILED")]
    resp = world.client.op("list_model_deployment_model_states", model_deployment_id=md["id"], expect=400)
    assert "compartmentId" in resp.json()["message"]
    bad = world.client.op(
        "list_model_deployment_model_states", model_deployment_id=md["id"], params={**q, "sortBy": "x"}
    )
    assert bad.status_code == 400 and "sortBy" in bad.json()["message"]


def test_model_states_of_a_model_group_deployment(world, emu):
    pid = world.project()["id"]
    first, second = world.model(pid, displayName="a")["id"], world.model(pid, displayName="b")["id"]
    members = [{"modelId": first, "inferenceKey": "fraud"}, {"modelId": second, "inferenceKey": "churn"}]
    with emu.store.lock:  # a model group as its area stores it (ModelGroup.memberModelEntries)
        group = emu.store.add(
            "model_group",
            {
                "id": "ocid1.datasciencemodelgroup.oc1.iad.amaaaaaagroup",
                "memberModelEntries": {"memberModelDetails": members},
            },
        )
    body = world.deployment_body(pid, first)
    body["modelDeploymentConfigurationDetails"] = {
        "deploymentType": "MODEL_GROUP",
        "modelGroupConfigurationDetails": {"modelGroupId": group.id},
        "infrastructureConfigurationDetails": {
            "infrastructureType": "INSTANCE_POOL",
            "instanceConfiguration": {"instanceShapeName": "VM.Standard.E4.Flex"},
        },
    }
    md = world.client.op("create_model_deployment", json=body, expect=200).json()
    emu.advance(5)
    world.client.op("deactivate_model", model_id=second, expect=200)
    rows = world.client.op(
        "list_model_deployment_model_states",
        model_deployment_id=md["id"],
        params={"compartmentId": world.comp, "sortBy": "displayName", "sortOrder": "ASC"},
        expect=200,
    ).json()
    assert [(r["modelId"], r["inferenceKey"], r["state"]) for r in rows] == [
        (first, "fraud", "SUCCESS"),
        (second, "churn", "INCONSISTENT"),
    ]


def test_a_new_retention_setting_reschedules_the_archival(world, emu):
    mid = world.model(world.project()["id"])["id"]
    created = parse_rfc3339(world.get("get_model", model_id=mid)["timeCreated"])
    details = world.get("get_model", model_id=mid)["retentionOperationDetails"]
    assert parse_rfc3339(details["timeArchivalScheduled"]) == created + 365 * DAY
    body = {"retentionSetting": {"archiveAfterDays": 30, "deleteAfterDays": 60}}
    world.client.op("update_model", model_id=mid, json=body, expect=200)
    details = world.get("get_model", model_id=mid)["retentionOperationDetails"]
    assert parse_rfc3339(details["timeArchivalScheduled"]) == created + 30 * DAY
    assert parse_rfc3339(details["timeDeletionScheduled"]) == created + 60 * DAY
