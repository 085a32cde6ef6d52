"""Asset events of the model, model-version and deployment operators, through ``dag.test()``.

The events are read back from Airflow's metadata database (what the scheduler would schedule
consumers on); the URI scheme itself is ``tests/test_assets.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import DAG, Asset

from airflow_ds_provider.assets import asset_uri
from airflow_ds_provider.operators.model_deployments import DataScienceCreateModelDeploymentOperator
from airflow_ds_provider.operators.model_version_sets import DataScienceRegisterModelVersionOperator
from airflow_ds_provider.operators.models import (
    DataScienceCreateModelArtifactOperator,
    DataScienceCreateModelOperator,
)

from ._models_helpers import START, deployment_config, seed_model
from .conftest import FAST


@pytest.fixture
def artifact(tmp_path: Path) -> Path:
    path = tmp_path / "model.zip"
    path.write_bytes(b"PK\x03\x04 version bytes" * 500)
    return path


def _events(result: Any) -> dict[str, list[dict[str, Any]]]:
    """asset URI -> the extras of the events the run recorded on it."""
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    found: dict[str, list[dict[str, Any]]] = {}
    with create_session() as session:
        for row in session.query(AssetEvent).filter_by(
            source_dag_id=result.dag_id, source_run_id=result.run_id
        ):
            found.setdefault(row.asset.uri, []).append(dict(row.extra))
    return found


def test_a_version_set_asset_gets_each_new_version_in_its_extra(ds, run_dag, artifact) -> None:
    project_id = ds.project()
    set_id = ds.hook.create_model_version_set(
        {"compartmentId": ds.compartment, "projectId": project_id, "name": "forecaster"}
    ).data["id"]
    versions = Asset(uri=f"oci-datascience://iad/{set_id}")  # a short region key is normalised
    other_set = Asset(uri=asset_uri("ocid1.datasciencemodelversionset.oc1.iad.other"))
    with DAG("ds_assets_version_set", schedule=None, start_date=START) as dag:
        DataScienceRegisterModelVersionOperator(
            task_id="register",
            model_version_set_id=set_id,
            version_label="v1",
            artifact_path=str(artifact),
            outlets=[versions, other_set],
        )
    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    model = result.xcom("register")
    events = _events(result)
    assert versions.uri == f"oci-datascience://us-ashburn-1/{set_id}"
    [extra] = events[versions.uri]
    assert (extra["id"], extra["resource"], extra["model_version_set_id"]) == (model["id"], "model", set_id)
    assert (extra["version_id"], extra["version_label"], extra["project_id"]) == (1, "v1", project_id)
    assert extra["uri"] == asset_uri(model["id"])
    assert events[other_set.uri] == [{}]  # not this model's set: Airflow's bare event, nothing added


def test_create_model_and_upload_fill_the_project_and_model_assets(ds, run_dag, artifact) -> None:
    project_id = ds.project()
    model_id = seed_model(ds, project_id)
    project = Asset(uri=asset_uri(project_id, "us-ashburn-1"))
    with DAG("ds_assets_models", schedule=None, start_date=START) as dag:
        DataScienceCreateModelOperator(
            task_id="create", project_id=project_id, display_name="fresh", outlets=[project]
        )
        DataScienceCreateModelArtifactOperator(
            task_id="upload",
            model_id=model_id,
            artifact_path=str(artifact),
            outlets=[Asset(uri=asset_uri(model_id))],
        )
    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    events = _events(result)
    [created] = events[project.uri]
    assert created["id"] == result.xcom("create")["id"] and created["display_name"] == "fresh"
    [uploaded] = events[asset_uri(model_id)]
    assert uploaded["id"] == model_id and uploaded["lifecycle_state"] == "ACTIVE"


def test_a_deployment_emits_once_active_and_not_when_not_waited_for(ds, run_dag) -> None:
    project_id = ds.project()
    model_id = seed_model(ds, project_id)
    served = Asset(uri=asset_uri(model_id))
    with DAG("ds_assets_deployment", schedule=None, start_date=START) as dag:
        for task_id, wait in (("deploy", True), ("deploy_nowait", False)):
            DataScienceCreateModelDeploymentOperator(
                task_id=task_id,
                project_id=project_id,
                model_id=model_id,
                display_name=task_id,
                create_model_deployment_details={"modelDeploymentConfigurationDetails": deployment_config()},
                wait_for_completion=wait,
                outlets=[served],
                **FAST,
            )
    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    extras = _events(result)[served.uri]
    assert len(extras) == 2 and {} in extras  # the not-waited-for deployment is CREATING: nothing added
    [active] = [e for e in extras if e]
    assert active["id"] == result.xcom("deploy")["id"] and active["resource"] == "model_deployment"
    assert active["lifecycle_state"] == "ACTIVE"
