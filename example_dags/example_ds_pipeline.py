"""
### OCI Data Science: a two-step ML pipeline, run deferred, with its step logs

What it shows:

1. ``create_project`` is the **setup** task; ``create_pipeline`` then defines a pipeline in it
   with two ``CUSTOM_SCRIPT`` steps: ``prepare`` runs ``prepare_data.py`` and ``train`` runs
   ``train.py`` once ``prepare`` succeeded (``dependsOn``). Both scripts are shipped in
   ``airflow_ds_provider.example_assets``; the operator checks them when the DAG is parsed,
   uploads each as its step's artifact and waits until the pipeline is ``ACTIVE``. The steps run
   on a ``VM.Standard.E4.Flex`` shape, with logging enabled and the log created automatically.
2. ``run_pipeline`` starts a run, overriding the ``train`` step's ``EPOCHS`` from the DAG's
   params, and waits for it **deferred** (in the triggerer, no worker slot held). The task log
   shows each step's state changes and copies the steps' log lines. A run that ends ``FAILED``
   or ``CANCELED`` fails the task, naming the failed step(s) with their ``lifecycleDetails``
   and last log lines. Marking the deferred task failed cancels the run.
3. ``report`` reads the run's JSON from XCom and prints each step's state and duration.
4. ``delete_pipeline_run`` (trigger rule ``all_done``) deletes the run whatever happened to it;
   ``delete_pipeline`` (with any run left) and ``delete_project`` are **teardown** tasks of
   ``create_project``: once the project exists they always run. The DAG run still ends
   ``failed`` when the pipeline run failed: ``report``, a leaf of the DAG, is then
   ``upstream_failed`` (teardowns do not decide the DAG run's state).

Every task returns the resource JSON as its XCom, and pushes ``resource_id`` and
``console_url`` (the OCI Console page, also shown as the task's "OCI Console" link).

How to run it

* Against the local emulator (no OCI account)::

      python -m airflow_ds_provider.emulator --port 8090 --generate-key
      # prints AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT='...': export it, then
      OCI_DS_EXAMPLE_LOG_TAIL_GRACE=0 airflow dags test example_ds_pipeline

  The emulator scripts a run from its freeform tags: trigger with
  ``{"run_freeform_tags": {"emulator-outcome.train": "FAILED"}}`` to see the ``train`` step fail.
* Against OCI: create a connection ``oci_data_science_default`` of type ``oci_data_science``
  (tenancy, user, fingerprint, private key, region, and a default ``compartment_id``), set the
  ``log_group_id`` param to a log group of yours, and trigger the DAG. Set the environment
  variable ``OCI_DS_EXAMPLE_POLL_INTERVAL`` to 30-60 seconds on real OCI (the 2 s default suits
  the emulator; a real pipeline run takes many minutes).
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Param, XComArg, task

from airflow_ds_provider.example_assets import example_asset
from airflow_ds_provider.operators.pipeline_runs import (
    DataScienceCreatePipelineRunOperator,
    DataScienceDeletePipelineRunOperator,
)
from airflow_ds_provider.operators.pipelines import (
    DataScienceCreatePipelineOperator,
    DataScienceDeletePipelineOperator,
)
from airflow_ds_provider.operators.projects import (
    DataScienceCreateProjectOperator,
    DataScienceDeleteProjectOperator,
)

# The step scripts, shipped in the provider package so this DAG file works on its own; in your
# own DAG, the paths of your own scripts (a .py, .sh or .zip per CUSTOM_SCRIPT step).
STEP_ARTIFACTS = {"prepare": example_asset("prepare_data.py"), "train": example_asset("train.py")}
# Seconds between state reads. The emulator settles in seconds; on OCI use 30-60.
POLL_INTERVAL = float(os.environ.get("OCI_DS_EXAMPLE_POLL_INTERVAL", "2"))
# Seconds to keep collecting a finished run's late log lines into the task log: OCI Logging
# ingests with a delay (keep 30); the emulator has none (set the variable to 0 there).
LOG_TAIL_GRACE = float(os.environ.get("OCI_DS_EXAMPLE_LOG_TAIL_GRACE", "30"))

CONN_ID = "{{ params.oci_conn_id }}"
# An empty compartment makes the operators use the connection's ``compartment_id`` extra.
COMPARTMENT_ID = "{{ params.compartment_id or '' }}"

# The pipeline's settings (CreatePipelineDetails); every step inherits them.
PIPELINE_DETAILS: dict[str, Any] = {
    "description": "Prepares data, then trains a toy model; created by the example_ds_pipeline DAG",
    "configurationDetails": {
        "type": "DEFAULT",
        "maximumRuntimeInMinutes": 60,
        "environmentVariables": {"SEED": "42"},
    },
    "infrastructureConfigurationDetails": {
        "shapeName": "{{ params.shape_name }}",
        "blockStorageSizeInGBs": 50,
        "shapeConfigDetails": {"ocpus": 1, "memoryInGBs": 16},
    },
    "logConfigurationDetails": {
        "enableLogging": True,
        "enableAutoLogCreation": True,
        "logGroupId": "{{ params.log_group_id }}",
    },
}
# The steps (stepDetails): ``train`` starts once ``prepare`` succeeded.
STEP_DETAILS: list[dict[str, Any]] = [
    {
        "stepName": "prepare",
        "stepType": "CUSTOM_SCRIPT",
        "description": "Generate and summarize the training data",
        "stepConfigurationDetails": {"environmentVariables": {"ROWS": "1000"}},
    },
    {
        "stepName": "train",
        "stepType": "CUSTOM_SCRIPT",
        "description": "Train on the prepared data",
        "dependsOn": ["prepare"],
        "stepConfigurationDetails": {"environmentVariables": {"EPOCHS": "3", "LEARNING_RATE": "0.1"}},
    },
]

with DAG(
    dag_id="example_ds_pipeline",
    description="Define a two-step Data Science pipeline, run it deferred, report, and always clean up",
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
            description="Log group OCID for the pipeline's logs (on OCI: one of yours)",
        ),
        "shape_name": Param("VM.Standard.E4.Flex", type="string"),
        "epochs": Param(3, type="integer", minimum=1, description="EPOCHS of this run's train step"),
        "run_freeform_tags": Param(
            {}, type="object", description="Extra freeform tags for the pipeline run (string values)"
        ),
    },
) as dag:
    create_project = DataScienceCreateProjectOperator(
        task_id="create_project",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        display_name="airflow-example-{{ run_id }}",
        description="Created by the example_ds_pipeline DAG",
    )
    create_pipeline = DataScienceCreatePipelineOperator(
        task_id="create_pipeline",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        project_id=XComArg(create_project, key="resource_id"),
        display_name="prepare-and-train-{{ run_id }}",
        create_pipeline_details=PIPELINE_DETAILS,
        step_details=STEP_DETAILS,
        step_artifacts=STEP_ARTIFACTS,
        poll_interval=POLL_INTERVAL,
    )

    @task
    def run_details(params: dict[str, Any]) -> dict[str, Any]:
        """The run's body: the pipeline's settings are used as is, plus the extra tags."""
        return {"freeformTags": {str(k): str(v) for k, v in params["run_freeform_tags"].items()}}

    run_pipeline = DataScienceCreatePipelineRunOperator(
        task_id="run_pipeline",
        oci_conn_id=CONN_ID,
        compartment_id=COMPARTMENT_ID,
        pipeline_id=XComArg(create_pipeline, key="resource_id"),
        display_name="prepare-and-train-run-{{ run_id }}",
        create_pipeline_run_details=run_details(),
        # Per-step overrides, as {stepName: stepConfigurationDetails} (or the wire list).
        step_override_details={"train": {"environmentVariables": {"EPOCHS": "{{ params.epochs }}"}}},
        deferrable=True,
        poll_interval=POLL_INTERVAL,
        log_tail_grace=LOG_TAIL_GRACE,
        timeout=4 * 3600,
    )

    @task
    def report(run: dict[str, Any]) -> dict[str, Any]:
        """Print the finished run's state and each step's state and duration (from XCom)."""
        steps = {}
        for step in run.get("stepRuns") or []:
            started, finished = step.get("timeStarted"), step.get("timeFinished")
            seconds = None
            if started and finished:  # RFC 3339, e.g. 2026-01-01T12:00:00.123Z
                start, end = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in (started, finished))
                seconds = (end - start).total_seconds()
            steps[step["stepName"]] = {"state": step["lifecycleState"], "duration_seconds": seconds}
            print(f"Step {step['stepName']}: {step['lifecycleState']} after {seconds} s")
        print(f"Pipeline run {run['id']} ended {run['lifecycleState']}")
        return {"pipeline_run_id": run["id"], "state": run["lifecycleState"], "steps": steps}

    delete_pipeline_run = DataScienceDeletePipelineRunOperator(
        task_id="delete_pipeline_run",
        oci_conn_id=CONN_ID,
        pipeline_run_id=XComArg(run_pipeline, key="resource_id"),
        poll_interval=POLL_INTERVAL,
        trigger_rule="all_done",
    )
    delete_pipeline = DataScienceDeletePipelineOperator(
        task_id="delete_pipeline",
        oci_conn_id=CONN_ID,
        pipeline_id=XComArg(create_pipeline, key="resource_id"),
        delete_related_pipeline_runs=True,
        poll_interval=POLL_INTERVAL,
    )
    delete_project = DataScienceDeleteProjectOperator(
        task_id="delete_project",
        oci_conn_id=CONN_ID,
        project_id=XComArg(create_project, key="resource_id"),
        poll_interval=POLL_INTERVAL,
    )

    create_project >> create_pipeline >> run_pipeline >> [report(run_pipeline.output), delete_pipeline_run]
    delete_pipeline_run >> delete_pipeline.as_teardown(setups=create_project)
    delete_pipeline >> delete_project.as_teardown(setups=create_project)
