"""Provider metadata read by Airflow's ProvidersManager (entry point ``apache_airflow_provider``)."""

from __future__ import annotations

from typing import Any


def get_provider_info() -> dict[str, Any]:
    """Return the provider description Airflow registers."""
    return {
        "package-name": "airflow-ds-provider",
        "name": "OCI Data Science",
        "description": "Oracle Cloud Infrastructure Data Science: jobs, job runs, models, model deployments.",
        "versions": ["0.1.0"],
    }
