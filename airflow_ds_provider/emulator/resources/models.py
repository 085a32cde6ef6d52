"""Models, their artifacts and provenance."""

from __future__ import annotations

from airflow_ds_provider.emulator.clock import parse_rfc3339, rfc3339
from airflow_ds_provider.emulator.ids import new_etag, new_ocid
from airflow_ds_provider.emulator.resources.artifacts import download as download_artifact
from airflow_ds_provider.emulator.resources.artifacts import head as head_artifact
from airflow_ds_provider.emulator.resources.artifacts import upload as upload_artifact
from airflow_ds_provider.emulator.resources.base import (
    ApiError,
    Reply,
    Request,
    Services,
    apply_update,
    change_compartment,
    check_compartment,
    check_if_match,
    idempotent,
    incorrect_state,
    list_reply,
    related,
    require,
    resource_reply,
    tags,
)
from airflow_ds_provider.emulator.resources.model_metadata_artifacts import sync_has_artifact
from airflow_ds_provider.emulator.resources.model_retention import (
    ARCHIVED,
    check_not_archived,
    default_retention,
    model,
    retention_details,
)
from airflow_ds_provider.emulator.resources.model_version_sets import (
    check_label,
    is_version_set,
    join_version_set,
)
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.store import Record

_OPTIONAL = ("description", "customMetadataList", "definedMetadataList", "inputSchema", "outputSchema")
_UPDATABLE = (
    "displayName",
    "description",
    "freeformTags",
    "definedTags",
    "customMetadataList",
    "definedMetadataList",
    "versionLabel",
    "retentionSetting",
    "backupSetting",
)
_PROVENANCE = ("repositoryUrl", "gitBranch", "gitCommit", "scriptDir", "trainingScript", "trainingId")


def _version_set(
    svc: Services, project: Record, set_id: str | None, compartment: str, label: str | None
) -> tuple[str, str, int]:
    if set_id is not None:
        return join_version_set(svc, set_id, project.id, compartment, label)
    sets = project.extra.setdefault("version_sets", {})
    if set_id is None:
        set_id = sets.setdefault("_default", new_ocid("datasciencemodelversionset", svc.region))
    count = sets.get(set_id, 0) + 1
    sets[set_id] = count
    return set_id, f"version-set-{set_id[-8:]}", count


@handles("create_model")
def create_model(svc: Services, req: Request) -> Reply:
    """POST /models: ACTIVE at once."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        retention, backup = default_retention(svc.region)
        retention = body.get("retentionSetting") or retention
        with svc.store.lock:
            project = related(svc, "project", body.get("projectId"), "projectId", "project")
            set_id, set_name, version = _version_set(
                svc, project, body.get("modelVersionSetId"), compartment, body.get("versionLabel")
            )
            now = svc.now()
            data = {
                "id": new_ocid("model", svc.region),
                "compartmentId": compartment,
                "projectId": project.id,
                "displayName": body.get("displayName") or f"model{int(now)}",
                "lifecycleState": "ACTIVE",
                "lifecycleDetails": "Model is active",
                "timeCreated": rfc3339(now),
                "createdBy": req.principal.user,
                **tags(body),
                **{k: body[k] for k in _OPTIONAL if body.get(k) is not None},
                "modelVersionSetId": set_id,
                "modelVersionSetName": set_name,
                "versionId": version,
                "versionLabel": body.get("versionLabel") or f"v{version}",
                "category": "USER",
                "isModelByReference": False,
                "retentionSetting": retention,
                "backupSetting": body.get("backupSetting") or backup,
                "retentionOperationDetails": retention_details(now, retention),
                "backupOperationDetails": {"backupState": "PENDING", "backupStateDetails": "No backup yet"},
            }
            record = svc.store.add("model", data)
            sync_has_artifact(svc, record)
            return resource_reply(svc, record)

    return idempotent(svc, req, create)


@handles("get_model")
def get_model(svc: Services, req: Request) -> Reply:
    """GET /models/{modelId}."""
    with svc.store.lock:
        return resource_reply(svc, model(svc, req.params["modelId"]))


@handles("list_models")
def list_models(svc: Services, req: Request) -> Reply:
    """GET /models."""
    return list_reply(svc, req, "model")


@handles("update_model")
def update_model(svc: Services, req: Request) -> Reply:
    """PUT /models/{modelId}."""
    with svc.store.lock:
        record = model(svc, req.params["modelId"])
        check_if_match(req, record)
        if record.data["lifecycleState"] == "DELETED":
            raise incorrect_state("model", "DELETED", "update")
        _move_or_relabel(svc, record, req.body)
        apply_update(record, req.body, _UPDATABLE)
        if (
            req.body.get("retentionSetting")
            and record.data["retentionOperationDetails"]["archiveState"] != ARCHIVED
        ):
            created = parse_rfc3339(record.data["timeCreated"])
            record.apply(
                {"retentionOperationDetails": retention_details(created, record.data["retentionSetting"])}
            )
        sync_has_artifact(svc, record)
        return resource_reply(svc, record)


def _move_or_relabel(svc: Services, record: Record, body: dict) -> None:
    """An update naming ``modelVersionSetId`` moves a model that is in no version set into that
    set (its next version); one already in a set cannot move (409). A new ``versionLabel`` must
    be unique in the model's set."""
    current = record.data.get("modelVersionSetId")
    target = body.get("modelVersionSetId")
    label = body.get("versionLabel")
    if target is not None:
        if is_version_set(svc, current):
            raise ApiError(409, "Conflict", f"model is already associated with model version set {current}")
        set_id, set_name, version = join_version_set(
            svc, target, record.data["projectId"], record.data["compartmentId"], label, record.id
        )
        record.apply({"modelVersionSetId": set_id, "modelVersionSetName": set_name, "versionId": version})
    elif label is not None and is_version_set(svc, current):
        check_label(svc, current, label, record.id)


def _flip(svc: Services, req: Request, action: str, source: str, details: str) -> Reply:
    with svc.store.lock:
        record = require(svc, "model", req.params["modelId"], "model")
        check_if_match(req, record)
        if record.data["lifecycleState"] != source:
            raise incorrect_state("model", record.data["lifecycleState"], action)
        svc.lifecycles.transition(record, action, 0, details=details)
        return resource_reply(svc, record)


@handles("activate_model")
def activate_model(svc: Services, req: Request) -> Reply:
    """POST /models/{modelId}/actions/activate: INACTIVE -> ACTIVE."""
    return _flip(svc, req, "activate", "INACTIVE", "Model is active")


@handles("deactivate_model")
def deactivate_model(svc: Services, req: Request) -> Reply:
    """POST /models/{modelId}/actions/deactivate: ACTIVE -> INACTIVE."""
    return _flip(svc, req, "deactivate", "ACTIVE", "Model is inactive")


@handles("delete_model")
def delete_model(svc: Services, req: Request) -> Reply:
    """DELETE /models/{modelId}; a model used by a live deployment cannot be deleted."""
    with svc.store.lock:
        record = require(svc, "model", req.params["modelId"], "model")
        check_if_match(req, record)
        if record.data["lifecycleState"] == "DELETED":
            raise incorrect_state("model", "DELETED", "delete")
        for md in svc.store.of_kind("model_deployment"):
            config = (md.data.get("modelDeploymentConfigurationDetails") or {}).get(
                "modelConfigurationDetails"
            ) or {}
            if config.get("modelId") == record.id and md.data["lifecycleState"] != "DELETED":
                raise ApiError(409, "IncorrectState", f"model is used by model deployment {md.id}")
        svc.lifecycles.transition(record, "delete", 0, details="Model is deleted")
    return Reply(204, None, {})


@handles("change_model_compartment")
def change_model_compartment(svc: Services, req: Request) -> Reply:
    """POST /models/{modelId}/actions/changeCompartment."""
    return idempotent(svc, req, lambda: change_compartment(svc, req, "model", "modelId", "model"))


@handles("create_model_artifact")
def create_model_artifact(svc: Services, req: Request) -> Reply:
    """POST /models/{modelId}/artifact (streamed)."""
    return upload_artifact(svc, req, "model", "modelId", "model", check_etag=True)


@handles("get_model_artifact_content")
def get_model_artifact_content(svc: Services, req: Request) -> Reply:
    """GET /models/{modelId}/artifact/content (409 while the artifact is archived)."""
    with svc.store.lock:
        check_not_archived(model(svc, req.params["modelId"]))
        return download_artifact(svc, req, "model", "modelId", "model")


@handles("head_model_artifact")
def head_model_artifact(svc: Services, req: Request) -> Reply:
    """HEAD /models/{modelId}/artifact/content."""
    return head_artifact(svc, req, "model", "modelId", "model")


def _provenance_reply(record: Record) -> Reply:
    return Reply(200, dict(record.extra["provenance"]), {"etag": record.extra["provenance_etag"]})


@handles("create_model_provenance")
def create_model_provenance(svc: Services, req: Request) -> Reply:
    """POST /models/{modelId}/provenance."""

    def create() -> Reply:
        with svc.store.lock:
            record = require(svc, "model", req.params["modelId"], "model")
            record.extra["provenance"] = {k: req.body[k] for k in _PROVENANCE if req.body.get(k) is not None}
            record.extra["provenance_etag"] = new_etag()
            return _provenance_reply(record)

    return idempotent(svc, req, create)


def _provenance_of(svc: Services, req: Request) -> Record:
    record = require(svc, "model", req.params["modelId"], "model")
    if "provenance" not in record.extra:
        raise ApiError(404, "NotAuthorizedOrNotFound", f"model {record.id} has no provenance")
    return record


@handles("get_model_provenance")
def get_model_provenance(svc: Services, req: Request) -> Reply:
    """GET /models/{modelId}/provenance."""
    with svc.store.lock:
        return _provenance_reply(_provenance_of(svc, req))


@handles("update_model_provenance")
def update_model_provenance(svc: Services, req: Request) -> Reply:
    """PUT /models/{modelId}/provenance."""
    with svc.store.lock:
        record = _provenance_of(svc, req)
        wanted = req.headers.get("if-match")
        if wanted is not None and wanted not in ("*", record.extra["provenance_etag"]):
            raise ApiError(
                412, "NoEtagMatch", f"the if-match etag {wanted!r} does not match the current etag"
            )
        record.extra["provenance"].update({k: v for k, v in req.body.items() if v is not None})
        record.extra["provenance_etag"] = new_etag()
        return _provenance_reply(record)
