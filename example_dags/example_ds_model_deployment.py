"""
### OCI Data Science: catalogue a model and serve it

What it shows:

1. ``create_project`` and ``create_model`` are **setup** tasks; ``upload_artifact`` uploads
   ``model_artifact.zip`` (``score.py`` + ``runtime.yaml``, shipped in
   ``airflow_ds_provider.example_assets``), streamed, and ``record_provenance`` records where
   the model came from.
2. ``create_deployment`` creates a model deployment on a ``VM.Standard.E4.Flex`` instance and
   waits until it is ``ACTIVE`` (deferred, in the triggerer). A deployment that ends ``FAILED``
   fails the task with its ``lifecycleDetails``.
3. ``deployment_is_active`` is a sensor on the deployment (it could equally watch a
   deployment made by another DAG or by hand).
4. ``deactivate_deployment`` stops serving (and billing for) the deployment.
5. ``delete_deployment``, ``delete_model`` and ``delete_project`` are **teardown** tasks: they
   always run once the model exists, even after a failure (a deployment that ended ``FAILED``
   is deleted too), and the DAG run's state still reports that failure.

Every task returns the resource JSON as its XCom and pushes ``resource_id`` and
``console_url`` (the "OCI Console" link of the task).

How to run it

* Against the local emulator::

      python -m airflow_ds_provider.emulator --port 8090 --generate-key
      # export the printed AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT, then
      airflow dags test example_ds_model_deployment

  or run ``scripts/demo.sh``.
* Against OCI: a connection ``oci_data_science_default`` (type ``oci_data_science``) with a
  default ``compartment_id``, then trigger the DAG. Creating a deployment takes 10-20 minutes
  on OCI: set ``OCI_DS_EXAMPLE_POLL_INTERVAL`` to 60 seconds there (2 s suits the emulator).
  To serve your own model, point ``ARTIFACT`` at your artifact zip.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Param, XComArg, task

from airflow_ds_provider.example_assets import example_asset
from airflow_ds_provider.operators.model_deployments import (
    DataScienceCreateModelDeploymentOperator,
    DataScienceDeactivateModelDeploymentOperator,
    DataScienceDeleteModelDeploymentOperator,
)
from airflow_ds_provider.operators.models import (
    DataScienceCreateModelArtifactOperator,
    DataScienceCreateModelOperator,
    DataScienceCreateModelProvenanceOperator,
    DataScienceDeleteModelOperator,
)
from airflow_ds_provider.operators.projects import (
    DataScienceCreateProjectOperator,
    DataScienceDeleteProjectOperator,
)
from airflow_ds_provider.sensors.model_deployments import DataScienceModelDeploymentSensor

# The file to upload, shipped in the provider package so this DAG file works on its own;
# in your own DAG, the path of your own artifact.
ARTIFACT = example_asset("model_artifact.zip")
# Seconds between state reads. The emulator settles in seconds; on OCI use 60.
POLL_INTERVAL = float(os.environ.get("OCI_DS_EXAMPLE_POLL_INTERVAL", "2"))

CONN_ID = "{{ params.oci_conn_id }}"
# An empty compartment makes the operators use the connection's ``compartment_id`` extra.
COMPARTMENT_ID = "{{ params.compartment_id or '' }}"

DEPLOYMENT_DETAILS: dict[str, Any] = {
    "description": "Serves the example model; created by the example_ds_model_deployment DAG",
    "modelDeploymentConfigurationDetails": {
        "deploymentType": "SINGLE_MODEL",
        "modelConfigurationDetails": {
            # modelId is set from the operator's model_id argument
            "instanceConfiguration": {
                "instanceShapeName": "{{ params.shape_name }}",
                "modelDeploymentInstanceShapeConfigDetails": {"ocpus": 1, "memoryInGBs": 16},
            },
            "scalingPolicy": {"policyType": "FIXED_SIZE", "instanceCount": 1},
            "bandwidthMbps": 10,
        },
    },
}

with DAG(
    dag_id="example_ds_model_deployment",
    description="Create a model, upload its artifact, deploy it, check it, deactivate, clean up",
    doc_md=__doc__,
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["example", "oci", "data-science"],
    params={
        "oci_conn_id": Param("oci_data_science_default", type="string", description="OCI connection id"),
        "compartment_id": Param(
            None,
            type=["null", "string"],
            description="Compartment OCID; empty: the connection's compartment_id extra",
        ),
        "shape_name": Param("VM.Standard.E4.Flex", type="string"),
        "deployment_freeform_tags": Param(
            {}, type="object", description="Extra freeform tags for the deployment (string values)"
        ),
    },
) as dag:
    create_project = DataScienceCreateProjectOperator(
        task_id="create_project",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        display_name="airflow-example-{{ run_id }}",
        description="Created by the example_ds_model_deployment DAG",
    )
    create_model = DataScienceCreateModelOperator(
        task_id="create_model",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        project_id=XComArg(create_project, key="resource_id"),
        display_name="linear-model-{{ run_id }}",
        description="y = 2x + 1",
    )
    upload_artifact = DataScienceCreateModelArtifactOperator(
        task_id="upload_artifact",
        oci_conn_id=CONN_ID,
        model_id=XComArg(create_model, key="resource_id"),
        artifact_path=ARTIFACT,
    )
    record_provenance = DataScienceCreateModelProvenanceOperator(
        task_id="record_provenance",
        oci_conn_id=CONN_ID,
        model_id=XComArg(create_model, key="resource_id"),
        repository_url="https://example.com/ml/linear-model.git",
        git_branch="main",
        training_script="train.py",
    )

    @task
    def deployment_tags(params: dict[str, Any]) -> dict[str, str]:
        """Freeform tags for the deployment, from the ``deployment_freeform_tags`` param."""
        return {str(k): str(v) for k, v in params["deployment_freeform_tags"].items()}

    create_deployment = DataScienceCreateModelDeploymentOperator(
        task_id="create_deployment",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        project_id=XComArg(create_project, key="resource_id"),
        model_id=XComArg(create_model, key="resource_id"),
        display_name="linear-model-deployment-{{ run_id }}",
        create_model_deployment_details=DEPLOYMENT_DETAILS,
        freeform_tags=deployment_tags(),
        deferrable=True,
        poll_interval=POLL_INTERVAL,
        timeout=3600,
    )
    deployment_is_active = DataScienceModelDeploymentSensor(
        task_id="deployment_is_active",
        oci_conn_id=CONN_ID,
        model_deployment_id=XComArg(create_deployment, key="resource_id"),
        poll_interval=POLL_INTERVAL,
        timeout=600,
    )
    deactivate_deployment = DataScienceDeactivateModelDeploymentOperator(
        task_id="deactivate_deployment",
        oci_conn_id=CONN_ID,
        model_deployment_id=XComArg(create_deployment, key="resource_id"),
        poll_interval=POLL_INTERVAL,
    )
    delete_deployment = DataScienceDeleteModelDeploymentOperator(
        task_id="delete_deployment",
        oci_conn_id=CONN_ID,
        model_deployment_id=XComArg(create_deployment, key="resource_id"),
        poll_interval=POLL_INTERVAL,
    )
    delete_model = DataScienceDeleteModelOperator(
        task_id="delete_model",
        oci_conn_id=CONN_ID,
        model_id=XComArg(create_model, key="resource_id"),
        poll_interval=POLL_INTERVAL,
    )
    delete_project = DataScienceDeleteProjectOperator(
        task_id="delete_project",
        oci_conn_id=CONN_ID,
        project_id=XComArg(create_project, key="resource_id"),
        poll_interval=POLL_INTERVAL,
    )

    create_project >> create_model >> upload_artifact >> record_provenance >> create_deployment
    create_deployment >> deployment_is_active >> deactivate_deployment
    # Teardowns of the model, not of the deployment: a deployment that failed to become ACTIVE
    # still exists (FAILED), and must go before its model can.
    deactivate_deployment >> delete_deployment.as_teardown(setups=create_model)
    delete_deployment >> delete_model.as_teardown(setups=create_model)
    delete_model >> delete_project.as_teardown(setups=create_project)
