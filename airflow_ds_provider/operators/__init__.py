"""Operators for OCI Data Science, one module per resource.

Import them from their modules, e.g.
``from airflow_ds_provider.operators.job_runs import DataScienceCreateJobRunOperator``.
"""
