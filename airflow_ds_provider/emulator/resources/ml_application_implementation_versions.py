"""ML application implementation versions: created by package uploads (see
:mod:`.ml_application_implementations`), gone with their implementation; only their tags change."""

from __future__ import annotations

from airflow_ds_provider.emulator.resources.base import (
    Reply,
    Request,
    Services,
    apply_update,
    check_if_match,
    invalid,
    list_reply,
    resource_reply,
)
from airflow_ds_provider.emulator.resources.ml_application_implementations import historical_package
from airflow_ds_provider.emulator.resources.ml_application_shared import live
from airflow_ds_provider.emulator.resources.registry import handles

_KIND = "ml_application_implementation_version"
_ID = "mlApplicationImplementationVersionId"


@handles("get_ml_application_implementation_version")
def get_ml_application_implementation_version(svc: Services, req: Request) -> Reply:
    """GET /mlApplicationImplementationVersions/{mlApplicationImplementationVersionId}."""
    with svc.store.lock:
        return resource_reply(svc, live(svc, _KIND, req.params[_ID]))


@handles("list_ml_application_implementation_versions")
def list_ml_application_implementation_versions(svc: Services, req: Request) -> Reply:
    """GET /mlApplicationImplementationVersions?mlApplicationImplementationId=... (required)."""
    implementation = req.query.get("mlApplicationImplementationId")
    if implementation is None:
        raise invalid("mlApplicationImplementationId", "is required")
    with svc.store.lock:
        live(svc, "ml_application_implementation", implementation)
    filters = {
        "mlApplicationImplementationId": lambda data, value: data["mlApplicationImplementationId"] == value
    }
    return list_reply(svc, req, _KIND, filters=filters)


@handles("update_ml_application_implementation_version")
def update_ml_application_implementation_version(svc: Services, req: Request) -> Reply:
    """PUT /mlApplicationImplementationVersions/{id}: tags."""
    with svc.store.lock:
        record = live(svc, _KIND, req.params[_ID])
        check_if_match(req, record)
        apply_update(record, req.body, ("freeformTags", "definedTags"))
        return resource_reply(svc, record)


@handles("get_ml_application_historical_package_content")
def get_ml_application_historical_package_content(svc: Services, req: Request) -> Reply:
    """GET .../mlApplicationHistoricalPackage/content: the package the version was created from."""
    with svc.store.lock:
        return historical_package(svc, live(svc, _KIND, req.params[_ID]))
