"""Data Science private endpoints on the manual clock: CREATING -> ACTIVE, UPDATING, DELETING ->
DELETED with work requests; scripted FAILED / NEEDS_ATTENTION; the subnet, subdomain and fqdn."""

from __future__ import annotations

import pytest

from airflow_ds_provider.client.errors import BadRequestError
from airflow_ds_provider.ocids import kind_of, validate_ocid

from .platform_world import SUBNET, platform  # noqa: F401 - the fixture

KIND = "data_science_private_endpoint"


def test_lifecycle_with_work_requests(platform, emu, client):  # noqa: F811
    p = platform
    created = p.call("create_data_science_private_endpoint", p.endpoint_body(subDomain="train", nsgIds=[]))
    pe = created.data
    assert kind_of(pe["id"]) == KIND and pe["id"].startswith("ocid1.datascienceprivateendpoint.oc1.")
    assert (pe["lifecycleState"], pe["subnetId"]) == ("CREATING", SUBNET)
    assert pe["fqdn"].startswith("train.") and pe["dataScienceResourceType"] == "NOTEBOOK_SESSION"
    assert created.headers["location"].endswith(f"/dataSciencePrivateEndpoints/{pe['id']}")
    assert p.work_request(created)["operationType"] == "PRIVATE_ENDPOINT_CREATE"
    body = client.op(
        "update_data_science_private_endpoint", data_science_private_endpoint_id=pe["id"], json={}
    )
    assert body.status_code == 409 and "in state CREATING" in body.json()["message"]
    emu.advance(2)
    assert p.work_request(created)["status"] == "SUCCEEDED"
    assert p.get(KIND, pe["id"])["lifecycleState"] == "ACTIVE"
    updated = p.call("update_data_science_private_endpoint", pe["id"], {"description": "for notebooks"})
    assert (updated.data["lifecycleState"], updated.data["description"]) == ("UPDATING", "for notebooks")
    assert p.work_request(updated)["operationType"] == "PRIVATE_ENDPOINT_UPDATE"
    emu.advance(2)
    assert p.get(KIND, pe["id"])["lifecycleState"] == "ACTIVE"
    moved = p.call("change_data_science_private_endpoint_compartment", pe["id"], {"compartmentId": p.comp})
    assert p.work_request(moved)["operationType"] == "PRIVATE_ENDPOINT_MOVE"
    gone = p.call("delete_data_science_private_endpoint", pe["id"])
    assert p.work_request(gone)["operationType"] == "PRIVATE_ENDPOINT_DELETE"
    assert p.get(KIND, pe["id"])["lifecycleState"] == "DELETING"
    emu.advance(2)
    assert p.get(KIND, pe["id"])["lifecycleState"] == "DELETED"
    again = client.op("delete_data_science_private_endpoint", data_science_private_endpoint_id=pe["id"])
    assert again.status_code == 409 and "in state DELETED" in again.json()["message"]


@pytest.mark.parametrize(
    ("tags", "action", "state"),
    [
        ({"emulator-fail-actions": "create"}, "create", "FAILED"),
        ({"emulator-fail-actions": "update", "emulator-details": "subnet full"}, "update", "NEEDS_ATTENTION"),
    ],
)
def test_scripted_failures(platform, emu, tags, action, state):  # noqa: F811
    p = platform
    created = p.call("create_data_science_private_endpoint", p.endpoint_body(freeformTags=tags))
    pe, work = created.data["id"], created
    emu.advance(2)
    if action == "update":
        work = p.call("update_data_science_private_endpoint", pe, {"displayName": "x"})
        emu.advance(2)
    got = p.get(KIND, pe)
    assert got["lifecycleState"] == state
    assert got["lifecycleDetails"] == tags.get("emulator-details", got["lifecycleDetails"]) != ""
    assert p.work_request(work)["status"] == "FAILED"
    errors = p.hook.list_work_request_errors(work.headers["opc-work-request-id"]).data
    assert errors and errors[0]["message"] == got["lifecycleDetails"]
    if state == "NEEDS_ATTENTION":  # it may be updated again, and comes back
        p.call("update_data_science_private_endpoint", pe, {"freeformTags": {}})
        emu.advance(2)
        assert p.get(KIND, pe)["lifecycleState"] == "ACTIVE"
    p.call("delete_data_science_private_endpoint", pe)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"subnetId": "ocid1.vcn.oc1.iad.aaaaaaaavcn"}, "subnetId"),
        ({"subnetId": "subnet-1"}, "subnetId"),
        ({"subDomain": "Not_A_Label"}, "subDomain"),
        ({"nsgIds": ["nsg-1"]}, r"nsgIds\[0\]"),
        ({"dataScienceResourceType": "JOB"}, "dataScienceResourceType"),
    ],
)
def test_bad_input_is_refused_naming_the_field(platform, extra, field):  # noqa: F811
    with pytest.raises(BadRequestError, match=field):
        platform.hook.create_data_science_private_endpoint(platform.endpoint_body(**extra))


def test_the_list_filters_by_resource_type(platform, emu):  # noqa: F811
    p = platform
    nb = p.call("create_data_science_private_endpoint", p.endpoint_body()).data["id"]
    md = p.call(
        "create_data_science_private_endpoint", p.endpoint_body(dataScienceResourceType="MODEL_DEPLOYMENT")
    ).data["id"]
    listed = p.call(
        "list_all_data_science_private_endpoints", p.comp, data_science_resource_type="MODEL_DEPLOYMENT"
    )
    assert [e["id"] for e in listed] == [md]
    assert {e["id"] for e in p.call("list_all_data_science_private_endpoints", p.comp)} == {nb, md}
    emu.advance(2)
    active = p.call("list_all_data_science_private_endpoints", p.comp, lifecycle_state="CREATING")
    assert active == []


def test_a_private_endpoint_id_argument_names_this_kind():
    ocid = "ocid1.datascienceprivateendpoint.oc1.iad.amaaaaaaexample"
    assert validate_ocid(ocid, "private_endpoint_id") == ocid
    assert validate_ocid(ocid, "privateEndpointId") == ocid
    with pytest.raises(ValueError, match=r"privateEndpointId: .* is the OCID of a subnet"):
        validate_ocid(SUBNET, "privateEndpointId")
