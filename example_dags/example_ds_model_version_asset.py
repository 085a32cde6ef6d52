"""
### OCI Data Science: register a model version and emit an Airflow Asset event

The producer of a DAG pair (the consumer is ``example_ds_model_version_consumer``). A model
version set lives on; each training registers a new version in it. Its asset is
``oci-datascience://<region>/<version set OCID>`` (docs/assets.md), known when the DAG is
written, so a consumer can be scheduled on it although each new version's OCID is not.

1. ``register_version`` registers ``model_artifact.zip`` (shipped in
   ``airflow_ds_provider.example_assets``) as a new version of the set. Its ``outlets`` name the
   set's asset: when the task succeeds, Airflow records one asset event whose ``extra`` is the new
   model's essentials (``id``, ``version_id``, ``version_label``, ``model_version_set_id``,
   ``uri``, ``console_url``...), and the scheduler runs every DAG scheduled on the asset.
2. ``delete_version`` is a **teardown** task that deletes the version again, so the example leaves
   nothing behind; drop it in your own DAG.

To get an event on the new model's own asset instead (its URI is only known at run time), name an
``AssetAlias`` in ``outlets``: the operators add the event through it.

How to run it

* Against the local emulator::

      python -m airflow_ds_provider.emulator --port 8090 --generate-key
      # export the printed AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT, create a model version set,
      export OCI_DS_EXAMPLE_MODEL_VERSION_SET_ID=ocid1.datasciencemodelversionset...
      airflow dags test example_ds_model_version_asset

* Against OCI: a connection ``oci_data_science_default``, and the set's OCID and region in
  ``OCI_DS_EXAMPLE_MODEL_VERSION_SET_ID`` / ``OCI_DS_EXAMPLE_REGION`` where the DAG is parsed.
"""

from __future__ import annotations

import os
from datetime import datetime

from airflow.sdk import DAG, Asset, Param, XComArg

from airflow_ds_provider.assets import asset_uri
from airflow_ds_provider.example_assets import example_asset
from airflow_ds_provider.operators.model_version_sets import DataScienceRegisterModelVersionOperator
from airflow_ds_provider.operators.models import DataScienceDeleteModelOperator

MODEL_ARTIFACT = example_asset("model_artifact.zip")
VERSION_SET_ID = os.environ.get(
    "OCI_DS_EXAMPLE_MODEL_VERSION_SET_ID", "ocid1.datasciencemodelversionset.oc1.iad.example"
)
REGION = os.environ.get("OCI_DS_EXAMPLE_REGION", "us-ashburn-1")
# Seconds between state reads. The emulator settles in seconds; on OCI use 60.
POLL_INTERVAL = float(os.environ.get("OCI_DS_EXAMPLE_POLL_INTERVAL", "2"))
#: The version set's asset: the consumer DAG is scheduled on it.
MODEL_VERSIONS = Asset(asset_uri(VERSION_SET_ID, REGION))  # named by its URI: one asset per version set

CONN_ID = "{{ params.oci_conn_id }}"

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
        "version_label": Param("v1", type="string", description="Label of the new model version"),
    },
) as dag:
    register_version = DataScienceRegisterModelVersionOperator(
        task_id="register_version",
        oci_conn_id=CONN_ID,
        model_version_set_id=VERSION_SET_ID,
        version_label="{{ params.version_label }}-{{ run_id }}",
        artifact_path=MODEL_ARTIFACT,
        display_name="linear-model-{{ params.version_label }}",
        outlets=[MODEL_VERSIONS],
    )
    delete_version = DataScienceDeleteModelOperator(
        task_id="delete_version",
        oci_conn_id=CONN_ID,
        model_id=XComArg(register_version, key="resource_id"),
        poll_interval=POLL_INTERVAL,
    )
    register_version >> delete_version.as_teardown(setups=register_version)
