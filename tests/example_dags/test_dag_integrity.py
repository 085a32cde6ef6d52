"""Every example DAG parses cleanly, offline, and is documented the way users will copy it."""

from __future__ import annotations

import socket
import warnings
import zipfile

import pytest

from ._helpers import ASSETS_DIR, EXAMPLES_DIR

EXAMPLE_IDS = {
    "example_ds_job_pipeline",
    "example_ds_model_deployment",
    "example_ds_model_registry",
    "example_ds_parallel_runs",
    "example_ds_pipeline",
    "example_ds_sensors",
}
#: Examples about Airflow Assets: scheduled on an asset (or emitting one), documented the same way.
ASSET_EXAMPLE_IDS = {
    "example_ds_job_run_watcher",
    "example_ds_model_version_asset",
    "example_ds_model_version_consumer",
}


@pytest.fixture(scope="module")
def offline_dagbag():
    """Parse the folder with no connection defined and every socket connection refused."""
    from dag_db import dag_bag_class

    DagBag = dag_bag_class()

    def refuse(self, address):
        raise AssertionError(f"an example DAG opened a network connection at parse time: {address}")

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT", raising=False)
        mp.delenv("OCI_DS_EXAMPLE_POLL_INTERVAL", raising=False)
        mp.delenv("OCI_DS_EXAMPLE_LOG_TAIL_GRACE", raising=False)
        mp.setattr(socket.socket, "connect", refuse)
        mp.setattr(socket.socket, "connect_ex", refuse)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            bag = DagBag(dag_folder=str(EXAMPLES_DIR))
    return bag, caught


def test_all_examples_import_without_errors_or_warnings(offline_dagbag):
    bag, caught = offline_dagbag
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == EXAMPLE_IDS | ASSET_EXAMPLE_IDS
    from_examples = [w for w in caught if str(EXAMPLES_DIR) in str(w.filename)]
    assert from_examples == [], [f"{w.filename}:{w.lineno}: {w.message}" for w in from_examples]
    provider = [w for w in caught if "airflow_ds_provider" in str(w.filename)]
    assert provider == [], [f"{w.filename}:{w.lineno}: {w.message}" for w in provider]


@pytest.mark.parametrize("dag_id", sorted(ASSET_EXAMPLE_IDS))
def test_asset_example_is_documented_and_tagged(offline_dagbag, dag_id):
    dag = offline_dagbag[0].dags[dag_id]
    assert {"example", "oci", "data-science", "assets"} <= set(dag.tags)
    assert dag.doc_md and "docs/assets.md" in dag.doc_md


@pytest.mark.parametrize("dag_id", sorted(EXAMPLE_IDS))
def test_example_is_documented_tagged_and_parameterized(offline_dagbag, dag_id):
    dag = offline_dagbag[0].dags[dag_id]
    assert {"example", "oci", "data-science"} <= set(dag.tags)
    assert dag.doc_md and "How to run it" in dag.doc_md and "emulator" in dag.doc_md
    assert dag.schedule is None or str(dag.timetable.summary) == "None"
    params = dag.params.dump()
    assert params["oci_conn_id"] == "oci_data_science_default"
    assert params["compartment_id"] is None
    # Default polling suits the emulator when the env var is unset.
    waits = [t for t in dag.tasks if getattr(t, "wait_for_completion", False)]
    assert waits and {t.poll_interval for t in waits} == {2.0}
    # Cleanup is declared as teardown, and every task talks through the templated connection.
    assert any(t.is_teardown for t in dag.tasks)
    for task in dag.tasks:
        if hasattr(task, "oci_conn_id"):
            assert task.oci_conn_id == "{{ params.oci_conn_id }}", task.task_id


def test_every_example_imports_only_public_provider_api():
    for path in EXAMPLES_DIR.glob("*.py"):
        text = path.read_text()
        assert "._" not in "".join(
            line for line in text.splitlines() if line.startswith(("from airflow_ds_provider", "import "))
        ), path.name
        assert "emulator" not in "".join(
            line for line in text.splitlines() if line.startswith(("from ", "import "))
        ), f"{path.name} must not import the emulator"


def test_model_artifact_zip_holds_the_shipped_sources():
    source = ASSETS_DIR / "model"
    with zipfile.ZipFile(ASSETS_DIR / "model_artifact.zip") as zf:
        assert sorted(zf.namelist()) == ["runtime.yaml", "score.py"]
        for name in zf.namelist():
            assert zf.read(name) == (source / name).read_bytes(), f"{name} in the zip is stale"
