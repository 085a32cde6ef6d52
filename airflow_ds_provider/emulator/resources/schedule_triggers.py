"""When a schedule is due: small parsers of its three trigger types (no dependency).

* ``CRON``: a 5-field expression (minute hour day-of-month month day-of-week, UTC) with ``*``,
  lists, ranges, ``/`` steps and the English month and day names; when both day fields are
  restricted a day matching either one is due (as cron does);
* ``INTERVAL``: every ``interval`` hours (``HOURLY``) or days (``DAILY``);
* ``ICAL``: an RFC 5545 ``RRULE`` (optionally after a ``DTSTART`` line) with ``FREQ`` (MINUTELY
  to YEARLY), ``INTERVAL``, ``COUNT`` and ``UNTIL``; other rule parts are refused.

``INTERVAL`` and ``ICAL`` occurrences start at ``timeStart`` (or ``DTSTART``), else one period
after the schedule was created; every trigger honours ``timeStart`` and ``timeEnd``. The jitter
fields of an interval trigger are accepted and not applied (runs are due on the exact times).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from airflow_ds_provider.emulator.clock import parse_rfc3339

_MONTHS = {name.upper(): i for i, name in enumerate(calendar.month_abbr) if name}
_DAYS = {"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}
_FIXED = {"MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400, "WEEKLY": 7 * 86400}
_MONTH_STEPS = {"MONTHLY": 1, "YEARLY": 12}
_INTERVAL_UNITS = {"HOURLY": 3600, "DAILY": 86400}
#: How far ahead a cron expression is searched (leap days recur within 8 years).
_CRON_HORIZON_DAYS = 8 * 366


class TriggerError(ValueError):
    """A trigger the service would refuse; ``field`` names the offending wire field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)


def _cron_field(text: str, low: int, high: int, names: dict[str, int], field: str) -> frozenset[int]:
    values: set[int] = set()
    for part in text.upper().split(","):
        base, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) < 1:
                raise TriggerError(field, f"{part!r} has a step that is not a positive number")
            step = int(step_text)

        def number(token: str) -> int:
            value = names.get(token[:3]) if token[:3] in names and not token.isdigit() else None
            if value is None:
                if not token.isdigit():
                    raise TriggerError(field, f"{token!r} is not a number or a name")
                value = int(token)
            if not low <= value <= high:
                raise TriggerError(field, f"{value} is outside {low}-{high}")
            return value

        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = number(first), number(last)
            if start > end:
                raise TriggerError(field, f"the range {base!r} runs backwards")
        else:
            start = number(base)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    """A parsed 5-field cron expression."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, text: str, field: str = "trigger.cronExpression") -> Cron:
        """Parse ``text`` or raise :class:`TriggerError`."""
        parts = text.split() if isinstance(text, str) else []
        if len(parts) != 5:
            raise TriggerError(field, f"expected 5 fields (minute hour day month weekday), got {text!r}")
        weekdays = _cron_field(parts[4], 0, 7, _DAYS, field)
        return cls(
            minutes=_cron_field(parts[0], 0, 59, {}, field),
            hours=_cron_field(parts[1], 0, 23, {}, field),
            days=_cron_field(parts[2], 1, 31, {}, field),
            months=_cron_field(parts[3], 1, 12, _MONTHS, field),
            weekdays=frozenset(d % 7 for d in weekdays),
            any_day=parts[2] == "*",
            any_weekday=parts[4] == "*",
        )

    def _day_matches(self, day: datetime) -> bool:
        if day.month not in self.months:
            return False
        dom = day.day in self.days
        dow = (day.weekday() + 1) % 7 in self.weekdays
        if self.any_day or self.any_weekday:
            return dom and dow
        return dom or dow

    def next_after(self, ts: float) -> float | None:
        """The first due time strictly after ``ts`` (None within the search horizon)."""
        start = _utc(ts).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for _ in range(_CRON_HORIZON_DAYS):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate >= start:
                            return candidate.timestamp()
            day += timedelta(days=1)
        return None


@dataclass(frozen=True)
class Recurrence:
    """Occurrences ``first``, ``first + period``... (a period in seconds or in months)."""

    first: float
    seconds: int = 0
    months: int = 0
    count: int | None = None
    until: float | None = None

    def _nth(self, n: int) -> float:
        if self.seconds:
            return self.first + n * self.seconds
        start = _utc(self.first)
        total = start.month - 1 + n * self.months
        year, month = start.year + total // 12, total % 12 + 1
        if start.day > calendar.monthrange(year, month)[1]:
            return float("nan")  # RFC 5545: a month without that day has no occurrence
        return start.replace(year=year, month=month).timestamp()

    def next_after(self, ts: float) -> float | None:
        """The first occurrence strictly after ``ts``, or None (``COUNT`` counts occurrences)."""
        if self.seconds:
            n = 0 if ts < self.first else int((ts - self.first) // self.seconds) + 1
            at = self._nth(n)
            if self.count is not None and n >= self.count:
                return None
        else:
            seen, at = 0, None
            for n in range(12 * 1000):
                candidate = self._nth(n)
                if candidate != candidate:  # NaN: a month without that day is skipped
                    continue
                seen += 1
                if self.count is not None and seen > self.count:
                    return None
                if candidate > ts:
                    at = candidate
                    break
            if at is None:
                return None
        return None if self.until is not None and at > self.until else at


def _ical_time(value: str, field: str) -> float:
    text = value.strip()
    for fmt in ("%Y%m%dT%H%M%SZ", "%Y%m%dT%H%M%S", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            continue
    raise TriggerError(field, f"{value!r} is not an iCal date-time (e.g. 20240101T000000Z)")


def parse_ical(
    text: str, created: float, start: float | None, field: str = "trigger.recurrence"
) -> Recurrence:
    """Parse an RRULE; without DTSTART the first occurrence is ``start`` (``timeStart``), else
    one period after ``created``."""
    if not isinstance(text, str) or not text.strip():
        raise TriggerError(field, "must be an iCal RRULE such as FREQ=DAILY;INTERVAL=1")
    rule, first = "", None
    for line in re.split(r"[\r\n]+", text.strip()):
        head, sep, rest = line.partition(":")
        if sep and head.upper().startswith("DTSTART"):
            first = _ical_time(rest, field)
        elif sep and head.upper() == "RRULE":
            rule = rest
        elif not sep or "=" in head:
            rule = line
        else:
            raise TriggerError(field, f"unsupported line {line!r} (expected DTSTART or RRULE)")
    parts: dict[str, str] = {}
    for item in filter(None, rule.split(";")):
        key, sep, value = item.partition("=")
        if not sep:
            raise TriggerError(field, f"{item!r} is not NAME=VALUE")
        parts[key.strip().upper()] = value.strip()
    unknown = sorted(set(parts) - {"FREQ", "INTERVAL", "COUNT", "UNTIL"})
    if unknown:
        raise TriggerError(
            field, f"rule parts {unknown} are not supported (FREQ, INTERVAL, COUNT, UNTIL are)"
        )
    freq = parts.get("FREQ", "").upper()
    if freq not in _FIXED and freq not in _MONTH_STEPS:
        raise TriggerError(field, f"FREQ must be one of {sorted({*_FIXED, *_MONTH_STEPS})}, got {freq!r}")
    step = _positive(parts.get("INTERVAL", "1"), f"{field} INTERVAL")
    count = _positive(parts["COUNT"], f"{field} COUNT") if "COUNT" in parts else None
    if count is not None and "UNTIL" in parts:
        raise TriggerError(field, "COUNT and UNTIL cannot both be given")
    until = _ical_time(parts["UNTIL"], field) if "UNTIL" in parts else None
    seconds = _FIXED.get(freq, 0) * step
    months = _MONTH_STEPS.get(freq, 0) * step
    if first is None:
        first = (
            start if start is not None else (created + seconds if seconds else _month_later(created, months))
        )
    return Recurrence(first, seconds=seconds, months=months, count=count, until=until)


def _positive(value: Any, field: str) -> int:
    if isinstance(value, bool) or not str(value).isdigit() or int(value) < 1:
        raise TriggerError(field, f"must be a positive integer, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class Trigger:
    """A schedule's trigger: its rule plus the ``timeStart`` / ``timeEnd`` window."""

    rule: Cron | Recurrence
    start: float | None
    end: float | None

    def next_after(self, ts: float) -> float | None:
        """The first due time strictly after ``ts`` within the window, or None."""
        if self.start is not None and ts < self.start:
            ts = self.start - 1e-3  # the start itself may be due
        at = self.rule.next_after(ts)
        if at is None or (self.end is not None and at > self.end):
            return None
        return at


def _window_time(trigger: dict[str, Any], name: str) -> float | None:
    value = trigger.get(name)
    if value is None:
        return None
    try:
        return parse_rfc3339(value)
    except ValueError:
        raise TriggerError(f"trigger.{name}", f"{value!r} is not an RFC 3339 timestamp") from None


def parse_trigger(trigger: dict[str, Any], created: float) -> Trigger:
    """The :class:`Trigger` of a schedule's wire ``trigger`` (``created``: its creation time).

    :raises TriggerError: naming the field and what was expected.
    """
    start, end = _window_time(trigger, "timeStart"), _window_time(trigger, "timeEnd")
    if start is not None and end is not None and end <= start:
        raise TriggerError("trigger.timeEnd", "must be later than trigger.timeStart")
    kind = trigger.get("triggerType")
    if kind == "CRON":
        return Trigger(Cron.parse(trigger.get("cronExpression")), start, end)
    if kind == "INTERVAL":
        unit = _INTERVAL_UNITS.get(trigger.get("frequency"))
        if unit is None:
            raise TriggerError("trigger.frequency", f"must be one of {sorted(_INTERVAL_UNITS)}")
        seconds = unit * _positive(trigger.get("interval"), "trigger.interval")
        first = start if start is not None else created + seconds
        return Trigger(Recurrence(first, seconds=seconds), start, end)
    if kind == "ICAL":
        return Trigger(parse_ical(trigger.get("recurrence"), created, start), start, end)
    raise TriggerError("trigger.triggerType", "must be one of ['CRON', 'ICAL', 'INTERVAL']")


def _month_later(ts: float, months: int) -> float:
    day = _utc(ts)
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    ).timestamp()
