"""
### OCI Data Science: run a DAG each time a job run ends (an AssetWatcher)

Scheduled on the job's asset, ``oci-datascience://<region>/<job OCID>``, which an
``AssetWatcher`` with :class:`~airflow_ds_provider.triggers.asset_watchers.DataScienceRunCompletedTrigger`
updates: the triggerer polls the job's runs and records one asset event per run that reaches a
terminal state (SUCCEEDED, FAILED, CANCELED, NEEDS_ATTENTION), whoever started it: an OCI
schedule, the console, another DAG. ``finished_runs`` reads the events: each ``extra["payload"]`` is
the run's essentials (``id``, ``state``, ``time_finished``, ``lifecycle_details``, ``console_url``...;
docs/assets.md). On Airflow 3.3 the watcher checkpoints in the asset state store, so a triggerer
restart neither repeats nor misses a run; on 3.0-3.2 it starts afresh after a restart.

Set ``OCI_DS_EXAMPLE_WATCHED_JOB_ID``, ``OCI_DS_EXAMPLE_REGION`` (and ``OCI_DS_EXAMPLE_WATCH_INTERVAL``, seconds, default 60)
where the DAG is parsed: the watcher's arguments are fixed when the DAG is parsed. Triggered by
hand the DAG finds no event and returns an empty list.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Asset, AssetWatcher, task

from airflow_ds_provider.assets import asset_uri
from airflow_ds_provider.triggers.asset_watchers import DataScienceRunCompletedTrigger

JOB_ID = os.environ.get("OCI_DS_EXAMPLE_WATCHED_JOB_ID", "ocid1.datasciencejob.oc1.iad.example")
WATCH_INTERVAL = float(os.environ.get("OCI_DS_EXAMPLE_WATCH_INTERVAL", "60"))
REGION = os.environ.get("OCI_DS_EXAMPLE_REGION", "us-ashburn-1")

TRAINING_RUNS = Asset(
    uri=asset_uri(JOB_ID, REGION),
    name="oci-datascience-training-job-runs",
    watchers=[
        AssetWatcher(
            name="training_job_runs",
            trigger=DataScienceRunCompletedTrigger(job_id=JOB_ID, poll_interval=WATCH_INTERVAL),
        )
    ],
)

with DAG(
    dag_id="example_ds_job_run_watcher",
    description="Runs once for every run of a Data Science job that ends, however it was started",
    doc_md=__doc__,
    schedule=[TRAINING_RUNS],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["example", "oci", "data-science", "assets"],
) as dag:

    @task
    def finished_runs(triggering_asset_events: Any = None) -> list[dict[str, Any]]:
        """The job runs this DAG run is for: one dict per asset event (the run's essentials)."""
        found = []
        for events in (triggering_asset_events or {}).values():
            for event in events:
                # Airflow wraps a trigger's event: {"from_trigger": True, "payload": <the event>}
                extra = dict(event.extra.get("payload") or {})
                print(f"job run {extra.get('id')} ended {extra.get('state')} at {extra.get('time_finished')}")
                found.append(extra)
        return found

    finished_runs()
