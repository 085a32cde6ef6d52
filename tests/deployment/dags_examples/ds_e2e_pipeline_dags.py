"""Deployment-only DAGs for ``test_pipeline_e2e.py``: one pipeline run each, of a pipeline the
test made.

The test creates the project and the pipeline (and uploads its step artifacts) through the API
and passes ``pipeline_id`` in the DAG-run conf; how long each step takes and how it ends is
scripted by the pipeline's ``emulator-*`` tags. Both have one Airflow retry.

- ``ds_e2e_pipeline_sync_run``: waits in the worker (not deferred).
- ``ds_e2e_pipeline_deferred_run``: creates in the worker, then waits in the triggerer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG

from airflow_ds_provider.operators.pipeline_runs import DataScienceCreatePipelineRunOperator

PIPELINE_ID = "{{ dag_run.conf['pipeline_id'] }}"
WAITS = {"ds_e2e_pipeline_sync_run": False, "ds_e2e_pipeline_deferred_run": True}

for dag_id, deferrable in WAITS.items():
    with DAG(
        dag_id=dag_id,
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        tags=["e2e"],
    ):
        DataScienceCreatePipelineRunOperator(
            task_id="run_pipeline",
            pipeline_id=PIPELINE_ID,
            display_name=f"{dag_id}-{{{{ run_id }}}}",
            deferrable=deferrable,
            poll_interval=1,
            timeout=600,
            log_tail_grace=0,
            retries=1,
            retry_delay=timedelta(seconds=1),
        )
