"""Model artifacts moved through Object Storage, and archived artifacts restored.

* ``export_model_artifact``: the service copies an artifact from the caller's bucket into the
  model (how large artifacts are uploaded); EXPORT_MODEL_ARTIFACT work request.
* ``import_model_artifact``: the service copies the model's artifact into the caller's bucket;
  IMPORT_MODEL_ARTIFACT work request.
* ``register_model_artifact_reference``: the model's artifact stays in the caller's buckets
  (``isModelByReference`` becomes true); REGISTER_MODEL_ARTIFACT work request.
* ``restore_archived_model_artifact``: an archived artifact is restored for
  ``restoreModelForHoursSpecified`` hours (:mod:`.model_retention`); a RESTORE_ARCHIVED_MODEL work
  request, listed but not named in a header (the spec's response headers have none).

The emulator has no Object Storage: it checks the namespace, bucket, object and region fields
and records where the artifact went or came from; an exported artifact has no bytes (its
``content-length`` is 0, its file name the object's).
"""

from __future__ import annotations

import re
from typing import Any

from airflow_ds_provider.emulator.resources.base import (
    ApiError,
    Reply,
    Request,
    Services,
    check_if_match,
    idempotent,
    incorrect_state,
    invalid,
)
from airflow_ds_provider.emulator.resources.model_retention import check_not_archived, is_archived, model
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.store import Artifact, Record

# Object Storage naming rules (namespace: the tenancy's, lowercase; bucket: letters, digits,
# dashes, underscores, dots, at most 256; object: any non-empty name of at most 1024 characters).
_NAMESPACE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,254}$")
_BUCKET_RE = re.compile(r"^[A-Za-z0-9._-]{1,256}$")
_REGION_RE = re.compile(r"^[a-z]{2,}-[a-z]+-\d+$")
#: restoreModelForHoursSpecified when it is not given (the emulator's choice).
DEFAULT_RESTORE_HOURS = 24


def _text(value: Any, field: str, pattern: re.Pattern[str] | None, expected: str) -> str:
    if not isinstance(value, str) or not value or (pattern is not None and not pattern.match(value)):
        raise invalid(field, f"must be {expected}, got {value!r}")
    return value


def _location(
    details: dict[str, Any], where: str, bucket: str, obj: str | None, region: str
) -> dict[str, str]:
    """Checked Object Storage coordinates: namespace, bucket, object (if named) and region."""
    found = {
        "namespace": _text(
            details.get("namespace"), f"{where}.namespace", _NAMESPACE_RE, "an Object Storage namespace"
        ),
        "bucket": _text(details.get(bucket), f"{where}.{bucket}", _BUCKET_RE, "a bucket name"),
    }
    if obj is not None:
        name = _text(details.get(obj), f"{where}.{obj}", None, "an object name")
        if len(name) > 1024 or name.startswith("/"):
            raise invalid(
                f"{where}.{obj}", "must be an object name of at most 1024 characters, not starting with /"
            )
        found["object"] = name
    given = details.get(region)
    if given is not None:
        found["region"] = _text(given, f"{where}.{region}", _REGION_RE, "a region identifier (us-ashburn-1)")
    return found


def _live_model(svc: Services, req: Request, action: str) -> Record:
    record = model(svc, req.params["modelId"])
    check_if_match(req, record)
    if record.data["lifecycleState"] == "DELETED":
        raise incorrect_state("model", "DELETED", action)
    return record


def _work_request(svc: Services, record: Record, operation_type: str) -> tuple[Record, float]:
    """A work request on the model that finishes after the shortest work-request time; and that time."""
    end = svc.now() + svc.lifecycles.clock.scaled(svc.lifecycles.timings.work_request_min)
    return svc.lifecycles.work_request(operation_type, record, "UPDATED", end), end


def _accepted(work: Record) -> Reply:
    return Reply(202, None, {"opc-work-request-id": work.id})


@handles("export_model_artifact")
def export_model_artifact(svc: Services, req: Request) -> Reply:
    """POST /models/{modelId}/actions/exportArtifact: the artifact comes from the caller's bucket."""

    def run() -> Reply:
        where = "artifactExportDetails"
        source = _location(req.body[where], where, "sourceBucket", "sourceObjectName", "sourceRegion")
        with svc.store.lock:
            record = _live_model(svc, req, "export an artifact to")
            if record.id in svc.store.artifacts or record.data.get("isModelByReference"):
                raise ApiError(
                    409, "Conflict", f"the model {record.id} already has an artifact; artifacts are immutable"
                )
            path = svc.store.new_artifact_path()
            open(path, "wb").close()  # no Object Storage: an empty file stands in
            name = source["object"].rsplit("/", 1)[-1]
            svc.store.artifacts[record.id] = Artifact(
                path=path,
                size=0,
                md5_b64="1B2M2Y8AsgTpgAmY7PhCfg==",
                disposition=f"attachment; filename={name}",
                modified=svc.now(),
            )
            record.extra["artifact_source"] = source
            return _accepted(_work_request(svc, record, "EXPORT_MODEL_ARTIFACT")[0])

    return idempotent(svc, req, run)


@handles("import_model_artifact")
def import_model_artifact(svc: Services, req: Request) -> Reply:
    """POST /models/{modelId}/actions/importArtifact: the artifact is copied to the caller's bucket."""
    where = "artifactImportDetails"
    target = _location(
        req.body[where], where, "destinationBucket", "destinationObjectName", "destinationRegion"
    )
    with svc.store.lock:
        record = _live_model(svc, req, "import the artifact of")
        if record.id not in svc.store.artifacts:
            raise ApiError(404, "NotAuthorizedOrNotFound", f"the model {record.id} has no artifact")
        check_not_archived(record)
        record.extra.setdefault("artifact_copies", []).append(target)
        return _accepted(_work_request(svc, record, "IMPORT_MODEL_ARTIFACT")[0])


@handles("register_model_artifact_reference")
def register_model_artifact_reference(svc: Services, req: Request) -> Reply:
    """POST /models/{modelId}/actions/registerArtifactReference: the model becomes by reference."""

    def run() -> Reply:
        references = req.body["modelArtifactReferences"]
        if not references:
            raise invalid("modelArtifactReferences", "must name at least one artifact reference")
        checked = []
        for i, ref in enumerate(references):
            where = f"modelArtifactReferences[{i}]"
            checked.append(
                {**_location(ref, where, "bucketName", None, "region"), "prefix": ref.get("prefix", "")}
            )
        with svc.store.lock:
            record = _live_model(svc, req, "register an artifact reference of")
            if record.id in svc.store.artifacts:
                raise ApiError(
                    409,
                    "Conflict",
                    f"the model {record.id} already has an uploaded artifact; it cannot be by reference",
                )
            record.apply({"isModelByReference": True})
            record.extra["artifact_references"] = checked
            return _accepted(_work_request(svc, record, "REGISTER_MODEL_ARTIFACT")[0])

    return idempotent(svc, req, run)


@handles("restore_archived_model_artifact")
def restore_archived_model_artifact(svc: Services, req: Request) -> Reply:
    """POST /models/{modelId}/actions/restore: an archived artifact, back for some hours."""
    raw = req.query.get("restoreModelForHoursSpecified")
    hours = DEFAULT_RESTORE_HOURS
    if raw is not None:
        if not raw.isdigit() or int(raw) < 1:
            raise invalid(
                "restoreModelForHoursSpecified", f"must be a whole number of hours >= 1, got {raw!r}"
            )
        hours = int(raw)

    def run() -> Reply:
        with svc.store.lock:
            record = _live_model(svc, req, "restore the artifact of")
            if "restore" in record.extra:
                raise ApiError(
                    409, "IncorrectState", f"a restore of the artifact of model {record.id} is running"
                )
            if not is_archived(record):
                state = record.data["retentionOperationDetails"]["archiveState"]
                raise ApiError(
                    409,
                    "IncorrectState",
                    f"the artifact of model {record.id} is not archived (archiveState {state}); nothing to restore",
                )
            work, end = _work_request(svc, record, "RESTORE_ARCHIVED_MODEL")
            record.extra["restore"] = {"end": end, "hours": hours, "work": work.id}
            details = {
                **record.data["retentionOperationDetails"],
                "archiveStateDetails": f"Restoring the archived artifact for {hours} hours",
            }
            record.apply({"retentionOperationDetails": details})
            return Reply(202, None, {})

    return idempotent(svc, req, run)
