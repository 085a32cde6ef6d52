"""Data Science private endpoints: CREATING -> ACTIVE, UPDATING on update, DELETING -> DELETED,
every change with a work request; FAILED / NEEDS_ATTENTION are scriptable (see
:mod:`.platform_common`). The endpoint's ``fqdn`` is ``<subDomain>.<region>`` under a private
Data Science domain (the subdomain is generated when the request names none)."""

from __future__ import annotations

import re

from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources.base import (
    Reply,
    Request,
    Services,
    check_compartment,
    idempotent,
    invalid,
    list_reply,
    tags,
)
from airflow_ds_provider.emulator.resources.platform_common import (
    action_with_work_request,
    checked_ocid,
    checked_tags,
    create_with_work_request,
    get_one,
    move,
    update_patch,
)
from airflow_ds_provider.emulator.resources.registry import handles

_KIND = "data_science_private_endpoint"
_SUB_DOMAIN = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
_UPDATABLE = ("displayName", "description", "nsgIds", "freeformTags", "definedTags")


def _nsg_ids(value: object) -> list[str]:
    if value is None:
        return []
    return [checked_ocid(item, f"nsgIds[{i}]") for i, item in enumerate(value)]  # type: ignore[union-attr]


@handles("create_data_science_private_endpoint")
def create_data_science_private_endpoint(svc: Services, req: Request) -> Reply:
    """POST /dataSciencePrivateEndpoints."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        subnet = checked_ocid(body.get("subnetId"), "subnetId", ("subnet",))
        checked_tags(_KIND, body)
        ocid = new_ocid(_KIND, svc.region)
        sub_domain = body.get("subDomain") or f"pe-{ocid.rsplit('.', 1)[-1][-10:].lower()}"
        if not _SUB_DOMAIN.match(sub_domain):
            raise invalid(
                "subDomain", "must be a DNS label: lowercase letters, digits and '-', starting with a letter"
            )
        now = rfc3339(svc.now())
        data = {
            "id": ocid,
            "compartmentId": compartment,
            "displayName": body.get("displayName") or f"privateendpoint{int(svc.now())}",
            **({"description": body["description"]} if body.get("description") is not None else {}),
            "subnetId": subnet,
            "nsgIds": _nsg_ids(body.get("nsgIds")),
            "fqdn": f"{sub_domain}.{svc.region}.datascience.oraclevcn.com",
            "dataScienceResourceType": body["dataScienceResourceType"],
            "createdBy": req.principal.user,
            "timeCreated": now,
            "timeUpdated": now,
            "lifecycleDetails": "",
            "systemTags": {},
            **tags(body),
        }
        return create_with_work_request(svc, req, _KIND, data)

    return idempotent(svc, req, create)


@handles("get_data_science_private_endpoint")
def get_data_science_private_endpoint(svc: Services, req: Request) -> Reply:
    """GET /dataSciencePrivateEndpoints/{dataSciencePrivateEndpointId}."""
    return get_one(svc, req, _KIND)


@handles("list_data_science_private_endpoints")
def list_data_science_private_endpoints(svc: Services, req: Request) -> Reply:
    """GET /dataSciencePrivateEndpoints (filters: state, name, creator, resource type)."""
    filters = {"dataScienceResourceType": lambda data, value: data.get("dataScienceResourceType") == value}
    return list_reply(svc, req, _KIND, filters=filters)


@handles("update_data_science_private_endpoint")
def update_data_science_private_endpoint(svc: Services, req: Request) -> Reply:
    """PUT /dataSciencePrivateEndpoints/{dataSciencePrivateEndpointId}: ACTIVE -> UPDATING -> ACTIVE."""
    checked_tags(_KIND, req.body)
    patch = update_patch(req.body, _UPDATABLE)
    if "nsgIds" in patch:
        patch["nsgIds"] = _nsg_ids(patch["nsgIds"])
    patch["timeUpdated"] = svc.stamp()
    return action_with_work_request(svc, req, _KIND, "update", patch=patch, with_body=True)


@handles("delete_data_science_private_endpoint")
def delete_data_science_private_endpoint(svc: Services, req: Request) -> Reply:
    """DELETE /dataSciencePrivateEndpoints/{dataSciencePrivateEndpointId}: DELETING -> DELETED."""
    return action_with_work_request(svc, req, _KIND, "delete")


@handles("change_data_science_private_endpoint_compartment")
def change_data_science_private_endpoint_compartment(svc: Services, req: Request) -> Reply:
    """POST /dataSciencePrivateEndpoints/{dataSciencePrivateEndpointId}/actions/changeCompartment."""
    return move(svc, req, _KIND)
