"""Writing a DAG defined in a test to the metadata DB, as the DAG processor would (for ``dag.test()``)."""

from __future__ import annotations

import inspect
from typing import Any


def sync_dag_to_db(dag: Any) -> None:
    """Write ``dag`` to the metadata DB, as the DAG processor would (Airflow 3.0 to 3.3)."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.collection import update_dag_parsing_results_in_db
    from airflow.serialization.serialized_objects import LazyDeserializedDAG
    from airflow.utils.session import create_session

    with create_session() as session:
        DagBundlesManager().sync_bundles_to_db(session=session)
    if hasattr(LazyDeserializedDAG, "from_dag"):
        lazy = LazyDeserializedDAG.from_dag(dag)
    else:  # Airflow 3.0
        from airflow.serialization.serialized_objects import SerializedDAG

        if getattr(dag, "relative_fileloc", None) is None:  # set by the DagBag when it parses a file
            dag.relative_fileloc = dag.fileloc
        lazy = LazyDeserializedDAG(data=SerializedDAG.to_dict(dag))
    with create_session() as session:
        if "parse_duration" in inspect.signature(update_dag_parsing_results_in_db).parameters:
            update_dag_parsing_results_in_db(
                "dags-folder", None, [lazy], {}, None, set(), session=session, files_parsed=set()
            )
        else:  # Airflow 3.0
            update_dag_parsing_results_in_db("dags-folder", None, [lazy], {}, set(), session=session)


def dag_bag_class() -> Any:
    """Airflow's ``DagBag`` (``airflow.dag_processing.dagbag`` in 3.2+, ``airflow.models.dagbag`` before)."""
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 3.0, 3.1
        from airflow.models.dagbag import DagBag  # type: ignore[no-redef]
    return DagBag
