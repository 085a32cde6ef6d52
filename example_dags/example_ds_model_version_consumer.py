"""
### OCI Data Science: run for every new model version (an asset-scheduled DAG)

The consumer of ``example_ds_model_version_asset``: scheduled on the asset alias
``oci-datascience-model-versions``, it runs once for every model version the producer
registers. ``new_versions`` reads the triggering asset events: each ``extra`` holds the new
model's OCID (``id``), ``version_id``, ``version_label``, ``model_version_set_id``, ``region``
and ``console_url`` (docs/assets.md), which is what a validation, batch-scoring or deployment
task downstream needs. Triggered by hand it finds no event and returns an empty list.

To follow one long-lived version set instead, schedule on
``Asset("oci-datascience://<region>/<version set OCID>")`` and name that asset in the
producer's ``outlets``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, AssetAlias, task

MODEL_VERSIONS = AssetAlias("oci-datascience-model-versions")

with DAG(
    dag_id="example_ds_model_version_consumer",
    description="Runs for every model version registered by example_ds_model_version_asset",
    doc_md=__doc__,
    schedule=MODEL_VERSIONS,
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
