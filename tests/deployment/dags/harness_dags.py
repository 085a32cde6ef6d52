"""DAGs that exercise the deployment harness: a deferring task and a task that is killed once.

Both read ``marker_dir`` (and ``path`` for the deferring one) from the DAG-run conf.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG
from harness_lib import FileWaitOperator, SleepOnFirstTryOperator

with DAG(
    dag_id="harness_defer",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    is_paused_upon_creation=False,
    tags=["harness"],
):
    FileWaitOperator(
        task_id="wait_for_file",
        path="{{ dag_run.conf['path'] }}",
        marker_dir="{{ dag_run.conf['marker_dir'] }}",
        wait_seconds=300,
        retries=0,
    )

with DAG(
    dag_id="harness_retry",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    is_paused_upon_creation=False,
    tags=["harness"],
):
    SleepOnFirstTryOperator(
        task_id="sleep_then_succeed",
        marker_dir="{{ dag_run.conf['marker_dir'] }}",
        sleep_seconds=300,
        retries=1,
        retry_delay=timedelta(seconds=1),
    )
