"""Compute targets on the manual clock (CREATING -> ACTIVE, UPDATING, DELETING -> DELETED with work
requests, scripted failures), and the compute-target-shape and container catalogues."""

from __future__ import annotations

import pytest

from airflow_ds_provider.client.errors import BadRequestError
from airflow_ds_provider.emulator.resources.platform_catalogues import COMPUTE_TARGET_SHAPES, CONTAINERS

from .platform_world import platform  # noqa: F401 - the fixture


def test_lifecycle_with_work_requests(platform, emu, client):  # noqa: F811
    p = platform
    created = p.call("create_compute_target", p.compute_target_body(metadata={"team": "ml"}))
    ct = created.data
    assert ct["id"].startswith("ocid1.datasciencecomputetarget.oc1.") and ct["lifecycleState"] == "CREATING"
    assert ct["computeTargetSystemData"] == {
        "computeType": "MANAGED_COMPUTE_CLUSTER",
        "currentInstanceCount": 2,
    }
    assert p.work_request(created)["operationType"] == "COMPUTE_TARGET_CREATE"
    emu.advance(2)
    assert p.get("compute_target", ct["id"])["lifecycleState"] == "ACTIVE"
    policy = {"policyType": "FIXED_SIZE", "instanceCount": 4}
    change = {"computeType": "MANAGED_COMPUTE_CLUSTER", "scalingPolicy": policy}
    updated = p.call("update_compute_target", ct["id"], {"computeConfigurationDetails": change})
    assert p.work_request(updated)["operationType"] == "COMPUTE_TARGET_UPDATE"
    assert p.get("compute_target", ct["id"])["lifecycleState"] == "UPDATING"
    emu.advance(2)
    after = p.get("compute_target", ct["id"])
    config = after["computeConfigurationDetails"]
    assert config["scalingPolicy"] == policy
    assert config["instanceConfiguration"] == {"instanceShape": "VM.GPU.A10.1", "bootVolumeSizeInGBs": 100}
    assert after["computeTargetSystemData"]["currentInstanceCount"] == 4 and after["metadata"] == {
        "team": "ml"
    }
    shape = {"computeType": "MANAGED_COMPUTE_CLUSTER", "instanceConfiguration": {"bootVolumeSizeInGBs": 200}}
    p.call("update_compute_target", ct["id"], {"computeConfigurationDetails": shape})
    emu.advance(2)
    kept = p.get("compute_target", ct["id"])["computeConfigurationDetails"]
    assert (
        kept["instanceConfiguration"]["instanceShape"] == "VM.GPU.A10.1" and kept["scalingPolicy"] == policy
    )
    moved = p.call("change_compute_target_compartment", ct["id"], {"compartmentId": p.comp})
    assert "opc-work-request-id" not in moved.headers  # the spec's move has no work request
    gone = p.call("delete_compute_target", ct["id"])
    assert p.work_request(gone)["operationType"] == "COMPUTE_TARGET_DELETE"
    busy = client.op("update_compute_target", compute_target_id=ct["id"], json={"displayName": "x"})
    assert (
        busy.status_code == 409 and "cannot update compute target in state DELETING" in busy.json()["message"]
    )
    emu.advance(2)
    assert p.get("compute_target", ct["id"])["lifecycleState"] == "DELETED"


def test_a_scripted_create_failure(platform, emu):  # noqa: F811
    p = platform
    tags = {"emulator-fail-actions": "create", "emulator-details": "no capacity"}
    created = p.call("create_compute_target", p.compute_target_body(freeformTags=tags))
    emu.advance(2)
    got = p.get("compute_target", created.data["id"])
    assert (got["lifecycleState"], got["lifecycleDetails"]) == ("FAILED", "no capacity")
    assert p.work_request(created)["status"] == "FAILED"


@pytest.mark.parametrize(
    ("instance", "field"),
    [
        ({"instanceShape": "VM.Tiny.1"}, r"instanceConfiguration\.instanceShape"),
        ({"instanceShape": "VM.GPU.A10.1", "capacityReservationIds": ["cr"]}, r"capacityReservationIds\[0\]"),
    ],
)
def test_bad_configuration_is_refused_naming_the_field(platform, instance, field):  # noqa: F811
    body = platform.compute_target_body()
    body["computeConfigurationDetails"]["instanceConfiguration"] = instance
    with pytest.raises(BadRequestError, match=field):
        platform.hook.create_compute_target(body)


def test_the_shape_catalogue_pages(platform):  # noqa: F811
    p = platform
    first = p.call("list_compute_target_shapes", p.comp, limit=3)
    assert len(first.data) == 3 and first.headers["opc-next-page"]
    everything = p.call("list_all_compute_target_shapes", p.comp, limit=3)
    assert [s["name"] for s in everything] == [s["name"] for s in COMPUTE_TARGET_SHAPES]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, len(CONTAINERS)),
        ({"is_latest": False}, 2),
        ({"target_workload": "JOB_RUN"}, 3),
        ({"usage_query_param": "FINE_TUNE"}, 1),
        ({"lifecycle_state": "INACTIVE"}, 1),
        ({"container_name": "dsmc://odsc-vllm-serving"}, 2),
        ({"container_name": "dsmc://odsc-vllm-serving", "tag_query_param": "0.5.3.post1"}, 1),
        ({"display_name": "TGI SERVING"}, 1),
    ],
)
def test_the_container_catalogue_filters(platform, filters, expected):  # noqa: F811
    got = platform.call("list_all_containers", limit=2, **filters)
    assert len(got) == expected


def test_a_bad_container_filter_is_refused(client):
    answer = client.op("list_containers", params={"usageQueryParam": "TRAINING"}, expect=400).json()
    assert "usageQueryParam" in answer["message"]
    answer = client.op("list_containers", params={"isLatest": "maybe"}, expect=400).json()
    assert "isLatest" in answer["message"]


def test_an_autoscaling_cluster_starts_with_its_initial_instance_count(platform):  # noqa: F811
    rule = {
        "metricExpressionRuleType": "PREDEFINED_EXPRESSION",
        "metricType": "CPU_UTILIZATION",
        "scaleInConfiguration": {"scalingConfigurationType": "THRESHOLD", "threshold": 20},
        "scaleOutConfiguration": {"scalingConfigurationType": "THRESHOLD", "threshold": 80},
    }
    threshold = {
        "autoScalingPolicyType": "THRESHOLD",
        "rules": [rule],
        "minimumInstanceCount": 1,
        "maximumInstanceCount": 5,
        "initialInstanceCount": 3,
    }
    body = platform.compute_target_body()
    body["computeConfigurationDetails"]["scalingPolicy"] = {
        "policyType": "AUTOSCALING",
        "autoScalingPolicies": [threshold],
    }
    created = platform.call("create_compute_target", body).data
    assert created["computeTargetSystemData"]["currentInstanceCount"] == 3
    del body["computeConfigurationDetails"]["scalingPolicy"]
    assert (
        platform.call("create_compute_target", body).data["computeTargetSystemData"]["currentInstanceCount"]
        == 1
    )
