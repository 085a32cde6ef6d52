"""Triggers that wait for OCI Data Science resources to settle (one generic, thin per resource)."""

from airflow_ds_provider.triggers.job_runs import DataScienceJobRunTrigger
from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger
from airflow_ds_provider.triggers.model_deployments import DataScienceModelDeploymentTrigger
from airflow_ds_provider.triggers.notebook_sessions import DataScienceNotebookSessionTrigger
from airflow_ds_provider.triggers.work_requests import DataScienceWorkRequestTrigger

__all__ = [
    "DataScienceJobRunTrigger",
    "DataScienceLifecycleTrigger",
    "DataScienceModelDeploymentTrigger",
    "DataScienceNotebookSessionTrigger",
    "DataScienceWorkRequestTrigger",
]
