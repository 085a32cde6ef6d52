"""Schedules on the manual clock: their lifecycle with work requests, and the runs they start
(each trigger type, missed times, INACTIVE and deleted schedules, timeEnd, reads in parallel)."""

from __future__ import annotations

import math
import threading

import pytest

from airflow_ds_provider.client.errors import BadRequestError, NotFoundError
from airflow_ds_provider.emulator.clock import rfc3339
from airflow_ds_provider.emulator.resources.schedule_runs import MAX_RUNS_PER_JUMP, SCHEDULE_TAG

from .platform_world import HOURLY, platform  # noqa: F401 - the fixture


def _runs(p, job_id: str) -> list[dict]:
    return p.call("list_all_job_runs", p.comp, job_id=job_id, sort_order="ASC")


@pytest.fixture
def job(platform):  # noqa: F811 - the fixture
    pid = platform.project()
    return pid, platform.job(pid)


def _refused(client, op: str, status: int, message: str, **kw) -> None:
    """The emulator's own answer (the hook would retry a 409 or report an action already done)."""
    body = client.op(op, expect=status, **kw).json()
    assert message in body["message"], body


def test_lifecycle_with_work_requests(platform, emu, job, client):  # noqa: F811
    p, (pid, jid) = platform, job
    created = p.call("create_schedule", p.schedule_body(pid, p.job_run_action(pid, jid), HOURLY))
    sid = created.data["id"]
    assert sid.startswith("ocid1.datascienceschedule.oc1.")
    assert created.data["lifecycleState"] == "CREATING"
    assert p.work_request(created)["operationType"] == "SCHEDULE_CREATE"
    assert created.headers["location"] == created.headers["content-location"] == f"/20190101/schedules/{sid}"
    _refused(client, "activate_schedule", 409, "cannot activate schedule in state CREATING", schedule_id=sid)
    emu.advance(2)
    assert p.work_request(created)["status"] == "SUCCEEDED"
    assert p.get("schedule", sid)["lifecycleState"] == "ACTIVE"
    _refused(client, "activate_schedule", 409, "cannot activate schedule in state ACTIVE", schedule_id=sid)
    off = p.call("deactivate_schedule", sid)
    assert p.get("schedule", sid)["lifecycleState"] == "UPDATING"
    assert p.work_request(off)["operationType"] == "SCHEDULE_DEACTIVATE"
    emu.advance(2)
    assert p.get("schedule", sid)["lifecycleState"] == "INACTIVE"
    update = p.call("update_schedule", sid, {"displayName": "weekly"})
    assert p.work_request(update)["operationType"] == "SCHEDULE_UPDATE"
    emu.advance(2)
    inactive = p.get("schedule", sid)
    assert (inactive["lifecycleState"], inactive["displayName"]) == ("INACTIVE", "weekly")
    on = p.call("activate_schedule", sid)
    assert p.work_request(on)["operationType"] == "SCHEDULE_ACTIVATE"
    emu.advance(2)
    assert p.get("schedule", sid)["lifecycleState"] == "ACTIVE"
    moved = p.call("change_schedule_compartment", sid, {"compartmentId": p.comp})
    assert p.work_request(moved)["operationType"] == "SCHEDULE_MOVE"
    gone = p.call("delete_schedule", sid)
    assert p.work_request(gone)["operationType"] == "SCHEDULE_DELETE"
    assert p.get("schedule", sid)["lifecycleState"] == "DELETING"
    _refused(client, "delete_schedule", 409, "cannot delete schedule in state DELETING", schedule_id=sid)
    emu.advance(2)
    assert p.get("schedule", sid)["lifecycleState"] == "DELETED"
    _refused(client, "update_schedule", 409, "in state DELETED", schedule_id=sid, json={"displayName": "x"})
    _refused(client, "get_schedule", 404, "does not exist", schedule_id=sid.replace("amaaaaaa", "amaaaaab"))


def test_a_scripted_failure_fails_the_work_request(platform, emu, job):  # noqa: F811
    p, (pid, jid) = platform, job
    tags = {"emulator-fail-actions": "deactivate", "emulator-details": "quota"}
    sid = p.active_schedule(pid, p.job_run_action(pid, jid), HOURLY, freeformTags=tags)
    work = p.call("deactivate_schedule", sid)
    emu.advance(2)
    failed = p.get("schedule", sid)
    assert (failed["lifecycleState"], failed["lifecycleDetails"]) == ("FAILED", "quota")
    assert p.work_request(work)["status"] == "FAILED"
    with pytest.raises(BadRequestError, match="emulator-fail-actions"):
        p.hook.create_schedule(
            p.schedule_body(
                pid, p.job_run_action(pid, jid), HOURLY, freeformTags={"emulator-fail-actions": "run"}
            )
        )


@pytest.mark.parametrize(
    ("trigger", "field"),
    [
        ({"triggerType": "CRON", "cronExpression": "61 * * * *"}, "trigger.cronExpression"),
        ({"triggerType": "CRON", "cronExpression": "* * *"}, "trigger.cronExpression"),
        ({"triggerType": "ICAL", "recurrence": "FREQ=DAILY;BYDAY=MO"}, "trigger.recurrence"),
        ({"triggerType": "ICAL", "recurrence": "FREQ=SOMETIMES"}, "trigger.recurrence"),
        ({"triggerType": "INTERVAL", "frequency": "HOURLY", "interval": 0}, "trigger.interval"),
        (
            {**HOURLY, "timeStart": "2030-01-02T00:00:00.000Z", "timeEnd": "2030-01-01T00:00:00.000Z"},
            "trigger.timeEnd",
        ),
    ],
)
def test_a_bad_trigger_is_refused_naming_the_field(platform, job, trigger, field):  # noqa: F811
    p, (pid, jid) = platform, job
    with pytest.raises(BadRequestError, match=field.replace(".", r"\.")):
        p.hook.create_schedule(p.schedule_body(pid, p.job_run_action(pid, jid), trigger))


def test_the_action_must_name_a_job_that_exists(platform, job):  # noqa: F811
    p, (pid, _) = platform, job
    missing = "ocid1.datasciencejob.oc1.iad.amaaaaaanothere"
    with pytest.raises(NotFoundError, match=r"createJobRunDetails\.jobId"):
        p.hook.create_schedule(p.schedule_body(pid, p.job_run_action(pid, missing), HOURLY))


def test_an_interval_schedule_starts_a_run_per_due_time(platform, emu, job):  # noqa: F811
    p, (pid, jid) = platform, job
    action = p.job_run_action(pid, jid, displayName="scheduled", freeformTags={"team": "ml"})
    sid = p.active_schedule(pid, action, HOURLY)
    created = p.get("schedule", sid)
    first = created["timeNextScheduledRun"]
    assert first == rfc3339(emu.clock.now() - 2 + 3600)
    emu.advance(3597)
    assert _runs(p, jid) == []  # a second before it is due
    emu.advance(2)
    runs = _runs(p, jid)  # nobody read the schedule: listing the job's runs shows the run
    assert len(runs) == 1
    run = p.hook.get_job_run(runs[0]["id"]).data
    assert run["displayName"] == "scheduled"
    assert run["freeformTags"] == {"team": "ml", SCHEDULE_TAG: sid}
    assert run["createdBy"] == created["createdBy"]
    schedule = p.get("schedule", sid)
    assert schedule["timeLastScheduleRun"] == first
    assert runs[0]["id"] in schedule["lastScheduleRunDetails"]
    assert schedule["timeNextScheduledRun"] == rfc3339(emu.clock.now() - 3601 + 7200)
    assert len(_runs(p, jid)) == 1  # reading again starts nothing


def test_missed_due_times_each_start_one_run(platform, emu, job):  # noqa: F811
    p, (pid, jid) = platform, job
    sid = p.active_schedule(pid, p.job_run_action(pid, jid), HOURLY)
    emu.advance(5 * 3600)  # five due times pass at once
    assert len(_runs(p, jid)) == 5
    assert p.get("schedule", sid)["timeLastScheduleRun"] == rfc3339(emu.clock.now() - 5 * 3600 - 2 + 5 * 3600)
    emu.advance(MAX_RUNS_PER_JUMP * 3600 + 10 * 3600)
    assert len(_runs(p, jid)) == 5 + MAX_RUNS_PER_JUMP
    assert "were skipped" in p.get("schedule", sid)["lastScheduleRunDetails"]
    emu.advance(3600)
    assert len(_runs(p, jid)) == 6 + MAX_RUNS_PER_JUMP  # and it goes on from now


def test_a_cron_schedule_fires_on_its_minutes(platform, emu, job):  # noqa: F811
    p, (pid, jid) = platform, job
    trigger = {"triggerType": "CRON", "cronExpression": "*/15 * * * *"}
    sid = p.active_schedule(pid, p.job_run_action(pid, jid), trigger)
    now = emu.clock.now()
    due = math.floor(now / 900) * 900 + 900
    assert p.get("schedule", sid)["timeNextScheduledRun"] == rfc3339(due)
    emu.advance(due - now + 45 * 60)  # the first due time and three more
    assert len(_runs(p, jid)) == 4
    assert p.get("schedule", sid)["timeLastScheduleRun"] == rfc3339(due + 45 * 60)


def test_an_ical_schedule_honours_count(platform, emu, job):  # noqa: F811
    p, (pid, jid) = platform, job
    trigger = {"triggerType": "ICAL", "recurrence": "FREQ=MINUTELY;INTERVAL=10;COUNT=3"}
    sid = p.active_schedule(pid, p.job_run_action(pid, jid), trigger)
    emu.advance(3600)
    assert len(_runs(p, jid)) == 3
    assert "timeNextScheduledRun" not in p.get("schedule", sid)


def test_an_ical_schedule_honours_until_and_dtstart(platform, emu, job):  # noqa: F811
    p, (pid, jid) = platform, job
    start = math.floor(emu.clock.now() / 3600) * 3600 + 3600
    stamp = rfc3339(start).replace("-", "").replace(":", "").split(".")[0] + "Z"
    until = rfc3339(start + 2 * 3600).replace("-", "").replace(":", "").split(".")[0] + "Z"
    trigger = {"triggerType": "ICAL", "recurrence": f"DTSTART:{stamp}\nRRULE:FREQ=HOURLY;UNTIL={until}"}
    p.active_schedule(pid, p.job_run_action(pid, jid), trigger)
    emu.advance(10 * 3600)
    assert len(_runs(p, jid)) == 3  # start, +1h, +2h


def test_time_start_and_time_end_bound_the_runs(platform, emu, job):  # noqa: F811
    p, (pid, jid) = platform, job
    now = emu.clock.now()
    window = {"timeStart": rfc3339(now + 3 * 3600), "timeEnd": rfc3339(now + 5 * 3600 + 60)}
    sid = p.active_schedule(pid, p.job_run_action(pid, jid), {**HOURLY, **window})
    assert p.get("schedule", sid)["timeNextScheduledRun"] == window["timeStart"]
    emu.advance(24 * 3600)
    assert len(_runs(p, jid)) == 3  # at timeStart, +1h, +2h; none after timeEnd
    assert "timeNextScheduledRun" not in p.get("schedule", sid)


def test_an_inactive_schedule_does_not_fire_nor_make_up_later(platform, emu, job):  # noqa: F811
    p, (pid, jid) = platform, job
    sid = p.active_schedule(pid, p.job_run_action(pid, jid), HOURLY)
    p.call("deactivate_schedule", sid)
    emu.advance(5 * 3600)
    assert _runs(p, jid) == []
    assert "timeNextScheduledRun" not in p.get("schedule", sid)
    p.call("activate_schedule", sid)
    emu.advance(2)
    assert _runs(p, jid) == []
    emu.advance(3600)
    assert len(_runs(p, jid)) == 1


def test_a_deleted_schedule_stops_its_runs(platform, emu, job):  # noqa: F811
    p, (pid, jid) = platform, job
    sid = p.active_schedule(pid, p.job_run_action(pid, jid), HOURLY)
    emu.advance(3600)
    p.call("delete_schedule", sid)
    emu.advance(10 * 3600)
    assert len(_runs(p, jid)) == 1


def test_a_refused_run_is_reported_on_the_schedule(platform, emu, job):  # noqa: F811
    p, (pid, jid) = platform, job
    sid = p.active_schedule(pid, p.job_run_action(pid, jid), HOURLY)
    p.hook.delete_job(jid)
    emu.advance(3600)
    schedule = p.get("schedule", sid)
    assert (
        "not started: create_job_run was refused with 409 IncorrectState"
        in schedule["lastScheduleRunDetails"]
    )
    assert _runs(p, jid) == []


def test_concurrent_reads_start_each_run_once(platform, emu, job, ident):  # noqa: F811
    p, (pid, jid) = platform, job
    sid = p.active_schedule(pid, p.job_run_action(pid, jid), HOURLY)
    emu.advance(3 * 3600)
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def read() -> None:
        try:
            barrier.wait()
            p.hook.get_schedule(sid)
            p.hook.list_job_runs(p.comp, job_id=jid)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(_runs(p, jid)) == 3


def test_updating_the_trigger_changes_the_due_times(platform, emu, job):  # noqa: F811
    p, (pid, jid) = platform, job
    sid = p.active_schedule(pid, p.job_run_action(pid, jid), HOURLY)
    p.call(
        "update_schedule", sid, {"trigger": {"triggerType": "INTERVAL", "frequency": "DAILY", "interval": 1}}
    )
    emu.advance(2)
    assert p.get("schedule", sid)["lifecycleState"] == "ACTIVE"
    emu.advance(23 * 3600)
    assert _runs(p, jid) == []
    emu.advance(3600)
    assert len(_runs(p, jid)) == 1


def test_window_times_are_answered_in_the_service_format(platform, job):  # noqa: F811
    p, (pid, jid) = platform, job
    window = {"timeStart": "2030-01-01T01:00:00+01:00", "timeEnd": "2031-01-01T00:00:00Z"}
    created = p.call(
        "create_schedule", p.schedule_body(pid, p.job_run_action(pid, jid), {**HOURLY, **window})
    )
    trigger = created.data["trigger"]
    assert (trigger["timeStart"], trigger["timeEnd"]) == (
        "2030-01-01T00:00:00.000Z",
        "2031-01-01T00:00:00.000Z",
    )
