"""The shared create path: nothing after a create can fail the task without the resource being
recorded, and a create that references a missing resource fails at once naming the argument."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from airflow.sdk import DAG

from airflow_ds_provider.operators.job_runs import DataScienceCreateJobRunOperator
from airflow_ds_provider.operators.model_deployments import DataScienceCreateModelDeploymentOperator
from airflow_ds_provider.operators.projects import DataScienceCreateProjectOperator

from ._models_helpers import deployment_config
from .conftest import CONN_ENV, FAST

START = dt.datetime(2026, 1, 1)
MISSING_JOB = "ocid1.datasciencejob.oc1.iad.amaaaaaadoesnotexist0000000000000000000000000000000000"
MISSING_MODEL = "ocid1.datasciencemodel.oc1.iad.amaaaaaadoesnotexist000000000000000000000000000000000"


def test_an_endpoint_only_connection_creates_and_links_through_the_ocids_region(
    ds, run_dag, monkeypatch
) -> None:
    extra = {k: v for k, v in ds.emu.connection_extra(ds.ident).items() if k != "region"}
    monkeypatch.setenv(CONN_ENV, json.dumps({"conn_type": "oci_data_science", "extra": extra}))
    with DAG("ds_endpoint_only", schedule=None, start_date=START) as dag:
        DataScienceCreateProjectOperator(task_id="create", display_name="no-region", retries=1)
    result = run_dag(dag)
    assert result.task_states() == {"create": "success"}
    [project] = ds.emu.list("project")
    assert ".iad." in project["id"]
    assert result.xcom("create", "console_url").endswith(f"/projects/{project['id']}?region=us-ashburn-1")


def test_a_missing_job_fails_the_run_at_once_naming_job_id(ds, run_dag) -> None:
    with DAG("ds_missing_job", schedule=None, start_date=START) as dag:
        DataScienceCreateJobRunOperator(
            task_id="run", job_id=MISSING_JOB, retries=2, retry_delay=dt.timedelta(seconds=0), **FAST
        )
    result = run_dag(dag)
    assert result.task_states() == {"run": "failed"}
    assert ds.emu.list("job_run") == []
    [ti] = _tis(result, "run")
    assert ti.try_number == 1, "a missing reference is not retried"


def test_a_create_answered_404_names_the_missing_reference(ds) -> None:
    from airflow_ds_provider._compat import AirflowFailException

    from .conftest import make_context

    op = DataScienceCreateModelDeploymentOperator(
        task_id="create",
        project_id=ds.project(),
        create_model_deployment_details={
            "modelDeploymentConfigurationDetails": deployment_config(MISSING_MODEL)
        },
        **FAST,
    )
    with pytest.raises(AirflowFailException, match=rf"^model_id: model {MISSING_MODEL} does not exist"):
        op.execute(make_context(op))
    assert ds.emu.list("model_deployment") == []


def _tis(result, task_id: str) -> list:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        return (
            session.query(TaskInstance)
            .filter(TaskInstance.dag_id == result.dag_id, TaskInstance.run_id == result.run_id)
            .filter(TaskInstance.task_id == task_id)
            .all()
        )
