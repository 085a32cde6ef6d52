"""Model artifact signatures, nested under a model: CREATING -> ACTIVE (work request), update and
verify (work requests), delete (at once), list, change compartment.

A signature signs the digest of the model's artifact with a KMS key version; the emulator has no
KMS: the digest is the real one (SHA-224/256/384/512 of the stored artifact, per
``signingAlgorithm``), the signature an HMAC of it keyed by the key version's OCID, and verify
recomputes the digest (its work request fails when the artifact no longer matches).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources.base import (
    ApiError,
    Reply,
    Request,
    Services,
    change_compartment,
    check_compartment,
    check_if_match,
    idempotent,
    incorrect_state,
    invalid,
    list_reply,
    not_found,
    resource_reply,
    tags,
)
from airflow_ds_provider.emulator.resources.model_retention import check_not_archived, model
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.store import Record
from airflow_ds_provider.resources import RESOURCES

_KIND = "model_artifact_signature"
_WHAT = RESOURCES[_KIND].display
_ACTIONS = RESOURCES[_KIND].actions
#: signingAlgorithm -> the hash of the digest.
_HASHES = {f"SHA_{bits}_RSA_PKCS_PSS": f"sha{bits}" for bits in (224, 256, 384, 512)}
_KMS = {"kmsKeyId": "ocid1.key.", "kmsKeyVersionId": "ocid1.keyversion."}


def _digest(svc: Services, model_id: str, algorithm: str) -> str | None:
    """Hex digest of the model's stored artifact (None: it has none)."""
    artifact = svc.store.artifacts.get(model_id)
    if artifact is None:
        return None
    digest = hashlib.new(_HASHES[algorithm])
    with open(artifact.path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sign(key_version: str, digest: str, algorithm: str) -> str:
    mac = hmac.new(key_version.encode(), digest.encode(), _HASHES[algorithm])
    return base64.b64encode(mac.digest()).decode("ascii")


def _signature(svc: Services, req: Request) -> Record:
    """The signature of the path's model (404 when either is unknown or they do not belong together)."""
    model_id = req.params["modelId"]
    model(svc, model_id)
    ocid = req.params["artifactSignatureId"]
    record = svc.store.get(ocid, _KIND)
    if record is None or record.data["modelId"] != model_id:
        raise not_found(_WHAT, ocid)
    return record


def _check_source(record: Record, action: str) -> None:
    state = record.data["lifecycleState"]
    if state not in _ACTIONS[action].sources:
        raise incorrect_state(_WHAT, state, action)


def _work_request(
    svc: Services, record: Record, operation_type: str, done: str, error: str | None = None
) -> Record:
    end = svc.now() + svc.lifecycles.clock.scaled(svc.lifecycles.timings.work_request_min)
    return svc.lifecycles.work_request(operation_type, record, done, end, error=error)


@handles("create_model_artifact_signature")
def create_model_artifact_signature(svc: Services, req: Request) -> Reply:
    """POST /models/{modelId}/artifactSignatures: CREATING, ACTIVE when its work request ends."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        for field, prefix in _KMS.items():
            if not str(body.get(field)).startswith(prefix):
                raise invalid(
                    field, f"must be a Vault key OCID ({prefix}oc1..<unique>), got {body.get(field)!r}"
                )
        with svc.store.lock:
            parent = model(svc, req.params["modelId"])
            if parent.data["lifecycleState"] == "DELETED":
                raise incorrect_state("model", "DELETED", "sign the artifact of")
            check_not_archived(parent)
            algorithm = body["signingAlgorithm"]
            digest = _digest(svc, parent.id, algorithm)
            if digest is None:
                raise ApiError(409, "IncorrectState", f"the model {parent.id} has no artifact to sign")
            now = rfc3339(svc.now())
            data: dict[str, Any] = {
                "id": new_ocid(_KIND, svc.region),
                "displayName": body.get("displayName") or f"artifactsignature{int(svc.now())}",
                "compartmentId": compartment,
                "kmsKeyId": body["kmsKeyId"],
                "kmsKeyVersionId": body["kmsKeyVersionId"],
                "modelId": parent.id,
                "lifecycleState": "CREATING",
                "digest": digest,
                "signature": _sign(body["kmsKeyVersionId"], digest, algorithm),
                "signingAlgorithm": algorithm,
                "timeCreated": now,
                "timeUpdated": now,
                "createdBy": req.principal.user,
                **tags(body),
                "systemTags": {},
            }
            record = svc.store.add(_KIND, data)
            end = svc.lifecycles.transition(record, "create", svc.lifecycles.timings.work_request_min)
            work = svc.lifecycles.work_request("CREATE_MODEL_ARTIFACT_SIGNATURE", record, "CREATED", end)
            return resource_reply(svc, record, **{"opc-work-request-id": work.id})

    return idempotent(svc, req, create)


@handles("get_model_artifact_signature")
def get_model_artifact_signature(svc: Services, req: Request) -> Reply:
    """GET /models/{modelId}/artifactSignatures/{artifactSignatureId}."""
    with svc.store.lock:
        return resource_reply(svc, _signature(svc, req))


@handles("list_model_artifact_signatures")
def list_model_artifact_signatures(svc: Services, req: Request) -> Reply:
    """GET /models/{modelId}/artifactSignatures (``digest`` filters too)."""
    with svc.store.lock:
        model(svc, req.params["modelId"])
    scoped = Request(
        req.op, req.params, {**req.query, "_model": req.params["modelId"]}, req.headers, None, req.principal
    )
    filters = {
        "_model": lambda data, value: data["modelId"] == value,
        "digest": lambda data, value: data["digest"] == value,
    }
    return list_reply(svc, scoped, _KIND, filters=filters)


@handles("update_model_artifact_signature")
def update_model_artifact_signature(svc: Services, req: Request) -> Reply:
    """PUT /models/{modelId}/artifactSignatures/{artifactSignatureId}: name and tags, with a work
    request (the spec's operation types have no update value: CREATE_MODEL_ARTIFACT_SIGNATURE)."""
    with svc.store.lock:
        record = _signature(svc, req)
        check_if_match(req, record)
        _check_source(record, "update")
        patch = {
            k: req.body[k]
            for k in ("displayName", "freeformTags", "definedTags")
            if req.body.get(k) is not None
        }
        record.apply({**patch, "timeUpdated": rfc3339(svc.now())})
        work = _work_request(svc, record, "CREATE_MODEL_ARTIFACT_SIGNATURE", "UPDATED")
        return resource_reply(svc, record, **{"opc-work-request-id": work.id})


@handles("verify_model_artifact_signature")
def verify_model_artifact_signature(svc: Services, req: Request) -> Reply:
    """POST .../actions/verify: a VERIFY_MODEL_ARTIFACT_SIGNATURE work request, FAILED when the
    model's artifact no longer has the signed digest."""

    def verify() -> Reply:
        with svc.store.lock:
            record = _signature(svc, req)
            check_if_match(req, record)
            _check_source(record, "verify")
            data = record.data
            digest = _digest(svc, data["modelId"], data["signingAlgorithm"])
            valid = digest == data["digest"] and hmac.compare_digest(
                _sign(data["kmsKeyVersionId"], data["digest"], data["signingAlgorithm"]), data["signature"]
            )
            error = (
                None if valid else f"the artifact of model {data['modelId']} does not match the signed digest"
            )
            work = _work_request(svc, record, "VERIFY_MODEL_ARTIFACT_SIGNATURE", "RELATED", error=error)
            return resource_reply(svc, record, **{"opc-work-request-id": work.id})

    return idempotent(svc, req, verify)


@handles("delete_model_artifact_signature")
def delete_model_artifact_signature(svc: Services, req: Request) -> Reply:
    """DELETE /models/{modelId}/artifactSignatures/{artifactSignatureId}: DELETED at once; not while
    a live model deployment names it."""
    with svc.store.lock:
        record = _signature(svc, req)
        check_if_match(req, record)
        _check_source(record, "delete")
        for md in svc.store.of_kind("model_deployment"):
            config = (md.data.get("modelDeploymentConfigurationDetails") or {}).get(
                "modelConfigurationDetails"
            ) or {}
            if config.get("modelArtifactSignatureId") == record.id and md.data["lifecycleState"] != "DELETED":
                raise ApiError(
                    409, "IncorrectState", f"{_WHAT} {record.id} is used by model deployment {md.id}"
                )
        svc.lifecycles.transition(record, "delete", 0)
        record.apply({"timeUpdated": rfc3339(svc.now())})
    return Reply(204, None, {})


@handles("change_model_artifact_signature_compartment")
def change_model_artifact_signature_compartment(svc: Services, req: Request) -> Reply:
    """POST .../actions/changeCompartment."""

    def move() -> Reply:
        with svc.store.lock:
            _signature(svc, req)
            return change_compartment(svc, req, _KIND, "artifactSignatureId", _WHAT)

    return idempotent(svc, req, move)
