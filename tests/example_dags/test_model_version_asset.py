"""``example_ds_model_version_asset`` / ``_consumer`` through ``dag.test()`` against the emulator:
the registered version's asset event, recorded by Airflow through the alias the consumer is
scheduled on. The consumer being run by the scheduler is ``tests/deployment/test_assets_e2e.py``."""

from __future__ import annotations

from typing import Any

from ._helpers import leftovers

PRODUCER = "example_ds_model_version_asset"
CONSUMER = "example_ds_model_version_consumer"
ALIAS = "oci-datascience-model-versions"


def _events(dag_id: str, run_id: str) -> list[Any]:
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(AssetEvent).filter_by(source_dag_id=dag_id, source_run_id=run_id).all()
        return [
            (row.asset.uri, dict(row.extra), row.source_task_id, [a.name for a in row.source_aliases])
            for row in rows
        ]


def test_registering_a_version_records_its_asset_event_through_the_alias(
    example_dagbag, run_dag, emu
) -> None:
    result = run_dag(example_dagbag.dags[PRODUCER], run_conf={"version_label": "v3"})

    assert result.state == "success", result.task_states()
    model = result.xcom("register_version")
    [(uri, extra, task_id, aliases)] = _events(PRODUCER, result.run_id)
    assert uri == f"oci-datascience://us-ashburn-1/{model['id']}"
    assert (task_id, aliases) == ("register_version", [ALIAS])
    assert extra["id"] == model["id"] and extra["resource"] == "model" and extra["uri"] == uri
    assert (extra["version_id"], extra["version_label"]) == (1, "v3")
    assert extra["model_version_set_id"] == result.xcom("create_version_set", "resource_id")
    assert extra["lifecycle_state"] == "ACTIVE" and extra["region"] == "us-ashburn-1"
    assert extra["console_url"] == result.xcom("register_version", "console_url")
    assert leftovers(emu) == {}


def test_the_consumer_is_scheduled_on_the_alias_the_producer_emits_through(example_dagbag) -> None:
    producer, consumer = example_dagbag.dags[PRODUCER], example_dagbag.dags[CONSUMER]
    [outlet] = producer.get_task("register_version").outlets
    assert consumer.timetable.asset_condition.name == outlet.name == ALIAS
