"""Operators and sensors stand on one mixin: one hook, one console-link path, one deferral."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from airflow.sdk import DAG

from airflow_ds_provider import operators as operators_pkg
from airflow_ds_provider._airflow_base import DataScienceHookMixin
from airflow_ds_provider._compat import AirflowException
from airflow_ds_provider.links.console import console_url
from airflow_ds_provider.operators.base import DataScienceBaseOperator, DataScienceWaitingOperator
from airflow_ds_provider.sensors import DataScienceJobRunSensor, DataScienceLifecycleSensor

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"
SHARED = ("hook", "publish_console_url", "defer_to_trigger", "event_parts")


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


@pytest.mark.parametrize("base", [DataScienceBaseOperator, DataScienceLifecycleSensor])
def test_operators_and_sensors_inherit_the_one_mixin_and_redefine_none_of_it(base) -> None:
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(operators_pkg.__path__):
        importlib.import_module(f"{operators_pkg.__name__}.{module.name}")
    assert issubclass(base, DataScienceHookMixin)
    for cls in {base, *_subclasses(base)}:
        own = sorted(name for name in SHARED if name in vars(cls))
        assert own == [], f"{cls.__name__} redefines {own}"


def test_an_endpoint_only_connection_gives_the_sensor_a_console_link_from_the_ocids_region(
    run_dag, world, emu, ident, monkeypatch
) -> None:
    run = world.job_run(duration=0)
    region = json.loads(emu.airflow_connection_json(ident))["extra"]["region"]
    extra = {k: v for k, v in emu.connection_extra(ident).items() if k != "region"}
    monkeypatch.setenv(CONN_ENV, json.dumps({"conn_type": "oci_data_science", "extra": extra}))
    with DAG("sensor_endpoint_only", schedule=None, start_date=START, catchup=False) as dag:
        DataScienceJobRunSensor(task_id="wait", job_run_id=run, poll_interval=0.1, timeout=30)
    result = run_dag(dag)
    assert result.task_states() == {"wait": "success"}
    url = result.xcom("wait", "console_url")
    assert url == console_url("job_run", run, region)
    assert url.endswith(f"/job-runs/{run}?region={region}")


@pytest.mark.parametrize(
    ("build", "wording"),
    [
        (
            lambda: DataScienceWaitingOperator(task_id="op"),
            "op: trigger returned no event (got None)",
        ),
        (
            lambda: DataScienceLifecycleSensor(task_id="op", resource="job_run", resource_id="x"),
            "op: the trigger returned no event (got None)",
        ),
    ],
)
def test_a_missing_event_fails_naming_the_task(build, wording) -> None:
    task = build()
    with pytest.raises(AirflowException) as info:
        task.execute_complete({}, None)
    assert str(info.value) == wording
