"""One remote resource per task instance on a real Airflow 3.3 deployment, for every create.

Workers are SIGKILLed right after the service committed a create (the answer held back by the
emulator), creates lose their answer and the try fails, a job run succeeds while its worker
dies, and a finished task is cleared: each ends with the emulator's state checked.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from emulator_process import EmulatorProcess
from harness import AirflowDeployment, wait_for
from test_examples_e2e import assert_log_is_clean, trigger

from airflow_ds_provider.spec import get_operation

pytestmark = pytest.mark.deployment
#: Airflow 3.0 fails a try whose worker died instead of retrying it; a clear by hand is a new
#: budget of tries, which does not adopt what already reached its success state.
needs_crash_retry = pytest.mark.skipif(
    not AirflowDeployment.crashed_try_is_retried,
    reason="Airflow 3.0 does not retry a crashed try (docs/COMPATIBILITY.md, 'Known limits')",
)

DAGS = Path(__file__).parent / "dags_adoption"
sys.path.insert(0, str(DAGS))
from ds_adoption_dags import CREATES  # noqa: E402

KINDS = sorted(CREATES)
NO_RETRY_CONN = "oci_no_http_retry"
SETTLED = {"job_run": {"SUCCEEDED", "IN_PROGRESS"}}


@pytest.fixture(scope="module")
def dep(
    airflow_deployment_factory: Callable[..., AirflowDeployment],
    emulator: EmulatorProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[AirflowDeployment]:
    dags = tmp_path_factory.mktemp("dags") / "dags"
    shutil.copytree(DAGS, dags, ignore=shutil.ignore_patterns("__pycache__"))
    no_retry = json.loads(emulator.connection)
    no_retry["extra"] = {**no_retry["extra"], "max_attempts": "1"}
    env = {
        "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT": emulator.connection,
        f"AIRFLOW_CONN_{NO_RETRY_CONN.upper()}": json.dumps(no_retry),
    }
    deployment = airflow_deployment_factory(dags, env=env, name="adoption")
    yield deployment
    deployment.stop()


def _post_path(kind: str) -> str:
    """Regular expression of the create request's path, e.g. ``/modelDeployments$``."""
    return "/" + get_operation(f"create_{kind}").path.rsplit("/", 1)[-1] + "$"


def _references(emulator: EmulatorProcess, kind: str, tag: str) -> dict[str, Any]:
    """The DAG-run conf a create of ``kind`` needs (made through the API, before any fault)."""
    compartment = emulator.extra["compartment_id"]
    client = emulator.client
    if kind == "project":
        return {}
    if kind == "job_run":
        job_id = emulator.new_job(f"{tag}-{kind}")
        emulator.script_job(job_id, duration=20)
        return {"job_id": job_id}
    project = client.create_project({"compartmentId": compartment, "displayName": f"{tag}-{kind}"}).data
    conf: dict[str, Any] = {"project_id": project["id"]}
    if kind == "model_deployment":
        body = {"compartmentId": compartment, "projectId": project["id"], "displayName": tag}
        conf["model_id"] = client.create_model(body).data["id"]
    return conf


def _made_by(emulator: EmulatorProcess, kind: str, dag_id: str, run_id: str) -> list[dict[str, Any]]:
    """The ``kind`` resources carrying this DAG run's identity tags."""
    return [
        r
        for r in emulator.resources(kind)
        if (r.get("freeformTags") or {}).get("airflow-dag-id") == dag_id
        and (r.get("freeformTags") or {}).get("airflow-run-id") == run_id
    ]


def _inject(emulator: EmulatorProcess, kind: str, fault: str, **extra: Any) -> None:
    body = {"method": "POST", "path": _post_path(kind), "kind": fault, "count": 1, **extra}
    emulator.control.post("/faults", json=body).raise_for_status()


def _assert_one_adopted(dep: AirflowDeployment, emulator: EmulatorProcess, kind: str, run_id: str) -> str:
    dag_id = f"ds_adopt_{kind}"
    dep.wait_for_dag_run(dag_id, run_id, {"success", "failed"}, timeout=300)
    ti = dep.get_ti(dag_id, run_id, "create")
    assert (ti["state"], ti["try_number"]) == ("success", 2), (kind, ti)
    [resource] = _made_by(emulator, kind, dag_id, run_id)  # exactly one, whatever failed when
    assert dep.xcom(dag_id, run_id, "create")["id"] == resource["id"]
    state = emulator.get(resource["id"])["lifecycleState"]
    assert state in SETTLED.get(kind, {"ACTIVE"}), (kind, state)
    log = dep.task_log(dag_id, run_id, "create", 2)
    assert f"Adopting {kind.replace('_', ' ')} {resource['id']}" in log, log[-3000:]
    assert_log_is_clean(log, emulator)
    return log


@needs_crash_retry
def test_a_worker_killed_right_after_each_create_is_retried_into_the_same_resource(
    dep: AirflowDeployment, emulator: EmulatorProcess
):
    confs = {kind: _references(emulator, kind, "killed") for kind in KINDS}
    for kind in KINDS:  # committed, but the answer comes 90 s late: the worker dies first
        _inject(emulator, kind, "commit_then_latency", latency=90)
    runs = {kind: trigger(dep, f"ds_adopt_{kind}", confs[kind]) for kind in KINDS}
    for kind, run_id in runs.items():
        dag_id = f"ds_adopt_{kind}"
        wait_for(
            lambda k=kind, d=dag_id, r=run_id: _made_by(emulator, k, d, r),
            timeout=120,
            desc=f"the {kind} create to be committed",
        )
        os.kill(dep.find_task_process(dag_id, run_id, "create"), signal.SIGKILL)
    for kind, run_id in runs.items():
        log = _assert_one_adopted(dep, emulator, kind, run_id)
        assert "found through its identity tags" in log  # the create never returned to try 1
    emulator.control.delete("/faults").raise_for_status()


def test_a_lost_create_answer_and_a_failed_try_leave_one_resource_each(
    dep: AirflowDeployment, emulator: EmulatorProcess
):
    confs = {kind: {**_references(emulator, kind, "lost"), "conn_id": NO_RETRY_CONN} for kind in KINDS}
    for kind in KINDS:
        _inject(emulator, kind, "commit_then_drop")
    runs = {kind: trigger(dep, f"ds_adopt_{kind}", confs[kind]) for kind in KINDS}
    for kind, run_id in runs.items():
        _assert_one_adopted(dep, emulator, kind, run_id)


@needs_crash_retry
def test_a_run_that_succeeded_while_its_worker_died_is_adopted_not_rerun(
    dep: AirflowDeployment, emulator: EmulatorProcess
):
    job_id = emulator.new_job("succeeded-while-dying")
    emulator.script_job(job_id, duration=600)
    run_id = trigger(dep, "ds_adopt_job_run", {"job_id": job_id})
    wait_for(lambda: emulator.runs_of(job_id), timeout=120, desc="the run to start")
    [run] = emulator.runs_of(job_id)
    wait_for(lambda: emulator.get(run["id"])["lifecycleState"] == "IN_PROGRESS", timeout=60, desc="run going")
    # the next state read hangs; meanwhile the run succeeds and the worker dies
    path = f"/jobRuns/{run['id']}$"
    emulator.control.post(
        "/faults", json={"method": "GET", "path": path, "kind": "latency", "latency": 60, "count": 1}
    ).raise_for_status()
    emulator.control.post("/state", json={"id": run["id"], "state": "SUCCEEDED"}).raise_for_status()
    wait_for(
        lambda: any(f["path"] == path for f in emulator.control.get("/faults").json()) is False,
        timeout=60,
        desc="the worker's state read to hang",
    )
    os.kill(dep.find_task_process("ds_adopt_job_run", run_id, "create"), signal.SIGKILL)

    log = _assert_one_adopted(dep, emulator, "job_run", run_id)
    assert f"Adopting job run {run['id']} (SUCCEEDED) created by try 1" in log
    assert len(emulator.runs_of(job_id)) == 1, "a succeeded run must not be re-run"
    emulator.control.delete("/faults").raise_for_status()


def test_clearing_a_finished_task_starts_a_new_run(dep: AirflowDeployment, emulator: EmulatorProcess):
    job_id = emulator.new_job("cleared")
    emulator.script_job(job_id, duration=2)
    run_id = trigger(dep, "ds_adopt_job_run", {"job_id": job_id})
    dep.wait_for_dag_run("ds_adopt_job_run", run_id, {"success"}, timeout=180)
    [first] = emulator.runs_of(job_id)

    dep.clear_ti("ds_adopt_job_run", run_id, "create")  # the user asks for the task again
    dep.wait_for_ti("ds_adopt_job_run", run_id, "create", {"success"}, timeout=180, min_try_number=2)
    runs = emulator.runs_of(job_id)
    assert len(runs) == 2 and {r["lifecycleState"] for r in runs} == {"SUCCEEDED"}
    second = dep.xcom("ds_adopt_job_run", run_id, "create")
    assert second["id"] != first["id"]
    assert second["freeformTags"]["airflow-try-number"] == "2"
    assert "Adopting" not in dep.task_log("ds_adopt_job_run", run_id, "create", 2)
