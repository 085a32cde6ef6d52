"""Pipelines, pipeline runs and the step runs a pipeline run holds.

States come from the models (``Pipeline``, ``PipelineRun``, ``PipelineStepRun``). A step run is
not a resource of its own (no OCID, no operation reads it alone: it is an entry of
``PipelineRun.stepRuns``), so its table is :data:`PIPELINE_STEP_RUN` here rather than an entry of
:data:`KINDS`; waits and reports on steps (issue #15) read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from airflow_ds_provider.resource_model import DELETE, Action, Resource, fs

KINDS: tuple[Resource, ...] = (
    Resource(
        name="pipeline",
        ocid_type="datasciencepipeline",
        collection="pipelines",
        states=fs("CREATING", "ACTIVE", "DELETING", "FAILED", "DELETED"),
        pending=fs("CREATING", "DELETING"),
        success=fs("ACTIVE"),
        failure=fs("FAILED", "DELETED"),
        final=fs("FAILED", "DELETED"),
        actions={
            # CREATING until every CUSTOM_SCRIPT step has its artifact (create_step_artifact)
            "create": Action("CREATING", "ACTIVE"),
            "delete": Action(DELETE.transient, DELETE.settled, sources=fs("CREATING", "ACTIVE", "FAILED")),
        },
        console=("pipelines", "OCI Data Science Pipeline"),
    ),
    Resource(
        name="pipeline_run",
        ocid_type="datasciencepipelinerun",
        collection="pipelineRuns",
        states=fs(
            "ACCEPTED",
            "IN_PROGRESS",
            "FAILED",
            "SUCCEEDED",
            "CANCELING",
            "CANCELED",
            "DELETING",
            "DELETED",
        ),
        pending=fs("ACCEPTED", "IN_PROGRESS", "CANCELING", "DELETING"),
        success=fs("SUCCEEDED"),
        failure=fs("FAILED", "CANCELED", "DELETED"),
        final=fs("SUCCEEDED", "FAILED", "CANCELED", "DELETED"),
        actions={
            # a run fails when one of its steps fails; a script chooses the steps' outcomes
            "create": Action("ACCEPTED", "SUCCEEDED", outcomes=fs("SUCCEEDED", "FAILED")),
            "start": Action("IN_PROGRESS", "SUCCEEDED"),
            "cancel": Action("CANCELING", "CANCELED", sources=fs("ACCEPTED", "IN_PROGRESS")),
            # only a finished run may be deleted
            "delete": Action("DELETING", "DELETED", sources=fs("SUCCEEDED", "FAILED", "CANCELED")),
        },
        waitable=True,
        console=("pipeline-runs", "OCI Data Science Pipeline Run"),
        log_source="pipeline_run",
    ),
)


@dataclass(frozen=True)
class StepRunTable:
    """The lifecycle of one step run (an entry of ``PipelineRun.stepRuns``).

    :param states: every state of ``PipelineStepRun.lifecycleState``.
    :param pending: states from which the step still moves on by itself.
    :param success: the state of a step that did its work.
    :param failure: states of a step that did not (``SKIPPED``: it never ran because a step
        before it failed).
    :param final: states a step never leaves.
    :param outcomes: final states a script may choose for a step that runs.
    :param artifact_steps: step types whose artifact is uploaded per step (the pipeline waits in
        ``CREATING`` until each such step has one).
    :param job_run_steps: step types whose step run is a job run of ``jobId`` (``jobRunId``).
    :param initial: the state every step run starts in.
    """

    states: frozenset[str]
    pending: frozenset[str]
    success: frozenset[str]
    failure: frozenset[str]
    final: frozenset[str]
    outcomes: frozenset[str]
    artifact_steps: frozenset[str]
    job_run_steps: frozenset[str]
    initial: str


#: Step runs: WAITING (for the steps it depends on) -> ACCEPTED -> IN_PROGRESS -> SUCCEEDED |
#: FAILED; CANCELING -> CANCELED when the run is cancelled; SKIPPED when a step before it failed.
PIPELINE_STEP_RUN = StepRunTable(
    states=fs(
        "WAITING",
        "ACCEPTED",
        "IN_PROGRESS",
        "FAILED",
        "SUCCEEDED",
        "CANCELING",
        "CANCELED",
        "DELETED",
        "SKIPPED",
    ),
    pending=fs("WAITING", "ACCEPTED", "IN_PROGRESS", "CANCELING"),
    success=fs("SUCCEEDED"),
    failure=fs("FAILED", "CANCELED", "DELETED", "SKIPPED"),
    final=fs("FAILED", "SUCCEEDED", "CANCELED", "DELETED", "SKIPPED"),
    outcomes=fs("SUCCEEDED", "FAILED"),
    artifact_steps=fs("CUSTOM_SCRIPT"),
    job_run_steps=fs("ML_JOB"),
    initial="WAITING",
)
