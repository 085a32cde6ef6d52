"""Pipeline runs on a real Airflow 3.3 deployment: ``example_ds_pipeline`` end to end, a triggerer
SIGKILLed while it watches a pipeline run, and workers SIGKILLed while the operator creates or
polls one; each ends with exactly one pipeline run in the emulator and one completion.

The deployment is the ``dep`` fixture of ``conftest.py`` (``example_dags/`` plus
``dags_examples/``, where ``ds_e2e_pipeline_dags.py`` holds the retrying pipeline-run DAGs).
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest
from emulator_process import EmulatorProcess
from harness import AirflowDeployment, wait_for
from test_examples_e2e import assert_log_is_clean, trigger

from airflow_ds_provider.example_assets import example_asset

pytestmark = [pytest.mark.deployment, pytest.mark.usefixtures("triggerer_up")]

EXAMPLE = "example_ds_pipeline"
STEPS = {"prepare": "prepare_data.py", "train": "train.py"}
#: The lines the emulator writes for each step (no ``emulator-logs`` scripted).
STEP_LINES = [f"Step {step} {what}" for step in STEPS for what in ("started", "finished")]
KINDS = ("project", "pipeline", "pipeline_run")


def made_by(emulator: EmulatorProcess, kind: str, dag_id: str, run_id: str) -> list[dict[str, Any]]:
    """The ``kind`` resources carrying this DAG run's identity tags."""
    return [
        r
        for r in emulator.resources(kind)
        if (r.get("freeformTags") or {}).get("airflow-dag-id") == dag_id
        and (r.get("freeformTags") or {}).get("airflow-run-id") == run_id
    ]


def new_pipeline(emulator: EmulatorProcess, name: str, step_seconds: float) -> str:
    """A fresh ACTIVE two-step pipeline (in its own project) whose steps take ``step_seconds``."""
    client, compartment = emulator.client, emulator.extra["compartment_id"]
    project = client.create_project({"compartmentId": compartment, "displayName": name}).data
    body = {
        "projectId": project["id"],
        "compartmentId": compartment,
        "displayName": name,
        "infrastructureConfigurationDetails": {
            "shapeName": "VM.Standard.E4.Flex",
            "blockStorageSizeInGBs": 50,
        },
        "logConfigurationDetails": {
            "enableLogging": True,
            "enableAutoLogCreation": True,
            "logGroupId": "ocid1.loggroup.oc1..e2epipelines",
        },
        "stepDetails": [
            {"stepName": "prepare", "stepType": "CUSTOM_SCRIPT"},
            {"stepName": "train", "stepType": "CUSTOM_SCRIPT", "dependsOn": ["prepare"]},
        ],
        "freeformTags": {"emulator-duration": str(step_seconds)},
    }
    pipeline = client.create_pipeline(body).data
    for step, script in STEPS.items():
        with open(example_asset(script), "rb") as fh:
            client.create_step_artifact(
                pipeline["id"], step, fh.read(), content_disposition=f"attachment; filename={script}"
            )
    client.wait_for_state("pipeline", pipeline["id"], poll_interval=0.2, timeout=30)
    return pipeline["id"]


def runs_of(emulator: EmulatorProcess, pipeline_id: str) -> list[dict[str, Any]]:
    return [r for r in emulator.resources("pipeline_run") if r["pipelineId"] == pipeline_id]


def requests_for(
    emulator: EmulatorProcess, operation: str, ocid: str, after: float = 0.0
) -> list[dict[str, Any]]:
    return [
        r
        for r in emulator.requests()
        if r["operation"] == operation and ocid in r["path"] and r["time"] >= after
    ]


def wait_trigger_polling(emulator: EmulatorProcess, run_id: str, after: float, count: int = 2) -> None:
    """Wait until something (the trigger) has read the pipeline run ``count`` times since ``after``."""
    wait_for(
        lambda: len(requests_for(emulator, "get_pipeline_run", run_id, after)) >= count,
        timeout=60,
        desc=f"the trigger to poll {run_id}",
    )


def assert_nothing_left(emulator: EmulatorProcess, dag_id: str, dag_run: str) -> None:
    """The DAG run made one project, pipeline and pipeline run, and deleted them all."""
    for kind in KINDS:
        made = {r["id"]: r["lifecycleState"] for r in made_by(emulator, kind, dag_id, dag_run)}
        assert len(made) == 1 and set(made.values()) == {"DELETED"}, f"{kind} of {dag_run}: {made}"


def assert_step_lines_once(log: str) -> None:
    counts = {line: log.count(line) for line in STEP_LINES}
    assert counts == dict.fromkeys(STEP_LINES, 1), f"{counts}\n{log[-4000:]}"


def test_example_pipeline_runs_end_to_end_deferred(dep: AirflowDeployment, emulator: EmulatorProcess):
    dag_run = trigger(dep, EXAMPLE, {"run_freeform_tags": {"emulator-duration": "6"}})
    settled = dep.wait_deferral_settled(EXAMPLE, dag_run, "run_pipeline", timeout=180)

    dep.wait_for_dag_run(EXAMPLE, dag_run, {"success"}, timeout=180)

    ti = dep.get_ti(EXAMPLE, dag_run, "run_pipeline")
    assert (ti["state"], ti["try_number"]) == ("success", settled["try_number"]) == ("success", 1)
    run = dep.xcom(EXAMPLE, dag_run, "run_pipeline")
    assert run["lifecycleState"] == "SUCCEEDED"
    assert {s["stepName"]: s["lifecycleState"] for s in run["stepRuns"]} == dict.fromkeys(STEPS, "SUCCEEDED")
    assert dep.xcom(EXAMPLE, dag_run, "report")["state"] == "SUCCEEDED"
    log = dep.task_log(EXAMPLE, dag_run, "run_pipeline", 1)
    for expected in (run["id"], "Pausing task as DEFERRED", "IN_PROGRESS", "SUCCEEDED"):
        assert expected in log, f"{expected!r} not in the run_pipeline log:\n{log[-4000:]}"
    assert_step_lines_once(log)
    assert_log_is_clean(log, emulator)
    assert "https://cloud.oracle.com/data-science/pipeline-runs/" in log
    # The DAG cleaned up after itself: its project, pipeline and run (this one) are DELETED.
    assert [r["id"] for r in made_by(emulator, "pipeline_run", EXAMPLE, dag_run)] == [run["id"]]
    assert_nothing_left(emulator, EXAMPLE, dag_run)
    assert emulator.get(run["pipelineId"])["lifecycleState"] == "DELETED"


def test_killed_triggerer_mid_run_one_pipeline_run_one_completion(
    dep: AirflowDeployment, emulator: EmulatorProcess
):
    dag_run = trigger(dep, EXAMPLE, {"run_freeform_tags": {"emulator-duration": "20"}})
    dep.wait_deferral_settled(EXAMPLE, dag_run, "run_pipeline", timeout=180)
    [run] = made_by(emulator, "pipeline_run", EXAMPLE, dag_run)
    wait_trigger_polling(emulator, run["id"], after=time.time())
    assert emulator.get(run["id"])["lifecycleState"] in ("ACCEPTED", "IN_PROGRESS")

    first_triggerer = dep.current("triggerer")
    dep.kill_component("triggerer", signal.SIGKILL)
    # The run finishes while no triggerer watches it; the next triggerer must still see it.
    wait_for(
        lambda: emulator.get(run["id"])["lifecycleState"] == "SUCCEEDED",
        timeout=150,
        desc="the pipeline run to finish while the triggerer is down",
    )
    assert dep.get_ti(EXAMPLE, dag_run, "run_pipeline")["state"] == "deferred"
    dep.start_component("triggerer")
    dep.wait_component_healthy("triggerer")
    assert dep.current("triggerer") is not first_triggerer

    dep.wait_for_dag_run(EXAMPLE, dag_run, {"success"}, timeout=180)
    ti = dep.get_ti(EXAMPLE, dag_run, "run_pipeline")
    assert (ti["state"], ti["try_number"]) == ("success", 1)
    assert dep.xcom(EXAMPLE, dag_run, "run_pipeline")["id"] == run["id"]
    assert [r["id"] for r in made_by(emulator, "pipeline_run", EXAMPLE, dag_run)] == [run["id"]]
    assert len(runs_of(emulator, run["pipelineId"])) == 1, "no duplicate pipeline run"
    assert not requests_for(emulator, "cancel_pipeline_run", run["id"])
    log = dep.task_log(EXAMPLE, dag_run, "run_pipeline", 1)
    assert log.count("Pausing task as DEFERRED") == 1, log[-4000:]
    assert_step_lines_once(log)  # one completion: the lines are copied once, on resume
    assert_log_is_clean(log, emulator)
    assert_nothing_left(emulator, EXAMPLE, dag_run)


def test_worker_killed_while_polling_then_the_retry_adopts_the_run(
    dep: AirflowDeployment, emulator: EmulatorProcess
):
    dag_id = "ds_e2e_pipeline_sync_run"
    pipeline_id = new_pipeline(emulator, "e2e-pipeline-worker-poll", step_seconds=15)
    dag_run = trigger(dep, dag_id, {"pipeline_id": pipeline_id})
    dep.wait_for_ti(dag_id, dag_run, "run_pipeline", {"running"}, timeout=120)
    wait_for(lambda: runs_of(emulator, pipeline_id), timeout=60, desc="the pipeline run to be created")
    [run] = runs_of(emulator, pipeline_id)
    wait_for(
        lambda: emulator.get(run["id"])["lifecycleState"] == "IN_PROGRESS", timeout=60, desc="run in progress"
    )
    wait_for(
        lambda: requests_for(emulator, "get_pipeline_run", run["id"]), timeout=60, desc="the worker to poll"
    )

    os.kill(dep.find_task_process(dag_id, dag_run, "run_pipeline"), signal.SIGKILL)
    dep.retry_crashed_try(dag_id, dag_run, "run_pipeline")  # 3.0 fails the try: clear it

    dep.wait_for_dag_run(dag_id, dag_run, {"success"}, timeout=180)
    ti = dep.get_ti(dag_id, dag_run, "run_pipeline")
    assert (ti["state"], ti["try_number"]) == ("success", 2)
    assert [r["id"] for r in runs_of(emulator, pipeline_id)] == [run["id"]], (
        "the retry must not start a second run"
    )
    assert dep.xcom(dag_id, dag_run, "run_pipeline")["id"] == run["id"]
    assert emulator.get(run["id"])["lifecycleState"] == "SUCCEEDED"
    log = dep.task_log(dag_id, dag_run, "run_pipeline", 2)
    assert f"Adopting pipeline run {run['id']} (IN_PROGRESS) created by try 1" in log, log[-4000:]
    assert_log_is_clean(log, emulator)


def test_worker_killed_while_creating_then_the_retry_adopts_the_run(
    dep: AirflowDeployment, emulator: EmulatorProcess
):
    dag_id = "ds_e2e_pipeline_deferred_run"
    pipeline_id = new_pipeline(emulator, "e2e-pipeline-worker-create", step_seconds=8)
    # The create is committed, but its answer comes 90 s late: the worker dies first.
    fault = {
        "method": "POST",
        "path": "/pipelineRuns$",
        "kind": "commit_then_latency",
        "latency": 90,
        "count": 1,
    }
    emulator.control.post("/faults", json=fault).raise_for_status()
    try:
        dag_run = trigger(dep, dag_id, {"pipeline_id": pipeline_id})
        wait_for(
            lambda: runs_of(emulator, pipeline_id), timeout=120, desc="the pipeline run create to commit"
        )
        [run] = runs_of(emulator, pipeline_id)
        assert dep.get_ti(dag_id, dag_run, "run_pipeline")["state"] == "running"  # not deferred yet
        os.kill(dep.find_task_process(dag_id, dag_run, "run_pipeline"), signal.SIGKILL)
        dep.retry_crashed_try(dag_id, dag_run, "run_pipeline")  # 3.0 fails the try: clear it

        dep.wait_for_dag_run(dag_id, dag_run, {"success"}, timeout=240)
    finally:
        emulator.control.delete("/faults").raise_for_status()
    ti = dep.get_ti(dag_id, dag_run, "run_pipeline")
    assert (ti["state"], ti["try_number"]) == ("success", 2)
    assert [r["id"] for r in runs_of(emulator, pipeline_id)] == [run["id"]], (
        "the retry must not start a second run"
    )
    result = dep.xcom(dag_id, dag_run, "run_pipeline")
    assert (result["id"], result["lifecycleState"]) == (run["id"], "SUCCEEDED")
    log = dep.task_log(dag_id, dag_run, "run_pipeline", 2)
    assert f"Adopting pipeline run {run['id']}" in log, log[-4000:]
    assert "found through its identity tags" in log  # the create never answered try 1
    assert "Pausing task as DEFERRED" in log  # the retry waited in the triggerer
    assert_step_lines_once(log)
    assert_log_is_clean(log, emulator)
