"""Job-run operators against the emulator: DAG runs, retries, kills, timeouts and failures."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from airflow.sdk import DAG

from airflow_ds_provider._compat import AirflowException, AirflowFailException, TaskDeferred
from airflow_ds_provider.client.errors import NotFoundError
from airflow_ds_provider.operators.job_runs import (
    DataScienceCancelJobRunOperator,
    DataScienceChangeJobRunCompartmentOperator,
    DataScienceCreateJobRunOperator,
    DataScienceDeleteJobRunOperator,
    DataScienceUpdateJobRunOperator,
)
from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger

from .conftest import FAST, OTHER_COMPARTMENT, make_context

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
LONG = {"emulator-duration": "4000"}  # 200 s at speed 20: "still running" for any test
TRIGGER_RAN = "running trigger in line"


def _run_ids(ds) -> list[str]:
    return [r["id"] for r in ds.emu.list("job_run")]


async def _fire(trigger: DataScienceLifecycleTrigger) -> dict:
    """Run the trigger's real run() coroutine to its one event."""
    gen = trigger.run()
    event = await anext(gen)
    await gen.aclose()
    return event.payload


def _deferred(op, context) -> DataScienceLifecycleTrigger:
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    return deferred.value.trigger


@pytest.mark.parametrize("deferrable", [False, True], ids=["sync", "deferrable"])
def test_job_run_operators_in_a_dag(ds, run_dag, caplog, slow, deferrable) -> None:
    slow(job_run_cancel=20)  # CANCELING for ~1 s: the deferrable cancel really defers
    job_id = ds.job(tags={"emulator-duration": "20"})  # ~1 s IN_PROGRESS
    rid = "{{ ti.xcom_pull(task_ids='run', key='resource_id') }}"
    rid2 = "{{ ti.xcom_pull(task_ids='start_long', key='resource_id') }}"
    with DAG(f"ds_job_runs_{deferrable}", schedule=None, start_date=START) as dag:
        run = DataScienceCreateJobRunOperator(
            task_id="run",
            job_id=job_id,
            create_job_run_details={"jobConfigurationOverrideDetails": {"jobType": "DEFAULT"}},
            display_name="nightly-{{ ds_nodash }}",
            freeform_tags={"team": "ml"},
            deferrable=deferrable,
            **FAST,
        )
        start_long = DataScienceCreateJobRunOperator(
            task_id="start_long", job_id=job_id, freeform_tags=LONG, wait_for_completion=False
        )
        cancel = DataScienceCancelJobRunOperator(
            task_id="cancel", job_run_id=rid2, deferrable=deferrable, **FAST
        )
        start_long >> cancel
        if not deferrable:  # only the waiting operators differ between the two variants
            rename = DataScienceUpdateJobRunOperator(task_id="rename", job_run_id=rid, display_name="renamed")
            move = DataScienceChangeJobRunCompartmentOperator(
                task_id="move", job_run_id=rid, compartment_id=OTHER_COMPARTMENT
            )
            delete = DataScienceDeleteJobRunOperator(task_id="delete", job_run_id=rid)
            run >> rename >> move >> delete
    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    run_id = result.xcom("run", "resource_id")
    done = result.xcom("run")
    assert done["id"] == run_id and done["lifecycleState"] == "SUCCEEDED"
    assert done["displayName"].startswith("nightly-20")
    assert done["freeformTags"]["team"] == "ml"
    assert done["freeformTags"]["airflow-dag-id"] == f"ds_job_runs_{deferrable}"
    assert done["freeformTags"]["airflow-task-id"] == "run"
    assert done["freeformTags"]["airflow-run-id"] == result.run_id
    console = result.xcom("run", "console_url")
    assert console == f"https://cloud.oracle.com/data-science/job-runs/{run_id}?region=us-ashburn-1"
    assert result.xcom("run", "_link_DataScienceConsoleLink") == console  # the extra link, resolved
    if not deferrable:
        assert result.xcom("rename")["displayName"] == "renamed"
        final = ds.emu.get(run_id)
        assert (final["lifecycleState"], final["displayName"], final["compartmentId"]) == (
            "DELETED",
            "renamed",
            OTHER_COMPARTMENT,
        )
    else:
        assert ds.emu.get(run_id)["lifecycleState"] == "SUCCEEDED"
    long_id = result.xcom("start_long", "resource_id")
    assert result.xcom("start_long")["lifecycleState"] in ("ACCEPTED", "IN_PROGRESS")
    assert ds.emu.get(long_id)["lifecycleState"] == "CANCELED"
    assert result.xcom("cancel")["lifecycleState"] == "CANCELED"
    assert len(_run_ids(ds)) == 2
    assert caplog.text.count(TRIGGER_RAN) == (2 if deferrable else 0)


def test_failed_run_fails_the_task_without_retrying(ds, run_dag) -> None:
    job_id = ds.job(
        tags={
            "emulator-duration": "4",
            "emulator-outcome": "FAILED",
            "emulator-details": "Job run bootstrap failed: exit 137",
        }
    )
    with DAG("ds_failed_run", schedule=None, start_date=START) as dag:
        for deferrable in (False, True):
            DataScienceCreateJobRunOperator(
                task_id=f"run_{'deferrable' if deferrable else 'sync'}",
                job_id=job_id,
                retries=2,
                retry_delay=dt.timedelta(seconds=0),
                deferrable=deferrable,
                **FAST,
            )
    result = run_dag(dag)
    assert result.task_states() == {"run_sync": "failed", "run_deferrable": "failed"}
    runs = ds.emu.list("job_run")  # AirflowFailException: no retry, so no second run per task
    assert sorted(r["freeformTags"]["airflow-task-id"] for r in runs) == ["run_deferrable", "run_sync"]
    assert {r["lifecycleState"] for r in runs} == {"FAILED"}


def test_failed_run_message_carries_lifecycle_details(ds) -> None:
    job_id = ds.job(tags={"emulator-outcome": "FAILED", "emulator-details": "exit code 137 (out of memory)"})
    op = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, deferrable=False, **FAST)
    with pytest.raises(
        AirflowFailException, match=r"reached failure state FAILED: exit code 137 \(out of memory\)"
    ):
        op.execute(make_context(op))


async def test_failure_event_from_the_real_trigger_fails_with_details(ds) -> None:
    job_id = ds.job(
        tags={"emulator-duration": "10", "emulator-outcome": "FAILED", "emulator-details": "OOMKilled"}
    )
    op = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, deferrable=True, **FAST)
    context = make_context(op)
    trigger = _deferred(op, context)
    event = await _fire(trigger)
    assert event["status"] == "failure"
    with pytest.raises(AirflowFailException, match="OOMKilled"):
        op.execute_complete(context, event)


def test_retry_reattaches_to_the_running_run(ds) -> None:
    job_id = ds.job(tags=LONG)
    first = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, deferrable=True, **FAST)
    trigger = _deferred(first, make_context(first, try_number=1))
    assert len(_run_ids(ds)) == 1
    # the worker died; the scheduler starts try 2 of the same task instance (XCom is gone)
    second = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, wait_for_completion=False, **FAST)
    context = make_context(second, try_number=2)
    attached = second.execute(context)
    assert attached["id"] == trigger.resource_id == second.job_run_id
    assert _run_ids(ds) == [trigger.resource_id]
    assert context["ti"].xcoms["resource_id"] == trigger.resource_id
    # a sync try 3 attaches too, and follows the same run to its end
    finish = threading.Timer(0.5, ds.emu.set_state, (trigger.resource_id, "SUCCEEDED"))
    finish.start()
    third = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, deferrable=False, **FAST)
    try:
        assert third.execute(make_context(third, try_number=3))["lifecycleState"] == "SUCCEEDED"
    finally:
        finish.join()
    assert _run_ids(ds) == [trigger.resource_id]


def test_dag_retry_after_a_crash_mid_wait_reattaches(ds, run_dag) -> None:
    job_id = ds.job(tags={"emulator-duration": "60"})  # ~3 s IN_PROGRESS
    # try 1 starts the run, then its first state read fails hard (the client does not retry a
    # 501, and the operator's retry_policy leaves it to Airflow's retries)
    ds.emu.inject_fault("GET", r"/jobRuns/ocid1\.datasciencejobrun", kind="status", status=501, count=1)
    with DAG("ds_job_run_retry", schedule=None, start_date=START) as dag:
        DataScienceCreateJobRunOperator(
            task_id="run",
            job_id=job_id,
            retries=1,
            retry_delay=dt.timedelta(seconds=0),
            deferrable=False,
            **FAST,
        )
    result = run_dag(dag)
    assert result.task_states() == {"run": "success"}
    [run_id] = _run_ids(ds)  # try 2 attached to the run of try 1 instead of starting another
    assert result.xcom("run")["id"] == run_id
    assert ds.emu.get(run_id)["lifecycleState"] == "SUCCEEDED"
    assert [
        r["status"] for r in ds.emu.requests if r["method"] == "POST" and r["path"].endswith("/jobRuns")
    ] == [200]


def test_retry_does_not_adopt_finished_or_foreign_runs(ds) -> None:
    job_id = ds.job(tags=LONG)
    op = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, wait_for_completion=False)
    finished = op.execute(make_context(op))["id"]
    ds.emu.set_state(finished, "FAILED")
    foreign = ds.job_run(job_id, tags={"airflow-dag-id": "dag", "airflow-task-id": "other"})["id"]
    retry = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, wait_for_completion=False)
    new = retry.execute(make_context(retry, try_number=2))["id"]
    assert new not in (finished, foreign) and len(_run_ids(ds)) == 3
    # with reattach_on_retry=False a new try always starts a new run
    fresh = DataScienceCreateJobRunOperator(
        task_id="run", job_id=job_id, wait_for_completion=False, reattach_on_retry=False
    )
    assert fresh.execute(make_context(fresh, try_number=3))["id"] != new
    assert len(_run_ids(ds)) == 4


def test_lost_create_response_leaves_one_run(ds) -> None:
    job_id = ds.job(tags={"emulator-duration": "2"})
    ds.emu.inject_fault("POST", "/jobRuns$", kind="commit_then_drop", count=1)
    op = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, deferrable=False, **FAST)
    assert op.execute(make_context(op))["lifecycleState"] == "SUCCEEDED"
    posts = [r for r in ds.emu.requests if r["method"] == "POST" and r["path"].endswith("/jobRuns")]
    assert [p["fault"] for p in posts] == ["commit_then_drop", None]
    assert len(_run_ids(ds)) == 1


def test_on_kill_cancels_the_run_in_the_worker(ds) -> None:
    job_id = ds.job(tags=LONG)
    op = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, deferrable=False, **FAST)
    outcome: dict = {}

    def work() -> None:
        try:
            op.execute(make_context(op))
        except BaseException as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=work)
    worker.start()
    deadline = time.monotonic() + 10
    while op.job_run_id is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert op.job_run_id, "the operator never started a run"
    op.on_kill()
    worker.join(15)
    assert not worker.is_alive()
    assert ds.emu.get(op.job_run_id)["lifecycleState"] == "CANCELED"
    assert isinstance(outcome["error"], AirflowFailException)
    assert "CANCELED" in str(outcome["error"])


def test_on_kill_does_nothing_without_cancel_on_kill(ds) -> None:
    job_id = ds.job(tags=LONG)
    op = DataScienceCreateJobRunOperator(
        task_id="run", job_id=job_id, wait_for_completion=False, cancel_on_kill=False
    )
    run_id = op.execute(make_context(op))["id"]
    op.on_kill()
    assert ds.emu.get(run_id)["lifecycleState"] in ("ACCEPTED", "IN_PROGRESS")


@pytest.mark.parametrize("cancel_on_kill", [True, False])
def test_deferral_passes_cancel_on_kill_and_a_deadline_to_the_trigger(ds, cancel_on_kill) -> None:
    job_id = ds.job(tags=LONG)
    op = DataScienceCreateJobRunOperator(
        task_id="run",
        job_id=job_id,
        deferrable=True,
        cancel_on_kill=cancel_on_kill,
        poll_interval=5,
        timeout=600,
    )
    context = make_context(op)
    before = time.time()
    trigger = _deferred(op, context)
    classpath, kwargs = trigger.serialize()
    assert classpath == "airflow_ds_provider.triggers.lifecycle.DataScienceLifecycleTrigger"
    assert kwargs["cancel_on_kill"] is cancel_on_kill
    assert kwargs["resource"] == "job_run" and kwargs["resource_id"] == context["ti"].xcoms["resource_id"]
    assert before + 600 <= kwargs["deadline"] <= time.time() + 600
    assert kwargs["target_states"] == ["SUCCEEDED"] and "FAILED" in kwargs["failure_states"]


async def test_deferral_timeout_cancels_the_run(ds) -> None:
    job_id = ds.job(tags=LONG)
    op = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, deferrable=True, **FAST)
    context = make_context(op)
    trigger = _deferred(op, context)
    _, kwargs = trigger.serialize()
    late = DataScienceLifecycleTrigger(**{**kwargs, "deadline": time.time() - 1})
    event = await _fire(late)
    assert event["status"] == "timeout" and event["resource_id"] == trigger.resource_id
    resumed = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, deferrable=True, **FAST)
    with pytest.raises(AirflowException, match="timed out"):
        resumed.execute_complete(context, event)
    assert ds.emu.get(trigger.resource_id)["lifecycleState"] in ("CANCELING", "CANCELED")


def test_sync_wait_timeout_cancels_the_run(ds) -> None:
    job_id = ds.job(tags=LONG)
    op = DataScienceCreateJobRunOperator(
        task_id="run", job_id=job_id, deferrable=False, poll_interval=0.05, timeout=0.3
    )
    with pytest.raises(AirflowException, match="timed out") as raised:
        op.execute(make_context(op))
    assert not isinstance(raised.value, AirflowFailException)  # a timeout may be retried
    assert ds.emu.get(op.job_run_id)["lifecycleState"] in ("CANCELING", "CANCELED")


def test_already_finished_run_completes_inline_without_deferring(ds) -> None:
    job_id = ds.job(tags={"emulator-duration": "0.1"})
    op = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, wait_for_completion=False)
    run_id = op.execute(make_context(op))["id"]
    ds.hook.wait_for_state("job_run", run_id, poll_interval=0.02, timeout=10)
    attached = DataScienceCancelJobRunOperator(task_id="c", job_run_id=run_id, deferrable=True, **FAST)
    assert attached.execute(make_context(attached))["lifecycleState"] == "SUCCEEDED"
    waiter = DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, deferrable=True, **FAST)
    # the wait reads the state once first: a settled run needs no trigger
    assert waiter.wait(make_context(waiter), run_id, cancel_on_kill=True)["lifecycleState"] == "SUCCEEDED"


def test_create_job_run_validates_after_rendering(ds) -> None:
    op = DataScienceCreateJobRunOperator(task_id="run")
    with pytest.raises(
        ValueError, match=r"job_id: expected the OCID of a job \(ocid1.datasciencejob...\), got None"
    ):
        op.execute(make_context(op))
    op = DataScienceCreateJobRunOperator(
        task_id="run", job_id=ds.job(), create_job_run_details={"jobTyp": "x"}
    )
    with pytest.raises(ValueError, match=r"create_job_run_details: unknown field\(s\) \['jobTyp'\]"):
        op.execute(make_context(op))
    op = DataScienceCreateJobRunOperator(
        task_id="run", job_id="ocid1.datasciencejob.oc1.iad.j", create_job_run_details={"freeformTags": "a=b"}
    )
    with pytest.raises(ValueError, match="freeform_tags: expected a dict"):
        op.execute(make_context(op))
    assert _run_ids(ds) == []


def test_cancel_is_safe_to_retry(ds) -> None:
    job_id = ds.job(tags=LONG)
    run_id = ds.job_run(job_id)["id"]
    ds.hook.cancel_job_run(run_id)
    ds.emu.clear_requests()
    op = DataScienceCancelJobRunOperator(task_id="c", job_run_id=run_id, deferrable=False, **FAST)
    assert op.execute(make_context(op))["lifecycleState"] == "CANCELED"
    assert not [r for r in ds.emu.requests if r["method"] == "POST"]  # CANCELING: only waited
    assert op.execute(make_context(op, try_number=2))["lifecycleState"] == "CANCELED"
    assert not [r for r in ds.emu.requests if r["method"] == "POST"]


def test_a_canceling_run_is_only_waited_for_and_returns_at_once_without_waiting(ds, slow) -> None:
    slow(job_run_cancel=4000)  # CANCELING for ~200 s: "still stopping" for any test
    run_id = ds.job_run(ds.job(tags=LONG))["id"]
    ds.hook.cancel_job_run(run_id)
    ds.emu.clear_requests()
    op = DataScienceCancelJobRunOperator(task_id="c", job_run_id=run_id, wait_for_completion=False, **FAST)
    assert op.execute(make_context(op)) is None  # not waited out first (that would time out)
    assert ds.emu.get(run_id)["lifecycleState"] == "CANCELING"
    deferring = DataScienceCancelJobRunOperator(task_id="c", job_run_id=run_id, deferrable=True, **FAST)
    with pytest.raises(TaskDeferred) as deferred:
        deferring.execute(make_context(deferring))
    assert deferred.value.method_name == "execute_complete"  # waited for, not settled then re-decided
    trigger = deferred.value.trigger
    assert set(trigger.target_states) == {"CANCELED", "SUCCEEDED", "FAILED"}
    assert set(trigger.failure_states) == {"DELETED"}
    assert not [r for r in ds.emu.requests if r["method"] == "POST"]


def test_a_running_run_is_cancelled_at_once_not_waited_out(ds) -> None:
    run_id = ds.job_run(ds.job(tags=LONG))["id"]
    ds.emu.clear_requests()
    op = DataScienceCancelJobRunOperator(task_id="c", job_run_id=run_id, deferrable=True, **FAST)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(make_context(op))
    posts = [r["path"] for r in ds.emu.requests if r["method"] == "POST"]
    assert posts == [f"/20190101/jobRuns/{run_id}/actions/cancelJobRun"]
    assert deferred.value.method_name == "execute_complete"
    assert set(deferred.value.trigger.failure_states) == {"DELETED"}
    assert ds.emu.get(run_id)["lifecycleState"] in ("CANCELING", "CANCELED")


def test_cancel_of_a_deleted_run_returns_it_and_of_a_missing_run_fails_with_the_404(ds) -> None:
    job_id = ds.job(tags={"emulator-duration": "0.1"})
    run_id = ds.job_run(job_id)["id"]
    ds.hook.wait_for_state("job_run", run_id, poll_interval=0.02, timeout=10)
    ds.hook.delete_job_run(run_id)
    ds.hook.wait_for_state("job_run", run_id, target_states=["DELETED"], poll_interval=0.02, timeout=10)
    ds.emu.clear_requests()
    op = DataScienceCancelJobRunOperator(task_id="c", job_run_id=run_id, **FAST)
    assert op.execute(make_context(op))["lifecycleState"] == "DELETED"
    assert not [r for r in ds.emu.requests if r["method"] == "POST"]
    gone = DataScienceCancelJobRunOperator(task_id="c", job_run_id="ocid1.datasciencejobrun.oc1.iad.gone")
    with pytest.raises(NotFoundError):
        gone.execute(make_context(gone))


def test_delete_of_a_running_run_fails_and_of_a_gone_run_succeeds(ds) -> None:
    job_id = ds.job(tags=LONG)
    run_id = ds.job_run(job_id)["id"]
    op = DataScienceDeleteJobRunOperator(task_id="d", job_run_id=run_id)
    with pytest.raises(AirflowFailException, match="only a finished run can be deleted, cancel it first"):
        op.execute(make_context(op))
    gone = DataScienceDeleteJobRunOperator(task_id="d", job_run_id="ocid1.datasciencejobrun.oc1.iad.gone")
    assert gone.execute(make_context(gone)) is None
