"""
### OCI Data Science: a training job from end to end

What it shows:

1. ``create_project`` is the **setup** task; ``create_job`` then makes a job in it running
   ``train.py`` (shipped in ``airflow_ds_provider.example_assets``, uploaded next by
   ``upload_artifact``) on a ``VM.Standard.E4.Flex`` managed-egress shape, with logging enabled and its log created automatically.
2. ``run_job`` starts a run and waits for it **deferred** (in the triggerer, no worker slot held),
   then copies the run's log lines into the task log.
   A run that ends ``FAILED``/``CANCELED``/``NEEDS_ATTENTION`` fails the task, with its
   ``lifecycleDetails``. Marking the deferred task failed cancels the run.
3. ``report`` reads the run's JSON from XCom and prints its state and duration.
4. ``delete_job`` and ``delete_project`` are **teardown** tasks of ``create_project``: once the
   project exists they run whatever happened (even when the run failed, or the job ended
   ``FAILED``), yet the DAG run still ends ``failed`` if the run failed, because teardowns do
   not decide the DAG run's state.

Every task returns the resource JSON as its XCom, and pushes ``resource_id`` and
``console_url`` (the OCI Console page, also shown as the task's "OCI Console" link).

How to run it

* Against the local emulator (no OCI account)::

      python -m airflow_ds_provider.emulator --port 8090 --generate-key
      # prints AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT='...': export it, then
      OCI_DS_EXAMPLE_LOG_TAIL_GRACE=0 airflow dags test example_ds_job_pipeline

  or run ``scripts/demo.sh``, which does all of that in a temporary AIRFLOW_HOME.
* Against OCI: create a connection ``oci_data_science_default`` of type ``oci_data_science``
  (tenancy, user, fingerprint, private key, region, and a default ``compartment_id``), set the
  ``log_group_id`` param to a log group of yours, and trigger the DAG. Set the environment
  variable ``OCI_DS_EXAMPLE_POLL_INTERVAL`` to 30-60 seconds on real OCI (the 2 s default suits
  the emulator; a real job run takes minutes).
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
from airflow_ds_provider.operators.projects import (
    DataScienceCreateProjectOperator,
    DataScienceDeleteProjectOperator,
)

# The file to upload, shipped in the provider package so this DAG file works on its own;
# in your own DAG, the path of your own script.
ARTIFACT = example_asset("train.py")
# Seconds between state reads. The emulator settles in seconds; on OCI use 30-60.
POLL_INTERVAL = float(os.environ.get("OCI_DS_EXAMPLE_POLL_INTERVAL", "2"))
# Seconds to keep collecting a finished run's late log lines into the task log: OCI Logging
# ingests with a delay (keep 30); the emulator has none (set the variable to 0 there).
LOG_TAIL_GRACE = float(os.environ.get("OCI_DS_EXAMPLE_LOG_TAIL_GRACE", "30"))

CONN_ID = "{{ params.oci_conn_id }}"
# An empty compartment makes the operators use the connection's ``compartment_id`` extra.
COMPARTMENT_ID = "{{ params.compartment_id or '' }}"

JOB_DETAILS: dict[str, Any] = {
    "description": "Trains a toy model; created by the example_ds_job_pipeline DAG",
    "jobConfigurationDetails": {
        "jobType": "DEFAULT",
        "environmentVariables": {"EPOCHS": "{{ params.epochs }}", "LEARNING_RATE": "0.1"},
        "maximumRuntimeInMinutes": 60,
    },
    "jobInfrastructureConfigurationDetails": {
        "jobInfrastructureType": "ME_STANDALONE",
        "shapeName": "{{ params.shape_name }}",
        "blockStorageSizeInGBs": 50,
        "jobShapeConfigDetails": {"ocpus": 1, "memoryInGBs": 16},
    },
    "jobLogConfigurationDetails": {
        "enableLogging": True,
        "enableAutoLogCreation": True,
        "logGroupId": "{{ params.log_group_id }}",
    },
}

with DAG(
    dag_id="example_ds_job_pipeline",
    description="Create a Data Science job, run it deferred, report, and always clean up",
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
        "log_group_id": Param(
            "ocid1.loggroup.oc1..examplelogs",
            type="string",
            description="Log group OCID for the job's logs (on OCI: one of yours)",
        ),
        "shape_name": Param("VM.Standard.E4.Flex", type="string"),
        "epochs": Param(3, type="integer", minimum=1),
        "run_freeform_tags": Param(
            {}, type="object", description="Extra freeform tags for the job run (string values)"
        ),
    },
) as dag:
    create_project = DataScienceCreateProjectOperator(
        task_id="create_project",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        display_name="airflow-example-{{ run_id }}",
        description="Created by the example_ds_job_pipeline DAG",
    )
    create_job = DataScienceCreateJobOperator(
        task_id="create_job",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        project_id=XComArg(create_project, key="resource_id"),
        display_name="train-{{ run_id }}",
        create_job_details=JOB_DETAILS,
        poll_interval=POLL_INTERVAL,
    )
    upload_artifact = DataScienceCreateJobArtifactOperator(
        task_id="upload_artifact",
        oci_conn_id=CONN_ID,
        job_id=XComArg(create_job, key="resource_id"),
        artifact_path=ARTIFACT,
    )

    @task
    def run_details(params: dict[str, Any]) -> dict[str, Any]:
        """The run's body: the job's configuration is used as is, plus the extra tags."""
        return {"freeformTags": {str(k): str(v) for k, v in params["run_freeform_tags"].items()}}

    run_job = DataScienceCreateJobRunOperator(
        task_id="run_job",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        job_id=XComArg(create_job, key="resource_id"),
        display_name="train-run-{{ run_id }}",
        create_job_run_details=run_details(),
        deferrable=True,
        poll_interval=POLL_INTERVAL,
        log_tail_grace=LOG_TAIL_GRACE,
        timeout=2 * 3600,
    )

    @task
    def report(run: dict[str, Any]) -> dict[str, Any]:
        """Print the finished run's state and duration (from its JSON in XCom)."""
        started, finished = run.get("timeStarted"), run.get("timeFinished")
        duration = None
        if started and finished:  # RFC 3339, e.g. 2026-01-01T12:00:00.123Z
            start, end = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in (started, finished))
            duration = (end - start).total_seconds()
        print(f"Job run {run['id']} ended {run['lifecycleState']} after {duration} s")
        if run.get("lifecycleDetails"):
            print(f"Details: {run['lifecycleDetails']}")
        return {"job_run_id": run["id"], "state": run["lifecycleState"], "duration_seconds": duration}

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
        project_id=XComArg(create_project, key="resource_id"),
        poll_interval=POLL_INTERVAL,
    )

    create_project >> create_job >> upload_artifact >> run_job
    report(run_job.output) >> delete_job.as_teardown(setups=create_project)
    delete_job >> delete_project.as_teardown(setups=create_project)
