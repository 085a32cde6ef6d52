"""Pipeline-run operators against the emulator: DAG runs, step logs, failures, kills, adoption."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time

import pytest
from airflow.sdk import DAG
from pipeline_world import LOG_GROUP, active_pipeline, scripts, step_details
from task_output import task_output

from airflow_ds_provider._compat import AirflowException, AirflowFailException, TaskDeferred
from airflow_ds_provider.operators.pipeline_runs import (
    DataScienceCancelPipelineRunOperator,
    DataScienceChangePipelineRunCompartmentOperator,
    DataScienceCreatePipelineRunOperator,
    DataScienceDeletePipelineRunOperator,
)
from airflow_ds_provider.operators.pipelines import DataScienceCreatePipelineOperator
from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger

from .conftest import FAST, OTHER_COMPARTMENT, make_context

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
FAST_LOGS = {"poll_interval": 0.05, "timeout": 30, "log_tail_grace": 0.0, "log_tail_max_wait": 5.0}
LONG = {"emulator-duration": "4000"}  # 200 s at speed 20: "still running" for any test
PREPARE = [f"prepare {i}" for i in range(5)]
TRAIN = [f"epoch {i}: loss={1 / (i + 1):.3f}" for i in range(8)]
TAGS = {"emulator-logs.prepare": "\n".join(PREPARE), "emulator-logs.train": "\n".join(TRAIN)}
FAILING = {
    **TAGS,
    "emulator-outcome.train": "FAILED",
    "emulator-details.train": "exit code 137 (out of memory)",
}
_LINE = re.compile(r"\[pipeline-run\] (.*?)\s+\[airflow\.task")
_STEP = re.compile(r"\[pipeline-step\] (.*?)\s+\[airflow\.task")


def _lines(out: str) -> list[str]:
    """The step-run log lines the task wrote (structlog prints to the console)."""
    return _LINE.findall(out)


def _steps(out: str) -> list[str]:
    return _STEP.findall(out)


def _expected_lines() -> list[str]:
    return [f"prepare: {line}" for line in PREPARE] + [f"train: {line}" for line in TRAIN]


async def _fire(trigger: DataScienceLifecycleTrigger) -> dict:
    gen = trigger.run()
    event = await anext(gen)
    await gen.aclose()
    return event.payload


def _deferred(op, context) -> DataScienceLifecycleTrigger:
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    return deferred.value.trigger


def _runs(ds) -> list[dict]:
    return ds.emu.list("pipeline_run")


@pytest.mark.parametrize("deferrable", [False, True], ids=["sync", "deferrable"])
def test_pipeline_run_operators_in_a_dag(ds, run_dag, tmp_path, capfd, caplog, slow, deferrable) -> None:
    slow(pipeline_run_cancel=20)  # CANCELING for ~1 s: the deferrable cancel really defers
    pipeline_id = active_pipeline(ds, tmp_path, tags=TAGS)
    rid = "{{ ti.xcom_pull(task_ids='run', key='resource_id') }}"
    rid2 = "{{ ti.xcom_pull(task_ids='start_long', key='resource_id') }}"
    with DAG(f"ds_pipeline_runs_{deferrable}", schedule=None, start_date=START) as dag:
        run = _run_task(pipeline_id, deferrable)
        start_long = DataScienceCreatePipelineRunOperator(
            task_id="start_long", pipeline_id=pipeline_id, freeform_tags=LONG, wait_for_completion=False
        )
        cancel = DataScienceCancelPipelineRunOperator(
            task_id="cancel",
            pipeline_run_id=rid2,
            deferrable=deferrable,
            **FAST,
        )
        move = DataScienceChangePipelineRunCompartmentOperator(
            task_id="move", pipeline_run_id=rid, compartment_id=OTHER_COMPARTMENT
        )
        delete = DataScienceDeletePipelineRunOperator(task_id="delete", pipeline_run_id=rid, **FAST)
        start_long >> cancel
        run >> move >> delete
    task_output(capfd, caplog)
    result = run_dag(dag)
    out = task_output(capfd, caplog)

    assert result.state == "success", result.task_states()
    run_id = result.xcom("run", "resource_id")
    done = result.xcom("run")
    assert done["id"] == run_id and done["lifecycleState"] == "SUCCEEDED"
    assert [(s["stepName"], s["lifecycleState"]) for s in done["stepRuns"]] == [
        ("prepare", "SUCCEEDED"),
        ("train", "SUCCEEDED"),
    ]
    assert done["displayName"].startswith("nightly-20")
    assert done["stepOverrideDetails"] == [
        {"stepName": "train", "stepConfigurationDetails": {"environmentVariables": {"EPOCHS": "8"}}}
    ]
    assert done["freeformTags"]["airflow-task-id"] == "run"
    assert run_id in result.xcom("run", "log_search_url")
    console = result.xcom("run", "console_url")
    assert console == f"https://cloud.oracle.com/data-science/pipeline-runs/{run_id}?region=us-ashburn-1"
    # every step-run line exactly once, in order; every step change once
    assert _lines(out) == _expected_lines()
    changes = _steps(out)
    for step in ("prepare", "train"):
        mine = [c for c in changes if c.startswith(f"{step}: ")]
        assert mine[-1].endswith("-> SUCCEEDED") and len(mine) == len(set(mine))
        if deferrable:  # resumed once: each step's way from WAITING to its end, one line
            assert mine == [f"{step}: WAITING -> SUCCEEDED"]
    final = ds.emu.get(run_id)
    assert (final["lifecycleState"], final["compartmentId"]) == ("DELETED", OTHER_COMPARTMENT)
    long_id = result.xcom("start_long", "resource_id")
    assert ds.emu.get(long_id)["lifecycleState"] == "CANCELED"
    assert result.xcom("cancel")["lifecycleState"] == "CANCELED"
    assert len(_runs(ds)) == 2
    secret_line = ds.ident.private_key_pem.strip().splitlines()[1]
    assert secret_line not in out


def _run_task(pipeline_id: str, deferrable: bool) -> DataScienceCreatePipelineRunOperator:
    """The create-and-wait task of the DAG tests (templated name, dict-form step overrides)."""
    return DataScienceCreatePipelineRunOperator(
        task_id="run",
        pipeline_id=pipeline_id,
        display_name="nightly-{{ ds_nodash }}",
        step_override_details={"train": {"environmentVariables": {"EPOCHS": "8"}}},
        deferrable=deferrable,
        **FAST_LOGS,
    )


def test_a_failed_step_fails_the_task_without_retrying_naming_it(ds, run_dag, tmp_path) -> None:
    pipeline_id = active_pipeline(ds, tmp_path, tags=FAILING)
    with DAG("ds_failed_pipeline_run", schedule=None, start_date=START) as dag:
        for deferrable in (False, True):
            DataScienceCreatePipelineRunOperator(
                task_id=f"run_{'deferrable' if deferrable else 'sync'}",
                pipeline_id=pipeline_id,
                retries=2,
                retry_delay=dt.timedelta(seconds=0),
                deferrable=deferrable,
                **FAST_LOGS,
            )
    result = run_dag(dag)
    assert result.task_states() == {"run_sync": "failed", "run_deferrable": "failed"}
    runs = _runs(ds)  # AirflowFailException: no retry, so one run per task
    assert sorted(r["freeformTags"]["airflow-task-id"] for r in runs) == ["run_deferrable", "run_sync"]
    assert {r["lifecycleState"] for r in runs} == {"FAILED"}


@pytest.mark.parametrize("deferrable", [False, True], ids=["sync", "deferrable"])
async def test_the_failure_message_names_the_step_its_details_and_last_lines(
    ds, tmp_path, deferrable
) -> None:
    pipeline_id = active_pipeline(ds, tmp_path, tags=FAILING)
    op = DataScienceCreatePipelineRunOperator(
        task_id="run", pipeline_id=pipeline_id, deferrable=deferrable, failure_log_lines=3, **FAST_LOGS
    )
    context = make_context(op)
    with pytest.raises(AirflowFailException) as raised:
        if deferrable:
            event = await _fire(_deferred(op, context))
            assert event["status"] == "failure"
            op.execute_complete(context, event)
        else:
            op.execute(context)
    text = str(raised.value)
    assert "Step train FAILED: exit code 137 (out of memory)" in text
    assert "Last 3 lines of step train:\n" + "\n".join(f"    {line}" for line in TRAIN[-3:]) in text
    assert "Step prepare" not in text  # it succeeded
    assert "Full log: https://cloud.oracle.com/" in text


@pytest.mark.parametrize("deferrable", [False, True], ids=["sync", "deferrable"])
async def test_step_states_are_written_and_failures_explained_without_stream_logs(
    ds, tmp_path, capfd, caplog, deferrable
) -> None:
    pipeline_id = active_pipeline(ds, tmp_path, tags=FAILING)
    op = DataScienceCreatePipelineRunOperator(
        task_id="run", pipeline_id=pipeline_id, stream_logs=False, deferrable=deferrable, **FAST_LOGS
    )
    context = make_context(op)
    task_output(capfd, caplog)
    with pytest.raises(AirflowFailException, match=r"Step train FAILED: exit code 137") as raised:
        if deferrable:
            op.execute_complete(context, await _fire(_deferred(op, context)))
        else:
            op.execute(context)
    out = task_output(capfd, caplog)
    assert "Last " not in str(raised.value)
    assert _lines(out) == []
    [failed] = [c for c in _steps(out) if c.startswith("train: ") and "-> FAILED" in c]
    assert failed.endswith(" -> FAILED (exit code 137 (out of memory))")
    if deferrable:  # resumed once: the step's way from WAITING to its end
        assert failed.startswith("train: WAITING -> ")
    searches = [r for r in ds.emu.requests if r["path"].startswith("/20190909")]
    assert searches == []  # no Logging call at all


def test_unknown_step_overrides_fail_before_a_run_is_created(ds, tmp_path) -> None:
    pipeline_id = active_pipeline(ds, tmp_path)
    op = DataScienceCreatePipelineRunOperator(
        task_id="run",
        pipeline_id=pipeline_id,
        step_override_details={"evaluate": {"commandLineArguments": "-v"}},
    )
    with pytest.raises(ValueError, match=r"^step_override_details\[evaluate\]: 'evaluate' is not a step"):
        op.execute(make_context(op))
    bad_shape = DataScienceCreatePipelineRunOperator(
        task_id="run", pipeline_id=pipeline_id, step_override_details="train"
    )
    with pytest.raises(ValueError, match=r"^step_override_details: expected a list"):
        bad_shape.execute(make_context(bad_shape))
    no_config = DataScienceCreatePipelineRunOperator(
        task_id="run", pipeline_id=pipeline_id, step_override_details={"train": "fast"}
    )
    with pytest.raises(ValueError, match=r"^step_override_details\[train\]: expected the step's"):
        no_config.execute(make_context(no_config))
    missing = DataScienceCreatePipelineRunOperator(
        task_id="run", pipeline_id="ocid1.datasciencepipeline.oc1.iad.amaaaaaanosuchpipeline"
    )
    with pytest.raises(AirflowFailException, match=r"^pipeline_id: pipeline .* does not exist"):
        missing.execute(make_context(missing))
    nothing = DataScienceCreatePipelineRunOperator(task_id="run")
    with pytest.raises(ValueError, match=r"^pipeline_id: expected the OCID of a pipeline"):
        nothing.execute(make_context(nothing))
    assert _runs(ds) == []


def test_on_kill_cancels_the_run_in_the_worker(ds, tmp_path) -> None:
    pipeline_id = active_pipeline(ds, tmp_path, tags=LONG)
    op = DataScienceCreatePipelineRunOperator(task_id="run", pipeline_id=pipeline_id, **FAST_LOGS)
    outcome: dict = {}

    def work() -> None:
        try:
            op.execute(make_context(op))
        except BaseException as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=work)
    worker.start()
    deadline = time.monotonic() + 10
    while op.pipeline_run_id is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert op.pipeline_run_id, "the operator never started a run"
    op.on_kill()
    worker.join(15)
    assert not worker.is_alive()
    assert ds.emu.get(op.pipeline_run_id)["lifecycleState"] == "CANCELED"
    assert isinstance(outcome["error"], AirflowFailException)
    assert "CANCELED" in str(outcome["error"])


async def test_killing_the_deferred_task_cancels_the_run_through_the_trigger(ds, tmp_path) -> None:
    pipeline_id = active_pipeline(ds, tmp_path, tags=LONG)
    op = DataScienceCreatePipelineRunOperator(
        task_id="run", pipeline_id=pipeline_id, deferrable=True, **FAST_LOGS
    )
    trigger = _deferred(op, make_context(op))
    assert trigger.cancel_on_kill is True and trigger.deadline is not None
    await trigger.on_kill()
    assert ds.emu.get(trigger.resource_id)["lifecycleState"] in ("CANCELING", "CANCELED")
    off = DataScienceCreatePipelineRunOperator(
        task_id="other", pipeline_id=pipeline_id, deferrable=True, cancel_on_kill=False, **FAST_LOGS
    )
    kept = _deferred(off, make_context(off))
    await kept.on_kill()
    assert ds.emu.get(kept.resource_id)["lifecycleState"] in ("ACCEPTED", "IN_PROGRESS")


def test_sync_wait_timeout_cancels_the_run(ds, tmp_path) -> None:
    pipeline_id = active_pipeline(ds, tmp_path, tags=LONG)
    op = DataScienceCreatePipelineRunOperator(
        task_id="run", pipeline_id=pipeline_id, poll_interval=0.05, timeout=0.3, log_tail_grace=0
    )
    with pytest.raises(AirflowException, match="timed out") as raised:
        op.execute(make_context(op))
    assert not isinstance(raised.value, AirflowFailException)  # a timeout may be retried
    assert ds.emu.get(op.pipeline_run_id)["lifecycleState"] in ("CANCELING", "CANCELED")


async def test_deferral_timeout_cancels_the_run(ds, tmp_path) -> None:
    pipeline_id = active_pipeline(ds, tmp_path, tags=LONG)
    op = DataScienceCreatePipelineRunOperator(
        task_id="run", pipeline_id=pipeline_id, deferrable=True, **FAST_LOGS
    )
    context = make_context(op)
    trigger = _deferred(op, context)
    _, kwargs = trigger.serialize()
    late = DataScienceLifecycleTrigger(**{**kwargs, "deadline": time.time() - 1})
    event = await _fire(late)
    assert event["status"] == "timeout"
    resumed = DataScienceCreatePipelineRunOperator(
        task_id="run", pipeline_id=pipeline_id, deferrable=True, **FAST_LOGS
    )
    with pytest.raises(AirflowException, match="timed out"):
        resumed.execute_complete(context, event)
    assert ds.emu.get(trigger.resource_id)["lifecycleState"] in ("CANCELING", "CANCELED")


def test_a_retry_reattaches_to_the_running_run(ds, tmp_path) -> None:
    pipeline_id = active_pipeline(ds, tmp_path, tags=LONG)
    first = DataScienceCreatePipelineRunOperator(
        task_id="run", pipeline_id=pipeline_id, deferrable=True, **FAST_LOGS
    )
    trigger = _deferred(first, make_context(first, try_number=1))
    second = DataScienceCreatePipelineRunOperator(
        task_id="run", pipeline_id=pipeline_id, wait_for_completion=False, **FAST_LOGS
    )
    attached = second.execute(make_context(second, try_number=2))
    assert attached["id"] == trigger.resource_id == second.pipeline_run_id
    assert [r["id"] for r in _runs(ds)] == [trigger.resource_id]
    fresh = DataScienceCreatePipelineRunOperator(
        task_id="run", pipeline_id=pipeline_id, wait_for_completion=False, reattach_on_retry=False
    )
    assert fresh.execute(make_context(fresh, try_number=3))["id"] != trigger.resource_id


def test_cancel_and_delete_are_safe_to_retry(ds, tmp_path) -> None:
    pipeline_id = active_pipeline(ds, tmp_path, tags=LONG)
    run_id = ds.hook.create_pipeline_run({"pipelineId": pipeline_id, "compartmentId": ds.compartment}).data[
        "id"
    ]
    early = DataScienceDeletePipelineRunOperator(task_id="d", pipeline_run_id=run_id, **FAST)
    with pytest.raises(AirflowFailException, match="only a finished run can be deleted, cancel it first"):
        early.execute(make_context(early))
    graceful = DataScienceCancelPipelineRunOperator(
        task_id="c", pipeline_run_id=run_id, terminate_gracefully=True, **FAST
    )
    assert graceful.execute(make_context(graceful))["lifecycleState"] == "SUCCEEDED"  # terminated gracefully
    again = DataScienceCancelPipelineRunOperator(task_id="c", pipeline_run_id=run_id, **FAST)
    assert again.execute(make_context(again))["lifecycleState"] == "SUCCEEDED"  # nothing sent
    cancels = [r for r in ds.emu.requests if r["path"].endswith("/actions/cancelPipelineRun")]
    assert len(cancels) == 1 and "terminateGracefully=true" in cancels[0]["query"]
    delete = DataScienceDeletePipelineRunOperator(
        task_id="d", pipeline_run_id=run_id, delete_related_job_runs=True, **FAST
    )
    assert delete.execute(make_context(delete))["lifecycleState"] == "DELETED"
    gone = DataScienceDeletePipelineRunOperator(task_id="d", pipeline_run_id=run_id, **FAST)
    assert gone.execute(make_context(gone))["lifecycleState"] == "DELETED"
    with pytest.raises(ValueError, match=r"^terminate_gracefully: expected True or False"):
        DataScienceCancelPipelineRunOperator(task_id="c", pipeline_run_id=run_id, terminate_gracefully="no")


def test_an_ml_job_steps_lines_are_read_from_its_job_run(ds, tmp_path, capfd, caplog) -> None:

    steps = [*step_details("prepare"), {"stepType": "ML_JOB", "stepName": "train", "jobId": ds.job()}]
    steps[1]["dependsOn"] = ["prepare"]
    create = DataScienceCreatePipelineOperator(
        task_id="create",
        project_id=ds.project(),
        step_details=steps,
        step_artifacts=scripts(tmp_path, "prepare"),
        create_pipeline_details={
            "logConfigurationDetails": {
                "enableLogging": True,
                "enableAutoLogCreation": True,
                "logGroupId": LOG_GROUP,
            },
            "freeformTags": TAGS,
        },
        **FAST,
    )
    pipeline_id = create.execute(make_context(create))["id"]
    op = DataScienceCreatePipelineRunOperator(task_id="run", pipeline_id=pipeline_id, **FAST_LOGS)
    task_output(capfd, caplog)
    done = op.execute(make_context(op))
    [train] = [s for s in done["stepRuns"] if s["stepName"] == "train"]
    assert train["lifecycleState"] == "SUCCEEDED" and train["jobRunId"]
    assert ds.emu.get(train["jobRunId"])["lifecycleState"] == "SUCCEEDED"
    assert _lines(task_output(capfd, caplog)) == _expected_lines()


def test_a_busy_parallel_step_does_not_push_out_the_failed_steps_lines(ds, tmp_path) -> None:
    tags = {
        "emulator-logs.prepare": "read 1\nread 2\ncorrupt row",
        "emulator-duration.prepare": "10",
        "emulator-outcome.prepare": "FAILED",
        "emulator-details.prepare": "bad input",
        "emulator-logs.train": "\n".join(TRAIN),
        "emulator-duration.train": "20",
    }
    steps = step_details()
    del steps[1]["dependsOn"]  # the two steps run side by side
    body = {
        "projectId": ds.project(),
        "compartmentId": ds.compartment,
        "stepDetails": steps,
        "freeformTags": tags,
        "logConfigurationDetails": {
            "enableLogging": True,
            "enableAutoLogCreation": True,
            "logGroupId": LOG_GROUP,
        },
    }
    create = DataScienceCreatePipelineOperator(
        task_id="create", create_pipeline_details=body, step_artifacts=scripts(tmp_path), **FAST
    )
    pipeline_id = create.execute(make_context(create))["id"]
    op = DataScienceCreatePipelineRunOperator(
        task_id="run", pipeline_id=pipeline_id, failure_log_lines=2, **FAST_LOGS
    )
    with pytest.raises(AirflowFailException) as raised:
        op.execute(make_context(op))
    text = str(raised.value)
    assert (
        "Step prepare FAILED: bad input\n  Last 2 lines of step prepare:\n    read 2\n    corrupt row" in text
    )
    assert "Step train" not in text  # it ran to its end
