"""The example DAGs and the job-run operator on a real Airflow 3.3 deployment.

API server, scheduler (LocalExecutor), DAG processor and triggerer run as separate processes
(the harness in ``harness.py``); the emulator runs as one more process on loopback, and the
connection reaches every component through ``AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT``. DAG runs
are triggered and inspected through the REST API; the emulator is inspected through its control
API. The DAGs folder is a copy of ``example_dags/`` plus ``dags_examples/ds_e2e_dags.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from harness import AirflowDeployment, wait_for

from airflow_ds_provider.client.client import DataScienceClient

pytestmark = pytest.mark.deployment

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "example_dags"
E2E_DAGS = Path(__file__).parent / "dags_examples"
JOB_BODY = {
    "jobConfigurationDetails": {"jobType": "DEFAULT"},
    "jobInfrastructureConfigurationDetails": {
        "jobInfrastructureType": "ME_STANDALONE",
        "shapeName": "VM.Standard.E4.Flex",
        "blockStorageSizeInGBs": 50,
    },
}
#: Task logs kept by the first test for the console-link check.
LOGS: dict[str, str] = {}
#: Text that must never reach a task log.
SECRET_MARKERS = ("PRIVATE KEY", "Signature ", 'signature="', "keyId=", "Authorization", "key_content")


class EmulatorProcess:
    """``python -m airflow_ds_provider.emulator`` with a generated key, on a free loopback port."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.log_path = workdir / "emulator.log"
        ready, conn = workdir / "emulator.url", workdir / "connection.json"
        args = [sys.executable, "-m", "airflow_ds_provider.emulator", "--port", "0", "--generate-key"]
        args += ["--connection-file", str(conn), "--ready-file", str(ready), "--quiet"]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_for(lambda: ready.exists() or self.proc.poll() is not None, timeout=60, desc="emulator ready")
        assert self.proc.poll() is None, self.log_path.read_text()
        self.url = ready.read_text().strip()
        self.connection = conn.read_text()
        self.extra: dict[str, Any] = json.loads(self.connection)["extra"]
        self.control = httpx.Client(base_url=f"{self.url}/_emulator", timeout=10)
        self.client = DataScienceClient(dict(self.extra))

    def resources(self, kind: str) -> list[dict[str, Any]]:
        return self.control.get("/resources", params={"kind": kind}).raise_for_status().json()

    def get(self, ocid: str) -> dict[str, Any]:
        return self.control.get(f"/resources/{ocid}").raise_for_status().json()

    def script_job(self, job_id: str, **script: Any) -> None:
        self.control.post("/script/job-run", json={"id": job_id, **script}).raise_for_status()

    def requests(self) -> list[dict[str, Any]]:
        return self.control.get("/requests", params={"limit": "20000"}).raise_for_status().json()

    def new_job(self, name: str) -> str:
        """A fresh ACTIVE job (in its own project) to run in a test."""
        compartment = self.extra["compartment_id"]
        project = self.client.create_project({"compartmentId": compartment, "displayName": name}).data
        body = {**JOB_BODY, "projectId": project["id"], "compartmentId": compartment, "displayName": name}
        job = self.client.create_job(body).data
        self.client.wait_for_state("job", job["id"], poll_interval=0.2, timeout=30)
        return job["id"]

    def runs_of(self, job_id: str) -> list[dict[str, Any]]:
        return [r for r in self.resources("job_run") if r["jobId"] == job_id]

    def stop(self) -> None:
        self.control.close()
        self.client.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    emu = EmulatorProcess(tmp_path_factory.mktemp("emulator"))
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def dep(
    airflow_deployment_factory: Callable[..., AirflowDeployment],
    emulator: EmulatorProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[AirflowDeployment]:
    dags = tmp_path_factory.mktemp("dags") / "dags"
    shutil.copytree(EXAMPLES, dags, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(E2E_DAGS / "ds_e2e_dags.py", dags / "ds_e2e_dags.py")
    env = {
        "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT": emulator.connection,
        "OCI_DS_EXAMPLE_POLL_INTERVAL": "1",
        "OCI_DS_EXAMPLE_LOG_TAIL_GRACE": "0",
    }
    deployment = airflow_deployment_factory(dags, env=env, name="examples")
    yield deployment
    deployment.stop()


@pytest.fixture(autouse=True)
def triggerer_up(dep: AirflowDeployment) -> None:
    """A test that killed the triggerer leaves a new one for the next."""
    if dep.current("triggerer") is None:
        dep.start_component("triggerer")
        dep.wait_component_healthy("triggerer")


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

    wait_for(
        lambda: emulator.get(run["id"])["lifecycleState"] in ("CANCELING", "CANCELED"),
        timeout=60,
        desc="trigger on_kill to cancel the run",
    )
    dep.wait_for_dag_run("ds_e2e_deferred_run", dag_run, {"failed"}, timeout=60)
    cancels = [
        r for r in emulator.requests() if r["operation"] == "cancel_job_run" and run["id"] in r["path"]
    ]
    assert len(cancels) == 1, cancels
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

    dep.wait_for_dag_run("ds_e2e_sync_run", dag_run, {"success"}, timeout=180)
    ti = dep.get_ti("ds_e2e_sync_run", dag_run, "run_job")
    assert (ti["state"], ti["try_number"]) == ("success", 2)
    assert len(emulator.runs_of(job_id)) == 1, "the retry must not start a second run"
    assert dep.xcom("ds_e2e_sync_run", dag_run, "run_job")["id"] == run["id"]
    assert emulator.get(run["id"])["lifecycleState"] == "SUCCEEDED"
    log = dep.task_log("ds_e2e_sync_run", dag_run, "run_job", 2)
    assert f"Adopting job run {run['id']} (IN_PROGRESS) created by try 1" in log, log[-4000:]
    assert_log_is_clean(log, emulator)
