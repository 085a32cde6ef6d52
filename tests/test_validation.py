"""The one body validator (spec/validation.py): problems as data, worded by the operators and the emulator."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_ds_provider.emulator.schema import BodyError, validate
from airflow_ds_provider.operators._create_path import check_body
from airflow_ds_provider.spec.validation import Problem, walk

PROJECT = "ocid1.datascienceproject.oc1.iad.aaaa"
COMPARTMENT = "ocid1.compartment.oc1..aaaa"


def _job(**infra: Any) -> dict[str, Any]:
    return {
        "projectId": PROJECT,
        "compartmentId": COMPARTMENT,
        "jobInfrastructureConfigurationDetails": {
            "jobInfrastructureType": "STANDALONE",
            "shapeName": "VM.Standard2.1",
            "subnetId": "ocid1.subnet.oc1.iad.aaaa",
            "blockStorageSizeInGBs": 50,
            **infra,
        },
    }


def _kinds(body: Any, model: str = "CreateJobDetails") -> list[tuple[str, str]]:
    return [(p.path, p.kind) for p in walk(model, body).problems]


def test_a_good_body_has_no_problems_and_its_objects_are_nodes_in_pre_order() -> None:
    report = walk("CreateJobDetails", _job(), is_timestamp=lambda v: True)
    assert report.problems == []
    assert [(n.path, n.type, n.model, n.via) for n in report.nodes] == [
        ("", "CreateJobDetails", "CreateJobDetails", "root"),
        (
            "jobInfrastructureConfigurationDetails",
            "JobInfrastructureConfigurationDetails",
            "StandaloneJobInfrastructureConfigurationDetails",
            "field",
        ),
    ]


def test_unknown_required_empty_enum_and_type_problems_are_data() -> None:
    body = _job(shapeName="", blockStorageSizeInGBs="50", bogus=1)
    del body["projectId"]
    infra = "jobInfrastructureConfigurationDetails"
    problems = walk("CreateJobDetails", body).problems
    assert problems == [
        Problem("projectId", "required", "str", None, "", "CreateJobDetails", "projectId"),
        Problem(
            f"{infra}.bogus",
            "unknown",
            sorted(
                [
                    "jobInfrastructureType",
                    "shapeName",
                    "subnetId",
                    "blockStorageSizeInGBs",
                    "capacityReservationId",
                    "jobShapeConfigDetails",
                ]
            ),
            1,
            infra,
            "StandaloneJobInfrastructureConfigurationDetails",
            "bogus",
        ),
        Problem(
            f"{infra}.shapeName",
            "empty",
            "str",
            "",
            infra,
            "StandaloneJobInfrastructureConfigurationDetails",
            "shapeName",
        ),
        Problem(f"{infra}.blockStorageSizeInGBs", "type", "integer", "50", infra),
    ]


def test_a_discriminator_naming_no_model_is_the_problem_whatever_its_type() -> None:
    deployment = {
        "deploymentType": "SINGLE_MODEL",
        "modelConfigurationDetails": {
            "modelId": "m",
            "instanceConfiguration": {"instanceShapeName": "VM.Standard2.1"},
        },
    }
    body = {
        "projectId": PROJECT,
        "compartmentId": COMPARTMENT,
        "modelDeploymentConfigurationDetails": deployment,
    }
    deployment["modelConfigurationDetails"]["scalingPolicy"] = {
        "policyType": "FIXED_SIZE",
        "instanceCount": 1,
    }
    assert walk("CreateModelDeploymentDetails", body).problems == []
    concrete = walk("ModelDeploymentConfigurationDetails", {**deployment, "deploymentType": 5})
    # 5 names no concrete model: a discriminator problem, the concrete model is not walked
    assert [(p.kind, p.expected) for p in concrete.problems] == [
        ("discriminator", ["MODEL_GROUP", "SINGLE_MODEL", "SINGLE_MODEL_FLEX"])
    ]


_DISC = "jobInfrastructureConfigurationDetails.jobInfrastructureType"


def test_enum_values_are_checked_whatever_their_type() -> None:
    infra = {**_job()["jobInfrastructureConfigurationDetails"], "jobInfrastructureType": 5}
    problems = walk("StandaloneJobInfrastructureConfigurationDetails", infra).problems
    assert [(p.kind, p.got) for p in problems] == [("enum", 5), ("type", 5)]
    # the emulator lets a non-string enum value fail as a type; the operators name the values
    with pytest.raises(BodyError, match=r"^jobInfrastructureType: must be a string$"):
        validate("StandaloneJobInfrastructureConfigurationDetails", infra)
    with pytest.raises(ValueError, match=r"jobInfrastructureType must be one of \['STANDALONE'.*got 5$"):
        check_body("StandaloneJobInfrastructureConfigurationDetails", infra, "infra")


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (None, [(_DISC, "required")]),
        ("", [(_DISC, "empty"), (_DISC, "discriminator")]),
        ("NOPE", [(_DISC, "discriminator")]),
        # a valid kind resolves its own concrete model, whose fields are then checked
        (
            "MULTI_NODE",
            [
                ("jobInfrastructureConfigurationDetails.subnetId", "unknown"),
                ("jobInfrastructureConfigurationDetails.bogus", "unknown"),
                ("jobInfrastructureConfigurationDetails.shapeName", "required"),
            ],
        ),
    ],
)
def test_a_polymorphic_discriminator_resolves_the_model_or_is_the_problem(kind: Any, expected: list) -> None:
    body = _job(jobInfrastructureType=kind, shapeName=None, bogus=1)
    if kind is None:
        del body["jobInfrastructureConfigurationDetails"]["jobInfrastructureType"]
    assert _kinds(body) == expected


def test_list_items_dict_values_and_timestamps_are_walked() -> None:
    body = {
        **_job(),
        "jobStorageMountConfigurationDetailsList": [{"storageType": "NOPE"}, None, 3],
        "freeformTags": {"a": 1},
    }
    problems = walk("CreateJobDetails", body).problems
    paths = [(p.path, p.kind, p.expected) for p in problems]
    assert ("freeformTags.a", "type", "string") in paths
    assert ("jobStorageMountConfigurationDetailsList[2]", "type", "StorageMountConfigurationDetails") in paths
    assert walk("list[str]", "x").problems == [Problem("", "type", "list", "x", "")]
    stamps = walk("datetime", "yesterday", is_timestamp=lambda v: v.endswith("Z")).problems
    assert [p.expected for p in stamps] == ["timestamp"]
    assert walk("datetime", "yesterday").problems == []  # no checker: not checked


def test_the_request_models_the_spec_lacks_are_walked_too() -> None:
    problems = walk("ChangeJobCompartmentDetails", {"other": 1}).problems
    assert [(p.path, p.kind) for p in problems] == [("other", "unknown"), ("compartmentId", "required")]


# The same walk, worded by each caller: the operators name the argument and the model,
# the emulator names the path the way the service's 400 InvalidParameter does.
@pytest.mark.parametrize(
    ("body", "operator_message", "emulator_message"),
    [
        (
            _job(shapeName=None),
            "create_job_details.jobInfrastructureConfigurationDetails: "
            "StandaloneJobInfrastructureConfigurationDetails.shapeName is required (str)",
            "jobInfrastructureConfigurationDetails.shapeName: is required",
        ),
        (
            _job(jobShapeConfigDetails=[]),
            "create_job_details.jobInfrastructureConfigurationDetails.jobShapeConfigDetails: "
            "expected a JSON object (JobShapeConfigDetails), got list",
            "jobInfrastructureConfigurationDetails.jobShapeConfigDetails: must be a JSON object (JobShapeConfigDetails)",
        ),
        (
            {**_job(), "displayName": 7, "extra": 1},
            "create_job_details: unknown field(s) ['extra'] for CreateJobDetails; expected some of",
            "extra: is not a field of CreateJobDetails",
        ),
        (
            _job(jobInfrastructureType="NOPE"),
            "create_job_details.jobInfrastructureConfigurationDetails: JobInfrastructureConfigurationDetails."
            "jobInfrastructureType must be one of ['STANDALONE', 'ME_STANDALONE', 'MULTI_NODE', 'EMPTY', "
            "'MANAGED_COMPUTE_CLUSTER'], got 'NOPE'",
            "jobInfrastructureConfigurationDetails.jobInfrastructureType: must be one of "
            "['EMPTY', 'MANAGED_COMPUTE_CLUSTER', 'ME_STANDALONE', 'MULTI_NODE', 'STANDALONE'], got 'NOPE'",
        ),
    ],
)
def test_operators_and_emulator_word_the_same_problem(
    body: dict[str, Any], operator_message: str, emulator_message: str
) -> None:
    with pytest.raises(ValueError) as operator_error:
        check_body("CreateJobDetails", body, "create_job_details")
    assert str(operator_error.value).startswith(operator_message)
    with pytest.raises(BodyError, match=None) as emulator_error:
        validate("CreateJobDetails", body)
    assert str(emulator_error.value) == emulator_message


def test_each_caller_lets_through_what_it_always_has() -> None:
    # an empty required string: the operators call it missing, the emulator lets the service decide
    body = _job(shapeName="")
    with pytest.raises(ValueError, match=r"shapeName is required \(str\)"):
        check_body("CreateJobDetails", body, "create_job_details")
    validate("CreateJobDetails", body)
    # a wrong scalar type: the emulator's 400, the operators leave it to the service
    body = _job(blockStorageSizeInGBs="50")
    check_body("CreateJobDetails", body, "create_job_details")
    with pytest.raises(BodyError, match=r"blockStorageSizeInGBs: must be an integer"):
        validate("CreateJobDetails", body)
