"""The bases of the operators that start a run and wait for it, and that cancel one (job runs,
pipeline runs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.logs.streamer import DEFAULT_FAILURE_LOG_LINES
from airflow_ds_provider.logs.task_logs import JobRunLogsMixin
from airflow_ds_provider.operators._resource_actions import (
    LifecycleActionOperator,
    cancel_run_quietly,
    create_resource,
    resource_id_arg,
)
from airflow_ds_provider.operators.base import DataScienceWaitingOperator
from airflow_ds_provider.resources import get_resource

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.client.response import Response
    from airflow_ds_provider.lifecycle import Lifecycle


class CreateRunOperator(JobRunLogsMixin, DataScienceWaitingOperator):
    """Start a run of ``resource`` (``job_run``, ``pipeline_run``) and (by default) wait for it,
    copying its log lines into the task log; returns the run's final JSON.

    A run that ends in a failure state fails the task (no retry) with its ``lifecycleDetails``
    and its last log lines. A concrete class builds the body and calls :meth:`start_and_wait`;
    the run's OCID is kept in the attribute ``<resource>_id`` (for ``on_kill``).

    :param reattach_on_retry: a new try of the same task instance adopts the run an earlier try
        started instead of starting another: a run still ``ACCEPTED`` or ``IN_PROGRESS`` on any
        later try, a ``SUCCEEDED`` one on a retry (not after a deliberate clear of the task); a
        failed or cancelled run gets a new run. Found through ``task_state_store``, else by the
        identity tags.
    :param cancel_on_kill: cancel the run when the task is killed (in the worker, or through the
        trigger while deferred) or when waiting times out.
    :param stream_logs: copy the run's log lines into the task log (runs with logging enabled),
        while waiting in the worker or when the deferred task resumes.
    :param failure_log_lines: the run's last log lines quoted in a failure message.
    :param log_tail_max_wait: bound in seconds of the final log tail after the run ended.
    :param log_tail_grace: seconds after the run finished during which late log records are
        awaited (OCI Logging ingests with a delay; 0 is fine on the emulator).
    """

    def __init__(
        self,
        *,
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
        self.reattach_on_retry = reattach_on_retry
        self.cancel_on_kill = cancel_on_kill
        setattr(self, self.run_id_field, None)

    @property
    def run_id_field(self) -> str:
        """The attribute holding the run this task started or attached to (``job_run_id``)."""
        return f"{self._kind(None)}_id"

    def start_and_wait(self, context: Context, body: dict[str, Any]) -> Any:
        """Create the run (or adopt an earlier try's), publish its Logging link, and wait."""
        run = create_resource(self, context, self._kind(None), body, adopt=self.reattach_on_retry)
        setattr(self, self.run_id_field, run["id"])
        self.publish_log_link(context, run)
        return self.wait_for_run(context, run)

    def wait_for_run(self, context: Context, run: dict[str, Any]) -> Any:
        """Wait for the run to finish: the one place to extend."""
        return self.wait(context, run["id"], cancel_on_kill=self.cancel_on_kill, initial=run)

    def wait_sync(
        self, context: Context, lifecycle: Lifecycle, resource_id: str, not_found_ok: bool
    ) -> dict[str, Any] | None:
        """The worker-side wait, streaming the run's log lines into the task log at every poll."""
        if not (self.stream_logs or self.reports_without_logs):
            return super().wait_sync(context, lifecycle, resource_id, not_found_ok)
        return self.wait_streaming_logs(lifecycle, resource_id, self.poll_interval, self.timeout)

    def build_trigger(self, **kwargs: Any) -> Any:
        """The lifecycle trigger, streaming the run's log lines while deferred (``stream_logs``)."""
        if self.stream_logs and self.stream_from_trigger and kwargs.get("resource") == self.log_resource:
            kwargs.setdefault("stream_logs", True)
        return super().build_trigger(**kwargs)

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume after the trigger: copy the run's log lines, then succeed or fail with them."""
        lines = self.logs_on_resume(event) if isinstance(event, Mapping) else []
        if isinstance(event, Mapping) and event.get("status") == "failure":
            data = event.get("data") if isinstance(event.get("data"), Mapping) else {}
            fallback = f"{get_resource(self._kind(None)).display} failed"
            raise AirflowFailException(self._failure_text(event.get("message") or fallback, lines, data))
        return super().execute_complete(context, event)

    def on_kill(self) -> None:
        """Cancel the run when the task is killed in the worker (``cancel_on_kill``)."""
        run_id = getattr(self, self.run_id_field, None)
        if self.cancel_on_kill and run_id:
            cancel_run_quietly(self, self._kind(None), run_id, "the task was killed")

    def on_wait_timeout(self, context: Context, event: Mapping[str, Any]) -> None:
        """Cancel the run when waiting for it timed out (``cancel_on_kill``)."""
        run_id = event.get("resource_id") or getattr(self, self.run_id_field, None)
        if self.cancel_on_kill and run_id:
            cancel_run_quietly(self, self._kind(None), run_id, "waiting for it timed out")


class CancelRunOperator(LifecycleActionOperator):
    """Cancel a run and (by default) wait until it has stopped; returns its final JSON (``None``
    at once without ``wait_for_completion``).

    Safe to retry: a run already cancelling (the action's transient state) is only waited for,
    and a run that has already stopped (a target state) or was deleted is returned as is, with a
    log line. A run that does not exist fails with the service's 404. A concrete class sets
    ``resource`` and declares its ``target_states``.
    """

    action = "cancel"
    acts_while_pending = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.resource and "under_way" not in vars(cls):
            cls.under_way = frozenset(filter(None, [get_resource(cls.resource).actions["cancel"].transient]))

    def execute(self, context: Context) -> Any:
        run_id = resource_id_arg(self)
        return self.proceed(context, run_id, self.read_resource(run_id))

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
