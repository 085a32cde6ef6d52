"""The seed kinds: projects, jobs, job runs, models, model deployments, notebook sessions and work
requests."""

from __future__ import annotations

from airflow_ds_provider.resource_model import DELETE, EXPLAIN_WORK_REQUEST_ERRORS, Action, Resource, fs

KINDS: tuple[Resource, ...] = (
    Resource(
        name="project",
        ocid_type="datascienceproject",
        collection="projects",
        states=fs("ACTIVE", "DELETING", "DELETED"),
        pending=fs("DELETING"),
        success=fs("ACTIVE"),
        failure=fs("DELETED"),
        details_field=None,
        actions={"create": Action(None, "ACTIVE"), "delete": DELETE},
        console=("projects", "OCI Data Science Project"),
    ),
    Resource(
        name="job",
        ocid_type="datasciencejob",
        collection="jobs",
        states=fs("CREATING", "ACTIVE", "DELETING", "FAILED", "DELETED"),
        pending=fs("CREATING", "DELETING"),
        success=fs("ACTIVE"),
        failure=fs("FAILED", "DELETED"),
        final=fs("FAILED", "DELETED"),
        actions={"create": Action("CREATING", "ACTIVE"), "delete": DELETE},
        console=("jobs", "OCI Data Science Job"),
    ),
    Resource(
        name="job_run",
        ocid_type="datasciencejobrun",
        collection="jobRuns",
        states=fs(
            "ACCEPTED",
            "IN_PROGRESS",
            "FAILED",
            "SUCCEEDED",
            "CANCELING",
            "CANCELED",
            "DELETED",
            "NEEDS_ATTENTION",
        ),
        pending=fs("ACCEPTED", "IN_PROGRESS", "CANCELING"),
        success=fs("SUCCEEDED"),
        failure=fs("FAILED", "CANCELED", "DELETED", "NEEDS_ATTENTION"),
        final=fs("SUCCEEDED", "FAILED", "CANCELED", "DELETED"),
        actions={
            "create": Action(
                "ACCEPTED",
                "SUCCEEDED",
                outcomes=fs("SUCCEEDED", "FAILED", "NEEDS_ATTENTION", "CANCELED"),
            ),
            "start": Action("IN_PROGRESS", "SUCCEEDED"),
            # OCI docs: a run may be cancelled while ACCEPTED, IN_PROGRESS or NEEDS_ATTENTION.
            "cancel": Action(
                "CANCELING", "CANCELED", sources=fs("ACCEPTED", "IN_PROGRESS", "NEEDS_ATTENTION")
            ),
            # only a finished run may be deleted (a running one is cancelled first)
            "delete": Action(None, "DELETED", sources=fs("SUCCEEDED", "FAILED", "CANCELED")),
        },
        waitable=True,
        console=("job-runs", "OCI Data Science Job Run"),
        log_source="job_run",
    ),
    Resource(
        name="model",
        ocid_type="datasciencemodel",
        collection="models",
        states=fs("ACTIVE", "DELETED", "FAILED", "INACTIVE"),
        pending=fs(),
        success=fs("ACTIVE"),
        failure=fs("FAILED", "DELETED"),
        actions={
            "create": Action(None, "ACTIVE"),
            "activate": Action(None, "ACTIVE", sources=fs("INACTIVE")),
            "deactivate": Action(None, "INACTIVE", sources=fs("ACTIVE")),
            "delete": Action(None, "DELETED", sources=fs("ACTIVE", "INACTIVE", "FAILED")),
        },
        console=("models", "OCI Data Science Model"),
    ),
    Resource(
        name="model_deployment",
        ocid_type="datasciencemodeldeployment",
        collection="modelDeployments",
        states=fs(
            "CREATING",
            "ACTIVE",
            "DELETING",
            "FAILED",
            "INACTIVE",
            "UPDATING",
            "DELETED",
            "NEEDS_ATTENTION",
        ),
        pending=fs("CREATING", "UPDATING", "DELETING"),
        success=fs("ACTIVE"),
        failure=fs("FAILED", "DELETED", "NEEDS_ATTENTION"),
        actions={
            "create": Action(
                "CREATING", "ACTIVE", outcomes=fs("ACTIVE", "FAILED", "NEEDS_ATTENTION", "INACTIVE")
            ),
            "update": Action(
                "UPDATING",
                "ACTIVE",
                failed="NEEDS_ATTENTION",
                sources=fs("ACTIVE", "INACTIVE", "NEEDS_ATTENTION"),
                outcomes=fs("ACTIVE", "INACTIVE", "FAILED", "NEEDS_ATTENTION"),
            ),
            "activate": Action(
                "UPDATING",
                "ACTIVE",
                sources=fs("INACTIVE"),
                outcomes=fs("ACTIVE", "FAILED", "NEEDS_ATTENTION"),
            ),
            "deactivate": Action(
                "UPDATING",
                "INACTIVE",
                failed="NEEDS_ATTENTION",
                sources=fs("ACTIVE", "NEEDS_ATTENTION"),
                outcomes=fs("INACTIVE", "FAILED", "NEEDS_ATTENTION"),
            ),
            "delete": Action(
                "DELETING",
                "DELETED",
                sources=fs("ACTIVE", "INACTIVE", "FAILED", "NEEDS_ATTENTION", "DELETING"),
            ),
        },
        waitable=True,
        console=("model-deployments", "OCI Data Science Model Deployment"),
    ),
    Resource(
        name="notebook_session",
        ocid_type="datasciencenotebooksession",
        collection="notebookSessions",
        states=fs("CREATING", "ACTIVE", "DELETING", "DELETED", "FAILED", "INACTIVE", "UPDATING"),
        pending=fs("CREATING", "UPDATING", "DELETING"),
        success=fs("ACTIVE"),
        failure=fs("FAILED", "DELETED"),
        actions={
            "create": Action("CREATING", "ACTIVE", outcomes=fs("ACTIVE", "FAILED")),
            "update": Action("UPDATING", "ACTIVE"),
            "activate": Action("UPDATING", "ACTIVE", sources=fs("INACTIVE"), outcomes=fs("ACTIVE", "FAILED")),
            "deactivate": Action(
                "UPDATING", "INACTIVE", sources=fs("ACTIVE"), outcomes=fs("INACTIVE", "FAILED")
            ),
            "delete": Action("DELETING", "DELETED", sources=fs("ACTIVE", "INACTIVE", "FAILED", "DELETING")),
        },
        waitable=True,
        console=("notebook-sessions", "OCI Data Science Notebook Session"),
    ),
    Resource(
        name="work_request",
        ocid_type="datascienceworkrequest",
        collection="workRequests",
        states=fs("ACCEPTED", "IN_PROGRESS", "FAILED", "SUCCEEDED", "CANCELING", "CANCELED"),
        pending=fs("ACCEPTED", "IN_PROGRESS", "CANCELING"),
        success=fs("SUCCEEDED"),
        failure=fs("FAILED", "CANCELED"),
        final=fs("SUCCEEDED", "FAILED", "CANCELED"),
        actions={
            "run": Action("IN_PROGRESS", "SUCCEEDED"),
            "cancel": Action("CANCELING", "CANCELED"),
        },
        state_field="status",
        details_field=None,
        explain=EXPLAIN_WORK_REQUEST_ERRORS,
        waitable=True,
    ),
)
