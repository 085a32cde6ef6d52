"""Operators for Data Science job runs: create (and wait), update, delete, cancel, change compartment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.client.errors import NotFoundError
from airflow_ds_provider.lifecycle import Lifecycle
from airflow_ds_provider.links.console import DataScienceConsoleLink, DataScienceLogSearchLink
from airflow_ds_provider.logs.streamer import DEFAULT_FAILURE_LOG_LINES
from airflow_ds_provider.logs.task_logs import JobRunLogsMixin
from airflow_ds_provider.operators._adoption import creation_tags
from airflow_ds_provider.operators._resource_actions import (
    ChangeCompartmentOperator,
    DeleteResourceOperator,
    LifecycleActionOperator,
    UpdateResourceOperator,
    cancel_run_quietly,
    create_resource,
    resource_id_arg,
)
from airflow_ds_provider.operators.base import (
    DataScienceBaseOperator,
    DataScienceWaitingOperator,
    ds_template_fields,
    load_body,
    merge_body,
    require_str,
    validate_body,
)
from airflow_ds_provider.resources import RESOURCES

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.client.response import Response

#: the cancel action in the resource table (its sources, transient and settled states)
_CANCEL = RESOURCES["job_run"].actions["cancel"]


class DataScienceCreateJobRunOperator(JobRunLogsMixin, DataScienceWaitingOperator):
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
    :param reattach_on_retry: a new try of the same task instance adopts the run an earlier try
        started instead of starting another: a run still ``ACCEPTED`` or ``IN_PROGRESS`` on any
        later try, a ``SUCCEEDED`` one on a retry (not after a deliberate clear of the task);
        a ``FAILED``, ``CANCELED`` or ``NEEDS_ATTENTION`` run gets a new run. Found through
        ``task_state_store``, else by the identity tags.
    :param cancel_on_kill: cancel the run when the task is killed (in the worker, or through
        the trigger while deferred) or when waiting times out.
    :param stream_logs: copy the run's log lines into the task log (runs with logging enabled),
        while waiting in the worker or when the deferred task resumes.
    :param failure_log_lines: the run's last log lines quoted in a failure message.
    :param log_tail_max_wait: bound in seconds of the final log tail after the run ended.
    :param log_tail_grace: seconds after the run finished during which late log records are
        awaited (OCI Logging ingests with a delay; 0 is fine on the emulator).
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
        reattach_on_retry: bool = True,
        cancel_on_kill: bool = True,
        stream_logs: bool = True,
        failure_log_lines: int = DEFAULT_FAILURE_LOG_LINES,
        log_tail_max_wait: float = 120.0,
        log_tail_grace: float = 30.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.init_job_run_logs(stream_logs, failure_log_lines, log_tail_max_wait, log_tail_grace)
        self.create_job_run_details = create_job_run_details
        self.job_id = job_id
        self.project_id = project_id
        self.compartment_id = compartment_id
        self.display_name = display_name
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags
        self.reattach_on_retry = reattach_on_retry
        self.cancel_on_kill = cancel_on_kill
        #: the run this task started or attached to (for ``on_kill``)
        self.job_run_id: str | None = None

    def execute(self, context: Context) -> Any:
        body = self.build_body(context)
        run = create_resource(self, context, "job_run", body, adopt=self.reattach_on_retry)
        self.job_run_id = run["id"]
        self.publish_log_link(context, run)
        return self.wait_for_run(context, run)

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
        validate_body("CreateJobRunDetails", body, "create_job_run_details")
        return body

    def wait_for_run(self, context: Context, run: dict[str, Any]) -> Any:
        """Wait for the run to finish: the one place to extend (e.g. to stream its logs)."""
        return self.wait(context, run["id"], cancel_on_kill=self.cancel_on_kill, initial=run)

    def wait_sync(
        self, context: Context, lifecycle: Lifecycle, resource_id: str, not_found_ok: bool
    ) -> dict[str, Any] | None:
        """The worker-side wait, streaming the run's log lines into the task log at every poll."""
        if not self.stream_logs:
            return super().wait_sync(context, lifecycle, resource_id, not_found_ok)
        return self.wait_streaming_logs(lifecycle, resource_id, self.poll_interval, self.timeout)

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume after the trigger: copy the run's log lines, then succeed or fail with them."""
        lines = self.logs_on_resume(event) if isinstance(event, Mapping) else []
        if isinstance(event, Mapping) and event.get("status") == "failure":
            data = event.get("data") if isinstance(event.get("data"), Mapping) else {}
            raise AirflowFailException(
                self._failure_text(event.get("message") or "job run failed", lines, data)
            )
        return super().execute_complete(context, event)

    def on_kill(self) -> None:
        """Cancel the run when the task is killed in the worker (``cancel_on_kill``)."""
        if self.cancel_on_kill and self.job_run_id:
            cancel_job_run_quietly(self, self.job_run_id, "the task was killed")

    def on_wait_timeout(self, context: Context, event: Mapping[str, Any]) -> None:
        """Cancel the run when waiting for it timed out (``cancel_on_kill``)."""
        run_id = event.get("resource_id") or self.job_run_id
        if self.cancel_on_kill and run_id:
            cancel_job_run_quietly(self, run_id, "waiting for it timed out")


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


class DataScienceCancelJobRunOperator(LifecycleActionOperator):
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
    action = "cancel"
    #: a run that finished on its own while being cancelled has stopped too
    target_states = frozenset({_CANCEL.settled, "SUCCEEDED", "FAILED"})
    under_way = frozenset(filter(None, [_CANCEL.transient]))
    acts_while_pending = True

    def __init__(self, *, job_run_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job_run_id = job_run_id

    def execute(self, context: Context) -> Any:
        job_run_id = resource_id_arg(self)
        return self.proceed(context, job_run_id, self.read_resource(job_run_id))

    def is_done(self, state: str | None) -> bool:
        """A run that has stopped or was deleted needs no cancel."""
        return super().is_done(state) or state == "DELETED"

    def finish(
        self,
        context: Context,
        resource_id: str,
        response: Response | None,
        targets: Sequence[str] | frozenset[str] | None,
    ) -> Any:
        """Wait until the run has stopped; only its deletion fails the wait."""
        return self.wait(context, resource_id, target_states=targets, failure_states=["DELETED"])


class DataScienceChangeJobRunCompartmentOperator(ChangeCompartmentOperator):
    """Move a job run to another compartment; returns its JSON (nothing is sent if already there).

    :param job_run_id: job run OCID.
    """

    template_fields: Sequence[str] = ds_template_fields("job_run_id", "compartment_id")
    resource = "job_run"

    def __init__(self, *, job_run_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job_run_id = job_run_id
