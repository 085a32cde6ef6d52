"""Run logs in the Airflow task log, for the job-run and pipeline-run operators and sensors.

:class:`JobRunLogsMixin` gives a task the ``stream_logs`` options and three steps: a worker-side
wait loop that copies new log records into the task log at every poll, the same copy done once
when a deferred task resumes, and the failure message with the run's last log lines. Reading
logs never fails a task: a Logging outage only warns (see :class:`JobRunLogStreamer`). A class
streams another kind of run by setting :attr:`~JobRunLogsMixin.log_resource` and
:attr:`~JobRunLogsMixin.log_streamer_class` (the pipeline-run operator and sensor do).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.client.waiter import StateWaiter, seconds, with_details
from airflow_ds_provider.lifecycle import Lifecycle, Outcome
from airflow_ds_provider.logs.streamer import (
    DEFAULT_FAILURE_LOG_LINES,
    JobRunLogStreamer,
    format_failure_message,
    job_run_log_search_url,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.hooks.data_science import DataScienceHook

#: XCom key of the OCI Logging search URL of the run's records.
XCOM_LOG_SEARCH_URL = "log_search_url"


class JobRunLogsMixin:
    """Stream a job run's log records into the task log.

    :param stream_logs: copy the run's log lines into the task log while waiting (worker) or
        when the deferred task resumes; only runs with ``logDetails`` (logging enabled on the job
        or run) are read, others cost no Logging call.
    :param failure_log_lines: how many of the run's last log lines go into a failure message.
    :param log_tail_max_wait: upper bound, in seconds, of the final tail after the run ended.
    :param log_tail_grace: seconds after the run's ``timeFinished`` during which late log records
        are still awaited (OCI Logging ingests with a delay; 0 on the emulator).
    """

    hook: DataScienceHook
    log: Any
    #: the kind of run whose logs are streamed (its trigger events carry it as ``resource``)
    log_resource: str = "job_run"
    #: the streamer of that kind of run
    log_streamer_class: type[JobRunLogStreamer] = JobRunLogStreamer
    #: the streamer reports more than log lines (a pipeline run's step states): it runs even
    #: with ``stream_logs=False``
    reports_without_logs: bool = False
    #: the trigger copies the run's lines into the task log while deferred (``stream_logs``)
    stream_from_trigger: bool = True
    #: the streamer of the last wait or resume (for the failure message)
    _log_streamer: JobRunLogStreamer | None = None

    def init_job_run_logs(
        self,
        stream_logs: bool = True,
        failure_log_lines: int = DEFAULT_FAILURE_LOG_LINES,
        log_tail_max_wait: float = 120.0,
        log_tail_grace: float = 30.0,
    ) -> None:
        """Check and store the options (called from ``__init__``); errors name the argument."""
        if (
            isinstance(failure_log_lines, bool)
            or not isinstance(failure_log_lines, int)
            or failure_log_lines < 0
        ):
            raise ValueError(f"failure_log_lines: expected an integer >= 0, got {failure_log_lines!r}")
        seconds("log_tail_max_wait", log_tail_max_wait, allow_zero=True)
        seconds("log_tail_grace", log_tail_grace, allow_zero=True)
        self.stream_logs = stream_logs
        self.failure_log_lines = failure_log_lines
        self.log_tail_max_wait = log_tail_max_wait
        self.log_tail_grace = log_tail_grace

    def run_log_streamer(self) -> JobRunLogStreamer:
        """A streamer configured from this task's options (validated here, after rendering)."""
        self._log_streamer = self.log_streamer_class(
            failure_log_lines=self.failure_log_lines,
            final_tail_max_wait=self.log_tail_max_wait,
            final_tail_grace=self.log_tail_grace,
        )
        return self._log_streamer

    def publish_log_link(self, context: Context, job_run: Mapping[str, Any]) -> None:
        """Push the Logging search URL of the run (extra link "OCI Job Run Logs"), if it logs."""
        url = job_run_log_search_url(job_run, self.hook.config.region)
        if url:
            context["ti"].xcom_push(key=XCOM_LOG_SEARCH_URL, value=url)

    def wait_streaming_logs(
        self, lifecycle: Lifecycle, job_run_id: str, poll_interval: float, timeout: float
    ) -> dict[str, Any]:
        """Poll the run until it settles, copying new log lines into the task log at every poll.

        :raises AirflowFailException: on a failure state, with lifecycleDetails and the last lines.
        :raises WaitTimeoutError: when ``timeout`` passes first (the caller cancels the run).
        """
        waiter = StateWaiter(lifecycle, job_run_id, poll_interval, timeout)
        streamer = self.run_log_streamer()

        def read() -> dict[str, Any]:
            return self.hook.call(lifecycle.get_operation, **{lifecycle.id_param: job_run_id}).data

        run = read()
        streamer.start(self.hook, run, self.log)
        while True:
            check = waiter.observe(run)
            streamer.on_poll(run)
            if check.outcome is Outcome.SUCCESS:
                streamer.finish(run, failed=False)
                return run
            if check.outcome is Outcome.FAILURE:
                lines = streamer.finish(run, failed=True)
                raise AirflowFailException(self._failure_text(check.message, lines, run))
            delay = waiter.next_sleep()
            if delay is None:
                streamer.finish(run, failed=False)
                raise waiter.timed_out()
            time.sleep(delay)
            run = read()

    def logs_on_resume(self, event: Mapping[str, Any]) -> list[str]:
        """Copy the run's log lines into the task log when a deferred task resumes.

        :returns: the last lines when the event is not a success, for the failure message.
        """
        run = event.get("data")
        if not isinstance(run, Mapping) or event.get("resource") != self.log_resource:
            return []
        if not (self.stream_logs or self.reports_without_logs):
            return []
        streamer = self.run_log_streamer()
        # the trigger streamed the lines while deferred: continue after its last one
        streamer.resume_after(event.get("log_position"))
        streamer.start(self.hook, run, self.log)
        lines = streamer.finish(run, failed=event.get("status") != "success")
        if event.get("status") == "success" or self.failure_log_lines <= 0:
            return lines
        earlier = event.get("log_lines")  # the newest lines the trigger wrote, before these
        earlier = [line for line in earlier if isinstance(line, str)] if isinstance(earlier, list) else []
        return (earlier + lines)[-self.failure_log_lines :]

    def failure_note(self, run: Mapping[str, Any], lines: list[str]) -> str | None:
        """What a sensor adds to the failure message of a run: its last log lines."""
        return format_failure_message("", lines).strip() or None

    def _failure_text(self, message: str, lines: list[str], run: Mapping[str, Any]) -> str:
        """The failure message: ``message`` with the run's ``lifecycleDetails``, its last lines and
        a link to its logs."""
        message = with_details(message, run.get("lifecycleDetails"))
        return format_failure_message(message, lines, job_run_log_search_url(run, self.hook.config.region))
