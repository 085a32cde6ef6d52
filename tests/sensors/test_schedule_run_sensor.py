"""The schedule-run sensor and trigger through ``dag.test()`` against the emulator.

The emulator's schedules start their runs on the emulator clock: a helper thread moves the clock
an hour on once the sensor (or trigger) has provably looked for a run, so the schedule fires
after the wait began; the run's outcome is scripted through the action's run tags.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
from typing import Any

import pytest
from airflow.models.trigger import Trigger
from airflow.sdk import DAG
from compat.airflow_parts import deserialize, serialize
from compat.features import has

from airflow_ds_provider._compat import import_string
from airflow_ds_provider.emulator.resources.schedule_runs import SCHEDULE_TAG
from airflow_ds_provider.schedule_runs import (
    SCHEDULE_RUN_TAG,
    XCOM_AFTER,
    iso,
    list_args,
    parse_after,
    run_target,
)
from airflow_ds_provider.sensors.schedules import XCOM_RUN_ID, DataScienceScheduleRunSensor
from airflow_ds_provider.triggers.schedules import DataScienceScheduleRunTrigger

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
FAST = 0.1
HOURLY = {"triggerType": "INTERVAL", "frequency": "HOURLY", "interval": 1}


def lists(emu, operation: str = "list_job_runs") -> int:
    return sum(1 for r in emu.requests if r.get("operation") == operation)


class FireAfterLists(threading.Thread):
    """Once the emulator has served ``more`` further job-run listings, move its clock an hour on
    (``times`` times, one hour each after as many further listings): the schedule fires then."""

    def __init__(self, emu, more: int = 3, times: int = 1, operation: str = "list_job_runs") -> None:
        super().__init__(daemon=True)
        self.emu, self.more, self.times, self.operation = emu, more, times, operation
        self.fired = 0
        self.start()

    def run(self) -> None:
        for _ in range(self.times):
            wanted = lists(self.emu, self.operation) + self.more
            limit = time.monotonic() + 120
            while lists(self.emu, self.operation) < wanted and time.monotonic() < limit:
                time.sleep(0.02)
            self.emu.advance(3600)
            self.fired += 1


def schedule(world, pipeline_id: str | None = None, **run_tags: str) -> str:
    """An ACTIVE hourly schedule starting runs of a fresh job (or of ``pipeline_id``), the job
    runs scripted by ``run_tags``."""
    client = world.client
    run = {"projectId": world.project, "compartmentId": world.comp, "displayName": "scheduled"}
    if pipeline_id is None:
        kind, field = "CREATE_JOB_RUN", "createJobRunDetails"
        run.update(jobId=world.job, freeformTags={"emulator-duration": "20", **run_tags})
    else:
        kind, field = "CREATE_PIPELINE_RUN", "createPipelineRunDetails"
        run.update(pipelineId=pipeline_id)
    body = {
        "compartmentId": world.comp,
        "projectId": world.project,
        "displayName": "hourly",
        "trigger": HOURLY,
        "action": {"actionType": "HTTP", "actionDetails": {"httpActionType": kind, field: run}},
    }
    sid = client.create_schedule(body).data["id"]
    client.wait_for_state("schedule", sid, poll_interval=0.02, timeout=10)
    return sid


def fire_and_finish(world, emu, sid: str) -> dict[str, Any]:
    """Let the schedule start one run now and wait for it to end; its JSON."""
    emu.advance(3600)
    [run] = [r for r in world.client.list_all_job_runs(world.comp, job_id=world.job) if _of(r, sid)]
    return world.client.wait_for_state("job_run", run["id"], poll_interval=0.02, timeout=20)


def _of(run: dict[str, Any], sid: str) -> bool:
    return (run.get("freeformTags") or {}).get(SCHEDULE_RUN_TAG) == sid


def one_task_dag(dag_id: str, **kwargs: Any) -> DAG:
    with DAG(dag_id, schedule=None, start_date=START, catchup=False, params=kwargs.pop("params", {})) as dag:
        DataScienceScheduleRunSensor(task_id="wait", poll_interval=FAST, timeout=60, **kwargs)
    return dag


def test_the_tag_is_the_emulators() -> None:
    assert SCHEDULE_RUN_TAG == SCHEDULE_TAG


def _record(errors: list[Any]) -> Any:
    """A failure callback that keeps the task's error: read from there, not from captured output,
    since on Airflow 3.0 the task runner's failure line does not always reach pytest's capture."""

    def on_failure(context: Any) -> None:
        errors.append(context.get("exception"))

    return on_failure


def _first_reschedule_start(result: Any) -> float:
    """When the sensor's first reschedule-mode poke started (Airflow's ``task_reschedule`` table)."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.taskreschedule import TaskReschedule
    from airflow.utils.session import create_session

    with create_session() as session:
        ti = session.query(TaskInstance).filter_by(dag_id=result.dag_id, run_id=result.run_id).one()
        first = session.query(TaskReschedule).filter_by(ti_id=ti.id).order_by(TaskReschedule.id).first()
        return first.start_date.timestamp()


@pytest.mark.parametrize("mode", ["poke", "reschedule", "deferrable"])
def test_the_next_run_the_schedule_starts_is_waited_for(run_dag, world, emu, mode) -> None:
    sid = schedule(world)
    fire = FireAfterLists(emu)
    extra = {"deferrable": True} if mode == "deferrable" else {"mode": mode}
    result = run_dag(
        one_task_dag(f"schedule_run_{mode}", schedule_id="{{ params.sid }}", params={"sid": sid}, **extra)
    )

    assert result.task_states() == {"wait": "success"}
    assert fire.fired == 1
    data = result.xcom("wait")
    assert data["lifecycleState"] == "SUCCEEDED" and data["displayName"] == "scheduled"
    assert data["freeformTags"][SCHEDULE_RUN_TAG] == sid and data["jobId"] == world.job
    assert result.xcom("wait", XCOM_RUN_ID) == data["id"]
    # the starting point: the schedule had started nothing, so its creation (the service's clock);
    # in reschedule mode without task_state_store (Airflow 3.0-3.2) a later poke cannot read what
    # the first one computed, and starts from the first poke's start date (Airflow's clock)
    created = world.client.get_schedule(sid).data["timeCreated"]
    if mode == "reschedule" and not has("task_state_store"):
        assert result.xcom("wait", XCOM_AFTER) == iso(_first_reschedule_start(result))
    else:
        assert result.xcom("wait", XCOM_AFTER) == iso(parse_after(created))
    assert "/data-science/schedules/" in result.xcom("wait", "console_url")


@pytest.mark.parametrize("mode", ["poke", "deferrable"])
def test_a_failed_run_fails_the_task_with_its_details(run_dag, world, emu, mode) -> None:
    details = "exit code 3: bad data"
    sid = schedule(world, **{"emulator-outcome": "FAILED", "emulator-details": details})
    FireAfterLists(emu)
    extra = {"deferrable": True} if mode == "deferrable" else {}
    errors: list[Any] = []
    dag = one_task_dag(
        f"schedule_run_fails_{mode}", schedule_id=sid, retries=2, on_failure_callback=_record(errors), **extra
    )
    result = run_dag(dag)
    assert result.task_states() == {"wait": "failed"}  # AirflowFailException: no retries
    [error] = errors
    assert details in str(error) and "reached failure state FAILED" in str(error)
    [run] = [r for r in world.client.list_all_job_runs(world.comp, job_id=world.job) if _of(r, sid)]
    assert world.client.get_job_run(run["id"]).data["lifecycleState"] == "FAILED"


def test_runs_from_before_the_sensor_and_other_runs_of_the_job_are_not_taken(run_dag, world, emu) -> None:
    sid = schedule(world)
    earlier = fire_and_finish(world, emu, sid)  # on the emulator clock, an hour ahead of this one
    manual = world.job_run(duration=20)  # the same job, not started by the schedule
    fire = FireAfterLists(emu)
    result = run_dag(one_task_dag("schedule_run_next_one", schedule_id=sid))
    assert result.task_states() == {"wait": "success"} and fire.fired == 1
    data = result.xcom("wait")
    assert data["id"] not in (earlier["id"], manual) and _of(data, sid)
    assert result.xcom("wait", XCOM_AFTER) == iso(parse_after(earlier["timeAccepted"]) + 0.001)


def test_a_templated_after_takes_a_run_that_already_ended(run_dag, world, emu) -> None:
    sid = schedule(world)
    earlier = fire_and_finish(world, emu, sid)
    dag = one_task_dag(
        "schedule_run_after",
        schedule_id=sid,
        after="{{ params.after }}",
        params={"after": earlier["timeAccepted"]},
    )
    result = run_dag(dag)
    assert result.task_states() == {"wait": "success"}
    assert result.xcom("wait")["id"] == earlier["id"]
    assert result.xcom("wait", XCOM_AFTER) == iso(parse_after(earlier["timeAccepted"]))


def test_a_deleted_schedule_fails_at_once(run_dag, world, emu) -> None:
    sid = schedule(world)
    world.client.delete_schedule(sid)
    world.client.wait_for_state("schedule", sid, target_states=["DELETED"], poll_interval=0.02, timeout=10)
    errors: list[Any] = []
    result = run_dag(
        one_task_dag("schedule_run_deleted", schedule_id=sid, retries=2, on_failure_callback=_record(errors))
    )
    assert result.task_states() == {"wait": "failed"}
    [error] = errors
    assert f"schedule_id: schedule {sid} is DELETED: it starts no run" in str(error)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"after": "tomorrow"}, r"^after: expected an RFC 3339 timestamp"),
        ({"after": dt.datetime(2026, 1, 1)}, r"^after: expected a time-zone aware datetime"),
        ({"schedule_id": "ocid1.datasciencejob.oc1.iad.amaaaaaaj"}, r"^schedule_id: .* is the OCID of a job"),
    ],
)
def test_bad_input_fails_before_any_request_naming_the_field(conn, emu, kwargs, message) -> None:
    sensor = DataScienceScheduleRunSensor(
        task_id="wait", **{"schedule_id": "ocid1.datascienceschedule.oc1.iad.amaaaaaas", **kwargs}
    )
    emu.clear_requests()
    with pytest.raises(ValueError, match=message):
        sensor.execute({"ti": None})
    assert emu.requests == []


def test_only_job_run_and_pipeline_run_schedules_can_be_waited_on() -> None:
    invoke = {
        "id": "s",
        "action": {"actionDetails": {"httpActionType": "INVOKE_ML_APPLICATION_PROVIDER_TRIGGER"}},
    }
    with pytest.raises(ValueError, match=r"^schedule_id: schedule s starts INVOKE_ML_APPLICATION"):
        run_target(invoke)
    pipeline = {
        "compartmentId": "c",
        "action": {
            "actionDetails": {
                "httpActionType": "CREATE_PIPELINE_RUN",
                "createPipelineRunDetails": {"pipelineId": "p"},
            }
        },
    }
    target = run_target(pipeline)
    assert (
        target.kind,
        target.list_operation,
        target.parent_arg,
        target.parent_id,
        target.compartment_id,
    ) == (
        "pipeline_run",
        "list_pipeline_runs",
        "pipeline_id",
        "p",
        "c",
    )
    # each list sorts by the time its operation allows
    assert list_args(target) == {
        "compartment_id": "c",
        "pipeline_id": "p",
        "sort_by": "timeAccepted",
        "sort_order": "DESC",
    }
    job = {"actionDetails": {"httpActionType": "CREATE_JOB_RUN", "createJobRunDetails": {"jobId": "j"}}}
    assert list_args(run_target({"compartmentId": "c", "action": job}))["sort_by"] == "timeCreated"


async def _event(trigger: DataScienceScheduleRunTrigger) -> dict[str, Any]:
    async for event in trigger.run():
        return event.payload
    raise AssertionError("no event")


def test_a_restarted_trigger_keeps_its_starting_point(world, emu) -> None:
    """Re-created from its serialized form after two runs started, it still waits for the first."""
    sid = schedule(world)
    after = parse_after(world.client.get_schedule(sid).data["timeCreated"])
    trigger = DataScienceScheduleRunTrigger(sid, after, poll_interval=FAST, deadline=time.time() + 60)
    classpath, kwargs = trigger.serialize()
    assert kwargs["after"] == after and kwargs["deadline"] == trigger.deadline
    emu.advance(3600)
    world.client.list_all_job_runs(world.comp, job_id=world.job)  # the first run starts
    emu.advance(3600)
    runs = [
        r
        for r in world.client.list_all_job_runs(world.comp, job_id=world.job, sort_order="ASC")
        if _of(r, sid)
    ]
    assert len(runs) == 2
    # as the worker defers it (sdk serde) and the scheduler stores the row (encrypted kwargs)
    stored = Trigger._decrypt_kwargs(
        Trigger.encrypt_kwargs(deserialize(json.loads(json.dumps(serialize(kwargs)))))
    )
    again = import_string(classpath)(**stored)
    assert type(again) is DataScienceScheduleRunTrigger and again.serialize() == (classpath, kwargs)
    event = asyncio.run(_event(again))
    assert event["status"] == "success" and event["resource"] == "job_run"
    assert event["resource_id"] == runs[0]["id"] and event["data"]["lifecycleState"] == "SUCCEEDED"


def test_the_trigger_times_out_when_no_run_starts(world, emu) -> None:
    sid = schedule(world)
    trigger = DataScienceScheduleRunTrigger(
        sid, time.time() + 10**6, poll_interval=FAST, deadline=time.time() + 0.5
    )
    event = asyncio.run(_event(trigger))
    assert event["status"] == "timeout" and event["resource_id"] == sid
    assert f"schedule {sid} started no run since" in event["message"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"after": "soon"}, r"^after: expected epoch seconds"),
        ({"schedule_id": "ocid1.datasciencejob.oc1.iad.amaaaaaaj"}, r"^schedule_id: "),
        ({"deadline": "later"}, r"^deadline: "),
        ({"poll_interval": -1}, r"poll_interval"),
    ],
)
def test_the_trigger_checks_its_arguments(kwargs, message) -> None:
    args = {"schedule_id": "ocid1.datascienceschedule.oc1.iad.amaaaaaas", "after": 1.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        DataScienceScheduleRunTrigger(**args)


def test_the_trigger_fails_when_the_schedule_is_deleted_while_it_waits(world) -> None:
    sid = schedule(world)
    world.client.delete_schedule(sid)
    world.client.wait_for_state("schedule", sid, target_states=["DELETED"], poll_interval=0.02, timeout=10)
    trigger = DataScienceScheduleRunTrigger(sid, 0.0, poll_interval=FAST, deadline=time.time() + 30)
    event = asyncio.run(_event(trigger))
    assert (event["status"], event["state"]) == ("failure", "DELETED")
    assert event["message"] == f"schedule {sid} is DELETED: it starts no run"


def test_the_trigger_reports_a_schedule_that_does_not_exist(world) -> None:
    missing = "ocid1.datascienceschedule.oc1.iad.amaaaaaanosuchschedule"
    event = asyncio.run(_event(DataScienceScheduleRunTrigger(missing, 0.0, poll_interval=FAST)))
    assert event["status"] == "error" and event["message"].startswith(
        f"schedule_id: schedule {missing} was not found"
    )


@pytest.mark.parametrize("deferrable", [False, True])
def test_the_schedules_own_sensor_waits_for_its_lifecycle(run_dag, world, deferrable) -> None:
    from airflow_ds_provider.sensors.schedules import DataScienceScheduleSensor

    sid = schedule(world)
    world.client.deactivate_schedule(sid)
    with DAG(f"schedule_state_{deferrable}", schedule=None, start_date=START, catchup=False) as dag:
        DataScienceScheduleSensor(
            task_id="wait",
            schedule_id=sid,
            target_states=["INACTIVE"],
            poll_interval=FAST,
            timeout=30,
            deferrable=deferrable,
        )
    result = run_dag(dag)
    assert result.task_states() == {"wait": "success"}
    assert result.xcom("wait")["lifecycleState"] == "INACTIVE"


@pytest.mark.parametrize("deferrable", [False, True])
def test_a_schedule_of_pipeline_runs_is_waited_for_too(run_dag, world, emu, deferrable) -> None:
    step = {
        "stepType": "CONTAINER",
        "stepName": "train",
        "stepContainerConfigurationDetails": {
            "containerType": "OCIR_CONTAINER",
            "image": "iad.ocir.io/ns/img:1",
        },
    }
    body = {
        "projectId": world.project,
        "compartmentId": world.comp,
        "displayName": "p",
        "stepDetails": [step],
    }
    pipeline = world.client.create_pipeline(body).data["id"]
    world.client.wait_for_state("pipeline", pipeline, poll_interval=0.02, timeout=10)
    sid = schedule(world, pipeline_id=pipeline)
    fire = FireAfterLists(emu, operation="list_pipeline_runs")
    result = run_dag(
        one_task_dag(f"schedule_pipeline_run_{deferrable}", schedule_id=sid, deferrable=deferrable)
    )
    assert result.task_states() == {"wait": "success"} and fire.fired == 1
    data = result.xcom("wait")
    assert data["id"].startswith("ocid1.datasciencepipelinerun.") and data["pipelineId"] == pipeline
    assert data["lifecycleState"] == "SUCCEEDED" and _of(data, sid)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-01 03:04:05+00:00", 1767236645.0),  # how Jinja renders {{ data_interval_end }}
        ("2026-01-01T03:04:05Z", 1767236645.0),
        ("2026-01-01T04:04:05.250+01:00", 1767236645.25),
        (dt.datetime(2026, 1, 1, 3, 4, 5, tzinfo=dt.timezone.utc), 1767236645.0),
        (1767236645, 1767236645.0),
        (None, None),
    ],
)
def test_the_forms_of_after(value, expected) -> None:
    assert parse_after(value) == expected
