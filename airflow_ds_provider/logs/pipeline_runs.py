"""Pipeline-run logs in the Airflow task log: each step's state changes and the step runs' lines.

A pipeline run's records live in its log (``logDetails``): a custom-script or container step
writes with the run's OCID as ``source`` and its step name as ``subject``; an ML_JOB step's job
run writes with its own OCID as ``source`` (ADS searches them the same way). So
:class:`PipelineRunLogStreamer` is the job-run streamer with one log source per such OCID (each
deduplicated by its own tailer), a step name before every line, and one line per step state
change::

    [pipeline-run] train: epoch 1 loss=0.5
    [pipeline-step] train: WAITING -> IN_PROGRESS
    [pipeline-step] train: IN_PROGRESS -> FAILED (Step train failed with exit code 1.)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from airflow_ds_provider.client.waiter import with_details
from airflow_ds_provider.kinds.pipelines import PIPELINE_STEP_RUN
from airflow_ds_provider.logs.search import LogRecord
from airflow_ds_provider.logs.streamer import MAX_QUOTED_LINE, JobRunLogStreamer, job_run_log_search_url
from airflow_ds_provider.logs.task_logs import JobRunLogsMixin

#: Prefix of every step-run log line in the task log.
PIPELINE_RUN_PREFIX = "[pipeline-run] "
#: Prefix of every step state change in the task log.
STEP_PREFIX = "[pipeline-step] "
#: States of a step that failed on its own (not skipped or cancelled because of another).
STEP_FAILED = PIPELINE_STEP_RUN.outcomes - PIPELINE_STEP_RUN.success


def step_runs(run: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The ``stepRuns`` entries of a pipeline run's JSON (``[]`` when it has none)."""
    steps = run.get("stepRuns") if isinstance(run, Mapping) else None
    return [s for s in steps or () if isinstance(s, Mapping) and s.get("stepName")]


class PipelineRunLogStreamer(JobRunLogStreamer):
    """Copies a pipeline run's step state changes and step log lines into a task log, each once.

    :param copy_lines: also copy the log lines (``stream_logs``); the state changes are always
        written.
    :param kwargs: those of :class:`~airflow_ds_provider.logs.streamer.JobRunLogStreamer`.
    """

    what = "Pipeline run"

    def __init__(self, *, copy_lines: bool = True, prefix: str = PIPELINE_RUN_PREFIX, **kwargs: Any) -> None:
        super().__init__(prefix=prefix, **kwargs)
        self.copy_lines = copy_lines
        self._steps: dict[str, str] = {}
        self._step_of_source: dict[str, str] = {}
        #: the newest lines of each step (a busy step does not push out a failed one's)
        self._step_lines: dict[str, deque[str]] = {}

    def start(self, hook: Any, job_run: Mapping[str, Any], logger: Any) -> bool:
        """Begin: returns True when the run's lines are copied (see the base class)."""
        if self.copy_lines:
            return super().start(hook, job_run, logger)
        self._logger, self._hook, self.tailers = logger, hook, {}
        return False

    def sources(self, run: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
        """The run itself, and the job run of each ML_JOB step that has one."""
        out: dict[str, Mapping[str, Any]] = {str(run.get("id")): run}
        for step in step_runs(run):
            job_run = step.get("jobRunId")
            if not isinstance(job_run, str) or not job_run:
                continue
            self._step_of_source[job_run] = str(step["stepName"])
            out[job_run] = {
                "id": job_run,
                "compartmentId": run.get("compartmentId"),
                "logDetails": run.get("logDetails"),
                "timeAccepted": step.get("timeStarted") or run.get("timeAccepted"),
                **({"timeFinished": step["timeFinished"]} if step.get("timeFinished") else {}),
            }
        return out

    def step_of(self, record: LogRecord) -> str:
        """The step a record belongs to (its ``subject``, else the step of its job run)."""
        return record.subject or self._step_of_source.get(record.source, "")

    def line(self, record: LogRecord) -> str:
        step = self.step_of(record)
        lines = self._step_lines.setdefault(step, deque(maxlen=max(1, self.failure_log_lines)))
        lines.append(record.message)
        return f"{step}: {record.message}" if step else record.message

    def report_steps(self, run: Mapping[str, Any]) -> int:
        """Write one line per step state change since the last call; returns how many.

        A step first seen in another state than the initial one (``WAITING``) is reported as a
        change from it, so a deferred task that resumes reports each step's way once.
        """
        self._require_started()
        assert self._logger is not None
        changes = 0
        for step in step_runs(run):
            name, state = str(step["stepName"]), step.get("lifecycleState")
            old = self._steps.get(name, PIPELINE_STEP_RUN.initial)
            if not isinstance(state, str) or state == old:
                continue
            details = step.get("lifecycleDetails")
            self._logger.info(
                "%s%s: %s -> %s%s", STEP_PREFIX, name, old, state, f" ({details})" if details else ""
            )
            self._steps[name] = state
            changes += 1
        return changes

    def on_poll(self, job_run: Mapping[str, Any]) -> int:
        """Write the new log lines, then the step changes; returns how many lines."""
        lines = super().on_poll(job_run)
        self.report_steps(job_run)
        return lines

    def finish(self, job_run: Mapping[str, Any], failed: bool) -> list[str]:
        """The final tail (see the base class), then the last step changes."""
        last = super().finish(job_run, failed)
        self.report_steps(job_run)
        return last

    def step_lines(self, step: str) -> list[str]:
        """The newest lines (up to ``failure_log_lines``) of one step."""
        return (
            list(self._step_lines.get(step, ()))[-self.failure_log_lines :] if self.failure_log_lines else []
        )


def failed_steps_text(run: Mapping[str, Any], step_lines: Callable[[str], list[str]]) -> list[str]:
    """Lines naming each failed step of a run with its ``lifecycleDetails`` and its last lines.

    :param step_lines: a step name -> its newest log lines (``PipelineRunLogStreamer.step_lines``).
    """
    out: list[str] = []
    for step in step_runs(run):
        if step.get("lifecycleState") not in STEP_FAILED:
            continue
        name, details = step["stepName"], step.get("lifecycleDetails")
        out.append(f"Step {name} {step['lifecycleState']}{f': {details}' if details else ''}")
        lines = step_lines(str(name))
        if lines:
            out.append(f"  Last {len(lines)} line{'s' if len(lines) != 1 else ''} of step {name}:")
            out += [
                f"    {line if len(line) <= MAX_QUOTED_LINE else line[:MAX_QUOTED_LINE] + '...'}"
                for line in lines
            ]
    return out


class PipelineRunLogsMixin(JobRunLogsMixin):
    """:class:`~airflow_ds_provider.logs.task_logs.JobRunLogsMixin` for pipeline runs: the step
    state changes are always written, the log lines with ``stream_logs``; a failure names each
    failed step with its ``lifecycleDetails`` and last lines."""

    log_resource = "pipeline_run"
    log_streamer_class = PipelineRunLogStreamer
    reports_without_logs = True
    # not yet: the step states and the per-step failure lines are still written on resume
    stream_from_trigger = False

    def run_log_streamer(self) -> PipelineRunLogStreamer:
        """The streamer of this task (it copies the log lines only with ``stream_logs``)."""
        self._log_streamer = PipelineRunLogStreamer(
            copy_lines=bool(self.stream_logs),
            failure_log_lines=self.failure_log_lines,
            final_tail_max_wait=self.log_tail_max_wait,
            final_tail_grace=self.log_tail_grace,
        )
        return self._log_streamer

    def failure_note(self, run: Mapping[str, Any], lines: list[str]) -> str | None:
        """The failed steps, their details and last lines (for a failure message)."""
        streamer = self._log_streamer
        step_lines = streamer.step_lines if isinstance(streamer, PipelineRunLogStreamer) else lambda s: []
        return "\n".join(failed_steps_text(run, step_lines)) or None

    def _failure_text(self, message: str, lines: list[str], run: Mapping[str, Any]) -> str:
        """The run's failure, then each failed step with its details and last lines."""
        out = [with_details(message, run.get("lifecycleDetails"))]
        note = self.failure_note(run, lines)
        if note:
            out.append(note)
        url = job_run_log_search_url(run, self.hook.config.region)
        if url:
            out.append(f"Full log: {url}")
        return "\n".join(out)
