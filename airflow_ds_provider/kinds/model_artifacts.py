"""Resource kinds of the model-artifact area: artifact signatures, nested under a model
(``/models/{modelId}/artifactSignatures/{artifactSignatureId}``)."""

from __future__ import annotations

from airflow_ds_provider.resource_model import EXPLAIN_WORK_REQUEST_ERRORS, Action, Resource, fs

KINDS: tuple[Resource, ...] = (
    Resource(
        name="model_artifact_signature",
        # not confirmed by the reference: the obvious spelling of the service's OCID types
        ocid_type="datasciencemodelartifactsignature",
        collection="artifactSignatures",
        states=fs("ACTIVE", "CREATING", "DELETED", "FAILED"),
        pending=fs("CREATING"),
        success=fs("ACTIVE"),
        failure=fs("FAILED", "DELETED"),
        final=fs("FAILED", "DELETED"),
        actions={
            # CREATE_MODEL_ARTIFACT_SIGNATURE work request: the artifact's digest is signed with
            # the KMS key version
            "create": Action("CREATING", "ACTIVE"),
            # display name and tags only; a work request, the state stays ACTIVE
            "update": Action(None, "ACTIVE", sources=fs("ACTIVE")),
            # VERIFY_MODEL_ARTIFACT_SIGNATURE work request (fails when the digest differs)
            "verify": Action(None, "ACTIVE", sources=fs("ACTIVE")),
            # synchronous (no work request, no DELETING state)
            "delete": Action(None, "DELETED", sources=fs("ACTIVE", "FAILED")),
        },
        details_field=None,
        explain=EXPLAIN_WORK_REQUEST_ERRORS,
        operators=False,
        waitable=False,
        display="model artifact signature",
        id_arg="artifact_signature_id",
        parent="model",
    ),
)
