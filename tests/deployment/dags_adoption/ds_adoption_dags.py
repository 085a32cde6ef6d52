"""Deployment-only DAGs for ``test_adoption_e2e.py``: one create task per resource kind.

The test makes what a create references (project, job, model) through the API and passes the
OCIDs in the DAG-run conf, with ``conn_id`` choosing the connection (the default one retries
HTTP calls; ``oci_no_http_retry`` makes one attempt, so a lost answer fails the try). Each task
waits in the worker and has one Airflow retry.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG

from airflow_ds_provider.operators.job_runs import DataScienceCreateJobRunOperator
from airflow_ds_provider.operators.jobs import DataScienceCreateJobOperator
from airflow_ds_provider.operators.model_deployments import DataScienceCreateModelDeploymentOperator
from airflow_ds_provider.operators.models import DataScienceCreateModelOperator
from airflow_ds_provider.operators.notebook_sessions import DataScienceCreateNotebookSessionOperator
from airflow_ds_provider.operators.projects import DataScienceCreateProjectOperator

CONF = "{{{{ dag_run.conf['{}'] }}}}".format
COMMON = {
    "oci_conn_id": "{{ dag_run.conf.get('conn_id', 'oci_data_science_default') }}",
    "retries": 1,
    "retry_delay": timedelta(seconds=1),
}
WAIT = {"poll_interval": 1, "timeout": 600, "deferrable": False}
SHAPE = "VM.Standard.E4.Flex"
CREATES = {
    "project": (DataScienceCreateProjectOperator, {"display_name": "adopt-{{ run_id }}"}),
    "job": (
        DataScienceCreateJobOperator,
        {
            "project_id": CONF("project_id"),
            "create_job_details": {
                "jobConfigurationDetails": {"jobType": "DEFAULT"},
                "jobInfrastructureConfigurationDetails": {
                    "jobInfrastructureType": "ME_STANDALONE",
                    "shapeName": SHAPE,
                    "blockStorageSizeInGBs": 50,
                },
            },
            **WAIT,
        },
    ),
    "job_run": (DataScienceCreateJobRunOperator, {"job_id": CONF("job_id"), "log_tail_grace": 0, **WAIT}),
    "model": (DataScienceCreateModelOperator, {"project_id": CONF("project_id")}),
    "model_deployment": (
        DataScienceCreateModelDeploymentOperator,
        {
            "project_id": CONF("project_id"),
            "model_id": CONF("model_id"),
            "create_model_deployment_details": {
                "modelDeploymentConfigurationDetails": {
                    "deploymentType": "SINGLE_MODEL",
                    "modelConfigurationDetails": {"instanceConfiguration": {"instanceShapeName": SHAPE}},
                }
            },
            **WAIT,
        },
    ),
    "notebook_session": (
        DataScienceCreateNotebookSessionOperator,
        {
            "project_id": CONF("project_id"),
            "create_notebook_session_details": {"notebookSessionConfigDetails": {"shape": SHAPE}},
            **WAIT,
        },
    ),
}

for kind, (operator, kwargs) in CREATES.items():
    with DAG(
        dag_id=f"ds_adopt_{kind}",
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        tags=["e2e"],
        max_active_runs=4,
    ):
        operator(task_id="create", **kwargs, **COMMON)
