"""Sensor that waits for a Data Science job run, copying its log lines into the task log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.lifecycle import Outcome
from airflow_ds_provider.links.console import DataScienceConsoleLink, DataScienceLogSearchLink
from airflow_ds_provider.logs.streamer import DEFAULT_FAILURE_LOG_LINES, JobRunLogStreamer
from airflow_ds_provider.logs.task_logs import JobRunLogsMixin
from airflow_ds_provider.sensors.lifecycle import DataScienceLifecycleSensor, sensor_template_fields

if TYPE_CHECKING:
    from airflow.sdk import Context


class RunLogsSensor(JobRunLogsMixin, DataScienceLifecycleSensor):
    """Base of the sensors that wait for a run and copy its log lines into the task log: at every
    poke in ``poke`` mode, once when the run has ended in ``reschedule`` mode, and when the task
    resumes in deferrable mode.

    :param resource: the kind of run (``job_run``).

    The log options (``stream_logs``, ``failure_log_lines``, ``log_tail_max_wait``,
    ``log_tail_grace``) are those of :class:`~airflow_ds_provider.logs.task_logs.JobRunLogsMixin`;
    the other parameters those of :class:`DataScienceLifecycleSensor`.
    """

    operator_extra_links = (DataScienceConsoleLink(), DataScienceLogSearchLink())

    def __init__(
        self,
        *,
        resource: str,
        stream_logs: bool = True,
        failure_log_lines: int = DEFAULT_FAILURE_LOG_LINES,
        log_tail_max_wait: float = 120.0,
        log_tail_grace: float = 30.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(resource=resource, **kwargs)
        self.init_job_run_logs(stream_logs, failure_log_lines, log_tail_max_wait, log_tail_grace)
        self._streamer: JobRunLogStreamer | None = None

    def execute(self, context: Context) -> Any:
        """Wait for the run (see :class:`DataScienceLifecycleSensor`), with its Logging link."""
        self._context = context
        return super().execute(context)

    def observed(self, data: dict[str, Any], outcome: Outcome) -> str | None:
        """Copy new log lines; at the end, the final tail (and the last lines for a failure)."""
        if not (self.stream_logs or self.reports_without_logs):
            return None
        if self._streamer is None:
            self.publish_log_link(self._context, data)
            if (self.reschedule or self.deferrable) and outcome not in (Outcome.SUCCESS, Outcome.FAILURE):
                # each reschedule is a new process, and a deferred task reads the log when it
                # resumes: read it once, at the end
                return None
            self._streamer = self.run_log_streamer()
            self._streamer.start(self.hook, data, self.log)
        if outcome not in (Outcome.SUCCESS, Outcome.FAILURE):
            self._streamer.on_poll(data)
            return None
        lines = self._streamer.finish(data, failed=outcome is Outcome.FAILURE)
        return self.failure_note(data, lines)

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume after the trigger: copy the run's log lines, then succeed or fail with them."""
        lines = self.logs_on_resume(event) if isinstance(event, Mapping) else []
        if isinstance(event, Mapping) and event.get("status") == "failure":
            data = event.get("data") if isinstance(event.get("data"), Mapping) else {}
            raise AirflowFailException(self._failure_text(str(event.get("message") or ""), lines, data))
        return super().execute_complete(context, event)


class DataScienceJobRunSensor(RunLogsSensor):
    """Wait until a job run is ``SUCCEEDED`` (fails on ``FAILED``, ``CANCELED``, ``NEEDS_ATTENTION``, ``DELETED``,
    quoting ``lifecycleDetails`` and the run's last log lines).

    With logging enabled on the run, its log lines are copied into the task log (see
    :class:`RunLogsSensor`).

    :param job_run_id: OCID of the job run (templated).

    The other parameters are those of :class:`RunLogsSensor`.
    """

    template_fields: Sequence[str] = sensor_template_fields("job_run_id")
    id_field = "job_run_id"

    def __init__(self, *, job_run_id: str, **kwargs: Any) -> None:
        super().__init__(resource="job_run", **kwargs)
        self.job_run_id = job_run_id
