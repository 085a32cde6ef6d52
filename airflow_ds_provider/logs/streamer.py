"""Job-run log lines in the Airflow task log: what the job-run operator and sensor call.

Sync wait::

    streamer = JobRunLogStreamer()
    streamer.start(hook, run, self.log)
    while not terminal(run):
        run = hook.get_job_run(run_id).data
        streamer.on_poll(run)
    tail = streamer.finish(run, failed=run["lifecycleState"] != "SUCCEEDED")

Deferrable (in ``execute_complete``, with the run JSON of the trigger event): ``start`` then
``finish``; the final tail reads the whole log once.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from airflow_ds_provider.links.urls import log_search_url
from airflow_ds_provider.logs.search import MAX_PAGE_LIMIT, LogRecord, LogSearchClient, check_page_limit
from airflow_ds_provider.logs.tailer import DEFAULT_OVERLAP, JobRunLogTailer, _number

#: Prefix of every job-run line in the task log.
DEFAULT_PREFIX = "[job-run] "
#: Lines quoted in a failure message.
DEFAULT_FAILURE_LOG_LINES = 20
#: Longest line quoted in a failure message.
MAX_QUOTED_LINE = 1000


def job_run_log_search_url(job_run: Mapping[str, Any], region: str) -> str | None:
    """The OCI Console Logging search for a job run's records; None when logging is off.

    :param job_run: the job run's wire JSON (``id``, ``compartmentId``, ``logDetails``).
    :param region: region identifier, e.g. ``hook.config.region``.
    """
    details = job_run.get("logDetails") if isinstance(job_run, Mapping) else None
    if not isinstance(details, Mapping):
        return None
    parts = (job_run.get("compartmentId"), details.get("logGroupId"), details.get("logId"), job_run.get("id"))
    if not all(isinstance(p, str) and p for p in parts) or not region:
        return None
    compartment, group, log_id, run_id = parts
    return log_search_url(compartment, group, log_id, run_id, region)  # type: ignore[arg-type]


def format_failure_message(message: str, lines: Sequence[str], log_url: str | None = None) -> str:
    """``message`` followed by the last job-run log lines (each cut at 1000 characters).

    :param message: the failure, e.g. the run's ``lifecycleDetails``.
    :param lines: the newest log lines, oldest first (``JobRunLogStreamer.finish``).
    :param log_url: a link to the full log, added when given.
    """
    out = [message]
    if lines:
        out.append(f"Last {len(lines)} line{'s' if len(lines) != 1 else ''} of the job run log:")
        for line in lines:
            text = line if len(line) <= MAX_QUOTED_LINE else line[:MAX_QUOTED_LINE] + "..."
            out.append(f"    {text}")
    if log_url:
        out.append(f"Full log: {log_url}")
    return "\n".join(out)


class JobRunLogStreamer:
    """Copies a job run's log records into a task log, one line per record, each once.

    Subclasses stream other runs by naming their log :meth:`sources` (one tailer each) and how
    a record reads in the task log (:meth:`line`); see ``PipelineRunLogStreamer``.

    A run without ``logDetails`` (logging disabled) costs no Logging call at all; a Logging
    outage only produces warnings (reading logs never fails the task).

    :param prefix: put before each job-run line in the task log.
    :param failure_log_lines: how many of the newest lines :meth:`finish` returns on failure.
    :param overlap: seconds re-searched on every poll for late records (see ``JobRunLogTailer``).
    :param page_limit: results per search page (up to 1000).
    :param final_tail_max_wait: upper bound in seconds of the final tail after the run ended.
    :param final_tail_grace: seconds after ``timeFinished`` during which late records are awaited.
    :param final_tail_poll_interval: seconds between the searches of the final tail.
    :param clock: current time in epoch seconds.
    :param sleep: how to wait between the searches of the final tail.
    """

    #: the run's name in messages
    what = "Job run"

    def __init__(
        self,
        *,
        prefix: str = DEFAULT_PREFIX,
        failure_log_lines: int = DEFAULT_FAILURE_LOG_LINES,
        overlap: float = DEFAULT_OVERLAP,
        page_limit: int = MAX_PAGE_LIMIT,
        final_tail_max_wait: float = 120.0,
        final_tail_grace: float = 30.0,
        final_tail_poll_interval: float = 5.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not isinstance(prefix, str):
            raise ValueError(f"prefix: expected a string, got {type(prefix).__name__}")
        if (
            isinstance(failure_log_lines, bool)
            or not isinstance(failure_log_lines, int)
            or failure_log_lines < 0
        ):
            raise ValueError(f"failure_log_lines: expected an integer >= 0, got {failure_log_lines!r}")
        self.prefix = prefix
        self.failure_log_lines = failure_log_lines
        self.overlap = _number("overlap", overlap, 0)
        self.page_limit = check_page_limit(page_limit)
        self.final_tail_max_wait = _number("final_tail_max_wait", final_tail_max_wait, 0)
        self.final_tail_grace = _number("final_tail_grace", final_tail_grace, 0)
        self.final_tail_poll_interval = _number("final_tail_poll_interval", final_tail_poll_interval, 0.001)
        self.clock = clock
        self.sleep = sleep
        #: one tailer per log source (the job run; a pipeline run and its steps' job runs)
        self.tailers: dict[str, JobRunLogTailer] = {}
        self.lines_emitted = 0
        self._logger: logging.Logger | logging.LoggerAdapter | None = None
        self._hook: LogSearchClient | None = None
        self._unreadable: set[str] = set()
        self._recent: deque[LogRecord] = deque(maxlen=max(1, failure_log_lines))
        #: positions to continue from, per source, applied when its tailer starts
        self._resume_at: dict[str, Mapping[str, Any]] = {}

    def start(
        self,
        hook: LogSearchClient,
        job_run: Mapping[str, Any],
        logger: logging.Logger | logging.LoggerAdapter,
    ) -> bool:
        """Begin streaming; returns True when the run has logs to stream.

        :param hook: a ``DataScienceHook`` (or client) to search with.
        :param job_run: the job run's wire JSON (from ``create_job_run`` or ``get_job_run``).
        :param logger: the task logger (``self.log`` of the operator or sensor).
        """
        self._logger = logger
        self._hook = hook
        self.tailers = {}
        run_id = job_run.get("id") if isinstance(job_run, Mapping) else None
        if not isinstance(job_run, Mapping) or not job_run.get("logDetails"):
            logger.info(
                "%s %s has logging disabled (no logDetails): its output is not copied to this log",
                self.what,
                run_id,
            )
            return False
        self._track(job_run)
        return bool(self.tailers)

    def sources(self, run: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
        """The log sources of a run: source OCID -> the JSON its tailer reads (``id``,
        ``compartmentId``, ``logDetails``, start and finish times). A job run is its own one source."""
        return {str(run.get("id")): run}

    def _track(self, run: Mapping[str, Any]) -> None:
        """Start a tailer for each new source of ``run``; give the others its newer JSON."""
        assert self._logger is not None and self._hook is not None
        for source, data in self.sources(run).items():
            tailer = self.tailers.get(source)
            if tailer is not None:
                tailer.update(data)
                continue
            if source in self._unreadable:
                continue
            try:
                self.tailers[source] = JobRunLogTailer(
                    self._hook,
                    data,
                    overlap=self.overlap,
                    page_limit=self.page_limit,
                    history=max(1, self.failure_log_lines),
                    logger=self._logger,
                    clock=self.clock,
                    sleep=self.sleep,
                )
            except ValueError as exc:
                self._unreadable.add(source)
                self._logger.warning("%s %s: its logs cannot be read (%s)", self.what, source, exc)
                continue
            if source in self._resume_at:
                self.tailers[source].restore(self._resume_at[source])

    def position(self) -> dict[str, dict[str, Any]]:
        """Where each source's lines have got to (JSON): pass it to :meth:`resume_after` of the
        streamer that continues (the resumed task after its trigger, a restarted trigger)."""
        positions = {source: dict(p) for source, p in self._resume_at.items()}
        positions.update({source: tailer.position() for source, tailer in self.tailers.items()})
        return positions

    def resume_after(self, positions: Mapping[str, Any] | None) -> None:
        """Skip the records another streamer already wrote (``position()`` of it); call before
        :meth:`start`. ``None`` or ``{}``: start from the run's beginning."""
        if positions is None:
            return
        if not isinstance(positions, Mapping) or not all(isinstance(p, Mapping) for p in positions.values()):
            raise ValueError(f"log_position: expected an object of source positions, got {positions!r}")
        self._resume_at = {str(source): p for source, p in positions.items()}

    def line(self, record: LogRecord) -> str:
        """The task-log text of one record (after the prefix)."""
        return record.message

    def _emit(self, records: list[LogRecord]) -> int:
        assert self._logger is not None
        for record in records:
            self._logger.info("%s%s", self.prefix, self.line(record))
            self._recent.append(record)
        self.lines_emitted += len(records)
        return len(records)

    def _require_started(self) -> None:
        if self._logger is None:
            raise RuntimeError(f"{type(self).__name__}.start() must be called first")

    def on_poll(self, job_run: Mapping[str, Any]) -> int:
        """Write the records that arrived since the last call; returns how many.

        :param job_run: the run's latest wire JSON (no search while it is still ACCEPTED).
        """
        self._require_started()
        if not self.tailers:
            return 0
        self._track(job_run)
        if job_run.get("lifecycleState") == "ACCEPTED":
            return 0
        found = [record for tailer in self.tailers.values() if tailer.enabled for record in tailer.poll()]
        return self._emit(sorted(found, key=lambda r: r.time))

    def finish(self, job_run: Mapping[str, Any], failed: bool) -> list[str]:
        """Final bounded tail after the run ended; returns the newest lines when ``failed``.

        A run without ``timeFinished`` (the wait gave up on it) gets one last search, no tail.

        :param job_run: the run's final wire JSON (its ``timeFinished`` bounds the wait).
        :param failed: whether the run failed (only then are lines returned).
        :returns: up to ``failure_log_lines`` messages, oldest first, for
            :func:`format_failure_message`; ``[]`` when the run succeeded or has no logs.
        """
        self._require_started()
        if not self.tailers:
            return []
        self._track(job_run)
        found: list[LogRecord] = []
        for tailer in self.tailers.values():
            if not tailer.enabled:
                continue
            if tailer.finished:
                found += tailer.tail(
                    max_wait=self.final_tail_max_wait,
                    grace=self.final_tail_grace,
                    poll_interval=self.final_tail_poll_interval,
                )
            else:  # still running (e.g. the wait timed out): one last read, no waiting
                found += tailer.poll()
        self._emit(sorted(found, key=lambda r: r.time))
        return self.last_lines() if failed else []

    def last_lines(self) -> list[str]:
        """The messages of the newest ``failure_log_lines`` records emitted."""
        if self.failure_log_lines <= 0:
            return []
        return [r.message for r in self._recent][-self.failure_log_lines :]
