"""ML applications: ACTIVE at once; a delete removes one at once (there is no DELETED state), and
only when no implementation or instance refers to it any more."""

from __future__ import annotations

from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources.base import (
    ApiError,
    Reply,
    Request,
    Services,
    apply_update,
    check_compartment,
    check_if_match,
    idempotent,
    list_reply,
    resource_reply,
    tags,
)
from airflow_ds_provider.emulator.resources.ml_application_shared import live, move, purge
from airflow_ds_provider.emulator.resources.registry import handles

_KIND = "ml_application"
_ID = "mlApplicationId"


@handles("create_ml_application")
def create_ml_application(svc: Services, req: Request) -> Reply:
    """POST /mlApplications: ACTIVE at once; the name is unique in the tenancy."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        with svc.store.lock:
            purge(svc)
            if any(r.data["name"] == body["name"] for r in svc.store.of_kind(_KIND)):
                raise ApiError(409, "Conflict", f"name: an ML application named {body['name']!r} exists")
            now = rfc3339(svc.now())
            data = {
                "id": new_ocid(_KIND, svc.region),
                "name": body["name"],
                "compartmentId": compartment,
                "timeCreated": now,
                "timeUpdated": now,
                "lifecycleState": "ACTIVE",
                "lifecycleDetails": "ML application is active",
                **tags(body),
            }
            if body.get("description") is not None:
                data["description"] = body["description"]
            return resource_reply(svc, svc.store.add(_KIND, data))

    return idempotent(svc, req, create)


@handles("get_ml_application")
def get_ml_application(svc: Services, req: Request) -> Reply:
    """GET /mlApplications/{mlApplicationId}."""
    with svc.store.lock:
        return resource_reply(svc, live(svc, _KIND, req.params[_ID]))


@handles("list_ml_applications")
def list_ml_applications(svc: Services, req: Request) -> Reply:
    """GET /mlApplications (``name`` and ``mlApplicationId`` filter exactly)."""
    purge(svc)
    filters = {
        "name": lambda data, value: data["name"] == value,
        "mlApplicationId": lambda data, value: data["id"] == value,
    }
    return list_reply(svc, req, _KIND, filters=filters)


@handles("update_ml_application")
def update_ml_application(svc: Services, req: Request) -> Reply:
    """PUT /mlApplications/{mlApplicationId}: description and tags."""
    with svc.store.lock:
        record = live(svc, _KIND, req.params[_ID])
        check_if_match(req, record)
        apply_update(record, req.body, ("description", "freeformTags", "definedTags"))
        record.apply({"timeUpdated": rfc3339(svc.now())})
        return resource_reply(svc, record)


@handles("delete_ml_application")
def delete_ml_application(svc: Services, req: Request) -> Reply:
    """DELETE /mlApplications/{mlApplicationId}: 409 while implementations or instances refer to it."""
    with svc.store.lock:
        record = live(svc, _KIND, req.params[_ID])
        check_if_match(req, record)
        for kind in ("ml_application_implementation", "ml_application_instance"):
            users = [
                r.id
                for r in svc.store.of_kind(kind)
                if r.data["mlApplicationId"] == record.id and r.data["lifecycleState"] != "DELETED"
            ]
            if users:
                raise ApiError(
                    409,
                    "IncorrectState",
                    f"cannot delete ML application {record.id}: {kind.replace('_', ' ')} {users[0]} refers to it",
                )
        del svc.store.records[record.id]
    return Reply(204, None, {})


@handles("change_ml_application_compartment")
def change_ml_application_compartment(svc: Services, req: Request) -> Reply:
    """POST /mlApplications/{mlApplicationId}/actions/changeCompartment (no work request)."""
    return move(svc, req, _KIND)
