"""Sensors that wait for OCI Data Science resources (one generic, thin per resource)."""

from airflow_ds_provider.sensors.job_runs import DataScienceJobRunSensor
from airflow_ds_provider.sensors.lifecycle import DataScienceLifecycleSensor
from airflow_ds_provider.sensors.model_deployments import DataScienceModelDeploymentSensor
from airflow_ds_provider.sensors.notebook_sessions import DataScienceNotebookSessionSensor
from airflow_ds_provider.sensors.work_requests import DataScienceWorkRequestSensor

__all__ = [
    "DataScienceJobRunSensor",
    "DataScienceLifecycleSensor",
    "DataScienceModelDeploymentSensor",
    "DataScienceNotebookSessionSensor",
    "DataScienceWorkRequestSensor",
]
