"""
### OCI Data Science: register a model version and emit an Airflow Asset event

The producer of a DAG pair (the consumer is ``example_ds_model_version_consumer``):

1. ``create_project`` and ``create_version_set`` are **setup** tasks (a project and a model
   version set for this run).
2. ``register_version`` registers ``model_artifact.zip`` (shipped in
   ``airflow_ds_provider.example_assets``) as a new version of the set. Its ``outlets`` name the
   asset alias ``oci-datascience-model-versions``: when the task succeeds, Airflow records an
   asset event on the new model's own asset, ``oci-datascience://<region>/<model OCID>``, through
   that alias, with the model's essentials in the event's ``extra`` (``id``, ``version_id``,
   ``version_label``, ``model_version_set_id``, ``console_url``...; docs/assets.md). Every DAG
   scheduled on the alias runs once per registered version.
3. ``delete_version_set`` (with its models) and ``delete_project`` are **teardown** tasks.

A version set that lives on (the usual case) has an OCID known when the DAG is written: name
``Asset("oci-datascience://<region>/<version set OCID>")`` in ``outlets`` instead and schedule
the consumer on that asset; the event's ``extra`` is the same.

How to run it

* Against the local emulator::

      python -m airflow_ds_provider.emulator --port 8090 --generate-key
      # export the printed AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT, then
      airflow dags test example_ds_model_version_asset

* Against OCI: a connection ``oci_data_science_default`` with a default ``compartment_id``.
"""

from __future__ import annotations

import os
from datetime import datetime

from airflow.sdk import DAG, AssetAlias, Param, XComArg

from airflow_ds_provider.example_assets import example_asset
from airflow_ds_provider.operators.model_version_sets import (
    DataScienceCreateModelVersionSetOperator,
    DataScienceDeleteModelVersionSetOperator,
    DataScienceRegisterModelVersionOperator,
)
from airflow_ds_provider.operators.projects import (
    DataScienceCreateProjectOperator,
    DataScienceDeleteProjectOperator,
)

MODEL_ARTIFACT = example_asset("model_artifact.zip")
# Seconds between state reads. The emulator settles in seconds; on OCI use 60.
POLL_INTERVAL = float(os.environ.get("OCI_DS_EXAMPLE_POLL_INTERVAL", "2"))
#: The alias the consumer DAG is scheduled on.
MODEL_VERSIONS = AssetAlias("oci-datascience-model-versions")

CONN_ID = "{{ params.oci_conn_id }}"
# An empty compartment makes the operators use the connection's ``compartment_id`` extra.
COMPARTMENT_ID = "{{ params.compartment_id or '' }}"

with DAG(
    dag_id="example_ds_model_version_asset",
    description="Register a model version; the asset event schedules the consumer DAG",
    doc_md=__doc__,
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["example", "oci", "data-science", "assets"],
    params={
        "oci_conn_id": Param("oci_data_science_default", type="string", description="OCI connection id"),
        "compartment_id": Param(
            None,
            type=["null", "string"],
            description="Compartment OCID; empty: the connection's compartment_id extra",
        ),
        "version_label": Param("v1", type="string", description="Label of the new model version"),
    },
) as dag:
    create_project = DataScienceCreateProjectOperator(
        task_id="create_project",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        display_name="airflow-example-{{ run_id }}",
        description="Created by the example_ds_model_version_asset DAG",
    )
    project_id = XComArg(create_project, key="resource_id")
    create_version_set = DataScienceCreateModelVersionSetOperator(
        task_id="create_version_set",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        project_id=project_id,
        name="linear-model-{{ run_id }}",
        description="Every version of the example linear model",
    )
    register_version = DataScienceRegisterModelVersionOperator(
        task_id="register_version",
        oci_conn_id=CONN_ID,
        model_version_set_id=XComArg(create_version_set, key="resource_id"),
        version_label="{{ params.version_label }}",
        artifact_path=MODEL_ARTIFACT,
        display_name="linear-model-{{ params.version_label }}",
        outlets=[MODEL_VERSIONS],
    )
    delete_version_set = DataScienceDeleteModelVersionSetOperator(
        task_id="delete_version_set",
        oci_conn_id=CONN_ID,
        model_version_set_id=XComArg(create_version_set, key="resource_id"),
        is_delete_related_models=True,
        poll_interval=POLL_INTERVAL,
    )
    delete_project = DataScienceDeleteProjectOperator(
        task_id="delete_project",
        oci_conn_id=CONN_ID,
        project_id=project_id,
        poll_interval=POLL_INTERVAL,
    )

    create_project >> create_version_set >> register_version
    register_version >> delete_version_set.as_teardown(setups=create_version_set)
    delete_version_set >> delete_project.as_teardown(setups=create_project)
