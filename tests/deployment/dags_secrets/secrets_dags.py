"""Deployment-only DAG for ``test_connection_secrets.py``: a task that prints its connection.

``print_connection`` authenticates with the connection named in the run conf (one signed call),
then prints what a user debugging a DAG might: the extras, the password and the parsed secrets.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, task

from airflow_ds_provider._compat import BaseHook  # airflow.sdk has it from 3.1
from airflow_ds_provider.hooks.data_science import DataScienceHook

with DAG(dag_id="ds_print_connection", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):

    @task
    def print_connection(**context) -> int:
        conn_id = context["dag_run"].conf["conn_id"]
        hook = DataScienceHook(conn_id)
        status = hook.list_projects(hook.compartment_id, limit=1).status
        conn = BaseHook.get_connection(conn_id)
        print(f"extras: {conn.extra_dejson}")
        print(f"password: {conn.password}")
        print(f"parsed key: {hook.config.key_content!r}")
        print(f"parsed pass phrase: {hook.config.pass_phrase}")
        return status

    print_connection()
