"""
### OCI Data Science: train, register a model version, deploy it

What it shows:

1. ``create_project`` is the **setup** task; ``create_job`` makes a job running ``train.py``
   (shipped in ``airflow_ds_provider.example_assets``, uploaded by ``upload_training_code``), and
   ``train`` runs it, waiting **deferred** (in the triggerer).
2. ``create_version_set`` makes a model version set, the registry entry that holds every version
   of the model.
3. ``register_version`` registers the trained model as a new version of that set: it creates
   the model with the ``version_label`` param, uploads ``model_artifact.zip`` (``score.py`` +
   ``runtime.yaml``, also shipped in the package) and leaves it ACTIVE. Its XCom is the model's
   JSON, and it pushes ``version_id``, ``version_label`` and ``model_version_set_id``. A retry
   after a crash finishes the same version; it never registers a second one.
   ``record_provenance`` records the training job run that produced it.
4. ``deploy`` serves the registered version (a model deployment, waited for deferred).
5. ``delete_deployment``, ``delete_version_set`` (with its models), ``delete_job`` (with its
   runs) and ``delete_project`` are **teardown** tasks: they run whatever happened upstream, so
   nothing is left behind, and the DAG run still reports a failure.

Every task pushes ``resource_id`` and ``console_url`` (the task's "OCI Console" link).

How to run it

* Against the local emulator (no OCI account)::

      python -m airflow_ds_provider.emulator --port 8090 --generate-key
      # export the printed AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT, then
      airflow dags test example_ds_model_registry

* Against OCI: a connection ``oci_data_science_default`` (type ``oci_data_science``) with a
  default ``compartment_id``, then trigger the DAG. A job run takes minutes and a deployment
  10-20 minutes: set ``OCI_DS_EXAMPLE_POLL_INTERVAL`` to 60 seconds there (2 s suits the
  emulator). To register your own model, point ``MODEL_ARTIFACT`` at the zip your training writes.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Param, XComArg, task

from airflow_ds_provider.example_assets import example_asset
from airflow_ds_provider.operators.job_runs import DataScienceCreateJobRunOperator
from airflow_ds_provider.operators.jobs import (
    DataScienceCreateJobArtifactOperator,
    DataScienceCreateJobOperator,
    DataScienceDeleteJobOperator,
)
from airflow_ds_provider.operators.model_deployments import (
    DataScienceCreateModelDeploymentOperator,
    DataScienceDeleteModelDeploymentOperator,
)
from airflow_ds_provider.operators.model_version_sets import (
    DataScienceCreateModelVersionSetOperator,
    DataScienceDeleteModelVersionSetOperator,
    DataScienceRegisterModelVersionOperator,
)
from airflow_ds_provider.operators.models import DataScienceCreateModelProvenanceOperator
from airflow_ds_provider.operators.projects import (
    DataScienceCreateProjectOperator,
    DataScienceDeleteProjectOperator,
)

# Files shipped in the provider package so this DAG file works on its own; in your own DAG,
# your training script and the artifact it produces.
TRAINING_CODE = example_asset("train.py")
MODEL_ARTIFACT = example_asset("model_artifact.zip")
# Seconds between state reads. The emulator settles in seconds; on OCI use 60.
POLL_INTERVAL = float(os.environ.get("OCI_DS_EXAMPLE_POLL_INTERVAL", "2"))
# Seconds to keep collecting a finished run's late log lines (OCI Logging ingests with a delay).
LOG_TAIL_GRACE = float(os.environ.get("OCI_DS_EXAMPLE_LOG_TAIL_GRACE", "30"))

CONN_ID = "{{ params.oci_conn_id }}"
# An empty compartment makes the operators use the connection's ``compartment_id`` extra.
COMPARTMENT_ID = "{{ params.compartment_id or '' }}"

JOB_DETAILS: dict[str, Any] = {
    "description": "Trains the model; created by the example_ds_model_registry DAG",
    "jobConfigurationDetails": {"jobType": "DEFAULT", "environmentVariables": {"EPOCHS": "3"}},
    "jobInfrastructureConfigurationDetails": {
        "jobInfrastructureType": "ME_STANDALONE",
        "shapeName": "{{ params.shape_name }}",
        "blockStorageSizeInGBs": 50,
        "jobShapeConfigDetails": {"ocpus": 1, "memoryInGBs": 16},
    },
}
DEPLOYMENT_DETAILS: dict[str, Any] = {
    "description": "Serves the registered version; created by the example_ds_model_registry DAG",
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
    dag_id="example_ds_model_registry",
    description="Train with a job run, register the model as a new version, deploy it, clean up",
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
        "version_label": Param("v1", type="string", description="Label of the new model version"),
        "training_freeform_tags": Param(
            {}, type="object", description="Extra freeform tags for the training job run (string values)"
        ),
    },
) as dag:
    create_project = DataScienceCreateProjectOperator(
        task_id="create_project",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        display_name="airflow-example-{{ run_id }}",
        description="Created by the example_ds_model_registry DAG",
    )
    project_id = XComArg(create_project, key="resource_id")
    create_job = DataScienceCreateJobOperator(
        task_id="create_job",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        project_id=project_id,
        display_name="train-{{ run_id }}",
        create_job_details=JOB_DETAILS,
        poll_interval=POLL_INTERVAL,
    )
    upload_training_code = DataScienceCreateJobArtifactOperator(
        task_id="upload_training_code",
        oci_conn_id=CONN_ID,
        job_id=XComArg(create_job, key="resource_id"),
        artifact_path=TRAINING_CODE,
    )

    @task
    def training_tags(params: dict[str, Any]) -> dict[str, str]:
        """Freeform tags for the training run, from the ``training_freeform_tags`` param."""
        return {str(k): str(v) for k, v in params["training_freeform_tags"].items()}

    train = DataScienceCreateJobRunOperator(
        task_id="train",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        job_id=XComArg(create_job, key="resource_id"),
        display_name="train-run-{{ run_id }}",
        freeform_tags=training_tags(),
        deferrable=True,
        poll_interval=POLL_INTERVAL,
        log_tail_grace=LOG_TAIL_GRACE,
        timeout=2 * 3600,
    )
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
        description="y = 2x + 1",
    )
    record_provenance = DataScienceCreateModelProvenanceOperator(
        task_id="record_provenance",
        oci_conn_id=CONN_ID,
        model_id=XComArg(register_version, key="resource_id"),
        training_id=XComArg(train, key="resource_id"),
        training_script="train.py",
    )
    deploy = DataScienceCreateModelDeploymentOperator(
        task_id="deploy",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        project_id=project_id,
        model_id=XComArg(register_version, key="resource_id"),
        display_name="linear-model-{{ params.version_label }}-{{ run_id }}",
        create_model_deployment_details=DEPLOYMENT_DETAILS,
        deferrable=True,
        poll_interval=POLL_INTERVAL,
        timeout=3600,
    )
    delete_deployment = DataScienceDeleteModelDeploymentOperator(
        task_id="delete_deployment",
        oci_conn_id=CONN_ID,
        model_deployment_id=XComArg(deploy, key="resource_id"),
        poll_interval=POLL_INTERVAL,
    )
    delete_version_set = DataScienceDeleteModelVersionSetOperator(
        task_id="delete_version_set",
        oci_conn_id=CONN_ID,
        model_version_set_id=XComArg(create_version_set, key="resource_id"),
        is_delete_related_models=True,
        poll_interval=POLL_INTERVAL,
    )
    delete_job = DataScienceDeleteJobOperator(
        task_id="delete_job",
        oci_conn_id=CONN_ID,
        job_id=XComArg(create_job, key="resource_id"),
        delete_related_job_runs=True,
        poll_interval=POLL_INTERVAL,
    )
    delete_project = DataScienceDeleteProjectOperator(
        task_id="delete_project",
        oci_conn_id=CONN_ID,
        project_id=project_id,
        poll_interval=POLL_INTERVAL,
    )

    create_project >> [create_job, create_version_set]
    create_job >> upload_training_code >> train >> register_version
    create_version_set >> register_version >> record_provenance >> deploy
    # Teardowns: each runs once its setup ran, whatever happened in between; the deployment goes
    # first (a served model cannot be deleted), the project last.
    deploy >> delete_deployment.as_teardown(setups=register_version)
    delete_deployment >> delete_version_set.as_teardown(setups=create_version_set)
    delete_version_set >> delete_job.as_teardown(setups=create_job)
    delete_job >> delete_project.as_teardown(setups=create_project)
