"""``example_ds_model_version_asset`` / ``_consumer`` through ``dag.test()`` against the emulator:
the registered version's asset event on the version set's asset, recorded by Airflow, and the
consumer scheduled on that asset. The scheduler running the consumer is
``tests/deployment/test_assets_e2e.py``."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from airflow_ds_provider.assets import asset_uri

from ._helpers import EXAMPLES_DIR, VERSION_SET_ENV, leftovers, seed_version_set

PRODUCER = "example_ds_model_version_asset"
CONSUMER = "example_ds_model_version_consumer"


@pytest.fixture
def registry(emu, tmp_path) -> tuple[str, str, Any]:
    """A seeded version set and the two examples parsed to register into it."""
    from dag_db import dag_bag_class

    project_id, set_id = seed_version_set(emu)
    for dag_id in (PRODUCER, CONSUMER):
        shutil.copy(EXAMPLES_DIR / f"{dag_id}.py", tmp_path / f"{dag_id}.py")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(VERSION_SET_ENV, set_id)
        mp.setenv("OCI_DS_EXAMPLE_POLL_INTERVAL", "0.1")
        bag = dag_bag_class()(dag_folder=str(tmp_path))
    assert not bag.import_errors, bag.import_errors
    return project_id, set_id, bag


def _events(dag_id: str, run_id: str) -> list[Any]:
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(AssetEvent).filter_by(source_dag_id=dag_id, source_run_id=run_id).all()
        return [(row.asset.uri, dict(row.extra), row.source_task_id) for row in rows]


def test_registering_a_version_records_it_on_the_version_sets_asset(registry, run_dag, emu) -> None:
    project_id, set_id, bag = registry
    result = run_dag(bag.dags[PRODUCER], run_conf={"version_label": "v3"})

    assert result.state == "success", result.task_states()
    model = result.xcom("register_version")
    [(uri, extra, task_id)] = _events(PRODUCER, result.run_id)
    assert (uri, task_id) == (asset_uri(set_id, "us-ashburn-1"), "register_version")
    assert (
        extra["id"] == model["id"] and extra["resource"] == "model" and extra["uri"] == asset_uri(model["id"])
    )
    assert (extra["version_id"], extra["version_label"]) == (1, f"v3-{result.run_id}")
    assert (extra["model_version_set_id"], extra["project_id"]) == (set_id, project_id)
    assert extra["lifecycle_state"] == "ACTIVE" and extra["region"] == "us-ashburn-1"
    assert extra["console_url"] == result.xcom("register_version", "console_url")
    assert emu.get(model["id"])["lifecycleState"] == "DELETED"  # the teardown removed the version
    assert leftovers(emu) == {"project": [(project_id, "ACTIVE")]}


def test_the_consumer_is_scheduled_on_the_asset_the_producer_emits_on(registry) -> None:
    _, set_id, bag = registry
    [outlet] = bag.dags[PRODUCER].get_task("register_version").outlets
    assert outlet.uri == asset_uri(set_id, "us-ashburn-1")
    assert bag.dags[CONSUMER].timetable.asset_condition.objects[0].uri == outlet.uri
