"""Prove the deployment harness: deferral through a real triggerer, crash and user-kill paths.

Uses ``dags/harness_dags.py``: ``harness_defer`` defers on ``FileWaitTrigger`` until the file
``conf["path"]`` exists; ``harness_retry`` blocks on try 1 (to be killed) and succeeds on try 2.
Operators and the trigger append lines to marker files in ``conf["marker_dir"]``.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil
import pytest
from compat.features import has
from harness import COMPONENTS, AirflowDeployment
from procs import wait_for

pytestmark = pytest.mark.deployment

DEFER_DAG, DEFER_TASK = "harness_defer", "wait_for_file"
RETRY_DAG, RETRY_TASK = "harness_retry", "sleep_then_succeed"


def marker_lines(marker_dir: Path, name: str) -> list[str]:
    path = marker_dir / name
    return path.read_text().splitlines() if path.exists() else []


def marker_pids(marker_dir: Path, name: str) -> list[int]:
    return [int(line.rsplit("pid=", 1)[1]) for line in marker_lines(marker_dir, name)]


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture(autouse=True)
def all_components_up(harness_deployment: AirflowDeployment) -> None:
    """Restart any component an earlier test left dead, so tests stay independent."""
    for name in COMPONENTS:
        if harness_deployment.current(name) is None:
            harness_deployment.start_component(name)
            harness_deployment.wait_component_healthy(name)
    for dag_id in (DEFER_DAG, RETRY_DAG):
        harness_deployment.wait_for_dag(dag_id)


def start_deferred_run(dep: AirflowDeployment, marker_dir: Path) -> tuple[str, Path]:
    """Trigger ``harness_defer`` and wait until its trigger runs in the triggerer."""
    go_file = marker_dir / "go"
    run_id = dep.trigger_dag(DEFER_DAG, conf={"path": str(go_file), "marker_dir": str(marker_dir)})
    dep.wait_for_ti(DEFER_DAG, run_id, DEFER_TASK, {"deferred"}, timeout=120)
    wait_for(lambda: marker_lines(marker_dir, "trigger_started.log"), timeout=60, desc="trigger to start")
    dep.wait_deferral_settled(DEFER_DAG, run_id, DEFER_TASK)
    return run_id, go_file


def test_deferred_task_completes_through_triggerer(harness_deployment: AirflowDeployment, marker_dir: Path):
    dep = harness_deployment
    run_id, go_file = start_deferred_run(dep, marker_dir)

    [trigger_pid] = marker_pids(marker_dir, "trigger_started.log")
    [worker_pid] = marker_pids(marker_dir, "execute.log")
    triggerer = dep.current("triggerer")
    assert triggerer is not None
    assert os.getpgid(trigger_pid) == triggerer.pid, "the trigger ran outside the triggerer process group"
    assert trigger_pid != worker_pid

    go_file.write_text("payload-1")
    dep.wait_for_dag_run(DEFER_DAG, run_id, {"success"}, timeout=120)

    ti = dep.get_ti(DEFER_DAG, run_id, DEFER_TASK)
    assert (ti["state"], ti["try_number"]) == ("success", 1)
    assert dep.xcom(DEFER_DAG, run_id, DEFER_TASK) == "payload-1"
    assert [line.split()[1] for line in marker_lines(marker_dir, "complete.log")] == ["status=success"]
    assert len(marker_lines(marker_dir, "execute.log")) == 1
    assert not (marker_dir / "on_kill").exists(), "on_kill must not run when a trigger completes"
    log = dep.task_log(DEFER_DAG, run_id, DEFER_TASK, 1)
    for expected in ("Pausing task as DEFERRED", "Trigger fired event", "trigger completed"):
        assert expected in log, f"{expected!r} not in the task log:\n{log[-3000:]}"


def test_only_loopback_listeners(harness_deployment: AirflowDeployment):
    listening = harness_deployment.listening_addresses()
    assert ("127.0.0.1", harness_deployment.port) in listening
    assert {ip for ip, _ in listening} == {"127.0.0.1"}, listening


def test_triggerer_sigkill_then_new_triggerer_completes_once(
    harness_deployment: AirflowDeployment, marker_dir: Path
):
    dep = harness_deployment
    run_id, go_file = start_deferred_run(dep, marker_dir)
    [first_pid] = marker_pids(marker_dir, "trigger_started.log")

    dep.kill_component("triggerer", signal.SIGKILL)
    assert not alive(first_pid), "the trigger runner must die with the triggerer"
    # The completion happens while no triggerer runs; the next triggerer must not lose it.
    go_file.write_text("payload-2")
    assert dep.get_ti(DEFER_DAG, run_id, DEFER_TASK)["state"] == "deferred"

    dep.start_component("triggerer")
    dep.wait_component_healthy("triggerer")
    dep.wait_for_dag_run(DEFER_DAG, run_id, {"success"}, timeout=150)

    started = marker_pids(marker_dir, "trigger_started.log")
    assert len(started) == 2 and started[1] != first_pid, started
    ti = dep.get_ti(DEFER_DAG, run_id, DEFER_TASK)
    assert (ti["state"], ti["try_number"]) == ("success", 1)
    assert dep.xcom(DEFER_DAG, run_id, DEFER_TASK) == "payload-2"
    assert len(marker_lines(marker_dir, "execute.log")) == 1, "the task must not be re-executed"
    assert len(marker_lines(marker_dir, "complete.log")) == 1, "exactly one completion"
    assert not (marker_dir / "on_kill").exists(), "a triggerer crash is not a user kill"


def test_mark_deferred_task_failed_runs_trigger_on_kill(
    harness_deployment: AirflowDeployment, marker_dir: Path
):
    dep = harness_deployment
    run_id, _ = start_deferred_run(dep, marker_dir)

    dep.set_ti_state(DEFER_DAG, run_id, DEFER_TASK, "failed")

    [trigger_pid] = marker_pids(marker_dir, "trigger_started.log")
    if has("trigger_on_kill"):
        wait_for(lambda: (marker_dir / "on_kill").exists(), timeout=90, desc="trigger on_kill marker")
        assert marker_pids(marker_dir, "on_kill") == [trigger_pid], "on_kill ran in the triggerer"
    else:  # 3.0-3.2: the triggerer cancels the trigger and calls cleanup() only
        wait_for(lambda: marker_lines(marker_dir, "cleanup.log"), timeout=90, desc="trigger cleanup marker")
        assert marker_pids(marker_dir, "cleanup.log") == [trigger_pid]
        assert not (marker_dir / "on_kill").exists(), "this Airflow has no trigger on_kill"
    dep.wait_for_dag_run(DEFER_DAG, run_id, {"failed"}, timeout=60)
    assert dep.get_ti(DEFER_DAG, run_id, DEFER_TASK)["state"] == "failed"
    assert not marker_lines(marker_dir, "complete.log"), "execute_complete must not run"


def test_clearing_deferred_task_runs_on_kill_and_reruns(
    harness_deployment: AirflowDeployment, marker_dir: Path
):
    dep = harness_deployment
    run_id, go_file = start_deferred_run(dep, marker_dir)

    dep.clear_ti(DEFER_DAG, run_id, DEFER_TASK)

    killed = "on_kill" if has("trigger_on_kill") else "cleanup.log"  # 3.0-3.2: no trigger on_kill
    wait_for(lambda: (marker_dir / killed).exists(), timeout=90, desc=f"trigger {killed} marker")
    # The cleared task runs again as try 2 and defers on a fresh trigger.
    dep.wait_for_ti(DEFER_DAG, run_id, DEFER_TASK, {"deferred"}, timeout=120, min_try_number=2)
    wait_for(
        lambda: len(marker_lines(marker_dir, "trigger_started.log")) == 2, timeout=60, desc="2nd trigger"
    )
    dep.wait_deferral_settled(DEFER_DAG, run_id, DEFER_TASK)
    go_file.write_text("payload-3")
    dep.wait_for_dag_run(DEFER_DAG, run_id, {"success"}, timeout=120)
    assert [line.split()[1] for line in marker_lines(marker_dir, "execute.log")] == ["try=1", "try=2"]
    assert len(marker_lines(marker_dir, "on_kill")) == (1 if has("trigger_on_kill") else 0)
    assert dep.xcom(DEFER_DAG, run_id, DEFER_TASK) == "payload-3"


def test_killed_worker_process_is_retried(harness_deployment: AirflowDeployment, marker_dir: Path):
    dep = harness_deployment
    run_id = dep.trigger_dag(RETRY_DAG, conf={"marker_dir": str(marker_dir)})
    dep.wait_for_ti(RETRY_DAG, run_id, RETRY_TASK, {"running"}, timeout=120)
    wait_for(lambda: marker_lines(marker_dir, "worker.pid"), timeout=60, desc="try 1 to start")

    pid = dep.find_task_process(RETRY_DAG, run_id, RETRY_TASK)
    assert marker_pids(marker_dir, "execute.log") == [pid]
    supervisor = dep.find_task_process(RETRY_DAG, run_id, RETRY_TASK, kind="supervisor")
    assert supervisor != pid
    os.kill(pid, signal.SIGKILL)
    dep.retry_crashed_try(RETRY_DAG, run_id, RETRY_TASK)  # 3.0 fails the try: clear it

    dep.wait_for_dag_run(RETRY_DAG, run_id, {"success"}, timeout=150)
    ti = dep.get_ti(RETRY_DAG, run_id, RETRY_TASK)
    assert (ti["state"], ti["try_number"]) == ("success", 2)
    assert [line.split()[1] for line in marker_lines(marker_dir, "execute.log")] == ["try=1", "try=2"]
    assert dep.xcom(RETRY_DAG, run_id, RETRY_TASK) == "done on try 2"
    tries = {t["try_number"]: t["state"] for t in dep.ti_tries(RETRY_DAG, run_id, RETRY_TASK)}
    assert tries[1] in {"failed", "up_for_retry"} and tries[2] == "success", tries
