"""
### OCI Data Science: a hyperparameter sweep with dynamic task mapping

What it shows:

1. ``create_project`` (the **setup** task), ``create_job`` and ``upload_artifact``
   (``train.py``, shipped in ``airflow_ds_provider.example_assets``) prepare one job.
2. ``run_overrides`` turns the ``hyperparameters`` param (a list of environment-variable sets)
   into one ``CreateJobRunDetails`` body each, passing the set as
   ``jobConfigurationOverrideDetails.environmentVariables``.
3. ``train`` is **mapped** over those bodies (``.partial(...).expand(...)``): one job run per
   set, all started at once and all waited for **deferred**, so the sweep holds no worker slot.
4. ``summarize`` (trigger rule ``all_done``) reads every run (by the ``resource_id`` XCom each
   mapped task pushed), prints a table of state and duration per hyperparameter set, and fails
   if any run did not succeed, so the DAG run reports it.
5. ``delete_job`` and ``delete_project`` are **teardown** tasks of ``create_project`` (they
   always run once the project exists).

How to run it

* Against the local emulator::

      python -m airflow_ds_provider.emulator --port 8090 --generate-key
      # export the printed AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT, then
      OCI_DS_EXAMPLE_LOG_TAIL_GRACE=0 airflow dags test example_ds_parallel_runs

* Against OCI: a connection ``oci_data_science_default`` with a default ``compartment_id``;
  set ``OCI_DS_EXAMPLE_POLL_INTERVAL`` to 30-60 seconds (2 s suits the emulator), and mind
  your tenancy's job-run quota before sweeping many sets at once (``max_active_tis_per_dag``
  on ``train`` limits how many run together).
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Param, XComArg, task

try:
    from airflow.sdk.exceptions import AirflowFailException
except ImportError:  # Airflow 3.0, 3.1
    from airflow.exceptions import AirflowFailException

from airflow_ds_provider.example_assets import example_asset
from airflow_ds_provider.hooks.data_science import DataScienceHook
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
    "description": "Hyperparameter sweep; created by the example_ds_parallel_runs DAG",
    "jobConfigurationDetails": {"jobType": "DEFAULT", "environmentVariables": {"EPOCHS": "5"}},
    "jobInfrastructureConfigurationDetails": {
        "jobInfrastructureType": "ME_STANDALONE",
        "shapeName": "{{ params.shape_name }}",
        "blockStorageSizeInGBs": 50,
        "jobShapeConfigDetails": {"ocpus": 1, "memoryInGBs": 16},
    },
}

with DAG(
    dag_id="example_ds_parallel_runs",
    description="One deferred job run per hyperparameter set (dynamic task mapping), then a summary",
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
        "hyperparameters": Param(
            [
                {"LEARNING_RATE": "0.01", "SEED": "1"},
                {"LEARNING_RATE": "0.1", "SEED": "1"},
                {"LEARNING_RATE": "0.3", "SEED": "1"},
            ],
            type="array",
            minItems=1,
            description="One environment-variable set (string values) per job run",
        ),
        "run_freeform_tags": Param(
            {}, type="object", description="Extra freeform tags for every run (string values)"
        ),
    },
) as dag:
    create_project = DataScienceCreateProjectOperator(
        task_id="create_project",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        display_name="airflow-sweep-{{ run_id }}",
    )
    create_job = DataScienceCreateJobOperator(
        task_id="create_job",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        project_id=XComArg(create_project, key="resource_id"),
        display_name="sweep-{{ run_id }}",
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
    def run_overrides(params: dict[str, Any]) -> list[dict[str, Any]]:
        """One ``CreateJobRunDetails`` body per hyperparameter set."""
        tags = {str(k): str(v) for k, v in params["run_freeform_tags"].items()}
        bodies = []
        for index, env in enumerate(params["hyperparameters"]):
            if not isinstance(env, dict):
                raise ValueError(f"hyperparameters[{index}]: expected an object of env vars, got {env!r}")
            variables = {str(k): str(v) for k, v in env.items()}
            bodies.append(
                {
                    "displayName": f"sweep-{index}-" + "-".join(f"{k}={v}" for k, v in variables.items()),
                    "jobConfigurationOverrideDetails": {
                        "jobType": "DEFAULT",
                        "environmentVariables": variables,
                    },
                    "freeformTags": {**tags, "sweep-index": str(index)},
                }
            )
        return bodies

    train = DataScienceCreateJobRunOperator.partial(
        task_id="train",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        job_id=XComArg(create_job, key="resource_id"),
        deferrable=True,
        poll_interval=POLL_INTERVAL,
        log_tail_grace=LOG_TAIL_GRACE,
        timeout=2 * 3600,
    ).expand(create_job_run_details=run_overrides())

    @task(trigger_rule="all_done")
    def summarize(run_ids: list[str | None], params: dict[str, Any]) -> list[dict[str, Any]]:
        """Read every run, print one line per hyperparameter set, fail unless all succeeded."""
        hook = DataScienceHook(oci_conn_id=params["oci_conn_id"])
        rows = []
        # Index instead of iterating: the lazy XCom sequence then asks for exactly len() items.
        for run_id in (run_ids[i] for i in range(len(run_ids))):
            if not run_id:
                continue
            run = hook.get_job_run(run_id).data
            env = (run.get("jobConfigurationOverrideDetails") or {}).get("environmentVariables") or {}
            rows.append({"job_run_id": run_id, "state": run["lifecycleState"], "environment": env})
            print(f"{run['lifecycleState']:<12} {env} {run_id} {run.get('lifecycleDetails') or ''}")
        failed = [row for row in rows if row["state"] != "SUCCEEDED"]
        if len(rows) < len(params["hyperparameters"]) or failed:
            raise AirflowFailException(
                f"{len(failed)} of {len(params['hyperparameters'])} runs did not succeed "
                f"({len(params['hyperparameters']) - len(rows)} never started)"
            )
        return rows

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

    create_project >> create_job >> upload_artifact >> train
    summary = summarize(XComArg(train, key="resource_id"))
    summary >> delete_job.as_teardown(setups=create_project)
    delete_job >> delete_project.as_teardown(setups=create_project)
