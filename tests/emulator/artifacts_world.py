"""What the model-artifact tests share: a hook on the manual-clock emulator, a model with
custom and defined metadata, a KMS key pair and response validation."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_ds_provider.client.response import Response
from airflow_ds_provider.emulator import Emulator, Identity
from airflow_ds_provider.hooks.data_science import DataScienceHook
from airflow_ds_provider.spec import get_operation

from .validator import validate_response

CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"
KMS_KEY = "ocid1.key.oc1.iad.amaaaaaaexamplekmskey"
KMS_KEY_VERSION = "ocid1.keyversion.oc1.iad.amaaaaaaexamplekmskeyversion"
#: The metadata of the test model (keys the metadata artifacts are attached to).
CUSTOM = [{"key": "readme", "value": "see artifact", "category": "Other"}]
DEFINED = [{"key": "UseCaseType", "value": "binary_classification"}]


def make_hook(emu: Emulator, ident: Identity, monkeypatch: pytest.MonkeyPatch) -> DataScienceHook:
    """A DataScienceHook whose default connection points at ``emu``."""
    monkeypatch.setenv(CONN_ENV, emu.airflow_connection_json(ident))
    return DataScienceHook()


def checked(operation: str, resp: Response) -> Response:
    """``resp``, after checking its body against the operation's response model and that it
    carries the response headers the spec promises (etag, work request)."""
    op = get_operation(operation)
    if op.response_type and op.response_type != "stream" and op.method != "HEAD":
        validate_response(op.response_type, resp.data)
    for header in ("etag", "opc-work-request-id"):
        if header in op.response_headers:
            assert resp.headers.get(header), (operation, header, dict(resp.headers))
    return resp


def project_and_model(hook: DataScienceHook, **model: Any) -> tuple[str, str]:
    """A project and a model with :data:`CUSTOM` and :data:`DEFINED` metadata."""
    comp = hook.compartment_id
    pid = hook.create_project({"compartmentId": comp, "displayName": "p"}).data["id"]
    body = {
        "compartmentId": comp,
        "projectId": pid,
        "displayName": "m",
        "customMetadataList": CUSTOM,
        "definedMetadataList": DEFINED,
        **model,
    }
    return pid, checked("create_model", hook.create_model(body)).data["id"]


def signature_body(hook: DataScienceHook, **extra: Any) -> dict[str, Any]:
    """A CreateModelArtifactSignatureDetails body."""
    return {
        "compartmentId": hook.compartment_id,
        "kmsKeyId": KMS_KEY,
        "kmsKeyVersionId": KMS_KEY_VERSION,
        "signingAlgorithm": "SHA_256_RSA_PKCS_PSS",
        "displayName": "sig",
        **extra,
    }


def deployment_body(hook: DataScienceHook, pid: str, mid: str) -> dict[str, Any]:
    """A SINGLE_MODEL deployment with every nested model-configuration field set."""
    return {
        "projectId": pid,
        "compartmentId": hook.compartment_id,
        "displayName": "md",
        "modelDeploymentConfigurationDetails": {
            "deploymentType": "SINGLE_MODEL",
            "modelConfigurationDetails": {
                "modelId": mid,
                "instanceConfiguration": {
                    "instanceShapeName": "VM.Standard.E4.Flex",
                    "modelDeploymentInstanceShapeConfigDetails": {"ocpus": 2.0, "memoryInGBs": 32.0},
                },
                "scalingPolicy": {"policyType": "FIXED_SIZE", "instanceCount": 1},
                "bandwidthMbps": 20,
            },
        },
    }
