"""One remote resource per task instance: every create operator adopts what an earlier try made.

Through ``dag.test()`` with real Airflow retries: a try that dies right after the create returned
(the OCID is in ``task_state_store``) and a try whose create answer was lost (only the identity
tags find it); and through ``execute()`` with explicit try numbers for the rules on finished
resources (retry vs a deliberate clear).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import DAG
from compat.features import has
from pipeline_world import active_pipeline, pipeline_body, scripts

import airflow_ds_provider.operators as operators_pkg
from airflow_ds_provider.client.errors import TransportError
from airflow_ds_provider.lifecycle import LIFECYCLES, get_lifecycle
from airflow_ds_provider.operators._adoption import TRY_TAG, first_try_of_budget, state_store_key
from airflow_ds_provider.operators.base import DataScienceBaseOperator
from airflow_ds_provider.operators.job_runs import DataScienceCreateJobRunOperator
from airflow_ds_provider.operators.jobs import DataScienceCreateJobOperator
from airflow_ds_provider.operators.model_deployments import DataScienceCreateModelDeploymentOperator
from airflow_ds_provider.operators.models import DataScienceCreateModelOperator
from airflow_ds_provider.operators.notebook_sessions import DataScienceCreateNotebookSessionOperator
from airflow_ds_provider.operators.pipeline_runs import DataScienceCreatePipelineRunOperator
from airflow_ds_provider.operators.pipelines import DataScienceCreatePipelineOperator
from airflow_ds_provider.operators.projects import DataScienceCreateProjectOperator

from ._models_helpers import deployment_config, seed_model
from .conftest import CONN_ENV, FAST, JOB_BODY, make_context

START = dt.datetime(2026, 1, 1)
NOTEBOOK_SHAPE = "VM.Standard.E4.Flex"
RETRY = {"retries": 1, "retry_delay": dt.timedelta(seconds=0)}

#: kind -> (operator class, kwargs factory); every create operator of the package must be here.
CREATES: dict[str, tuple[type[DataScienceBaseOperator], Callable[[Any], dict[str, Any]]]] = {
    "project": (DataScienceCreateProjectOperator, lambda ds: {"display_name": "adopted-project"}),
    "job": (
        DataScienceCreateJobOperator,
        lambda ds: {"project_id": ds.project(), "create_job_details": JOB_BODY, **FAST},
    ),
    "job_run": (
        DataScienceCreateJobRunOperator,
        lambda ds: {"job_id": ds.job(), "log_tail_grace": 0, **FAST},
    ),
    "model": (DataScienceCreateModelOperator, lambda ds: {"project_id": ds.project()}),
    "model_deployment": (
        DataScienceCreateModelDeploymentOperator,
        lambda ds: {
            "project_id": ds.project(),
            "model_id": seed_model(ds),
            "create_model_deployment_details": {"modelDeploymentConfigurationDetails": deployment_config()},
            **FAST,
        },
    ),
    "notebook_session": (
        DataScienceCreateNotebookSessionOperator,
        lambda ds: {
            "project_id": ds.project(),
            "create_notebook_session_details": {"notebookSessionConfigDetails": {"shape": NOTEBOOK_SHAPE}},
            **FAST,
        },
    ),
    "pipeline": (
        DataScienceCreatePipelineOperator,
        lambda ds: {
            "create_pipeline_details": pipeline_body(ds),
            "step_artifacts": scripts(Path(tempfile.mkdtemp())),
            **FAST,
        },
    ),
    "pipeline_run": (
        DataScienceCreatePipelineRunOperator,
        lambda ds: {
            "pipeline_id": active_pipeline(ds, Path(tempfile.mkdtemp())),
            "log_tail_grace": 0,
            **FAST,
        },
    ),
}


def _create_operator_classes() -> dict[str, type]:
    """Every ``DataScienceCreate<Resource>Operator`` the package ships, by resource kind."""
    import importlib
    import pkgutil

    found: dict[str, type] = {}
    for info in pkgutil.iter_modules(operators_pkg.__path__):
        module = importlib.import_module(f"{operators_pkg.__name__}.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            kind = getattr(cls, "resource", None)
            if kind in LIFECYCLES and name == f"DataScienceCreate{kind.title().replace('_', '')}Operator":
                found[kind] = cls
    return found


def test_every_create_operator_is_covered() -> None:
    assert {kind: cls for kind, (cls, _) in CREATES.items()} == _create_operator_classes()


def _mine(ds: Any, kind: str, dag_id: str) -> list[dict[str, Any]]:
    return [r for r in ds.emu.list(kind) if (r.get("freeformTags") or {}).get("airflow-dag-id") == dag_id]


def _creates(ds: Any, kind: str) -> list[dict[str, Any]]:
    collection = f"/{get_operation_path(kind)}"
    return [r for r in ds.emu.requests if r["method"] == "POST" and r["path"].endswith(collection)]


def get_operation_path(kind: str) -> str:
    from airflow_ds_provider.spec import get_operation

    return get_operation(f"create_{kind}").path.rsplit("/", 1)[-1]


def _settled(kind: str) -> set[str]:
    return set(get_lifecycle(kind).success)


@pytest.mark.parametrize("kind", sorted(CREATES))
def test_a_try_that_dies_right_after_the_create_is_retried_into_the_same_resource(
    ds, run_dag, monkeypatch, capsys, kind
) -> None:
    operator_cls, kwargs = CREATES[kind]
    died: list[str] = []
    original = DataScienceBaseOperator.publish

    def die_once(self: Any, context: Any, resource_id: str | None, **kw: Any) -> None:
        if resource_id and not died:  # the first thing after the create: the worker "dies" here
            died.append(resource_id)
            raise RuntimeError("worker lost right after the create returned")
        original(self, context, resource_id, **kw)

    monkeypatch.setattr(DataScienceBaseOperator, "publish", die_once)
    dag_id = f"adopt_after_crash_{kind}"
    with DAG(dag_id, schedule=None, start_date=START) as dag:
        operator_cls(task_id="create", **kwargs(ds), **RETRY)
    result = run_dag(dag)

    assert result.task_states() == {"create": "success"}
    [resource] = _mine(ds, kind, dag_id)
    assert died == [resource["id"]]
    assert result.xcom("create", "resource_id") == resource["id"]
    assert ds.emu.get(resource["id"])["lifecycleState"] in _settled(kind)
    assert resource["freeformTags"][TRY_TAG] == "1"
    out = capsys.readouterr().out
    assert f"Adopting {kind.replace('_', ' ')} {resource['id']}" in out
    # Airflow 3.3+ keeps the OCID in task_state_store; before, the identity tags find it
    found_through = "task_state_store" if has("task_state_store") else "its identity tags"
    assert f"created by try 1 of this task instance (found through {found_through})" in out


@pytest.mark.parametrize("kind", sorted(CREATES))
def test_a_lost_create_answer_then_a_failed_try_leaves_one_resource(ds, run_dag, monkeypatch, kind) -> None:
    operator_cls, kwargs = CREATES[kind]
    extra = {**ds.emu.connection_extra(ds.ident), "max_attempts": "1"}  # no HTTP retry within the try
    monkeypatch.setenv(CONN_ENV, json.dumps({"conn_type": "oci_data_science", "extra": extra}))
    op_kwargs = kwargs(ds)
    ds.emu.inject_fault("POST", rf"/{get_operation_path(kind)}$", kind="commit_then_drop", count=1)
    dag_id = f"adopt_after_lost_answer_{kind}"
    with DAG(dag_id, schedule=None, start_date=START) as dag:
        operator_cls(task_id="create", **op_kwargs, **RETRY)
    result = run_dag(dag)

    assert result.task_states() == {"create": "success"}
    [resource] = _mine(ds, kind, dag_id)  # try 2 found try 1's resource by its tags
    assert result.xcom("create", "resource_id") == resource["id"]
    assert ds.emu.get(resource["id"])["lifecycleState"] in _settled(kind)
    assert len(_creates(ds, kind)) == 1


class MemoryStateStore:
    """``task_state_store`` as Airflow 3.3 gives it to a task: get/set by key, kept across tries."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value


def _context(op: Any, store: MemoryStateStore, try_number: int, max_tries: int) -> dict[str, Any]:
    context = make_context(op, try_number=try_number, max_tries=max_tries)
    context["task_state_store"] = store
    return context


def _run_op(ds: Any, job_id: str, retries: int = 2, **kw: Any) -> DataScienceCreateJobRunOperator:
    return DataScienceCreateJobRunOperator(
        task_id="run", job_id=job_id, retries=retries, log_tail_grace=0, **FAST, **kw
    )


def test_a_succeeded_run_of_an_earlier_try_is_adopted_not_rerun(ds) -> None:
    job_id = ds.job(tags={"emulator-duration": "1"})
    store = MemoryStateStore()
    first = _run_op(ds, job_id)
    run = first.execute(_context(first, store, try_number=1, max_tries=2))
    assert run["lifecycleState"] == "SUCCEEDED"
    assert store.values[state_store_key("job_run")] == run["id"]
    # the worker died after the run succeeded but before the task finished: Airflow retries
    retry = _run_op(ds, job_id)
    again = retry.execute(_context(retry, store, try_number=2, max_tries=2))
    assert again["id"] == run["id"] and again["lifecycleState"] == "SUCCEEDED"
    assert len(ds.emu.list("job_run")) == 1
    # without the store (Airflow < 3.3, or a store error) the identity tags find it too
    scan = _run_op(ds, job_id)
    assert scan.execute(_context(scan, MemoryStateStore(), try_number=3, max_tries=2))["id"] == run["id"]
    assert len(ds.emu.list("job_run")) == 1


@pytest.mark.parametrize("final", ["FAILED", "CANCELED", "NEEDS_ATTENTION"])
def test_a_failed_or_cancelled_earlier_run_gets_a_new_run(ds, final) -> None:
    job_id = ds.job(tags={"emulator-duration": "600"})
    store = MemoryStateStore()
    first = _run_op(ds, job_id, wait_for_completion=False)
    old = first.execute(_context(first, store, try_number=1, max_tries=2))["id"]
    ds.emu.set_state(old, final)
    retry = _run_op(ds, job_id, wait_for_completion=False)
    new = retry.execute(_context(retry, store, try_number=2, max_tries=2))["id"]
    assert new != old and len(ds.emu.list("job_run")) == 2
    assert store.values[state_store_key("job_run")] == new


def test_a_cleared_task_gets_a_new_run_but_still_adopts_one_in_flight(ds) -> None:
    job_id = ds.job(tags={"emulator-duration": "1"})
    store = MemoryStateStore()
    first = _run_op(ds, job_id, retries=1)
    done = first.execute(_context(first, store, try_number=1, max_tries=1))["id"]
    # the user clears the finished task: Airflow sets max_tries = try_number + retries = 2, and
    # the next try (2) is the first of a new budget
    context = _context(first, store, try_number=2, max_tries=2)
    assert first_try_of_budget(context, 1) == 2
    cleared = _run_op(ds, job_id, retries=1, wait_for_completion=False)
    fresh = cleared.execute(context)
    assert fresh["id"] != done and len(ds.emu.list("job_run")) == 2
    # that try dies while its run is still going; a clear (try 3, new budget) follows it, not a new run
    again = _run_op(ds, job_id, retries=1, wait_for_completion=False)
    follow = again.execute(_context(again, store, try_number=3, max_tries=3))
    assert follow["id"] == fresh["id"] and len(ds.emu.list("job_run")) == 2


def test_a_resource_of_an_earlier_budget_is_not_taken_for_this_one(ds, monkeypatch) -> None:
    """Try 1 made project A and succeeded; the task was cleared; try 2's create of B lost its
    answer; retry 3 must adopt B (this budget's), not A (still in the store)."""
    store = MemoryStateStore()
    first = DataScienceCreateProjectOperator(task_id="create", retries=1)
    a = first.execute(_context(first, store, try_number=1, max_tries=1))["id"]
    extra = {**ds.emu.connection_extra(ds.ident), "max_attempts": "1"}
    monkeypatch.setenv(CONN_ENV, json.dumps({"conn_type": "oci_data_science", "extra": extra}))
    ds.emu.inject_fault("POST", r"/projects$", kind="commit_then_drop", count=1)
    second = DataScienceCreateProjectOperator(task_id="create", retries=1)
    with pytest.raises(TransportError):
        second.execute(_context(second, store, try_number=2, max_tries=2))
    [b] = [p["id"] for p in ds.emu.list("project") if p["id"] != a]
    third = DataScienceCreateProjectOperator(task_id="create", retries=1)
    assert third.execute(_context(third, store, try_number=3, max_tries=2))["id"] == b
    assert len(ds.emu.list("project")) == 2 and store.values[state_store_key("project")] == b


def test_deleted_or_failed_resources_are_not_adopted(ds) -> None:
    store = MemoryStateStore()
    first = DataScienceCreateModelOperator(task_id="create", project_id=ds.project(), retries=2)
    old = first.execute(_context(first, store, try_number=1, max_tries=2))["id"]
    ds.emu.set_state(old, "DELETED")
    retry = DataScienceCreateModelOperator(task_id="create", project_id=ds.project(), retries=2)
    assert retry.execute(_context(retry, store, try_number=2, max_tries=2))["id"] != old


def test_identity_tags_win_over_user_tags_and_a_foreign_resource_is_never_adopted(ds) -> None:
    store = MemoryStateStore()
    spoof = {"airflow-task-id": "someone-else", "team": "ml"}
    first = DataScienceCreateProjectOperator(task_id="create", freeform_tags=spoof, retries=2)
    mine = first.execute(_context(first, store, try_number=1, max_tries=2))
    assert mine["freeformTags"]["airflow-task-id"] == "create" and mine["freeformTags"]["team"] == "ml"
    other = ds.hook.create_project(
        {
            "compartmentId": ds.compartment,
            "freeformTags": {**mine["freeformTags"], "airflow-task-id": "other", TRY_TAG: "1"},
        }
    ).data
    retry = DataScienceCreateProjectOperator(task_id="create", retries=2)
    adopted = retry.execute(_context(retry, MemoryStateStore(), try_number=2, max_tries=2))
    assert adopted["id"] == mine["id"] != other["id"]


def test_long_identity_values_fit_the_tag_limit_and_stay_distinct() -> None:
    from airflow_ds_provider.operators._body import MAX_TAG_VALUE, tag_value

    short = "dag-" * 10
    assert tag_value(short) == short
    long_a, long_b = "a" * 300, "a" * 299 + "b"
    assert len(tag_value(long_a)) <= MAX_TAG_VALUE and tag_value(long_a) == tag_value(long_a)
    assert tag_value(long_a) != tag_value(long_b)
