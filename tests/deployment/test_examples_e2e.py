"""The example DAGs and the job-run operator on a real Airflow 3.3 deployment.

API server, scheduler (LocalExecutor), DAG processor and triggerer run as separate processes
(the harness in ``harness.py``); the emulator runs as one more process on loopback, and the
connection reaches every component through ``AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT``. DAG runs
are triggered and inspected through the REST API; the emulator is inspected through its control
API. The DAGs folder is a copy of ``example_dags/`` plus ``dags_examples/`` (the ``dep`` fixture of
``conftest.py``).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from compat.features import has
from emulator_process import EmulatorProcess
from harness import AirflowDeployment, wait_for

pytestmark = [pytest.mark.deployment, pytest.mark.usefixtures("triggerer_up")]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "example_dags"
#: Task logs kept by the first test for the console-link check.
LOGS: dict[str, str] = {}
#: Text that must never reach a task log.
SECRET_MARKERS = ("PRIVATE KEY", "Signature ", 'signature="', "keyId=", "Authorization", "key_content")


def trigger(dep: AirflowDeployment, dag_id: str, conf: dict[str, Any]) -> str:
    dep.wait_for_dag(dag_id)
    dep.unpause(dag_id)
    return dep.trigger_dag(dag_id, conf=conf)


def assert_log_is_clean(log: str, emulator: EmulatorProcess) -> None:
    key_body = emulator.extra["private_key"].splitlines()[1]
    for marker in (*SECRET_MARKERS, key_body, emulator.extra["fingerprint"]):
        assert marker not in log, f"{marker!r} leaked into a task log"


def wait_trigger_polling(emulator: EmulatorProcess, run_id: str, after: float, count: int = 2) -> None:
    """Wait until something (the trigger) has read the run ``count`` times since ``after``."""
    path = f"/jobRuns/{run_id}"

    def polled() -> bool:
        hits = [r for r in emulator.requests() if r["path"].endswith(path) and r["time"] >= after]
        return len(hits) >= count

    wait_for(polled, timeout=60, desc=f"the trigger to poll {run_id}")


def test_examples_run_end_to_end_with_the_triggerer(dep: AirflowDeployment, emulator: EmulatorProcess):
    pipeline = trigger(dep, "example_ds_job_pipeline", {"run_freeform_tags": {"emulator-duration": "15"}})
    deployment = trigger(
        dep, "example_ds_model_deployment", {"deployment_freeform_tags": {"emulator-duration": "15"}}
    )
    run_ti = dep.wait_deferral_settled("example_ds_job_pipeline", pipeline, "run_job", timeout=180)
    dep.wait_deferral_settled("example_ds_model_deployment", deployment, "create_deployment", timeout=180)

    dep.wait_for_dag_run("example_ds_job_pipeline", pipeline, {"success"}, timeout=180)
    dep.wait_for_dag_run("example_ds_model_deployment", deployment, {"success"}, timeout=180)

    # The deferred run completed through the triggerer, in one try.
    ti = dep.get_ti("example_ds_job_pipeline", pipeline, "run_job")
    assert (ti["state"], ti["try_number"]) == ("success", run_ti["try_number"]) == ("success", 1)
    run = dep.xcom("example_ds_job_pipeline", pipeline, "run_job")
    assert run["lifecycleState"] == "SUCCEEDED"
    assert dep.xcom("example_ds_job_pipeline", pipeline, "report")["state"] == "SUCCEEDED"
    log = dep.task_log("example_ds_job_pipeline", pipeline, "run_job", 1)
    for expected in (run["id"], "Pausing task as DEFERRED", "SUCCEEDED", "IN_PROGRESS", "trigger completed"):
        assert expected in log, f"{expected!r} not in the run_job log:\n{log[-4000:]}"
    assert_log_is_clean(log, emulator)
    LOGS["run_job"] = log

    deployment_json = dep.xcom("example_ds_model_deployment", deployment, "create_deployment")
    log = dep.task_log("example_ds_model_deployment", deployment, "create_deployment")
    for expected in (deployment_json["id"], "Pausing task as DEFERRED", "ACTIVE", "CREATING"):
        assert expected in log, f"{expected!r} not in the create_deployment log:\n{log[-4000:]}"
    assert_log_is_clean(log, emulator)
    LOGS["create_deployment"] = log

    # Both DAGs cleaned up after themselves.
    for kind in ("project", "job", "job_run", "model", "model_deployment"):
        alive = [r["id"] for r in emulator.resources(kind) if r["lifecycleState"] != "DELETED"]
        assert alive == [], f"{kind} left behind: {alive}"


def test_task_logs_show_the_console_link():
    if len(LOGS) < 2:
        pytest.skip("needs the logs of test_examples_run_end_to_end_with_the_triggerer")
    assert "https://cloud.oracle.com/data-science/job-runs/" in LOGS["run_job"]
    assert "https://cloud.oracle.com/data-science/model-deployments/" in LOGS["create_deployment"]


def test_deferral_timeout_fails_the_task_and_cancels_the_run(
    dep: AirflowDeployment, emulator: EmulatorProcess
):
    job_id = emulator.new_job("e2e-timeout")
    emulator.script_job(job_id, duration=600)
    dag_run = trigger(dep, "ds_e2e_deferral_timeout", {"job_id": job_id})

    dep.wait_for_dag_run("ds_e2e_deferral_timeout", dag_run, {"failed"}, timeout=150)

    ti = dep.get_ti("ds_e2e_deferral_timeout", dag_run, "run_job")
    assert (ti["state"], ti["try_number"]) == ("failed", 1)
    [run] = emulator.runs_of(job_id)
    wait_for(
        lambda: emulator.get(run["id"])["lifecycleState"] in ("CANCELING", "CANCELED"),
        timeout=30,
        desc="the timed-out run to be cancelled",
    )
    cancels = [
        r for r in emulator.requests() if r["operation"] == "cancel_job_run" and run["id"] in r["path"]
    ]
    assert len(cancels) == 1, cancels
    log = dep.task_log("ds_e2e_deferral_timeout", dag_run, "run_job", 1)
    assert "Pausing task as DEFERRED" in log
    assert "deadline" in log and run["id"] in log, log[-4000:]
    assert_log_is_clean(log, emulator)


def test_marking_the_deferred_task_failed_cancels_the_run(dep: AirflowDeployment, emulator: EmulatorProcess):
    job_id = emulator.new_job("e2e-mark-failed")
    emulator.script_job(job_id, duration=600)
    dag_run = trigger(dep, "ds_e2e_deferred_run", {"job_id": job_id})
    dep.wait_deferral_settled("ds_e2e_deferred_run", dag_run, "run_job", timeout=150)
    [run] = emulator.runs_of(job_id)
    wait_trigger_polling(emulator, run["id"], after=time.time())

    dep.set_ti_state("ds_e2e_deferred_run", dag_run, "run_job", "failed")

    def cancels() -> list[dict[str, Any]]:
        return [
            r for r in emulator.requests() if r["operation"] == "cancel_job_run" and run["id"] in r["path"]
        ]

    if not has("trigger_on_kill"):
        # Airflow 3.0-3.2: the triggerer only drops the trigger (no on_kill), so the run goes on
        # (docs/COMPATIBILITY.md, the user-kill row), and the deferral said so in the task log.
        dep.wait_for_dag_run("ds_e2e_deferred_run", dag_run, {"failed"}, timeout=60)
        time.sleep(15)  # several polls' worth: a cancel would have been sent by now (3.3 sends it at once)
        assert cancels() == [] and emulator.get(run["id"])["lifecycleState"] == "IN_PROGRESS"
        log = dep.task_log("ds_e2e_deferred_run", dag_run, "run_job", 1)
        assert "does not tell a trigger when a user kills its deferred task" in log, log[-4000:]
        assert len(emulator.runs_of(job_id)) == 1
        return
    wait_for(
        lambda: emulator.get(run["id"])["lifecycleState"] in ("CANCELING", "CANCELED"),
        timeout=60,
        desc="trigger on_kill to cancel the run",
    )
    dep.wait_for_dag_run("ds_e2e_deferred_run", dag_run, {"failed"}, timeout=60)
    assert len(cancels()) == 1, cancels()
    assert len(emulator.runs_of(job_id)) == 1


def test_killed_triggerer_is_replaced_without_duplicate_or_lost_completion(
    dep: AirflowDeployment, emulator: EmulatorProcess
):
    job_id = emulator.new_job("e2e-triggerer-crash")
    emulator.script_job(job_id, duration=20)
    dag_run = trigger(dep, "ds_e2e_deferred_run", {"job_id": job_id})
    dep.wait_deferral_settled("ds_e2e_deferred_run", dag_run, "run_job", timeout=150)
    [run] = emulator.runs_of(job_id)
    wait_trigger_polling(emulator, run["id"], after=time.time())

    first_triggerer = dep.current("triggerer")
    dep.kill_component("triggerer", signal.SIGKILL)
    # The run finishes while no triggerer watches it; the next triggerer must still see it.
    wait_for(
        lambda: emulator.get(run["id"])["lifecycleState"] == "SUCCEEDED",
        timeout=60,
        desc="the run to finish while the triggerer is down",
    )
    assert dep.get_ti("ds_e2e_deferred_run", dag_run, "run_job")["state"] == "deferred"
    dep.start_component("triggerer")
    dep.wait_component_healthy("triggerer")
    assert dep.current("triggerer") is not first_triggerer

    dep.wait_for_dag_run("ds_e2e_deferred_run", dag_run, {"success"}, timeout=150)
    ti = dep.get_ti("ds_e2e_deferred_run", dag_run, "run_job")
    assert (ti["state"], ti["try_number"]) == ("success", 1)
    assert dep.xcom("ds_e2e_deferred_run", dag_run, "run_job")["id"] == run["id"]
    assert len(emulator.runs_of(job_id)) == 1, "no duplicate run"
    assert not [
        r for r in emulator.requests() if r["operation"] == "cancel_job_run" and run["id"] in r["path"]
    ]


def test_retry_after_a_killed_worker_reattaches_to_the_running_run(
    dep: AirflowDeployment, emulator: EmulatorProcess
):
    job_id = emulator.new_job("e2e-worker-crash")
    emulator.script_job(job_id, duration=45)
    dag_run = trigger(dep, "ds_e2e_sync_run", {"job_id": job_id})
    dep.wait_for_ti("ds_e2e_sync_run", dag_run, "run_job", {"running"}, timeout=120)
    wait_for(lambda: emulator.runs_of(job_id), timeout=60, desc="the run to be started")
    [run] = emulator.runs_of(job_id)
    wait_for(
        lambda: emulator.get(run["id"])["lifecycleState"] == "IN_PROGRESS", timeout=60, desc="run in progress"
    )

    pid = dep.find_task_process("ds_e2e_sync_run", dag_run, "run_job")
    os.kill(pid, signal.SIGKILL)
    dep.retry_crashed_try("ds_e2e_sync_run", dag_run, "run_job")  # 3.0 fails the try: clear it

    dep.wait_for_dag_run("ds_e2e_sync_run", dag_run, {"success"}, timeout=180)
    ti = dep.get_ti("ds_e2e_sync_run", dag_run, "run_job")
    assert (ti["state"], ti["try_number"]) == ("success", 2)
    assert len(emulator.runs_of(job_id)) == 1, "the retry must not start a second run"
    assert dep.xcom("ds_e2e_sync_run", dag_run, "run_job")["id"] == run["id"]
    assert emulator.get(run["id"])["lifecycleState"] == "SUCCEEDED"
    log = dep.task_log("ds_e2e_sync_run", dag_run, "run_job", 2)
    assert f"Adopting job run {run['id']} (IN_PROGRESS) created by try 1" in log, log[-4000:]
    assert_log_is_clean(log, emulator)
