"""Minimal valid request bodies (wire format) for the integration tests."""

from __future__ import annotations

from typing import Any

SUBNET = "ocid1.subnet.oc1.iad.aaaaaaaatest"


def project(compartment_id: str, name: str = "p") -> dict[str, Any]:
    return {"compartmentId": compartment_id, "displayName": name}


def job(compartment_id: str, project_id: str, **tags: str) -> dict[str, Any]:
    return {
        "projectId": project_id,
        "compartmentId": compartment_id,
        "displayName": "train",
        "jobConfigurationDetails": {"jobType": "DEFAULT", "environmentVariables": {"EPOCHS": "3"}},
        "jobInfrastructureConfigurationDetails": {
            "jobInfrastructureType": "ME_STANDALONE",
            "shapeName": "VM.Standard.E4.Flex",
            "blockStorageSizeInGBs": 50,
            "jobShapeConfigDetails": {"ocpus": 1.0, "memoryInGBs": 16.0},
        },
        "freeformTags": dict(tags),
    }


def job_run(compartment_id: str, project_id: str, job_id: str, **tags: str) -> dict[str, Any]:
    return {
        "projectId": project_id,
        "compartmentId": compartment_id,
        "jobId": job_id,
        "displayName": "run",
        "freeformTags": dict(tags),
    }


def model(compartment_id: str, project_id: str) -> dict[str, Any]:
    return {"compartmentId": compartment_id, "projectId": project_id, "displayName": "m"}


def model_deployment(compartment_id: str, project_id: str, model_id: str) -> dict[str, Any]:
    return {
        "compartmentId": compartment_id,
        "projectId": project_id,
        "displayName": "md",
        "modelDeploymentConfigurationDetails": {
            "deploymentType": "SINGLE_MODEL",
            "modelConfigurationDetails": {
                "modelId": model_id,
                "instanceConfiguration": {"instanceShapeName": "VM.Standard.E4.Flex"},
                "scalingPolicy": {"policyType": "FIXED_SIZE", "instanceCount": 1},
            },
        },
    }


def notebook_session(compartment_id: str, project_id: str) -> dict[str, Any]:
    return {
        "compartmentId": compartment_id,
        "projectId": project_id,
        "displayName": "nb",
        "notebookSessionConfigDetails": {"shape": "VM.Standard.E4.Flex", "blockStorageSizeInGBs": 50},
    }
