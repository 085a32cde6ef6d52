"""The sensors through ``dag.test()`` (poke, reschedule, deferrable) against the emulator."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time

import pytest
from airflow.sdk import DAG

from airflow_ds_provider._compat import AirflowException, AirflowFailException, AirflowSensorTimeout
from airflow_ds_provider.links.console import console_url
from airflow_ds_provider.sensors import (
    DataScienceJobRunSensor,
    DataScienceLifecycleSensor,
    DataScienceModelDeploymentSensor,
    DataScienceNotebookSessionSensor,
    DataScienceWorkRequestSensor,
)
from airflow_ds_provider.triggers import DataScienceJobRunTrigger

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
FAST = 0.1


def one_task_dag(dag_id: str, sensor_cls: type, **kwargs) -> DAG:
    with DAG(dag_id, schedule=None, start_date=START, catchup=False, params=kwargs.pop("params", {})) as dag:
        sensor_cls(task_id="wait", **kwargs)
    return dag


def reads_of(emu, resource_id: str) -> int:
    return sum(1 for r in emu.requests if r["method"] == "GET" and r["path"].endswith(resource_id))


class AfterReads(threading.Thread):
    """Once the emulator has served ``reads`` GETs of ``ocid``, call ``action`` (ends a long wait).

    dag.test() start-up time varies a lot, so outcomes are triggered by the sensor's own polls
    rather than by a timer: the sensor provably saw the resource pending first.
    """

    def __init__(self, emu, ocid: str, reads: int, action) -> None:
        super().__init__(daemon=True)
        self.emu, self.ocid, self.reads, self.action = emu, ocid, reads, action
        self.fired = False
        self.start()

    def run(self) -> None:
        limit = time.monotonic() + 120
        while reads_of(self.emu, self.ocid) < self.reads and time.monotonic() < limit:
            time.sleep(0.02)
        self.action()
        self.fired = True


@pytest.mark.parametrize("mode", ["poke", "reschedule"])
def test_job_run_sensor_succeeds_and_publishes_data_and_console_url(run_dag, world, emu, mode) -> None:
    run = world.job_run(duration=10_000)
    finish = AfterReads(emu, run, 2, lambda: emu.set_state(run, "SUCCEEDED"))
    dag = one_task_dag(
        f"sensor_{mode}",
        DataScienceJobRunSensor,
        job_run_id="{{ params.run }}",
        params={"run": run},
        poll_interval=FAST,
        timeout=30,
        mode=mode,
    )
    result = run_dag(dag)
    assert result.task_states() == {"wait": "success"}
    data = result.xcom("wait")
    assert data["id"] == run and data["lifecycleState"] == "SUCCEEDED"
    url = console_url("job_run", run, emu.region)
    assert result.xcom("wait", "console_url") == url
    assert result.xcom("wait", "_link_DataScienceConsoleLink") == url
    assert finish.fired and reads_of(emu, run) >= 3  # it saw the run pending, then done


def test_deferrable_sensor_waits_in_the_trigger(run_dag, world, emu) -> None:
    deployment, _ = world.model_deployment(duration=10_000)
    finish = AfterReads(emu, deployment, 3, lambda: emu.script_model_deployment(deployment, duration=0))
    dag = one_task_dag(
        "sensor_deferrable",
        DataScienceModelDeploymentSensor,
        model_deployment_id=deployment,
        poll_interval=FAST,
        timeout=30,
        deferrable=True,
    )
    result = run_dag(dag)
    assert result.task_states() == {"wait": "success"}
    assert result.xcom("wait")["lifecycleState"] == "ACTIVE"
    assert result.xcom("wait", "console_url") == console_url("model_deployment", deployment, emu.region)
    assert finish.fired and reads_of(emu, deployment) >= 4  # poke, then the trigger's polls


def test_deferrable_sensor_does_not_defer_when_already_done(run_dag, world, emu) -> None:
    notebook = world.notebook_session()
    world.client.wait_for_state("notebook_session", notebook, poll_interval=0.05, timeout=10)
    before = reads_of(emu, notebook)
    dag = one_task_dag(
        "sensor_no_deferral", DataScienceNotebookSessionSensor, notebook_session_id=notebook, deferrable=True
    )
    result = run_dag(dag)
    assert result.task_states() == {"wait": "success"}
    assert result.xcom("wait")["lifecycleState"] == "ACTIVE"
    assert reads_of(emu, notebook) - before == 1  # the first poke only: no trigger ran


def DataScienceNotebookSessionTrigger_wait(world, notebook: str) -> None:
    world.client.wait_for_state("notebook_session", notebook, poll_interval=0.05, timeout=10)


@pytest.mark.parametrize("deferrable", [False, True])
def test_failure_state_fails_the_task(run_dag, world, emu, deferrable) -> None:
    details = "Job run failed: exit code 3 (ValueError: bad learning rate)"
    run = world.job_run(duration=10_000)
    AfterReads(emu, run, 2, lambda: emu.script_job_run(run, duration=0, outcome="FAILED", details=details))
    dag = one_task_dag(
        f"sensor_fails_{deferrable}",
        DataScienceJobRunSensor,
        job_run_id=run,
        poll_interval=FAST,
        timeout=30,
        deferrable=deferrable,
        retries=3,
        on_failure_callback=lambda context: errors.append(context.get("exception")),
    )
    errors: list[BaseException | None] = []
    result = run_dag(dag)
    assert result.task_states() == {"wait": "failed"}  # AirflowFailException: no retries
    # The error the task fails with (and its log shows) carries the run's details. Read from the
    # failure callback, not from captured output: on Airflow 3.0 the task runner's failure line
    # does not reach a later test's capture (it did in the module's first dag.test() only).
    assert len(errors) == 1 and details in str(errors[0]), errors


@pytest.mark.parametrize("deferrable", [False, True])
def test_soft_fail_turns_a_failure_state_into_a_skip(run_dag, world, emu, deferrable) -> None:
    run = world.job_run(duration=10_000)
    AfterReads(emu, run, 2, lambda: emu.script_job_run(run, duration=0, outcome="NEEDS_ATTENTION"))
    dag = one_task_dag(
        f"sensor_soft_fail_{deferrable}",
        DataScienceJobRunSensor,
        job_run_id=run,
        poll_interval=FAST,
        timeout=30,
        soft_fail=True,
        deferrable=deferrable,
    )
    assert run_dag(dag).task_states() == {"wait": "skipped"}


@pytest.mark.parametrize(("deferrable", "soft_fail"), [(False, False), (True, False), (True, True)])
def test_timeout(run_dag, world, deferrable, soft_fail) -> None:
    run = world.job_run(duration=10_000)
    dag = one_task_dag(
        f"sensor_timeout_{deferrable}_{soft_fail}",
        DataScienceJobRunSensor,
        job_run_id=run,
        poll_interval=FAST,
        timeout=1,
        soft_fail=soft_fail,
        deferrable=deferrable,
    )
    started = time.monotonic()
    assert run_dag(dag).task_states() == {"wait": "skipped" if soft_fail else "failed"}
    assert time.monotonic() - started < 15


def test_unknown_state_is_never_success(run_dag, world) -> None:
    """SUCCEEDED is neither a target nor a failure state here: the sensor keeps waiting."""
    run = world.job_run()
    dag = one_task_dag(
        "sensor_unknown_state",
        DataScienceJobRunSensor,
        job_run_id=run,
        target_states="CANCELED",
        failure_states=["FAILED"],
        poll_interval=FAST,
        timeout=1,
    )
    assert run_dag(dag).task_states() == {"wait": "failed"}


def test_work_request_failure_quotes_its_errors(world) -> None:
    details = "model server crashed while loading the artifact"
    _, work_request = world.model_deployment(duration=2, outcome="FAILED", details=details)
    world.client.wait_for_state(
        "work_request", work_request, target_states=["FAILED"], poll_interval=0.05, timeout=10
    )
    sensor = DataScienceWorkRequestSensor(task_id="wr", work_request_id=work_request)
    with pytest.raises(
        AirflowFailException, match=r"reached failure state FAILED \(errors: InternalServerError: "
    ) as info:
        sensor.poke({})
    assert details in str(info.value)


def test_generic_sensor_reads_any_resource(world) -> None:
    deployment, work_request = world.model_deployment()
    world.client.wait_for_state("work_request", work_request, poll_interval=0.05, timeout=10)
    sensor = DataScienceLifecycleSensor(task_id="g", resource="work_request", resource_id=work_request)
    done = sensor.poke({})
    assert done.is_done and done.xcom_value["id"] == work_request
    pending = DataScienceLifecycleSensor(
        task_id="g2", resource="model_deployment", resource_id=deployment, target_states=["INACTIVE"]
    ).poke({})
    assert not pending.is_done  # ACTIVE is neither target nor failure here


def _real_event(conn_ready, **kwargs) -> dict:
    return asyncio.run(anext(DataScienceJobRunTrigger(poll_interval=0.05, **kwargs).run())).payload


def test_execute_complete_handles_every_event_status(world, emu) -> None:
    sensor = DataScienceJobRunSensor(task_id="s", job_run_id="ocid1.datasciencejobrun.oc1.iad.x")
    ok_run = world.job_run()
    success = _real_event(world, job_run_id=ok_run, deadline=time.time() + 10)
    assert sensor.execute_complete({}, success)["id"] == ok_run

    details = "killed by the OOM killer"
    failed_run = world.job_run(duration=1, outcome="FAILED", details=details)
    failure = _real_event(world, job_run_id=failed_run, deadline=time.time() + 10)
    with pytest.raises(AirflowFailException, match=details):
        sensor.execute_complete({}, failure)

    slow_run = world.job_run(duration=10_000)
    timeout = _real_event(world, job_run_id=slow_run, deadline=time.time() + 0.3)
    with pytest.raises(AirflowSensorTimeout, match="timed out"):
        sensor.execute_complete({}, timeout)

    error = _real_event(world, job_run_id="ocid1.datasciencejobrun.oc1.iad.gone", deadline=time.time() + 10)
    with pytest.raises(AirflowException, match="not found") as info:
        sensor.execute_complete({}, error)
    assert not isinstance(info.value, AirflowFailException)  # an error may be retried

    with pytest.raises(AirflowException, match="no event"):
        sensor.execute_complete({}, None)
    with pytest.raises(AirflowException, match="unexpected trigger event status 'weird'"):
        sensor.execute_complete({}, {**success, "status": "weird"})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"job_run_id": ""}, "job_run_id: expected the OCID of a job_run"),
        (
            {"job_run_id": "None"},
            r"job_run_id: expected the OCID of a job_run \(ocid1.datasciencejobrun...\), got 'None'",
        ),
        (
            {"job_run_id": "ocid1.datasciencejob.oc1.iad.aaa"},
            "is the OCID of a job, expected the OCID of a job_run",
        ),
        (
            {"job_run_id": "ocid1.datasciencejobrun.oc1.iad.a", "target_states": ["DONE"]},
            r"target_states: unknown job_run state\(s\) \['DONE'\]",
        ),
        (
            {"job_run_id": "ocid1.datasciencejobrun.oc1.iad.a", "failure_states": 3},
            "failure_states: expected a list",
        ),
        (
            {
                "job_run_id": "ocid1.datasciencejobrun.oc1.iad.a",
                "target_states": ["FAILED"],
                "failure_states": ["FAILED"],
            },
            "both target_states and failure_states",
        ),
    ],
)
def test_bad_arguments_are_rejected_after_rendering_naming_the_field(kwargs, match) -> None:
    sensor = DataScienceJobRunSensor(task_id="bad", **kwargs)  # nothing is checked at construction
    with pytest.raises(ValueError, match=match):
        sensor.execute({})


def test_templated_id_is_validated_after_rendering(run_dag, conn) -> None:
    dag = one_task_dag(
        "sensor_bad_template",
        DataScienceJobRunSensor,
        job_run_id="{{ params.run }}",
        params={"run": "not-an-ocid"},
        poll_interval=FAST,
    )
    assert run_dag(dag).task_states() == {"wait": "failed"}


def test_template_fields_exist_and_poll_interval_maps_to_poke_interval() -> None:
    for cls, arg in [
        (DataScienceJobRunSensor, "job_run_id"),
        (DataScienceModelDeploymentSensor, "model_deployment_id"),
        (DataScienceWorkRequestSensor, "work_request_id"),
        (DataScienceNotebookSessionSensor, "notebook_session_id"),
    ]:
        sensor = cls(task_id="t", poll_interval=7, **{arg: "ocid1.x.oc1..y"})
        assert sensor.template_fields[0] == arg
        for field in sensor.template_fields:
            assert hasattr(sensor, field), (cls, field)
        assert sensor.poke_interval == 7
    generic = DataScienceLifecycleSensor(task_id="g", resource="job", resource_id="ocid1.x")
    assert all(hasattr(generic, f) for f in generic.template_fields)
    with pytest.raises(ValueError, match="poll_interval and poke_interval"):
        DataScienceJobRunSensor(task_id="t", job_run_id="x", poll_interval=5, poke_interval=6)


def test_a_transition_that_settles_elsewhere_fails_the_sensor_at_once(run_dag, world, emu) -> None:
    """Seen CREATING, then ACTIVE: never INACTIVE by itself, so the sensor fails (no timeout wait)."""
    deployment, _ = world.model_deployment(duration=10_000)
    settle = AfterReads(emu, deployment, 2, lambda: emu.set_state(deployment, "ACTIVE"))
    dag = one_task_dag(
        "sensor_stranded",
        DataScienceModelDeploymentSensor,
        model_deployment_id=deployment,
        target_states=["INACTIVE"],
        poll_interval=FAST,
        timeout=90,
    )
    started = time.monotonic()
    assert run_dag(dag).task_states() == {"wait": "failed"}
    assert settle.fired
    assert time.monotonic() - started < 60  # well below the 90 s timeout it used to wait out


@pytest.mark.parametrize(
    ("kwargs", "first_try_only"),
    [
        ({"job_run_id": "ocid1.datasciencejobrun.oc1.iad.amaaaaaanotthere"}, True),  # 404
        ({"job_run_id": "not-an-ocid"}, True),
        ({"job_run_id": "ocid1.datasciencejobrun.oc1.iad.amaaaaaanotthere", "retry_policy": None}, False),
    ],
)
def test_bad_input_fails_the_sensor_on_its_first_try(run_dag, conn, kwargs, first_try_only) -> None:
    """The operators' fail-at-once retry policy is the sensors' too (``retry_policy=None`` opts out)."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    dag = one_task_dag(
        f"sensor_first_try_{first_try_only}_{len(kwargs)}",
        DataScienceJobRunSensor,
        poll_interval=FAST,
        timeout=30,
        retries=1,
        retry_delay=dt.timedelta(seconds=0),
        **kwargs,
    )
    result = run_dag(dag)
    with create_session() as session:
        ti = session.query(TaskInstance).filter(TaskInstance.run_id == result.run_id).one()
    assert (str(ti.state), ti.try_number) == ("failed", 1 if first_try_only else 2)
