"""
### OCI Data Science: run for every new model version (an asset-scheduled DAG)

The consumer of ``example_ds_model_version_asset``: scheduled on the model version set's asset,
``oci-datascience://<region>/<version set OCID>``, it runs once for every version the producer
registers. ``new_versions`` reads the triggering asset events: each ``extra`` holds the new
model's OCID (``id``), ``version_id``, ``version_label``, ``model_version_set_id``, ``region``
and ``console_url`` (docs/assets.md), what a validation, batch-scoring or deployment task
downstream needs. Triggered by hand it finds no event and returns an empty list.

``OCI_DS_EXAMPLE_MODEL_VERSION_SET_ID`` and ``OCI_DS_EXAMPLE_REGION`` name the set, as for the
producer.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Asset, task

from airflow_ds_provider.assets import asset_uri

VERSION_SET_ID = os.environ.get(
    "OCI_DS_EXAMPLE_MODEL_VERSION_SET_ID", "ocid1.datasciencemodelversionset.oc1.iad.example"
)
REGION = os.environ.get("OCI_DS_EXAMPLE_REGION", "us-ashburn-1")
MODEL_VERSIONS = Asset(asset_uri(VERSION_SET_ID, REGION))  # named by its URI: one asset per version set

with DAG(
    dag_id="example_ds_model_version_consumer",
    description="Runs for every model version registered by example_ds_model_version_asset",
    doc_md=__doc__,
    schedule=[MODEL_VERSIONS],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["example", "oci", "data-science", "assets"],
) as dag:

    @task
    def new_versions(triggering_asset_events: Any = None) -> list[dict[str, Any]]:
        """The registered versions this run is for: one dict per asset event (its ``extra``)."""
        found = []
        for asset, events in (triggering_asset_events or {}).items():
            for event in events:
                extra = dict(event.extra)
                print(f"{asset.uri}: model {extra.get('id')} version {extra.get('version_label')!r}")
                found.append(extra)
        return found

    new_versions()
