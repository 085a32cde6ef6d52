"""The schedule trigger parsers (cron, interval, iCal RRULE) on fixed times."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from airflow_ds_provider.emulator.resources.schedule_triggers import TriggerError, parse_trigger

CREATED = datetime(2026, 1, 1, 0, 0, 30, tzinfo=timezone.utc).timestamp()  # a Thursday


def _times(trigger: dict, n: int, after: float = CREATED) -> list[str]:
    parsed, out = parse_trigger(trigger, CREATED), []
    at: float | None = after
    for _ in range(n):
        at = parsed.next_after(at) if at is not None else None
        out.append(datetime.fromtimestamp(at, tz=timezone.utc).strftime("%Y-%m-%d %H:%M %a") if at else "-")
    return out


def cron(expression: str, **window: str) -> dict:
    return {"triggerType": "CRON", "cronExpression": expression, **window}


def ical(rule: str, **window: str) -> dict:
    return {"triggerType": "ICAL", "recurrence": rule, **window}


@pytest.mark.parametrize(
    ("trigger", "expected"),
    [
        (cron("*/20 * * * *"), ["2026-01-01 00:20 Thu", "2026-01-01 00:40 Thu", "2026-01-01 01:00 Thu"]),
        (cron("0 12 * * MON"), ["2026-01-05 12:00 Mon", "2026-01-12 12:00 Mon", "2026-01-19 12:00 Mon"]),
        # both day fields restricted: either matches (the 1st, or a Monday)
        (cron("0 12 1 * MON"), ["2026-01-01 12:00 Thu", "2026-01-05 12:00 Mon", "2026-01-12 12:00 Mon"]),
        (cron("0 0 * * 7"), ["2026-01-04 00:00 Sun", "2026-01-11 00:00 Sun", "2026-01-18 00:00 Sun"]),
        (cron("5 0-4/2 * FEB *"), ["2026-02-01 00:05 Sun", "2026-02-01 02:05 Sun", "2026-02-01 04:05 Sun"]),
        (cron("0 0 29 2 *"), ["2028-02-29 00:00 Tue", "2032-02-29 00:00 Sun", "2036-02-29 00:00 Fri"]),
        (
            cron("30 9 * * 1-5", timeEnd="2026-01-02T10:00:00Z"),
            ["2026-01-01 09:30 Thu", "2026-01-02 09:30 Fri", "-"],
        ),
        (
            {
                "triggerType": "INTERVAL",
                "frequency": "DAILY",
                "interval": 2,
                "timeStart": "2026-01-03T06:00:00Z",
            },
            ["2026-01-03 06:00 Sat", "2026-01-05 06:00 Mon", "2026-01-07 06:00 Wed"],
        ),
        (ical("FREQ=WEEKLY;INTERVAL=2;COUNT=2"), ["2026-01-15 00:00 Thu", "2026-01-29 00:00 Thu", "-"]),
        (
            ical("RRULE:FREQ=MONTHLY", timeStart="2026-01-31T08:00:00Z"),
            ["2026-01-31 08:00 Sat", "2026-03-31 08:00 Tue", "2026-05-31 08:00 Sun"],
        ),
        (ical("FREQ=YEARLY;UNTIL=20280101T000000Z"), ["2027-01-01 00:00 Fri", "-", "-"]),
    ],
)
def test_due_times(trigger, expected):
    assert _times(trigger, len(expected)) == expected


@pytest.mark.parametrize(
    ("trigger", "field", "message"),
    [
        (cron("0 24 * * *"), "trigger.cronExpression", "outside 0-23"),
        (cron("0 0 * * FUNDAY"), "trigger.cronExpression", "not a number or a name"),
        (cron("10-5 * * * *"), "trigger.cronExpression", "runs backwards"),
        (cron("*/0 * * * *"), "trigger.cronExpression", "step"),
        (ical("FREQ=DAILY;COUNT=2;UNTIL=20270101T000000Z"), "trigger.recurrence", "COUNT and UNTIL"),
        (ical("FREQ=DAILY;UNTIL=tomorrow"), "trigger.recurrence", "not an iCal date-time"),
        (ical("EXDATE:20260101\nRRULE:FREQ=DAILY"), "trigger.recurrence", "unsupported line"),
        ({"triggerType": "INTERVAL", "frequency": "WEEKLY", "interval": 1}, "trigger.frequency", "HOURLY"),
        (cron("* * * * *", timeStart="yesterday"), "trigger.timeStart", "RFC 3339"),
    ],
)
def test_bad_triggers_name_the_field(trigger, field, message):
    with pytest.raises(TriggerError, match=message) as caught:
        parse_trigger(trigger, CREATED)
    assert caught.value.field == field
