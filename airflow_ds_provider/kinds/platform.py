"""Resource kinds of the platform area: schedules, Data Science private endpoints and compute
targets (states from the models of the full API). Schedules and private endpoints have operators,
sensors and triggers; compute targets do not yet (no operator was asked for: issue #15)."""

from __future__ import annotations

from airflow_ds_provider.resource_model import Action, Resource, fs

KINDS: tuple[Resource, ...] = (
    Resource(
        name="schedule",
        # not confirmed by the reference: the obvious spelling of the other Data Science types
        ocid_type="datascienceschedule",
        collection="schedules",
        states=fs("CREATING", "ACTIVE", "INACTIVE", "UPDATING", "DELETING", "DELETED", "FAILED"),
        pending=fs("CREATING", "UPDATING", "DELETING"),
        success=fs("ACTIVE"),
        failure=fs("FAILED", "DELETED"),
        final=fs("FAILED", "DELETED"),
        actions={
            "create": Action("CREATING", "ACTIVE", outcomes=fs("ACTIVE", "FAILED")),
            # an update settles back in the state it started from (ACTIVE or INACTIVE)
            "update": Action(
                "UPDATING",
                "ACTIVE",
                sources=fs("ACTIVE", "INACTIVE"),
                outcomes=fs("ACTIVE", "INACTIVE", "FAILED"),
            ),
            "activate": Action("UPDATING", "ACTIVE", sources=fs("INACTIVE"), outcomes=fs("ACTIVE", "FAILED")),
            "deactivate": Action(
                "UPDATING", "INACTIVE", sources=fs("ACTIVE"), outcomes=fs("INACTIVE", "FAILED")
            ),
            "delete": Action("DELETING", "DELETED", sources=fs("ACTIVE", "INACTIVE", "FAILED")),
        },
        waitable=True,
        # not confirmed by the reference: the pattern of the attested console pages
        console=("schedules", "OCI Data Science Schedule"),
    ),
    Resource(
        name="data_science_private_endpoint",
        ocid_type="datascienceprivateendpoint",
        collection="dataSciencePrivateEndpoints",
        states=fs("CREATING", "ACTIVE", "UPDATING", "DELETING", "DELETED", "FAILED", "NEEDS_ATTENTION"),
        pending=fs("CREATING", "UPDATING", "DELETING"),
        success=fs("ACTIVE"),
        failure=fs("FAILED", "DELETED", "NEEDS_ATTENTION"),
        final=fs("FAILED", "DELETED"),
        actions={
            "create": Action("CREATING", "ACTIVE", outcomes=fs("ACTIVE", "FAILED", "NEEDS_ATTENTION")),
            "update": Action(
                "UPDATING",
                "ACTIVE",
                failed="NEEDS_ATTENTION",
                sources=fs("ACTIVE", "NEEDS_ATTENTION"),
                outcomes=fs("ACTIVE", "FAILED", "NEEDS_ATTENTION"),
            ),
            "delete": Action("DELETING", "DELETED", sources=fs("ACTIVE", "FAILED", "NEEDS_ATTENTION")),
        },
        waitable=True,
        # not confirmed by the reference: the pattern of the attested console pages
        console=("private-endpoints", "OCI Data Science Private Endpoint"),
        display="private endpoint",
        work_request_kind="PRIVATE_ENDPOINT",
        short="private_endpoint",
    ),
    Resource(
        name="compute_target",
        # not confirmed by the reference: the obvious spelling of the other Data Science types
        ocid_type="datasciencecomputetarget",
        collection="computeTargets",
        states=fs("CREATING", "ACTIVE", "DELETING", "DELETED", "FAILED", "UPDATING", "NEEDS_ATTENTION"),
        pending=fs("CREATING", "UPDATING", "DELETING"),
        success=fs("ACTIVE"),
        failure=fs("FAILED", "DELETED", "NEEDS_ATTENTION"),
        final=fs("FAILED", "DELETED"),
        actions={
            "create": Action("CREATING", "ACTIVE", outcomes=fs("ACTIVE", "FAILED", "NEEDS_ATTENTION")),
            "update": Action(
                "UPDATING",
                "ACTIVE",
                failed="NEEDS_ATTENTION",
                sources=fs("ACTIVE", "NEEDS_ATTENTION"),
                outcomes=fs("ACTIVE", "FAILED", "NEEDS_ATTENTION"),
            ),
            "delete": Action("DELETING", "DELETED", sources=fs("ACTIVE", "FAILED", "NEEDS_ATTENTION")),
        },
        operators=False,
    ),
)
