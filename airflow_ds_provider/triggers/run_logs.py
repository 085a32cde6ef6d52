"""Run log lines streamed by the trigger while the task is deferred (job runs, pipeline runs).

Airflow 3.3's triggerer writes each trigger's log records to ``<task log>.trigger.<job id>.log``
next to the task's log, and the task log reader shows them while the task is deferred. The
trigger therefore copies the run's new records into its own logger at every poll, through the
same :class:`~airflow_ds_provider.logs.streamer.JobRunLogStreamer` the worker-side wait uses
(same overlap window, same de-duplication), run in a thread (it searches with the sync hook).
Its event carries the streamer's position, so the resumed task continues after the trigger's
last line instead of printing the lines again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from airflow_ds_provider._compat import run_sync
from airflow_ds_provider.logs.streamer import JobRunLogStreamer

#: The kinds of run whose lines a trigger can stream.
STREAMED = ("job_run", "pipeline_run")
#: Event key of the streamer's position (see ``JobRunLogStreamer.position``).
EVENT_LOG_POSITION = "log_position"
#: Event key of the newest lines the trigger wrote (for the resumed task's failure message).
EVENT_LOG_LINES = "log_lines"


def streamer_class(resource: str) -> type[JobRunLogStreamer]:
    """The streamer of a kind of run (``job_run``, ``pipeline_run``)."""
    if resource == "pipeline_run":
        from airflow_ds_provider.logs.pipeline_runs import PipelineRunLogStreamer

        return PipelineRunLogStreamer
    if resource == "job_run":
        return JobRunLogStreamer
    raise ValueError(f"stream_logs: only job runs and pipeline runs have log lines, not {resource!r}")


class TriggerLogCopier:
    """Copies a run's new log lines into the trigger's logger at each poll, in a thread.

    :param resource: ``job_run`` or ``pipeline_run``.
    :param hook_factory: makes the sync hook the streamer searches with.
    :param logger: the trigger's logger (the triggerer routes it to the task's log).
    :param position: where an earlier streamer stopped (the task before deferring).
    """

    def __init__(
        self,
        resource: str,
        hook_factory: Any,
        logger: logging.Logger | logging.LoggerAdapter,
        position: Mapping[str, Any] | None = None,
    ) -> None:
        self.streamer = streamer_class(resource)()
        self.streamer.resume_after(position)
        self._hook_factory = hook_factory
        self._logger = logger
        self._started = False
        self._streaming = False

    def _poll(self, run: Mapping[str, Any]) -> int:
        if not self._started:
            self._started = True
            self._streaming = self.streamer.start(self._hook_factory(), run, self._logger)
        if not self._streaming:
            return 0
        return self.streamer.on_poll(run)

    async def on_poll(self, run: Any) -> None:
        """Write the records that arrived since the last poll (never raises: logs only warn)."""
        if not isinstance(run, Mapping) or not run.get("id"):
            return
        try:
            await run_sync(self._poll, run)  # the sync hook reads its connection: see run_sync
        except Exception as exc:
            self._logger.warning("Could not copy the run's log lines: %s", exc)

    def position(self) -> dict[str, Any]:
        """The streamer's position (JSON), for the event."""
        return self.streamer.position()
