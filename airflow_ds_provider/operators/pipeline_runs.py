"""Operators for Data Science pipeline runs: create (and wait), cancel, delete, change compartment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.lineage import DataScienceLineageMixin, add_parent_run
from airflow_ds_provider.links.console import DataScienceConsoleLink, DataScienceLogSearchLink
from airflow_ds_provider.logs.pipeline_runs import PipelineRunLogsMixin
from airflow_ds_provider.operators._resource_actions import (
    ChangeCompartmentOperator,
    DeleteResourceOperator,
    build_create_body,
)
from airflow_ds_provider.operators._runs import CancelRunOperator, CreateRunOperator
from airflow_ds_provider.operators.base import (
    ds_template_fields,
    require_ocid,
    validate_body,
)
from airflow_ds_provider.operators.pipelines import pipeline_step_names
from airflow_ds_provider.resources import RESOURCES

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.client.response import Response

#: the cancel action in the resource table (its sources, transient and settled states)
_CANCEL = RESOURCES["pipeline_run"].actions["cancel"]


def step_overrides(value: Any) -> list[dict[str, Any]] | None:
    """``step_override_details`` as the wire list: given as the list itself, or as
    ``{stepName: stepConfigurationDetails}``.

    :raises ValueError: naming ``step_override_details`` for any other shape.
    """
    if value is None:
        return None
    if isinstance(value, Mapping):
        out = []
        for name, config in value.items():
            if not isinstance(config, Mapping):
                raise ValueError(
                    f"step_override_details[{name}]: expected the step's stepConfigurationDetails "
                    f"(a dict), got {type(config).__name__}"
                )
            out.append({"stepName": name, "stepConfigurationDetails": dict(config)})
        return out
    if isinstance(value, list) and all(isinstance(item, Mapping) for item in value):
        return [dict(item) for item in value]
    raise ValueError(
        "step_override_details: expected a list of PipelineStepOverrideDetails or a dict "
        f"{{stepName: stepConfigurationDetails}}, got {type(value).__name__}"
    )


def _check_body(model_name: str, body: dict[str, Any], field: str) -> None:
    """The pipeline OCID first (named as the argument), then the body against its model."""
    require_ocid(body.get("pipelineId"), "pipeline_id", ["pipeline"])
    validate_body(model_name, body, field)


class DataScienceCreatePipelineRunOperator(DataScienceLineageMixin, PipelineRunLogsMixin, CreateRunOperator):
    """Start a run of a pipeline and (by default) wait for it; returns the run's final JSON,
    with ``stepRuns`` (each step's ``lifecycleState``).

    The task log shows each step's state changes (``[pipeline-step] train: WAITING ->
    IN_PROGRESS``) and, with logging enabled, the step runs' log lines (``[pipeline-run] train:
    ...``), while waiting in the worker or once when the deferred task resumes. A run that ends
    ``FAILED``, ``CANCELED`` or ``DELETED`` fails the task (no retry), naming each failed step
    with its ``lifecycleDetails`` and its last log lines. Each run carries the task instance's
    identity tags and a deterministic ``opc-retry-token``; the Logging search URL goes to XCom
    ``log_search_url``.

    :param pipeline_id: pipeline OCID (the pipeline must be ``ACTIVE``).
    :param create_pipeline_run_details: ``CreatePipelineRunDetails`` in wire format (dict, JSON
        text, or a ``.json`` template file).
    :param project_id: project OCID (default: the pipeline's).
    :param compartment_id: compartment OCID (default: the connection's ``compartment_id``).
    :param display_name: run name.
    :param configuration_override_details: ``PipelineConfigurationDetails`` for this run.
    :param step_override_details: per-step overrides: the ``stepOverrideDetails`` wire list, or
        ``{stepName: stepConfigurationDetails}``; a name that is not a step of the pipeline fails
        before anything is created.
    :param freeform_tags: freeform tags, merged over the body's (the identity tags win).
    :param defined_tags: defined tags, merged over the body's.

    The run options (``reattach_on_retry``, ``cancel_on_kill``, ``stream_logs``,
    ``failure_log_lines``, ``log_tail_max_wait``, ``log_tail_grace``) are those of
    :class:`~airflow_ds_provider.operators._runs.CreateRunOperator` (the step state changes are
    written whatever ``stream_logs`` says).
    """

    template_fields: Sequence[str] = ds_template_fields(
        "pipeline_id",
        "create_pipeline_run_details",
        "project_id",
        "compartment_id",
        "display_name",
        "configuration_override_details",
        "step_override_details",
        "freeform_tags",
        "defined_tags",
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"create_pipeline_run_details": "json", "step_override_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(), DataScienceLogSearchLink())
    resource = "pipeline_run"

    def __init__(
        self,
        *,
        pipeline_id: str | None = None,
        create_pipeline_run_details: dict[str, Any] | str | None = None,
        project_id: str | None = None,
        compartment_id: str | None = None,
        display_name: str | None = None,
        configuration_override_details: dict[str, Any] | None = None,
        step_override_details: list[dict[str, Any]] | dict[str, dict[str, Any]] | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pipeline_id = pipeline_id
        self.create_pipeline_run_details = create_pipeline_run_details
        self.project_id = project_id
        self.compartment_id = compartment_id
        self.display_name = display_name
        self.configuration_override_details = configuration_override_details
        self.step_override_details = step_override_details
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags
        #: the run this task started or attached to (for ``on_kill``)
        self.pipeline_run_id: str | None = None

    def execute(self, context: Context) -> Any:
        return self.start_and_wait(context, self.build_body(context))

    def build_body(self, context: Context) -> dict[str, Any]:
        """The rendered, merged and checked ``CreatePipelineRunDetails`` (with the identity tags);
        the step overrides are checked against the pipeline's steps."""
        body = build_create_body(
            self,
            context,
            self.create_pipeline_run_details,
            "create_pipeline_run_details",
            "CreatePipelineRunDetails",
            check=_check_body,
            pipeline_id=self.pipeline_id,
            compartment_id=self.compartment_id or None,
            project_id=self.project_id,
            display_name=self.display_name,
            configuration_override_details=self.configuration_override_details,
            step_override_details=step_overrides(self.step_override_details),
            freeform_tags=self.freeform_tags,
            defined_tags=self.defined_tags,
        )
        pipeline_id = body["pipelineId"]
        overrides = body.get("stepOverrideDetails")
        names = pipeline_step_names(self, pipeline_id)
        for index, override in enumerate(step_overrides(overrides) or ()):
            name = override.get("stepName")
            if name not in names:
                raise ValueError(
                    f"step_override_details[{name if isinstance(name, str) else index}]: {name!r} is "
                    f"not a step of pipeline {pipeline_id}; expected one of {sorted(names)}"
                )
        add_parent_run(
            self,
            context,
            body,
            "configurationOverrideDetails",
            lambda: self.hook.get_pipeline(pipeline_id).data.get("configurationDetails"),
            discriminator="type",
        )
        return body


class DataScienceCancelPipelineRunOperator(CancelRunOperator):
    """Cancel a pipeline run and (by default) wait until it has stopped; returns its final JSON
    (``None`` at once without ``wait_for_completion``).

    Safe to retry: a run already ``CANCELING`` is only waited for, and a run that has already
    finished is returned as is, with a log line.

    :param pipeline_run_id: pipeline run OCID.
    :param terminate_gracefully: end the run on purpose instead of cancelling it: the running
        steps finish and the run ends ``SUCCEEDED`` (OCI's "Terminate gracefully"). Default
        ``False``, the service's plain cancel: the steps stop and the run ends ``CANCELED``.
    :param if_match: send the cancel only if the run's etag still matches.
    """

    template_fields: Sequence[str] = ds_template_fields("pipeline_run_id")
    resource = "pipeline_run"
    #: a run that finished on its own (or gracefully) while being cancelled has stopped too
    target_states = frozenset({_CANCEL.settled, "SUCCEEDED", "FAILED"})

    def __init__(self, *, pipeline_run_id: str, terminate_gracefully: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(terminate_gracefully, bool):
            raise ValueError(f"terminate_gracefully: expected True or False, got {terminate_gracefully!r}")
        self.pipeline_run_id = pipeline_run_id
        self.terminate_gracefully = terminate_gracefully

    def send(self, resource_id: str, data: dict[str, Any]) -> Response:
        return self.hook.cancel_pipeline_run(
            resource_id,
            terminate_gracefully="true" if self.terminate_gracefully else "false",
            if_match=self.if_match,
        )


class DataScienceDeletePipelineRunOperator(DeleteResourceOperator):
    """Delete a finished pipeline run; returns its final JSON (``None`` once it is not found).

    Safe to retry: a run already gone succeeds with a log line. A run that is still going fails
    the task: cancel it first (:class:`DataScienceCancelPipelineRunOperator`).

    :param pipeline_run_id: pipeline run OCID.
    :param delete_related_job_runs: also delete the job runs of its ML_JOB steps.
    """

    template_fields: Sequence[str] = ds_template_fields("pipeline_run_id")
    resource = "pipeline_run"
    only_from_sources = True

    def __init__(self, *, pipeline_run_id: str, delete_related_job_runs: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(delete_related_job_runs, bool):
            raise ValueError(
                f"delete_related_job_runs: expected True or False, got {delete_related_job_runs!r}"
            )
        self.pipeline_run_id = pipeline_run_id
        self.delete_related_job_runs = delete_related_job_runs

    def delete_options(self) -> dict[str, Any]:
        return {"delete_related_job_runs": self.delete_related_job_runs}


class DataScienceChangePipelineRunCompartmentOperator(ChangeCompartmentOperator):
    """Move a pipeline run to another compartment; returns its JSON (nothing is sent if already there).

    :param pipeline_run_id: pipeline run OCID.
    """

    template_fields: Sequence[str] = ds_template_fields("pipeline_run_id", "compartment_id")
    resource = "pipeline_run"

    def __init__(self, *, pipeline_run_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pipeline_run_id = pipeline_run_id
