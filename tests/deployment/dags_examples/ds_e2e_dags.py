"""Deployment-only DAGs for ``test_examples_e2e.py``: one job run each, on a job the test made.

The test creates the project and job through the API and passes ``job_id`` in the DAG-run
conf; how long the run takes and how it ends is scripted on the job in the emulator.

- ``ds_e2e_deferred_run``: deferred wait (the trigger polls every second).
- ``ds_e2e_deferral_timeout``: deferred wait that gives up after 8 seconds.
- ``ds_e2e_sync_run``: waits in the worker (not deferred), one retry.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG

from airflow_ds_provider.operators.job_runs import DataScienceCreateJobRunOperator

JOB_ID = "{{ dag_run.conf['job_id'] }}"
WAITS = {
    "ds_e2e_deferred_run": {"deferrable": True, "timeout": 600, "retries": 0},
    "ds_e2e_deferral_timeout": {"deferrable": True, "timeout": 8, "retries": 0},
    "ds_e2e_sync_run": {"deferrable": False, "timeout": 600, "retries": 1},
}

for dag_id, wait in WAITS.items():
    with DAG(
        dag_id=dag_id,
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        tags=["e2e"],
    ):
        DataScienceCreateJobRunOperator(
            task_id="run_job",
            job_id=JOB_ID,
            display_name=f"{dag_id}-{{{{ run_id }}}}",
            poll_interval=1,
            retry_delay=timedelta(seconds=1),
            **wait,
        )
