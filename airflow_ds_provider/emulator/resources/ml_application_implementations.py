"""ML application implementations: CREATING -> ACTIVE; updates and package uploads UPDATING ->
ACTIVE (work requests; the ``emulator-fail-actions: update`` tag fails both, ending
NEEDS_ATTENTION); a delete is DELETING, then the implementation and its versions are gone.

A package upload (``put_ml_application_package``) is streamed to disk, signed with body headers
(its ``x-content-sha256`` is checked against the bytes received) and creates an implementation
version, CREATING until the upload's work request ends: ACTIVE, or FAILED when the upload fails
(a package that is not a zip archive always does). A successful upload upgrades the settled
instances of the implementation to the new version. ``opc-ml-app-package-args`` (a JSON object of
argument names to values) becomes the version's ``mlApplicationPackageArguments``.
"""

from __future__ import annotations

import json
from typing import Any

from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources.base import (
    ApiError,
    Reply,
    Request,
    Services,
    check_compartment,
    check_if_match,
    idempotent,
    incorrect_state,
    invalid,
    list_reply,
    live_retry_token,
    related,
    remember_retry_token,
    resource_reply,
    tags,
)
from airflow_ds_provider.emulator.resources.ml_application_instances import upgrade_instances
from airflow_ds_provider.emulator.resources.ml_application_shared import (
    DURATION,
    check_script_tags,
    live,
    move,
    purge,
    remove_at,
    scripted,
    what,
)
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.store import Artifact, Record, Step
from airflow_ds_provider.resources import RESOURCES

_KIND = "ml_application_implementation"
_VERSION = "ml_application_implementation_version"
_ID = "mlApplicationImplementationId"
_UPDATABLE = RESOURCES[_KIND].actions["update"].sources
_DELETABLE = ("ACTIVE", "NEEDS_ATTENTION", "FAILED")
_ARGS_HEADER = "opc-ml-app-package-args"
#: The work-request type of a package upload (the spec's; not derived from an action).
_UPLOAD = "ML_APPLICATION_PACKAGE_UPLOAD"
_ZIP_MAGIC = b"PK\x03\x04"
#: Fields an implementation version copies from its implementation.
_COPIED = ("name", "description", "mlApplicationId", "mlApplicationName", "allowedMigrationDestinations")


@handles("create_ml_application_implementation")
def create_ml_application_implementation(svc: Services, req: Request) -> Reply:
    """POST /mlApplicationImplementations: CREATING -> ACTIVE, without a package yet."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        check_script_tags(_KIND, body)
        with svc.store.lock:
            purge(svc)
            app = related(
                svc, "ml_application", body.get("mlApplicationId"), "mlApplicationId", "ML application"
            )
            if app.data["lifecycleState"] != "ACTIVE":
                raise invalid(
                    "mlApplicationId", f"ML application is {app.data['lifecycleState']}, not ACTIVE"
                )
            if any(
                r.data["mlApplicationId"] == app.id and r.data["name"] == body["name"]
                for r in svc.store.of_kind(_KIND)
            ):
                raise ApiError(
                    409,
                    "Conflict",
                    f"name: the ML application already has an implementation {body['name']!r}",
                )
            now = rfc3339(svc.now())
            data = {
                "id": new_ocid(_KIND, svc.region),
                "name": body["name"],
                "mlApplicationId": app.id,
                "mlApplicationName": app.data["name"],
                "compartmentId": compartment,
                "applicationComponents": [],
                "configurationSchema": [],
                "timeCreated": now,
                "timeUpdated": now,
                "lifecycleState": "CREATING",
                "lifecycleDetails": "ML application implementation is being created",
                **tags(body),
                **{
                    k: body[k] for k in ("logging", "allowedMigrationDestinations") if body.get(k) is not None
                },
            }
            record = svc.store.add(_KIND, data)
            svc.lifecycles.transition(record, "create", DURATION, details="No package uploaded yet")
            return resource_reply(svc, record)

    return idempotent(svc, req, create)


@handles("get_ml_application_implementation")
def get_ml_application_implementation(svc: Services, req: Request) -> Reply:
    """GET /mlApplicationImplementations/{mlApplicationImplementationId}."""
    with svc.store.lock:
        return resource_reply(svc, live(svc, _KIND, req.params[_ID]))


@handles("list_ml_application_implementations")
def list_ml_application_implementations(svc: Services, req: Request) -> Reply:
    """GET /mlApplicationImplementations."""
    purge(svc)
    filters = {
        "name": lambda data, value: data["name"] == value,
        "mlApplicationId": lambda data, value: data["mlApplicationId"] == value,
        "mlApplicationImplementationId": lambda data, value: data["id"] == value,
    }
    return list_reply(svc, req, _KIND, filters=filters)


def _updatable(svc: Services, req: Request, action: str) -> Record:
    record = live(svc, _KIND, req.params[_ID])
    state = record.data["lifecycleState"]
    if state not in _UPDATABLE:
        raise incorrect_state(what(_KIND), state, action)
    return record


@handles("update_ml_application_implementation")
def update_ml_application_implementation(svc: Services, req: Request) -> Reply:
    """PUT /mlApplicationImplementations/{id}: UPDATING -> ACTIVE (ML_APPLICATION_IMPLEMENTATION_UPDATE)."""
    with svc.store.lock:
        record = _updatable(svc, req, "update")
        check_if_match(req, record)
        check_script_tags(_KIND, req.body)
        patch: dict[str, Any] = {k: v for k, v in req.body.items() if v is not None}
        record.apply({**patch, "timeUpdated": rfc3339(svc.now())})
        work = scripted(svc, record, "update", "UPDATED")
        return Reply(202, None, {"opc-work-request-id": work.id})


@handles("delete_ml_application_implementation")
def delete_ml_application_implementation(svc: Services, req: Request) -> Reply:
    """DELETE /mlApplicationImplementations/{id}: DELETING, then gone with its versions; 409 while
    an instance uses it."""
    with svc.store.lock:
        record = live(svc, _KIND, req.params[_ID])
        check_if_match(req, record)
        state = record.data["lifecycleState"]
        if state not in _DELETABLE:
            raise incorrect_state(what(_KIND), state, "delete")
        users = [
            r.id
            for r in svc.store.of_kind("ml_application_instance")
            if r.data["mlApplicationImplementationId"] == record.id and r.data["lifecycleState"] != "DELETED"
        ]
        if users:
            raise ApiError(
                409, "IncorrectState", f"cannot delete {what(_KIND)} {record.id}: instance {users[0]} uses it"
            )
        end = svc.now() + svc.store.clock.scaled(DURATION)
        for target in [record, *_versions(svc, record.id)]:
            target.steps.clear()
            target.apply({"lifecycleState": "DELETING"})
            remove_at(target, end)
        work = svc.lifecycles.work_request(
            RESOURCES[_KIND].work_request_type("delete"), record, "DELETED", end
        )
        return Reply(202, None, {"opc-work-request-id": work.id})


def _versions(svc: Services, implementation_id: str) -> list[Record]:
    return [
        r for r in svc.store.of_kind(_VERSION) if r.data["mlApplicationImplementationId"] == implementation_id
    ]


@handles("change_ml_application_implementation_compartment")
def change_ml_application_implementation_compartment(svc: Services, req: Request) -> Reply:
    """POST .../actions/changeCompartment (ML_APPLICATION_IMPLEMENTATION_MOVE)."""
    return move(svc, req, _KIND)


def _package_arguments(req: Request) -> dict[str, Any]:
    raw = req.headers.get(_ARGS_HEADER)
    if raw is None:
        return {"arguments": []}
    try:
        values = json.loads(raw)
    except ValueError:
        values = None
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise invalid(
            _ARGS_HEADER, 'must be a JSON object of argument names to string values, e.g. {"bucket": "b"}'
        )
    arguments = [
        {
            "name": name,
            "value": value,
            "description": f"package argument {name}",
            "type": "OCID" if value.startswith("ocid1.") else "STRING",
            "isMandatory": True,
        }
        for name, value in values.items()
    ]
    return {"arguments": arguments}


def _replayed(svc: Services, req: Request, key: tuple[str, str]) -> Reply | None:
    seen = live_retry_token(svc, key) if key[1] else None
    if seen is None:
        return None
    fingerprint, (reply, _) = seen
    if fingerprint != req.params[_ID]:
        raise ApiError(409, "InvalidatedRetryToken", "opc-retry-token was already used for another request")
    return reply


@handles("put_ml_application_package")
def put_ml_application_package(svc: Services, req: Request) -> Reply:
    """PUT /mlApplicationImplementations/{id}/mlApplicationPackage (ML_APPLICATION_PACKAGE_UPLOAD)."""
    key = (req.op.name, req.headers.get("opc-retry-token") or "")
    with svc.store.lock:
        replay = _replayed(svc, req, key)
        if replay is not None:
            return replay
        _updatable(svc, req, "upload a package to")
        arguments = _package_arguments(req)
    path = svc.store.new_artifact_path()
    assert req.upload is not None
    size, md5_b64 = req.upload(path)
    with open(path, "rb") as fh:
        is_zip = fh.read(len(_ZIP_MAGIC)) == _ZIP_MAGIC
    disposition = req.headers.get("content-disposition") or "attachment; filename=package.zip"
    with svc.store.lock:
        record = _updatable(svc, req, "upload a package to")
        version = _new_version(svc, record, arguments)
        svc.store.artifacts[version.id] = Artifact(path, size, md5_b64, disposition, svc.now())
        record.extra["package"] = version.id
        if is_zip:
            work = scripted(svc, record, "update", "UPDATED", operation=_UPLOAD)
        else:
            error = "the ML application package is not a zip archive"
            end = svc.lifecycles.transition(
                record, "update", DURATION, settled="NEEDS_ATTENTION", details=error
            )
            work = svc.lifecycles.work_request(_UPLOAD, record, "UPDATED", end, error=error)
        _settle_version(svc, record, version, work)
        reply = Reply(202, None, {"opc-work-request-id": work.id})
        if key[1]:
            remember_retry_token(svc, key, (record.id, (reply, None)))
        return reply


def _new_version(svc: Services, record: Record, arguments: dict[str, Any]) -> Record:
    number = len(_versions(svc, record.id)) + 1
    data = {
        "id": new_ocid(_VERSION, svc.region),
        "mlApplicationImplementationId": record.id,
        **{k: record.data[k] for k in _COPIED if k in record.data},
        "packageVersion": f"{number}.0",
        "applicationComponents": [],
        "configurationSchema": [],
        "mlApplicationPackageArguments": arguments,
        "timeCreated": rfc3339(svc.now()),
        "lifecycleState": "CREATING",
        "lifecycleDetails": "ML application package is being deployed",
        "freeformTags": {},
        "definedTags": {},
    }
    return svc.store.add(_VERSION, data)


def _settle_version(svc: Services, record: Record, version: Record, work: Record) -> None:
    """The version ends with the upload: ACTIVE (the implementation's package; its instances are
    upgraded to it) or FAILED."""
    [step] = record.steps
    if step.patch["lifecycleState"] == "ACTIVE":
        upgrade_instances(svc, record.id, version, step.at)
        step.patch["packageVersion"] = version.data["packageVersion"]
        step.patch["mlApplicationPackageArguments"] = version.data["mlApplicationPackageArguments"]
        version.schedule([Step(step.at, {"lifecycleState": "ACTIVE", "lifecycleDetails": "Deployed"})])
    else:
        details = step.patch.get("lifecycleDetails") or "the package upload failed"
        version.schedule([Step(step.at, {"lifecycleState": "FAILED", "lifecycleDetails": details})])
    version.extra["work_request"] = work.id


def _package_reply(svc: Services, version_id: str | None, label: str, ocid: str, **headers: str) -> Reply:
    """The stored package of an implementation version, streamed from disk, with its etag."""
    artifact = svc.store.artifacts.get(version_id) if version_id else None
    if artifact is None:
        raise ApiError(404, "NotAuthorizedOrNotFound", f"the {label} {ocid} has no ML application package")
    headers = {
        "etag": artifact.etag,
        "content-type": "application/octet-stream",
        "content-disposition": artifact.disposition,
        **headers,
    }
    return Reply(200, None, headers, file=(artifact.path, 0, artifact.size))


@handles("get_ml_application_package_content")
def get_ml_application_package_content(svc: Services, req: Request) -> Reply:
    """GET .../mlApplicationPackage/content: the package uploaded last."""
    with svc.store.lock:
        record = live(svc, _KIND, req.params[_ID])
        version_id = record.extra.get("package")
        version = svc.store.get(version_id, _VERSION) if version_id else None
        arguments = (version.data if version else {}).get("mlApplicationPackageArguments") or {}
        values = {a["name"]: a["value"] for a in arguments.get("arguments", [])}
        return _package_reply(svc, version_id, what(_KIND), record.id, **{_ARGS_HEADER: json.dumps(values)})


def historical_package(svc: Services, version: Record) -> Reply:
    """The package an implementation version was created from."""
    return _package_reply(svc, version.id, what(_VERSION), version.id)
