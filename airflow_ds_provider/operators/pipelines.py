"""Operators for Data Science pipelines: create (with step artifacts), update, delete, change compartment."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.kinds.pipelines import PIPELINE_STEP_RUN
from airflow_ds_provider.links.console import DataScienceConsoleLink
from airflow_ds_provider.operators._body import file_md5_b64
from airflow_ds_provider.operators._resource_actions import (
    ChangeCompartmentOperator,
    DeleteResourceOperator,
    UpdateResourceOperator,
    build_create_body,
    create_resource,
)
from airflow_ds_provider.operators.base import (
    DataScienceWaitingOperator,
    ds_template_fields,
    retry_token_for,
    validate_body,
)

if TYPE_CHECKING:
    from airflow.sdk import Context


def _templated(value: Any) -> bool:
    return isinstance(value, str) and "{{" in value


def check_step_artifacts(artifacts: Any, steps: Any) -> dict[str, str]:
    """``step_artifacts`` checked against the pipeline's ``stepDetails``: every key a step that
    takes an artifact, every value an existing file, and no such step left without one.

    :param artifacts: ``{stepName: local path}`` (rendered).
    :param steps: the ``stepDetails`` list of the create body, or ``None`` when not known yet.
    :raises ValueError: naming ``step_artifacts[<name>]`` (or ``step_artifacts``).
    """
    if artifacts is None:
        artifacts = {}
    if not isinstance(artifacts, Mapping):
        raise ValueError(
            f"step_artifacts: expected a dict of step name -> local file, got {type(artifacts).__name__}"
        )
    out: dict[str, str] = {}
    for name, path in artifacts.items():
        field = f"step_artifacts[{name}]"
        if not isinstance(path, str | os.PathLike) or not os.fspath(path):
            raise ValueError(f"{field}: expected the path of a local file, got {path!r}")
        if _templated(path) or _templated(name):
            continue
        full = os.path.expanduser(os.fspath(path))
        if not os.path.isfile(full):
            raise ValueError(f"{field}: expected an existing file (zip, py or sh), got {full!r}")
        out[str(name)] = full
    if not isinstance(steps, list):
        return out
    types = {s.get("stepName"): s.get("stepType") for s in steps if isinstance(s, Mapping)}
    for name in out:
        if name not in types:
            raise ValueError(
                f"step_artifacts[{name}]: {name!r} is not a step of the pipeline; "
                f"expected one of {sorted(map(str, types))}"
            )
        if types[name] not in PIPELINE_STEP_RUN.artifact_steps:
            raise ValueError(
                f"step_artifacts[{name}]: step {name!r} is a {types[name]} step; only "
                f"{sorted(PIPELINE_STEP_RUN.artifact_steps)} steps take an artifact"
            )
    missing = sorted(n for n, t in types.items() if t in PIPELINE_STEP_RUN.artifact_steps and n not in out)
    if missing:
        raise ValueError(
            f"step_artifacts: the {', '.join(missing)} step{'s' if len(missing) > 1 else ''} "
            f"need{'' if len(missing) > 1 else 's'} an artifact (a local zip, py or sh file)"
        )
    return out


class DataScienceCreatePipelineOperator(DataScienceWaitingOperator):
    """Create a pipeline, upload its steps' artifacts and (by default) wait until it is ``ACTIVE``;
    returns its JSON.

    Safe to retry: the create carries a deterministic ``opc-retry-token`` and the identity tags;
    a later try adopts the pipeline an earlier try created and uploads only the artifacts it
    still lacks (an upload whose answer was lost is recognised by its ``content-md5``).

    :param create_pipeline_details: ``CreatePipelineDetails`` in wire format (dict, JSON text,
        or a ``.json`` template file).
    :param project_id: project OCID.
    :param compartment_id: compartment OCID (default: the connection's ``compartment_id``).
    :param display_name: pipeline name.
    :param step_details: the ``stepDetails`` list (wire format), laid over the body's.
    :param step_artifacts: ``{stepName: local file}`` for each ``CUSTOM_SCRIPT`` step (a zip,
        or a single py or sh script), streamed, never read into memory.
    :param freeform_tags: freeform tags, merged over the body's (the identity tags win).
    :param defined_tags: defined tags, merged over the body's.
    """

    template_fields: Sequence[str] = ds_template_fields(
        "create_pipeline_details",
        "project_id",
        "compartment_id",
        "display_name",
        "step_details",
        "step_artifacts",
        "freeform_tags",
        "defined_tags",
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"create_pipeline_details": "json", "step_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)
    resource = "pipeline"

    def __init__(
        self,
        *,
        create_pipeline_details: dict[str, Any] | str | None = None,
        project_id: str | None = None,
        compartment_id: str | None = None,
        display_name: str | None = None,
        step_details: list[dict[str, Any]] | None = None,
        step_artifacts: dict[str, str] | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.create_pipeline_details = create_pipeline_details
        self.project_id = project_id
        self.compartment_id = compartment_id
        self.display_name = display_name
        self.step_details = step_details
        self.step_artifacts = step_artifacts
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags
        self._check_at_construction()

    def _check_at_construction(self) -> None:
        """What can be checked before rendering: the artifact files and step names, when literal."""
        if _templated(self.step_artifacts):
            return
        steps = self.step_details
        if steps is None and isinstance(self.create_pipeline_details, Mapping):
            steps = self.create_pipeline_details.get("stepDetails")
        check_step_artifacts(self.step_artifacts, steps if isinstance(steps, list) else None)

    def execute(self, context: Context) -> Any:
        body = build_create_body(
            self,
            context,
            self.create_pipeline_details,
            "create_pipeline_details",
            "CreatePipelineDetails",
            check=validate_body,
            compartment_id=self.compartment_id or None,
            project_id=self.project_id,
            display_name=self.display_name,
            step_details=self.step_details,
            freeform_tags=self.freeform_tags,
            defined_tags=self.defined_tags,
        )
        artifacts = check_step_artifacts(self.step_artifacts, body.get("stepDetails"))
        data = create_resource(self, context, "pipeline", body)
        if self.upload_artifacts(context, data, artifacts):
            data = self.read_resource(data["id"]) or data
        return self.wait(context, data["id"], initial=data)

    def upload_artifacts(
        self, context: Context, pipeline: Mapping[str, Any], artifacts: dict[str, str]
    ) -> int:
        """Upload each step artifact the pipeline still lacks; returns how many were sent."""
        uploaded = {
            s.get("stepName")
            for s in pipeline.get("stepDetails") or ()
            if s.get("isArtifactUploaded") is True
        }
        sent = 0
        for step, path in artifacts.items():
            if step in uploaded:
                self.log.info("Step %s of pipeline %s already has its artifact", step, pipeline["id"])
                continue
            size = os.path.getsize(path)
            self.log.info(
                "Uploading %s (%d bytes, md5 %s) as the artifact of step %s of pipeline %s",
                path,
                size,
                file_md5_b64(path),
                step,
                pipeline["id"],
            )
            self.hook.create_step_artifact(
                pipeline["id"],
                step,
                path,
                content_disposition=f'attachment; filename="{os.path.basename(path)}"',
                opc_retry_token=retry_token_for(context, salt=f"step-artifact:{step}"),
            )
            sent += 1
        return sent


class DataScienceUpdatePipelineOperator(UpdateResourceOperator):
    """Update a pipeline (name, description, configuration, step details, tags); returns its JSON.

    :param pipeline_id: pipeline OCID.
    :param update_pipeline_details: ``UpdatePipelineDetails`` in wire format.
    :param display_name: new name.
    :param description: new description.
    :param if_match: update only if the pipeline's etag still matches.
    """

    template_fields: Sequence[str] = ds_template_fields(
        "pipeline_id",
        "update_pipeline_details",
        "display_name",
        "description",
        "freeform_tags",
        "defined_tags",
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"update_pipeline_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)
    resource = "pipeline"
    update_check = staticmethod(validate_body)
    empty_hint = "display_name, description, freeform_tags or defined_tags"

    def __init__(
        self,
        *,
        pipeline_id: str,
        update_pipeline_details: dict[str, Any] | str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        if_match: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pipeline_id = pipeline_id
        self.update_pipeline_details = update_pipeline_details
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags
        self.if_match = if_match


class DataScienceDeletePipelineOperator(DeleteResourceOperator):
    """Delete a pipeline and (by default) wait until it is ``DELETED``; returns its final JSON
    (``None`` once it is not found).

    Safe to retry: a pipeline already gone succeeds with a log line, one already ``DELETING`` is
    only waited for. A pipeline still ``CREATING`` (its artifacts never all arrived) is deleted
    at once.

    :param pipeline_id: pipeline OCID.
    :param delete_related_pipeline_runs: also delete its runs (needed while some are unfinished).
    :param delete_related_job_runs: also delete the job runs of those runs' ML_JOB steps.
    """

    template_fields: Sequence[str] = ds_template_fields("pipeline_id")
    resource = "pipeline"
    #: a pipeline waiting in CREATING for artifacts that never come may be deleted
    acts_while_pending = True

    def __init__(
        self,
        *,
        pipeline_id: str,
        delete_related_pipeline_runs: bool = False,
        delete_related_job_runs: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pipeline_id = pipeline_id
        for name, flag in (
            ("delete_related_pipeline_runs", delete_related_pipeline_runs),
            ("delete_related_job_runs", delete_related_job_runs),
        ):
            if not isinstance(flag, bool):
                raise ValueError(f"{name}: expected True or False, got {flag!r}")
        self.delete_related_pipeline_runs = delete_related_pipeline_runs
        self.delete_related_job_runs = delete_related_job_runs

    def delete_options(self) -> dict[str, Any]:
        return {
            "delete_related_pipeline_runs": "true" if self.delete_related_pipeline_runs else "false",
            "delete_related_job_runs": self.delete_related_job_runs,
        }


class DataScienceChangePipelineCompartmentOperator(ChangeCompartmentOperator):
    """Move a pipeline to another compartment; returns its JSON (nothing is sent if already there).

    :param pipeline_id: pipeline OCID.
    """

    template_fields: Sequence[str] = ds_template_fields("pipeline_id", "compartment_id")
    resource = "pipeline"

    def __init__(self, *, pipeline_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pipeline_id = pipeline_id


def pipeline_step_names(operator: DataScienceWaitingOperator, pipeline_id: str) -> list[str]:
    """The step names of a pipeline (read from the service); a missing pipeline fails naming it."""
    data = operator.read_resource(pipeline_id, resource="pipeline", missing_ok=True)
    if data is None:
        raise AirflowFailException(
            f"pipeline_id: pipeline {pipeline_id} does not exist or is not visible to this connection"
        )
    return [str(s.get("stepName")) for s in data.get("stepDetails") or ()]


__all__ = [
    "DataScienceChangePipelineCompartmentOperator",
    "DataScienceCreatePipelineOperator",
    "DataScienceDeletePipelineOperator",
    "DataScienceUpdatePipelineOperator",
    "check_step_artifacts",
    "pipeline_step_names",
]
