"""Deployment-only DAGs for ``test_distributed_e2e.py`` (CeleryExecutor, two workers, two triggerers).

The test makes the job through the API and passes ``job_id`` in the DAG-run conf; how long its
runs take and how they end is scripted in the emulator (or set through its control API).

- ``ds_dist_mapped_runs``: ``MAPPED`` deferred job runs (dynamic task mapping), queue ``default``
  (both triggerers).
- ``ds_dist_sync_run``: one job run waited for in the worker, one retry.
- ``ds_dist_deferred_second``: one deferred job run on queue ``second``, which only
  ``triggerer-2`` consumes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG

from airflow_ds_provider.operators.job_runs import DataScienceCreateJobRunOperator

MAPPED = 40
JOB_ID = "{{ dag_run.conf['job_id'] }}"
COMMON = {"job_id": JOB_ID, "poll_interval": 2, "log_tail_grace": 0, "retry_delay": timedelta(seconds=1)}


def _dag(dag_id: str) -> DAG:
    return DAG(dag_id=dag_id, schedule=None, start_date=datetime(2026, 1, 1), catchup=False, tags=["e2e"])


with _dag("ds_dist_mapped_runs"):
    DataScienceCreateJobRunOperator.partial(
        task_id="run_job", deferrable=True, timeout=1800, retries=0, **COMMON
    ).expand(display_name=[f"mapped-{i}" for i in range(MAPPED)])

with _dag("ds_dist_sync_run"):
    DataScienceCreateJobRunOperator(
        task_id="run_job",
        display_name="sync-{{ run_id }}",
        deferrable=False,
        timeout=600,
        retries=1,
        **COMMON,
    )

with _dag("ds_dist_deferred_second"):
    DataScienceCreateJobRunOperator(
        task_id="run_job",
        display_name="second-{{ run_id }}",
        deferrable=True,
        timeout=600,
        retries=0,
        queue="second",
        **COMMON,
    )
