"""The provider's guarantees on a distributed Airflow 3.3: CeleryExecutor, Redis, two Celery
workers and two triggerers (``distributed.CeleryDeployment``), each a process of its own.

Triggers are spread over both triggerers and one is SIGKILLed mid-wait; a Celery worker dies
(with every process it started) while it waits for a job run; a deferred task whose trigger
lives on the second triggerer is marked failed; a model deployment runs end to end. Each test
ends with the emulator's state checked: one remote resource per task instance, nothing left
running.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed import TRIGGERERS, WORKERS, CeleryDeployment, RedisServer
from emulator_process import EmulatorProcess
from harness import AirflowDeployment, wait_for
from test_examples_e2e import EXAMPLES, assert_log_is_clean, trigger, wait_trigger_polling

pytestmark = pytest.mark.deployment


def _importable(module: str) -> bool:
    """True if ``module`` is installed (found, not imported)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


DAGS = Path(__file__).parent / "dags_distributed"
sys.path.insert(0, str(DAGS))
from ds_distributed_dags import MAPPED  # noqa: E402

#: ``[triggerer] triggerer_health_check_threshold`` of the harness: a triggerer silent this long is dead.
HEALTH_THRESHOLD = 10.0
#: Generous bound on a takeover after the threshold (the claim is "seconds, not never").
TAKEOVER_MARGIN = 50.0
PENDING_RUN_STATES = {"ACCEPTED", "IN_PROGRESS", "CANCELING", "NEEDS_ATTENTION"}
#: Figures the tests measured, printed in the terminal summary.
FIGURES: list[str] = []
#: What was still going when the current test started (see ``everything_up``).
LEFT_BEFORE: dict[str, str] = {}
MISSING = [
    what
    for what, present in (
        ("redis-server", shutil.which("redis-server")),
        ("the Celery provider", _importable("airflow.providers.celery") and _importable("redis")),
    )
    if not present
]


class _FiguresReport:
    """Prints :data:`FIGURES` in pytest's terminal summary."""

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if FIGURES:
            terminalreporter.section("distributed deployment figures")
            for line in FIGURES:
                terminalreporter.write_line(line)


@pytest.fixture(scope="module", autouse=True)
def _requirements(request: pytest.FixtureRequest) -> None:
    if MISSING:
        message = f"{' and '.join(MISSING)} missing: run scripts/install_distributed_deps.sh"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs them (scripts/test.sh): never skip there
        pytest.skip(message)
    if not request.config.pluginmanager.has_plugin("distributed-figures"):
        request.config.pluginmanager.register(_FiguresReport(), "distributed-figures")


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def dep(
    airflow_deployment_factory: Callable[..., AirflowDeployment],
    emulator: EmulatorProcess,
    redis: RedisServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[CeleryDeployment]:
    dags = tmp_path_factory.mktemp("dags") / "dags"
    shutil.copytree(DAGS, dags, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(EXAMPLES / "example_ds_model_deployment.py", dags)
    env = {
        "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT": emulator.connection,
        "OCI_DS_EXAMPLE_POLL_INTERVAL": "1",
        "OCI_DS_EXAMPLE_LOG_TAIL_GRACE": "0",
    }
    deployment = airflow_deployment_factory(
        dags, env=env, name="distributed", deployment_class=CeleryDeployment, redis_url=redis.url
    )
    yield deployment
    deployment.stop()


@pytest.fixture(autouse=True)
def everything_up(dep: CeleryDeployment, emulator: EmulatorProcess) -> None:
    """A test that killed a worker or a triggerer leaves a new one for the next; what an earlier
    (failed) test left running is not this test's leftover."""
    LEFT_BEFORE.clear()
    LEFT_BEFORE.update(_still_going(emulator))
    restarted = [name for name in (*WORKERS, *TRIGGERERS) if dep.current(name) is None]
    for name in restarted:
        dep.start_component(name)
    for name in restarted:
        dep.wait_component_healthy(name)


# ------------------------------------------------------------------------------- helpers


def mapped_tis(dep: CeleryDeployment, dag_id: str, run_id: str, task_id: str) -> list[dict[str, Any]]:
    """Every mapped TI of a task in a DAG run (REST ``listMapped``), by map index."""
    path = f"{dep._ti_path(dag_id, run_id, task_id)}/listMapped"
    return dep.api("GET", path, params={"limit": 1000})["task_instances"]


def settled_deferrals(
    dep: CeleryDeployment, dag_id: str, run_id: str, task_id: str, count: int
) -> list[dict[str, Any]]:
    """Wait until ``count`` mapped TIs are deferred and the scheduler processed each deferring
    worker's executor event (the apache/airflow#72716 race; see ``harness.wait_deferral_settled``)."""

    def probe() -> list[dict[str, Any]] | None:
        tis = mapped_tis(dep, dag_id, run_id, task_id)
        deferred = [ti for ti in tis if ti["state"] == "deferred"]
        if len(deferred) < count:
            return None
        return deferred if all(dep.executor_events(ti["id"], ti["try_number"]) for ti in deferred) else None

    return wait_for(
        probe, timeout=300, interval=2, desc=f"{count} deferrals of {dag_id}", diagnostics=dep.diagnostics
    )


def attempt_log(dep: CeleryDeployment, dag_id: str, run_id: str, task_id: str, try_number: int) -> str:
    """A try's task log file as the worker wrote it (readable while the task runs)."""
    paths = list(
        dep.task_log_dir.glob(f"dag_id={dag_id}/run_id={run_id}/task_id={task_id}/attempt={try_number}.log")
    )
    return paths[0].read_text(errors="replace") if paths else ""


def _still_going(emulator: EmulatorProcess) -> dict[str, str]:
    """Job runs still pending and model deployments not deleted, by OCID, with their state."""
    runs = [r for r in emulator.resources("job_run") if r["lifecycleState"] in PENDING_RUN_STATES]
    deployments = [r for r in emulator.resources("model_deployment") if r["lifecycleState"] != "DELETED"]
    return {r["id"]: r["lifecycleState"] for r in (*runs, *deployments)}


def assert_nothing_left_running(emulator: EmulatorProcess) -> None:
    """No job run or model deployment made during this test is still going in the emulator."""
    left = {k: v for k, v in _still_going(emulator).items() if k not in LEFT_BEFORE}
    assert not left, f"left running: {left}"


def cancels_of(emulator: EmulatorProcess, run_ids: set[str]) -> list[dict[str, Any]]:
    """The ``CancelJobRun`` requests the emulator received for any of ``run_ids``."""
    return [
        r
        for r in emulator.requests()
        if r["operation"] == "cancel_job_run" and any(run_id in r["path"] for run_id in run_ids)
    ]


def finish_run(emulator: EmulatorProcess, run_id: str) -> None:
    """Let a job run succeed now (the emulator's control API)."""
    emulator.control.post("/state", json={"id": run_id, "state": "SUCCEEDED"}).raise_for_status()


# --------------------------------------------------------------------------------- tests


def test_every_component_is_its_own_process_and_listens_on_loopback_only(dep: CeleryDeployment):
    for name in dep.components:
        assert dep.current(name) is not None, f"{name} is not running"
    pids = {name: dep.current(name).pid for name in dep.components}
    assert len(set(pids.values())) == len(pids)
    jobs = {name: dep.triggerer_job(name) for name in TRIGGERERS}
    assert all(jobs.values()) and len({j["id"] for j in jobs.values()}) == 2, jobs
    for name in WORKERS:
        assert f"{name}@" in dep.component_log(name)
    assert {ip for ip, _ in dep.listening_addresses()} == {"127.0.0.1"}, dep.listening_addresses()


def test_a_model_deployment_runs_end_to_end_over_both_workers(
    dep: CeleryDeployment, emulator: EmulatorProcess
):
    dag_id = "example_ds_model_deployment"
    run_id = trigger(dep, dag_id, {"deployment_freeform_tags": {"emulator-duration": "10"}})
    dep.wait_for_dag_run(dag_id, run_id, {"success"}, timeout=300)

    tis = dep.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")["task_instances"]
    assert {ti["state"] for ti in tis} <= {"success", "skipped"}, [(t["task_id"], t["state"]) for t in tis]
    hosts = Counter(ti["hostname"] for ti in tis if ti["state"] == "success")
    FIGURES.append(f"model deployment DAG: tasks per worker {dict(hosts)}")
    assert set(hosts) <= set(WORKERS), hosts
    deployment = dep.xcom(dag_id, run_id, "create_deployment")
    log = dep.task_log(dag_id, run_id, "create_deployment")
    for expected in (deployment["id"], "Pausing task as DEFERRED", "ACTIVE"):
        assert expected in log, f"{expected!r} not in the create_deployment log:\n{log[-3000:]}"
    assert_log_is_clean(log, emulator)
    made = [
        r
        for kind in ("project", "model", "model_deployment")
        for r in emulator.resources(kind)
        if (r.get("freeformTags") or {}).get("airflow-run-id") == run_id
    ]
    kinds = Counter(r["id"].split(".")[1] for r in made)
    assert kinds == {"datascienceproject": 1, "datasciencemodel": 1, "datasciencemodeldeployment": 1}, kinds
    assert {r["lifecycleState"] for r in made} == {"DELETED"}, [(r["id"], r["lifecycleState"]) for r in made]
    assert_nothing_left_running(emulator)


def test_marking_failed_a_task_deferred_on_the_second_triggerer_cancels_the_run(
    dep: CeleryDeployment, emulator: EmulatorProcess
):
    dag_id = "ds_dist_deferred_second"
    job_id = emulator.new_job("dist-mark-failed")
    emulator.script_job(job_id, duration=3600)
    run_id = trigger(dep, dag_id, {"job_id": job_id})
    dep.wait_deferral_settled(dag_id, run_id, "run_job", timeout=180)
    [run] = emulator.runs_of(job_id)
    [trig] = wait_for(
        lambda: [t for t in dep.triggers(dag_id, run_id) if t["triggerer"]],
        timeout=60,
        desc="the trigger to be claimed",
    )
    assert (trig["triggerer"], trig["queue"]) == ("triggerer-2", "second"), trig
    wait_trigger_polling(emulator, run["id"], after=time.time())

    dep.set_ti_state(dag_id, run_id, "run_job", "failed")

    wait_for(
        lambda: emulator.get(run["id"])["lifecycleState"] in ("CANCELING", "CANCELED"),
        timeout=60,
        desc="the trigger's on_kill on triggerer-2 to cancel the run",
    )
    dep.wait_for_dag_run(dag_id, run_id, {"failed"}, timeout=60)
    assert len(cancels_of(emulator, {run["id"]})) == 1
    assert len(emulator.runs_of(job_id)) == 1
    wait_for(
        lambda: emulator.get(run["id"])["lifecycleState"] == "CANCELED", timeout=60, desc="run cancelled"
    )
    assert_nothing_left_running(emulator)


def test_a_killed_celery_worker_is_retried_on_the_other_worker_which_adopts_the_run(
    dep: CeleryDeployment, emulator: EmulatorProcess
):
    dag_id = "ds_dist_sync_run"
    job_id = emulator.new_job("dist-worker-crash")
    emulator.script_job(job_id, duration=3600)
    run_id = trigger(dep, dag_id, {"job_id": job_id})
    dep.wait_for_ti(dag_id, run_id, "run_job", {"running"}, timeout=180)
    wait_for(lambda: emulator.runs_of(job_id), timeout=60, desc="the run to be started")
    [run] = emulator.runs_of(job_id)
    wait_for(lambda: emulator.get(run["id"])["lifecycleState"] == "IN_PROGRESS", timeout=60, desc="run going")
    wait_trigger_polling(emulator, run["id"], after=time.time())  # the worker is waiting on it
    first = dep.get_ti(dag_id, run_id, "run_job")
    [other] = [w for w in WORKERS if w != first["hostname"]]

    killed_at = time.monotonic()
    dep.kill_host(first["hostname"])  # the worker, its pool, the supervisor and the task runner

    dep.wait_for_ti(dag_id, run_id, "run_job", {"running"}, timeout=240, min_try_number=2)
    FIGURES.append(f"worker SIGKILL -> try 2 running on {other}: {time.monotonic() - killed_at:.1f}s")
    wait_for(
        lambda: "Adopting job run" in attempt_log(dep, dag_id, run_id, "run_job", 2),
        timeout=120,
        desc="try 2 to adopt the run",
    )
    finish_run(emulator, run["id"])
    dep.wait_for_dag_run(dag_id, run_id, {"success"}, timeout=180)

    tries = dep.ti_tries(dag_id, run_id, "run_job")
    assert [(t["try_number"], t["hostname"]) for t in tries] == [(1, first["hostname"]), (2, other)], tries
    assert tries[-1]["state"] == "success"
    assert len(emulator.runs_of(job_id)) == 1, "the retry must not start a second run"
    assert dep.xcom(dag_id, run_id, "run_job")["id"] == run["id"]
    log = dep.task_log(dag_id, run_id, "run_job", 2)
    assert f"Adopting job run {run['id']} (IN_PROGRESS) created by try 1" in log, log[-3000:]
    assert_log_is_clean(log, emulator)
    assert not cancels_of(emulator, {run["id"]})
    assert_nothing_left_running(emulator)


def test_mapped_deferred_runs_spread_over_both_triggerers_survive_a_triggerer_sigkill(
    dep: CeleryDeployment, emulator: EmulatorProcess
):
    dag_id, task_id = "ds_dist_mapped_runs", "run_job"
    job_id = emulator.new_job("dist-mapped")
    emulator.script_job(job_id, duration=3600)  # each run ends when the test says so
    started = time.monotonic()
    run_id = trigger(dep, dag_id, {"job_id": job_id})
    deferred = settled_deferrals(dep, dag_id, run_id, task_id, MAPPED)
    before = wait_for(
        lambda: (
            (rows := dep.triggers(dag_id, run_id))
            and len(rows) == MAPPED
            and all(r["triggerer"] for r in rows)
            and rows
        ),
        timeout=120,
        desc="every trigger to be claimed",
    )
    split = Counter(r["triggerer"] for r in before)
    workers = Counter(ti["hostname"] for ti in deferred)
    FIGURES.append(
        f"{MAPPED} mapped deferrals in {time.monotonic() - started:.1f}s; triggers per triggerer {dict(split)}; "
        f"deferring tries per worker {dict(workers)}"
    )
    assert set(split) == set(TRIGGERERS), split
    assert set(workers) == set(WORKERS), workers
    runs = {r["id"]: r for r in emulator.runs_of(job_id)}
    assert len(runs) == MAPPED
    by_trigger = {r["trigger_id"]: r for r in before}
    trigger_run = {r["trigger_id"]: r["kwargs"]["resource_id"] for r in before}
    assert set(trigger_run.values()) == set(runs)
    victim, survivor = TRIGGERERS
    theirs = {tid for tid, r in by_trigger.items() if r["triggerer"] == victim}
    watched = time.time()
    for tid in theirs:  # the victim's triggers are really running there
        wait_trigger_polling(emulator, trigger_run[tid], after=watched, count=1)

    killed_at, killed_wall = time.monotonic(), time.time()
    dep.kill_host(victim)
    after = wait_for(
        lambda: (
            (rows := dep.triggers(dag_id, run_id)) and all(r["triggerer"] == survivor for r in rows) and rows
        ),
        timeout=HEALTH_THRESHOLD + TAKEOVER_MARGIN + 60,
        interval=0.5,
        desc=f"{survivor} to take over every trigger",
    )
    takeover = time.monotonic() - killed_at
    FIGURES.append(
        f"{victim} SIGKILL -> {survivor} holds all {MAPPED} triggers after {takeover:.1f}s "
        f"({len(theirs)} taken over; health threshold {HEALTH_THRESHOLD:.0f}s)"
    )
    assert takeover < HEALTH_THRESHOLD + TAKEOVER_MARGIN, takeover
    # The same trigger rows moved: same runs, same absolute deadlines, same Airflow trigger timeouts.
    assert {r["trigger_id"] for r in after} == set(by_trigger)
    for row in after:
        old = by_trigger[row["trigger_id"]]
        assert row["kwargs"]["resource_id"] == old["kwargs"]["resource_id"]
        assert row["kwargs"]["deadline"] == old["kwargs"]["deadline"] > killed_wall + 600
        assert row["ti_trigger_timeout"] == old["ti_trigger_timeout"]
    for tid in theirs:  # ... and they run again on the survivor
        wait_trigger_polling(emulator, trigger_run[tid], after=time.time(), count=1)

    for run in runs:
        finish_run(emulator, run)
    dep.wait_for_dag_run(dag_id, run_id, {"success"}, timeout=600)

    tis = mapped_tis(dep, dag_id, run_id, task_id)
    assert [(ti["state"], ti["try_number"]) for ti in tis] == [("success", 1)] * MAPPED
    results = {
        ti["map_index"]: dep.api(
            "GET",
            f"{dep._ti_path(dag_id, run_id, task_id)}/xcomEntries/return_value",
            params={"deserialize": "true", "map_index": ti["map_index"]},
        )["value"]["id"]
        for ti in tis
    }
    assert sorted(results.values()) == sorted(runs), "every run completed once, in its own task instance"
    final = emulator.runs_of(job_id)
    assert len(final) == MAPPED, "no run duplicated"
    assert {r["lifecycleState"] for r in final} == {"SUCCEEDED"}
    assert sorted(int(r["freeformTags"]["airflow-map-index"]) for r in final) == list(range(MAPPED))
    assert not cancels_of(emulator, set(runs)), "no run cancelled"
    assert_nothing_left_running(emulator)
