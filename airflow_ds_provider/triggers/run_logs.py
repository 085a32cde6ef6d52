"""Run log lines streamed by the trigger while the task is deferred (job runs, pipeline runs).

Airflow 3.3's triggerer writes each trigger's log records to ``<task log>.trigger.<job id>.log``
next to the task's log, and the task log reader shows them while the task is deferred. The
trigger therefore copies the run's new records into its own logger at every poll, through the
same :class:`~airflow_ds_provider.logs.streamer.JobRunLogStreamer` the worker-side wait uses
(same overlap window, same de-duplication), run in a thread (it searches with the sync hook).
Its event carries the streamer's position, so the resumed task continues after the trigger's
last line instead of printing the lines again.

A triggerer that dies takes the trigger's position with it, and the next triggerer (on any host)
only has the trigger's arguments. So after each poll that wrote lines the copier also saves its
position in an XCom of the deferred task instance (:class:`XComCheckpoint`; the triggerer
forwards XCom requests to the metadata database, on every Airflow 3 version), and a new trigger
instance of the same try continues after it. A kill between writing lines and saving the position
repeats at most that one poll's lines; a trigger without a task instance (``dag.test()`` on some
versions) keeps its position in memory only.
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
#: XCom key of the trigger's saved position (see :class:`XComCheckpoint`).
CHECKPOINT_KEY = "oci_ds_trigger_log_position"


def streamer_class(resource: str) -> type[JobRunLogStreamer]:
    """The streamer of a kind of run (``job_run``, ``pipeline_run``)."""
    if resource == "pipeline_run":
        from airflow_ds_provider.logs.pipeline_runs import PipelineRunLogStreamer

        return PipelineRunLogStreamer
    if resource == "job_run":
        return JobRunLogStreamer
    raise ValueError(f"stream_logs: only job runs and pipeline runs have log lines, not {resource!r}")


class XComCheckpoint:
    """The trigger's log position, kept in an XCom of the deferred task instance (this try only).

    :param task_instance: the trigger's ``task_instance`` (dag, task, run, map index, try).
    """

    def __init__(self, task_instance: Any) -> None:
        self._ids = {
            "dag_id": task_instance.dag_id,
            "task_id": task_instance.task_id,
            "run_id": task_instance.run_id,
            "map_index": task_instance.map_index,
        }
        self._try = task_instance.try_number

    @classmethod
    def of(cls, task_instance: Any) -> XComCheckpoint | None:
        """A checkpoint for ``task_instance``, or ``None`` when the trigger runs without one."""
        names = ("dag_id", "task_id", "run_id", "map_index", "try_number")
        if task_instance is None or any(getattr(task_instance, n, None) is None for n in names):
            return None
        return cls(task_instance)

    def load(self) -> Mapping[str, Any] | None:
        """The position saved by an earlier trigger instance of this try, if any."""
        from airflow.sdk.bases.xcom import BaseXCom

        saved = BaseXCom.get_one(key=CHECKPOINT_KEY, **self._ids)
        if isinstance(saved, Mapping) and saved.get("try_number") == self._try:
            return saved.get("position")
        return None

    def save(self, position: Mapping[str, Any]) -> None:
        """Save ``position`` for a trigger instance that continues this try."""
        from airflow.sdk.bases.xcom import BaseXCom

        BaseXCom.set(CHECKPOINT_KEY, {"try_number": self._try, "position": dict(position)}, **self._ids)


class TriggerLogCopier:
    """Copies a run's new log lines into the trigger's logger at each poll, in a thread.

    :param resource: ``job_run`` or ``pipeline_run``.
    :param hook_factory: makes the sync hook the streamer searches with.
    :param logger: the trigger's logger (the triggerer routes it to the task's log).
    :param position: where an earlier streamer stopped (the task before deferring).
    :param checkpoint: where to save the position after each poll that wrote lines, and whose
        saved position (a trigger instance before a triggerer restart) wins over ``position``.
    """

    def __init__(
        self,
        resource: str,
        hook_factory: Any,
        logger: logging.Logger | logging.LoggerAdapter,
        position: Mapping[str, Any] | None = None,
        checkpoint: XComCheckpoint | None = None,
    ) -> None:
        self.streamer = streamer_class(resource)()
        self.streamer.resume_after(position)
        self._checkpoint = checkpoint
        self._hook_factory = hook_factory
        self._logger = logger
        self._started = False
        self._streaming = False

    def _poll(self, run: Mapping[str, Any]) -> int:
        if not self._started:
            self._started = True
            saved = self._checkpoint_call("read", lambda c: c.load())
            if saved:
                self.streamer.resume_after(saved)
            self._streaming = self.streamer.start(self._hook_factory(), run, self._logger)
        if not self._streaming:
            return 0
        written = self.streamer.on_poll(run)
        if written:
            self._checkpoint_call("save", lambda c: c.save(self.streamer.position()))
        return written

    def _checkpoint_call(self, what: str, call: Any) -> Any:
        """Read or save the checkpoint; a failure costs only exactly-once across a restart."""
        if self._checkpoint is None:
            return None
        try:
            return call(self._checkpoint)
        except Exception as exc:
            self._logger.warning("Could not %s the log position checkpoint: %s", what, exc)
            return None

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
