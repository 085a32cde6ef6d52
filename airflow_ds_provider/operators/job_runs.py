"""Operators for Data Science job runs: create (and wait), update, delete, cancel, change compartment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.client.errors import NotFoundError
from airflow_ds_provider.lineage import DataScienceLineageMixin, add_parent_run
from airflow_ds_provider.links.console import DataScienceConsoleLink, DataScienceLogSearchLink
from airflow_ds_provider.operators._adoption import creation_tags
from airflow_ds_provider.operators._resource_actions import (
    ChangeCompartmentOperator,
    DeleteResourceOperator,
    UpdateResourceOperator,
    cancel_run_quietly,
)
from airflow_ds_provider.operators._runs import CancelRunOperator, CreateRunOperator
from airflow_ds_provider.operators.base import (
    DataScienceBaseOperator,
    ds_template_fields,
    load_body,
    merge_body,
    require_str,
    validate_body,
)
from airflow_ds_provider.resources import RESOURCES

if TYPE_CHECKING:
    from airflow.sdk import Context


#: the cancel action in the resource table (its sources, transient and settled states)
_CANCEL = RESOURCES["job_run"].actions["cancel"]


class DataScienceCreateJobRunOperator(DataScienceLineageMixin, CreateRunOperator):
    """Start a run of a job and (by default) wait for it; returns the run's final JSON.

    A run that ends ``FAILED``, ``CANCELED``, ``NEEDS_ATTENTION`` or ``DELETED`` fails the task
    (no retry) with its ``lifecycleDetails``. Each run is tagged with the task instance's
    identity (``airflow-dag-id``, ``airflow-task-id``, ``airflow-run-id``,
    ``airflow-map-index``) and ``airflow-try-number``, and the create carries a deterministic
    ``opc-retry-token``.

    :param create_job_run_details: ``CreateJobRunDetails`` in wire format (dict, JSON text, or
        a ``.json`` template file), e.g. with ``jobConfigurationOverrideDetails``.
    :param job_id: job OCID.
    :param project_id: project OCID (default: the job's project).
    :param compartment_id: compartment OCID (default: the connection's ``compartment_id``).
    :param display_name: run name.
    :param freeform_tags: freeform tags, merged over the body's (the identity tags win).
    :param defined_tags: defined tags, merged over the body's.

    The run options (``reattach_on_retry``, ``cancel_on_kill``, ``stream_logs``,
    ``failure_log_lines``, ``log_tail_max_wait``, ``log_tail_grace``) are those of
    :class:`~airflow_ds_provider.operators._runs.CreateRunOperator`.
    """

    template_fields: Sequence[str] = ds_template_fields(
        "create_job_run_details",
        "job_id",
        "project_id",
        "compartment_id",
        "display_name",
        "freeform_tags",
        "defined_tags",
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"create_job_run_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(), DataScienceLogSearchLink())
    resource = "job_run"

    def __init__(
        self,
        *,
        create_job_run_details: dict[str, Any] | str | None = None,
        job_id: str | None = None,
        project_id: str | None = None,
        compartment_id: str | None = None,
        display_name: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.create_job_run_details = create_job_run_details
        self.job_id = job_id
        self.project_id = project_id
        self.compartment_id = compartment_id
        self.display_name = display_name
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags
        #: the run this task started or attached to (for ``on_kill``)
        self.job_run_id: str | None = None

    def execute(self, context: Context) -> Any:
        return self.start_and_wait(context, self.build_body(context))

    def build_body(self, context: Context) -> dict[str, Any]:
        """The rendered, merged and validated ``CreateJobRunDetails`` (with the identity tags)."""
        body = merge_body(
            load_body(self.create_job_run_details, "create_job_run_details"),
            job_id=self.job_id,
            project_id=self.project_id,
            display_name=self.display_name,
            freeform_tags=self.freeform_tags,
            defined_tags=self.defined_tags,
        )
        job_id = require_str(body.get("jobId"), "job_id")
        body["jobId"] = job_id
        body["compartmentId"] = self.default_compartment(self.compartment_id or body.get("compartmentId"))
        tags = body.get("freeformTags") or {}
        if not isinstance(tags, Mapping):
            raise ValueError(f"freeform_tags: expected a dict of strings, got {type(tags).__name__}")
        body["freeformTags"] = {**tags, **creation_tags(context)}
        if not body.get("projectId"):
            try:
                body["projectId"] = self.hook.get_job(job_id).data["projectId"]
            except NotFoundError:
                raise AirflowFailException(
                    f"job_id: job {job_id} does not exist or is not visible to this connection"
                ) from None
        add_parent_run(
            self,
            context,
            body,
            "jobConfigurationOverrideDetails",
            lambda: self.hook.get_job(job_id).data.get("jobConfigurationDetails"),
        )
        validate_body("CreateJobRunDetails", body, "create_job_run_details")
        return body


def cancel_job_run_quietly(operator: DataScienceBaseOperator, job_run_id: str, reason: str) -> None:
    """Best-effort cancel: a run that is gone or already finished is only logged."""
    cancel_run_quietly(operator, "job_run", job_run_id, reason)


class DataScienceUpdateJobRunOperator(UpdateResourceOperator):
    """Update a job run's name or tags; returns its JSON.

    :param job_run_id: job run OCID.
    :param update_job_run_details: ``UpdateJobRunDetails`` in wire format.
    """

    template_fields: Sequence[str] = ds_template_fields(
        "job_run_id", "update_job_run_details", "display_name", "freeform_tags", "defined_tags"
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"update_job_run_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)
    resource = "job_run"
    update_fields = ("display_name", "freeform_tags", "defined_tags")
    update_check = staticmethod(validate_body)

    def __init__(
        self,
        *,
        job_run_id: str,
        update_job_run_details: dict[str, Any] | str | None = None,
        display_name: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.job_run_id = job_run_id
        self.update_job_run_details = update_job_run_details
        self.display_name = display_name
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags


class DataScienceDeleteJobRunOperator(DeleteResourceOperator):
    """Delete a finished job run; returns its final JSON (``None`` once it is not found).

    Safe to retry: a run already gone (404 or ``DELETED``) succeeds with a log line. A run that
    is still going fails the task: cancel it first (:class:`DataScienceCancelJobRunOperator`).

    :param job_run_id: job run OCID.
    """

    template_fields: Sequence[str] = ds_template_fields("job_run_id")
    resource = "job_run"
    only_from_sources = True

    def __init__(self, *, job_run_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job_run_id = job_run_id


class DataScienceCancelJobRunOperator(CancelRunOperator):
    """Cancel a job run and (by default) wait until it has stopped; returns its final JSON
    (``None`` at once without ``wait_for_completion``).

    Safe to retry: a run already ``CANCELING`` is only waited for, and a run that has already
    finished (``CANCELED``, ``SUCCEEDED``, ``FAILED``, ``DELETED``) is returned as is, with a log
    line. A run that does not exist fails with the service's 404.

    :param job_run_id: job run OCID.
    :param if_match: send the cancel only if the run's etag still matches.
    """

    template_fields: Sequence[str] = ds_template_fields("job_run_id")
    resource = "job_run"
    #: a run that finished on its own while being cancelled has stopped too
    target_states = frozenset({_CANCEL.settled, "SUCCEEDED", "FAILED"})

    def __init__(self, *, job_run_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job_run_id = job_run_id


class DataScienceChangeJobRunCompartmentOperator(ChangeCompartmentOperator):
    """Move a job run to another compartment; returns its JSON (nothing is sent if already there).

    :param job_run_id: job run OCID.
    """

    template_fields: Sequence[str] = ds_template_fields("job_run_id", "compartment_id")
    resource = "job_run"

    def __init__(self, *, job_run_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job_run_id = job_run_id
