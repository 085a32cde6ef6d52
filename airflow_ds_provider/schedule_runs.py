"""Which run a schedule started: the pure part the schedule-run sensor and trigger share.

A schedule's action names what it starts (``CREATE_JOB_RUN``: a job run of ``jobId``;
``CREATE_PIPELINE_RUN``: a pipeline run of ``pipelineId``) and where (the run details'
``compartmentId``, else the schedule's). :func:`run_target` reads that from the schedule's JSON;
:func:`list_args` and :func:`pick_run` find, among the target's runs, the first one the schedule
started at or after a starting point: the oldest run accepted since then that carries the
freeform tag :data:`SCHEDULE_RUN_TAG` naming the schedule (the runs a schedule starts carry it;
a run of the same job started any other way never matches). :func:`default_after` is the
starting point of a wait that begins now, read from the service's own clock (the runs and the
schedule), so a worker clock that differs from the service's does not move it. No I/O here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from airflow_ds_provider._lazy_dataclass import lazy_dataclass
from airflow_ds_provider.logs.search import parse_time
from airflow_ds_provider.spec import get_operation

#: Freeform tag the runs a schedule starts carry: the schedule's OCID.
SCHEDULE_RUN_TAG = "scheduleId"
#: XCom key the schedule-run sensor publishes its starting point under (RFC 3339).
XCOM_AFTER = "schedule_run_after"

#: httpActionType -> (run kind, run-details field, list filter argument, wire field of the target)
_ACTIONS = {
    "CREATE_JOB_RUN": ("job_run", "createJobRunDetails", "job_id", "jobId"),
    "CREATE_PIPELINE_RUN": ("pipeline_run", "createPipelineRunDetails", "pipeline_id", "pipelineId"),
}


@lazy_dataclass(frozen=True)
class RunTarget:
    """What a schedule starts.

    :param kind: ``job_run`` or ``pipeline_run``.
    :param compartment_id: compartment the runs are created in.
    :param parent_arg: list filter argument (``job_id`` / ``pipeline_id``).
    :param parent_id: OCID of the job or pipeline.
    """

    kind: str
    compartment_id: str
    parent_arg: str
    parent_id: str

    @property
    def list_operation(self) -> str:
        """The operation listing the target's runs (``list_job_runs``)."""
        return f"list_{self.kind}s"


def run_target(schedule: Mapping[str, Any], field: str = "schedule_id") -> RunTarget:
    """The :class:`RunTarget` of a schedule's JSON.

    :raises ValueError: naming ``field`` when the schedule starts neither job runs nor pipeline runs.
    """
    action = schedule.get("action") if isinstance(schedule, Mapping) else None
    details = action.get("actionDetails") if isinstance(action, Mapping) else None
    kind = details.get("httpActionType") if isinstance(details, Mapping) else None
    if kind not in _ACTIONS:
        raise ValueError(
            f"{field}: schedule {schedule.get('id')} starts {kind or 'nothing known'}; only schedules "
            f"that start job runs or pipeline runs ({', '.join(sorted(_ACTIONS))}) can be waited on"
        )
    run_kind, details_field, parent_arg, wire = _ACTIONS[kind]
    run = details.get(details_field) or {}
    return RunTarget(
        kind=run_kind,
        compartment_id=str(run.get("compartmentId") or schedule.get("compartmentId")),
        parent_arg=parent_arg,
        parent_id=str(run.get(wire)),
    )


def list_args(target: RunTarget) -> dict[str, Any]:
    """Arguments of ``target.list_operation``: its runs, newest first (by the time the spec lets
    the list sort by: ``timeCreated`` for job runs, ``timeAccepted`` for pipeline runs)."""
    allowed = get_operation(target.list_operation).query_param_allowed_values.get("sortBy", ())
    return {
        "compartment_id": target.compartment_id,
        target.parent_arg: target.parent_id,
        "sort_by": next(value for value in allowed if value.startswith("time")),
        "sort_order": "DESC",
    }


def run_time(run: Mapping[str, Any]) -> float | None:
    """When a run was accepted (epoch seconds), or ``None`` when it does not say."""
    value = run.get("timeAccepted") or run.get("timeCreated")
    try:
        return parse_time(value).timestamp()
    except ValueError:
        return None


def pick_run(runs: Iterable[Mapping[str, Any]], schedule_id: str, after: float) -> dict[str, Any] | None:
    """The oldest run of ``runs`` (newest first) that ``schedule_id`` started at or after ``after``.

    Iteration stops at the first run older than ``after`` (the list is sorted newest first), so
    only the runs since the starting point are read.
    """
    found: dict[str, Any] | None = None
    for run in runs:
        at = run_time(run)
        if at is None:
            continue
        if at < after:
            break
        tags = run.get("freeformTags") or {}
        if isinstance(tags, Mapping) and tags.get(SCHEDULE_RUN_TAG) == schedule_id:
            found = dict(run)
    return found


def default_after(runs: Iterable[Mapping[str, Any]], schedule: Mapping[str, Any]) -> float:
    """The starting point of a wait that begins now, on the service's own clock: just after the
    newest run the schedule has started (``runs``: the target's runs, newest first), or, when it
    has started none, the schedule's creation (every run it starts is then the next one).

    :raises ValueError: when the schedule's JSON has no ``timeCreated``.
    """
    schedule_id = schedule.get("id")
    for run in runs:
        tags = run.get("freeformTags") or {}
        at = run_time(run)
        if at is not None and isinstance(tags, Mapping) and tags.get(SCHEDULE_RUN_TAG) == schedule_id:
            return at + 0.001  # wire times have milliseconds
    return parse_time(schedule.get("timeCreated")).timestamp()


def parse_after(value: Any, field: str = "after") -> float | None:
    """A rendered ``after``: ``None``, an aware ``datetime``, an RFC 3339 string (``T`` or a space
    between date and time, as ``{{ data_interval_end }}`` renders) or epoch seconds.

    :raises ValueError: naming ``field`` and what was expected.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"{field}: expected a time-zone aware datetime, got the naive {value!r}")
        return value.timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 10 and text[10] == " ":  # RFC 3339 allows a space (how Jinja renders datetimes)
            text = f"{text[:10]}T{text[11:]}"
        try:
            return parse_time(text).timestamp()
        except ValueError:
            pass
    raise ValueError(
        f"{field}: expected an RFC 3339 timestamp (e.g. 2026-01-02T03:04:05Z), an aware datetime or "
        f"epoch seconds, got {value!r}"
    )


def iso(ts: float) -> str:
    """``2026-01-02T03:04:05.678Z`` for epoch seconds."""
    when = dt.datetime.fromtimestamp(ts, dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
