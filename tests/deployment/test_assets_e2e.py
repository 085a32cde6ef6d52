"""Airflow Assets on a real Airflow 3.3 deployment.

* ``example_ds_model_version_asset`` registers a model version; the scheduler runs
  ``example_ds_model_version_consumer`` (scheduled on the version set's asset) for it, once.
* ``example_ds_job_run_watcher``'s ``AssetWatcher`` (``DataScienceRunCompletedTrigger``, in the
  triggerer) turns each job run started outside Airflow (through the emulator's API, as an OCI
  schedule or the console would) into one asset event and one DAG run; after a triggerer
  SIGKILL and restart, the run that ended while it was down is reported once and none twice.

The deployment is this module's own: the three examples, with the watched job's and the model
version set's OCIDs in the environment the DAG processor parses them with (a watcher's
arguments and an asset's URI are fixed at parse time).
"""

from __future__ import annotations

import shutil
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from compat.features import has
from emulator_process import EmulatorProcess
from harness import AirflowDeployment, wait_for

from airflow_ds_provider.assets import asset_uri
from airflow_ds_provider.triggers.asset_watchers import CHECKPOINT_KEY

pytestmark = pytest.mark.deployment

EXAMPLES = Path(__file__).resolve().parents[2] / "example_dags"
PRODUCER, CONSUMER = "example_ds_model_version_asset", "example_ds_model_version_consumer"
WATCHER = "example_ds_job_run_watcher"


@pytest.fixture(scope="module")
def watched_job(emulator: EmulatorProcess) -> str:
    return emulator.new_job("watched-by-airflow")


@pytest.fixture(scope="module")
def version_set(emulator: EmulatorProcess) -> str:
    """A long-lived model version set the producer registers into (named at parse time)."""
    compartment = emulator.extra["compartment_id"]
    project = emulator.client.create_project({"compartmentId": compartment, "displayName": "registry"}).data
    body = {"compartmentId": compartment, "projectId": project["id"], "name": "linear-model"}
    return emulator.client.create_model_version_set(body).data["id"]


@pytest.fixture(scope="module")
def assets_dep(
    airflow_deployment_factory: Callable[..., AirflowDeployment],
    emulator: EmulatorProcess,
    watched_job: str,
    version_set: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[AirflowDeployment]:
    dags = tmp_path_factory.mktemp("dags") / "dags"
    dags.mkdir()
    for dag_id in (PRODUCER, CONSUMER, WATCHER):
        shutil.copy(EXAMPLES / f"{dag_id}.py", dags / f"{dag_id}.py")
    env = {
        "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT": emulator.connection,
        "OCI_DS_EXAMPLE_POLL_INTERVAL": "1",
        "OCI_DS_EXAMPLE_WATCHED_JOB_ID": watched_job,
        "OCI_DS_EXAMPLE_WATCH_INTERVAL": "1",
        "OCI_DS_EXAMPLE_MODEL_VERSION_SET_ID": version_set,
    }
    deployment = airflow_deployment_factory(dags, env=env, name="assets")
    yield deployment
    deployment.stop()


def _dag_runs(dep: AirflowDeployment, dag_id: str) -> list[dict[str, Any]]:
    return dep.api("GET", f"/dags/{dag_id}/dagRuns", params={"limit": 100})["dag_runs"]


def _asset_id(dep: AirflowDeployment, uri: str) -> int | None:
    found = [a for a in dep.api("GET", "/assets", params={"uri_pattern": uri})["assets"] if a["uri"] == uri]
    return found[0]["id"] if found else None


def _events(dep: AirflowDeployment, asset_id: int) -> list[dict[str, Any]]:
    return dep.api("GET", "/assets/events", params={"asset_id": asset_id, "limit": 100})["asset_events"]


def _checkpoint(dep: AirflowDeployment, asset_id: int) -> list[str] | None:
    entries = dep.api("GET", f"/assets/{asset_id}/state-store")["asset_state_store"]
    return next((e["value"] for e in entries if e["key"] == CHECKPOINT_KEY), None)


def _finished_run(emulator: EmulatorProcess, job_id: str, name: str) -> str:
    """A job run started through the service API (not by Airflow), waited for until it ends."""
    compartment = emulator.extra["compartment_id"]
    job = emulator.client.get_job(job_id).data
    body = {
        "projectId": job["projectId"],
        "compartmentId": compartment,
        "jobId": job_id,
        "displayName": name,
        "freeformTags": {"emulator-duration": "2"},
    }
    run_id = emulator.client.create_job_run(body).data["id"]
    emulator.client.wait_for_state("job_run", run_id, poll_interval=0.2, timeout=60)
    return run_id


def _succeeded_runs(dep: AirflowDeployment, dag_id: str, count: int) -> list[dict[str, Any]]:
    def probe() -> list[dict[str, Any]] | None:
        runs = _dag_runs(dep, dag_id)
        done = [r for r in runs if r["state"] == "success"]
        return done if len(done) >= count and len(done) == len(runs) else None

    return wait_for(probe, timeout=180, desc=f"{count} successful runs of {dag_id}")


def _reported(dep: AirflowDeployment, dag_runs: list[dict[str, Any]]) -> list[str]:
    """The job-run OCIDs the watcher DAG's runs were for (their task's return values)."""
    return sorted(e["id"] for r in dag_runs for e in dep.xcom(WATCHER, r["dag_run_id"], "finished_runs"))


def test_a_registered_version_runs_the_consumer_once_with_the_model_in_the_event(
    assets_dep, emulator, version_set
) -> None:
    dep = assets_dep
    for dag_id in (PRODUCER, CONSUMER):
        dep.wait_for_dag(dag_id)
    run_id = dep.trigger_dag(PRODUCER, {"version_label": "v9"})
    assert dep.wait_for_dag_run(PRODUCER, run_id, ("success", "failed"), timeout=300)["state"] == "success"
    model = dep.xcom(PRODUCER, run_id, "register_version")

    [consumer_run] = _succeeded_runs(dep, CONSUMER, 1)
    [extra] = dep.xcom(CONSUMER, consumer_run["dag_run_id"], "new_versions")
    assert (extra["id"], extra["version_label"]) == (model["id"], f"v9-{run_id}")
    assert (extra["uri"], extra["model_version_set_id"]) == (asset_uri(model["id"]), version_set)
    assert consumer_run["run_type"] == "asset_triggered"


@pytest.mark.skipif(
    not has("asset_state_store"),
    reason="Airflow 3.0-3.2 give an event trigger no asset state store: the watcher's checkpoint is in "
    "memory, so runs that end while no triggerer runs it are not reported (docs/COMPATIBILITY.md; "
    "triggers/test_asset_watchers.py asserts that fallback)",
)
def test_each_run_started_outside_airflow_triggers_the_watcher_dag_once_across_a_triggerer_kill(
    assets_dep, emulator, watched_job
) -> None:
    dep = assets_dep
    dep.wait_for_dag(WATCHER)
    uri = asset_uri(watched_job, "us-ashburn-1")
    asset_id = wait_for(lambda: _asset_id(dep, uri), timeout=120, desc="the watched asset")
    # the watcher has started (its first checkpoint: no run had ended yet)
    assert wait_for(
        lambda: _checkpoint(dep, asset_id) is not None, timeout=120, desc="the watcher's checkpoint"
    )
    assert _checkpoint(dep, asset_id) == []

    first = _finished_run(emulator, watched_job, "outside-1")
    dag_runs = _succeeded_runs(dep, WATCHER, 1)
    assert _reported(dep, dag_runs) == [first]
    assert [e["extra"]["payload"]["id"] for e in _events(dep, asset_id)] == [first]
    event = _events(dep, asset_id)[0]["extra"]["payload"]
    assert (event["state"], event["parent_id"], event["resource"]) == ("SUCCEEDED", watched_job, "job_run")
    wait_for(
        lambda: _checkpoint(dep, asset_id) == [first], timeout=60, desc="the checkpoint of the first run"
    )

    dep.kill_component("triggerer", signal.SIGKILL)
    second = _finished_run(emulator, watched_job, "outside-2")  # ends while no triggerer runs
    dep.start_component("triggerer")
    dep.wait_component_healthy("triggerer")

    dag_runs = _succeeded_runs(dep, WATCHER, 2)
    wait_for(lambda: _checkpoint(dep, asset_id) == [first, second], timeout=60, desc="the checkpoint of both")
    third = _finished_run(emulator, watched_job, "outside-3")  # the restarted watcher keeps going
    dag_runs = _succeeded_runs(dep, WATCHER, 3)
    assert len(dag_runs) == 3
    assert _reported(dep, dag_runs) == sorted([first, second, third])
    assert sorted(e["extra"]["payload"]["id"] for e in _events(dep, asset_id)) == sorted(
        [first, second, third]
    )
