"""Writing a DAG defined in a test to the metadata DB, as the DAG processor would (for ``dag.test()``)."""

from __future__ import annotations

from typing import Any


def sync_dag_to_db(dag: Any) -> None:
    """Write ``dag`` to the metadata DB, as the DAG processor would."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.collection import update_dag_parsing_results_in_db
    from airflow.serialization.serialized_objects import LazyDeserializedDAG
    from airflow.utils.session import create_session

    with create_session() as session:
        DagBundlesManager().sync_bundles_to_db(session=session)
    with create_session() as session:
        update_dag_parsing_results_in_db(
            "dags-folder",
            None,
            [LazyDeserializedDAG.from_dag(dag)],
            {},
            None,
            set(),
            session=session,
            files_parsed=set(),
        )
