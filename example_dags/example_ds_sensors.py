"""
### OCI Data Science: sensors in poke, reschedule and deferrable mode

Sensors wait for resources that something else created: another DAG, a notebook, a CI job.
To be self-contained this DAG makes the "external" work itself, without waiting for it:

1. ``create_project`` (the **setup** task), ``create_job`` and ``upload_artifact``.
2. ``start_run`` starts a job run with ``wait_for_completion=False`` and returns at once;
   its ``resource_id`` XCom is the run's OCID.
3. The run is then watched three ways, side by side:

   * ``run_done_poke``: ``mode="poke"`` holds a worker slot and sleeps between reads
     (fine for short waits);
   * ``run_done_reschedule``: ``mode="reschedule"`` frees the slot between reads (each read
     is a short task try; good for waits of many minutes);
   * ``run_done_deferred``: ``deferrable=True`` waits in the triggerer (no slot, no new try;
     the best choice for long waits when a triggerer runs).

   A run that ends ``FAILED``/``CANCELED``/``NEEDS_ATTENTION`` fails each sensor, quoting its
   ``lifecycleDetails``; with ``soft_fail=True`` it would be skipped instead.
4. ``delete_job`` asks for the job's deletion without waiting; deletion is asynchronous in OCI
   and tracked by a **work request**, whose OCID the task pushes as XCom ``work_request_id``.
   Three ``DataScienceWorkRequestSensor`` tasks wait for it, again in the three modes.
5. ``cleanup_job`` and ``delete_project`` are **teardown** tasks: they always run (a job already
   deleted is a no-op) and do not hide a failure from the DAG run's state.

How to run it

* Against the local emulator::

      python -m airflow_ds_provider.emulator --port 8090 --generate-key
      # export the printed AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT, then
      airflow dags test example_ds_sensors

* Against OCI: a connection ``oci_data_science_default`` with a default ``compartment_id``;
  set ``OCI_DS_EXAMPLE_POLL_INTERVAL`` to 30-60 seconds (2 s suits the emulator).
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
from airflow_ds_provider.sensors.job_runs import DataScienceJobRunSensor
from airflow_ds_provider.sensors.work_requests import DataScienceWorkRequestSensor

# The file to upload, shipped in the provider package so this DAG file works on its own;
# in your own DAG, the path of your own script.
ARTIFACT = example_asset("train.py")
# Seconds between state reads. The emulator settles in seconds; on OCI use 30-60.
POLL_INTERVAL = float(os.environ.get("OCI_DS_EXAMPLE_POLL_INTERVAL", "2"))

CONN_ID = "{{ params.oci_conn_id }}"
# An empty compartment makes the operators use the connection's ``compartment_id`` extra.
COMPARTMENT_ID = "{{ params.compartment_id or '' }}"

JOB_DETAILS: dict[str, Any] = {
    "jobConfigurationDetails": {"jobType": "DEFAULT", "environmentVariables": {"EPOCHS": "2"}},
    "jobInfrastructureConfigurationDetails": {
        "jobInfrastructureType": "ME_STANDALONE",
        "shapeName": "VM.Standard.E4.Flex",
        "blockStorageSizeInGBs": 50,
        "jobShapeConfigDetails": {"ocpus": 1, "memoryInGBs": 16},
    },
}

with DAG(
    dag_id="example_ds_sensors",
    description="Sense a job run and a work request in poke, reschedule and deferrable mode",
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
        "run_freeform_tags": Param(
            {}, type="object", description="Extra freeform tags for the job run (string values)"
        ),
    },
) as dag:
    create_project = DataScienceCreateProjectOperator(
        task_id="create_project",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        display_name="airflow-sensors-{{ run_id }}",
    )
    create_job = DataScienceCreateJobOperator(
        task_id="create_job",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        project_id=XComArg(create_project, key="resource_id"),
        display_name="sensed-job-{{ run_id }}",
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
    def run_tags(params: dict[str, Any]) -> dict[str, str]:
        """Freeform tags for the run, from the ``run_freeform_tags`` param."""
        return {str(k): str(v) for k, v in params["run_freeform_tags"].items()}

    start_run = DataScienceCreateJobRunOperator(
        task_id="start_run",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        job_id=XComArg(create_job, key="resource_id"),
        freeform_tags=run_tags(),
        wait_for_completion=False,
    )
    job_run_id = XComArg(start_run, key="resource_id")
    run_sensors = [
        DataScienceJobRunSensor(
            task_id="run_done_poke",
            oci_conn_id=CONN_ID,
            job_run_id=job_run_id,
            mode="poke",
            poll_interval=POLL_INTERVAL,
            timeout=3600,
        ),
        DataScienceJobRunSensor(
            task_id="run_done_reschedule",
            oci_conn_id=CONN_ID,
            job_run_id=job_run_id,
            mode="reschedule",
            poll_interval=POLL_INTERVAL,
            timeout=3600,
        ),
        DataScienceJobRunSensor(
            task_id="run_done_deferred",
            oci_conn_id=CONN_ID,
            job_run_id=job_run_id,
            deferrable=True,
            poll_interval=POLL_INTERVAL,
            timeout=3600,
        ),
    ]

    delete_job = DataScienceDeleteJobOperator(
        task_id="delete_job",
        oci_conn_id=CONN_ID,
        job_id=XComArg(create_job, key="resource_id"),
        delete_related_job_runs=True,
        wait_for_completion=False,
    )
    work_request_id = XComArg(delete_job, key="work_request_id")
    work_request_sensors = [
        DataScienceWorkRequestSensor(
            task_id=f"job_deleted_{mode}",
            oci_conn_id=CONN_ID,
            work_request_id=work_request_id,
            poll_interval=POLL_INTERVAL,
            timeout=1800,
            **kwargs,
        )
        for mode, kwargs in (
            ("poke", {"mode": "poke"}),
            ("reschedule", {"mode": "reschedule"}),
            ("deferred", {"deferrable": True}),
        )
    ]

    cleanup_job = DataScienceDeleteJobOperator(
        task_id="cleanup_job",
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

    create_project >> create_job >> upload_artifact >> start_run >> run_sensors
    run_sensors >> delete_job
    work_request_sensors >> cleanup_job.as_teardown(setups=create_project)
    cleanup_job >> delete_project.as_teardown(setups=create_project)
