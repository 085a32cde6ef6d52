"""The parts of a schedule's body the schedule operators build and check.

:func:`schedule_action` builds the ``ScheduleHttpAction`` that starts a job run or a pipeline run;
:func:`schedule_trigger` builds a ``CRON`` / ``INTERVAL`` / ``ICAL`` trigger from one shorthand;
:func:`check_trigger` checks a trigger's content beyond its model (the cron fields and their
ranges, the iCal rule's ``FREQ``, a positive interval, the window) so a bad one fails before the
create, naming the field. The model itself (fields, enums, discriminators) is checked by the
shared body check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from airflow_ds_provider.operators._body import require_ocid
from airflow_ds_provider.schedule_runs import iso, parse_after

#: The trigger shorthands (first-class arguments), one of which builds ``trigger``.
TRIGGER_ARGS = ("cron", "ical", "interval_hours", "interval_days")
#: cron fields: (name, lowest, highest, names)
_CRON_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    ("day of week", 0, 7, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),
)
_CRON_PART = re.compile(r"^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(/[0-9]+)?$")
#: RFC 5545 frequencies.
_FREQS = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def schedule_action(
    *,
    job_id: str | None,
    pipeline_id: str | None,
    run_details: Mapping[str, Any] | None,
    project_id: str | None,
    compartment_id: str,
) -> dict[str, Any]:
    """The ``ScheduleHttpAction`` starting a run of ``job_id`` or of ``pipeline_id``.

    :param run_details: ``CreateJobRunDetails`` / ``CreatePipelineRunDetails`` fields (wire
        format: ``displayName``, ``jobConfigurationOverrideDetails``, ``stepOverrideDetails``...);
        the run's project and compartment default to the schedule's.
    """
    if (job_id is None) == (pipeline_id is None):
        raise ValueError("job_id/pipeline_id: give exactly one (what the schedule starts)")
    if run_details is not None and not isinstance(run_details, Mapping):
        raise ValueError(
            f"run_details: expected a JSON object of run fields, got {type(run_details).__name__}"
        )
    details: dict[str, Any] = {
        "projectId": project_id,
        "compartmentId": compartment_id,
        **(run_details or {}),
    }
    if job_id is not None:
        details["jobId"] = require_ocid(job_id, "job_id")
        kind, field = "CREATE_JOB_RUN", "createJobRunDetails"
    else:
        details["pipelineId"] = require_ocid(pipeline_id, "pipeline_id")
        kind, field = "CREATE_PIPELINE_RUN", "createPipelineRunDetails"
    details = {k: v for k, v in details.items() if v is not None}
    return {"actionType": "HTTP", "actionDetails": {"httpActionType": kind, field: details}}


def schedule_trigger(
    *,
    cron: str | None = None,
    ical: str | None = None,
    interval_hours: int | None = None,
    interval_days: int | None = None,
    time_start: Any = None,
    time_end: Any = None,
) -> dict[str, Any] | None:
    """The trigger one shorthand gives (``None`` when none is given), with its window.

    :param cron: a 5-field cron expression (UTC).
    :param ical: an iCal recurrence (``FREQ=DAILY;INTERVAL=1``, optionally after ``DTSTART``).
    :param interval_hours: run every so many hours.
    :param interval_days: run every so many days.
    :param time_start: first time the trigger may fire (RFC 3339, aware datetime, epoch seconds).
    :param time_end: last time it may fire.
    """
    given = {
        name: value
        for name, value in zip(TRIGGER_ARGS, (cron, ical, interval_hours, interval_days), strict=True)
        if value is not None
    }
    window = {
        wire: iso(when)
        for wire, name, value in (("timeStart", "time_start", time_start), ("timeEnd", "time_end", time_end))
        if (when := parse_after(value, name)) is not None
    }
    if len(given) > 1:
        raise ValueError(f"{'/'.join(given)}: give one trigger, not {len(given)}")
    if not given:
        if window:
            raise ValueError("time_start/time_end: give them with a trigger (cron, ical, interval_hours...)")
        return None
    [(name, value)] = given.items()
    if name == "cron":
        trigger: dict[str, Any] = {"triggerType": "CRON", "cronExpression": value}
    elif name == "ical":
        trigger = {"triggerType": "ICAL", "recurrence": value}
    else:
        frequency = "HOURLY" if name == "interval_hours" else "DAILY"
        trigger = {"triggerType": "INTERVAL", "frequency": frequency, "interval": value}
    return {**trigger, **window}


def check_trigger(trigger: Any, field: str) -> None:
    """Check a wire ``trigger``'s content (its model is checked elsewhere).

    :raises ValueError: naming ``field``'s offending part and what was expected.
    """
    if not isinstance(trigger, Mapping):
        return  # the model check names it
    kind = trigger.get("triggerType")
    if kind == "CRON":
        _check_cron(trigger.get("cronExpression"), f"{field}.cronExpression")
    elif kind == "ICAL":
        _check_ical(trigger.get("recurrence"), f"{field}.recurrence")
    elif kind == "INTERVAL":
        value = trigger.get("interval")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{field}.interval: expected a positive whole number, got {value!r}")
    times = {}
    for wire in ("timeStart", "timeEnd"):
        if trigger.get(wire) is not None:
            times[wire] = parse_after(trigger[wire], f"{field}.{wire}")
    if len(times) == 2 and times["timeEnd"] <= times["timeStart"]:
        raise ValueError(f"{field}.timeEnd: must be later than {field}.timeStart")


def _check_cron(text: Any, field: str) -> None:
    parts = text.split() if isinstance(text, str) else []
    if len(parts) != 5:
        raise ValueError(
            f"{field}: expected 5 fields (minute hour day-of-month month day-of-week), got {text!r}"
        )
    for part, (name, low, high, names) in zip(parts, _CRON_FIELDS, strict=True):
        for item in part.split(","):
            match = _CRON_PART.match(item)
            if match is None:
                raise ValueError(f"{field}: the {name} field {part!r} is not a cron list, range or step")
            for token in filter(None, re.split(r"[-*]", match.group(1))):
                if token.upper() in names:
                    continue
                if not token.isdigit() or not low <= int(token) <= high:
                    raise ValueError(
                        f"{field}: the {name} field {part!r} has {token!r}, outside {low}-{high}"
                    )
            if match.group(3) and int(match.group(3)[1:]) < 1:
                raise ValueError(f"{field}: the {name} field {part!r} has a step below 1")


def _check_ical(text: Any, field: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{field}: expected an iCal recurrence such as 'FREQ=DAILY;INTERVAL=1'")
    rule = ""
    for line in filter(None, (line.strip() for line in re.split(r"[\r\n]+", text))):
        head, sep, rest = line.partition(":")
        if sep and head.upper().startswith("DTSTART"):
            continue
        rule = rest if sep and head.upper() == "RRULE" else line
    parts: dict[str, str] = {}
    for item in filter(None, rule.split(";")):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{field}: {item!r} is not NAME=VALUE")
        parts[key.strip().upper()] = value.strip()
    freq = parts.get("FREQ", "").upper()
    if freq not in _FREQS:
        raise ValueError(f"{field}: FREQ must be one of {list(_FREQS)}, got {freq or 'none'!r}")
    for name in ("INTERVAL", "COUNT"):
        if name in parts and (not parts[name].isdigit() or int(parts[name]) < 1):
            raise ValueError(f"{field}: {name} must be a positive whole number, got {parts[name]!r}")
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValueError(f"{field}: COUNT and UNTIL cannot both be given")
