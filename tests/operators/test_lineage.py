"""OpenLineage end to end: ``dag.test()`` runs the operators against the emulator with the
OpenLineage provider's listener writing to its ``FileTransport``; the events, their datasets and
facets are read back from the file, and the parent run from the created job run in the emulator.

The listener is only registered by these tests (without a configured transport the provider
disables itself, so the other suites never see it); without the provider installed the
end-to-end tests skip and the "behaves as before" test still runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import DAG

from airflow_ds_provider.lineage import (
    PARENT_ID_ENV,
    ROOT_PARENT_ID_ENV,
    declared_uris,
    effective_config,
    inject_parent_env,
    object_storage_dataset,
)
from airflow_ds_provider.links.urls import console_url
from airflow_ds_provider.operators.job_runs import DataScienceCreateJobRunOperator
from airflow_ds_provider.operators.model_deployments import DataScienceCreateModelDeploymentOperator
from airflow_ds_provider.operators.model_version_sets import DataScienceRegisterModelVersionOperator
from airflow_ds_provider.operators.models import (
    DataScienceCreateModelArtifactOperator,
    DataScienceCreateModelOperator,
)
from airflow_ds_provider.operators.pipeline_runs import DataScienceCreatePipelineRunOperator

from ._models_helpers import START, deployment_config
from .conftest import FAST, JOB_BODY

NAMESPACE = "test-airflow"
REGION_NS = "oci-datascience://us-ashburn-1"
IN_URI = "oci://raw@tenancyns/sales/2026/"
OUT_URI = "oci://features@tenancyns/sales"
ARG_IN = "oci://ref@tenancyns/calendar.csv"
MODEL_ID = "{{ ti.xcom_pull(task_ids='model', key='resource_id') }}"


class Events:
    """The OpenLineage events the FileTransport wrote, one JSON object per line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def all(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def of(self, dag_id: str, task_id: str, event_type: str) -> dict[str, Any]:
        """The one task event of ``event_type`` (``START``, ``COMPLETE``, ``FAIL``); a deferred
        task is "running" twice (at start and on resume): both STARTs carry one run id."""
        found = [
            e
            for e in self.all()
            if e["job"]["name"] == f"{dag_id}.{task_id}" and e["eventType"] == event_type
        ]
        if event_type == "START" and len({e["run"]["runId"] for e in found}) == 1:
            found = found[:1]
        assert len(found) == 1, (
            task_id,
            event_type,
            [(e["job"]["name"], e["eventType"]) for e in self.all()],
        )
        return found[0]


@pytest.fixture
def lineage(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Events]:
    """The OpenLineage listener, enabled for one test, writing to a file in ``tmp_path``.

    It emits from a thread (``execute_in_thread``); parametrized ``"fork"`` (indirectly), from a
    forked child as it does by default, where the facets must be built without XCom or
    connection lookups through the task's supervisor channel.
    """
    pytest.importorskip("airflow.providers.openlineage")
    from airflow.providers.openlineage import conf as ol_conf
    from airflow.providers.openlineage.plugins.listener import OpenLineageListener
    from airflow.sdk.listener import get_listener_manager

    # plugins load while lineage is still disabled, so only this listener is registered
    manager = get_listener_manager()
    path = tmp_path / "openlineage.jsonl"
    transport = {"type": "file", "log_file_path": str(path), "append": True}
    monkeypatch.setenv("AIRFLOW__OPENLINEAGE__TRANSPORT", json.dumps(transport))
    monkeypatch.setenv("AIRFLOW__OPENLINEAGE__NAMESPACE", NAMESPACE)
    in_thread = getattr(request, "param", "thread") == "thread"
    monkeypatch.setenv("AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD", str(in_thread).lower())

    def clear_conf() -> None:
        for value in vars(ol_conf).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()

    clear_conf()
    assert not ol_conf.is_disabled()
    listener = OpenLineageListener()
    manager.add_listener(listener)
    yield Events(path)
    manager.pm.unregister(listener)
    monkeypatch.undo()
    clear_conf()


def _job(ds: Any, tags: dict[str, str] | None = None) -> str:
    config = {
        "jobType": "DEFAULT",
        "environmentVariables": {"STAGE": "test", "RAW_INPUT_URI": IN_URI, "FEATURES_OUTPUT_URI": OUT_URI},
        "commandLineArguments": f"--epochs 3 --calendar-input-uri={ARG_IN}",
    }
    body = {
        **JOB_BODY,
        "jobConfigurationDetails": config,
        "projectId": ds.project(),
        "compartmentId": ds.compartment,
        "freeformTags": tags or {"emulator-duration": "4"},
    }
    job_id = ds.hook.create_job(body).data["id"]
    ds.hook.wait_for_state("job", job_id, poll_interval=0.02, timeout=10)
    return job_id


def _names(datasets: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(d["namespace"], d["name"]) for d in datasets]


@pytest.mark.parametrize("lineage", ["thread", "fork"], indirect=True)
@pytest.mark.parametrize("deferrable", [False, True], ids=["sync", "deferrable"])
def test_job_run_lineage_and_parent_run(ds, run_dag, lineage, deferrable) -> None:
    job_id = _job(ds)
    dag_id = f"ol_job_run_{deferrable}"
    with DAG(dag_id, schedule=None, start_date=START) as dag:
        DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, deferrable=deferrable, **FAST)
    result = run_dag(dag)
    assert result.state == "success", result.task_states()

    [run] = ds.emu.list("job_run")
    start, complete = lineage.of(dag_id, "run", "START"), lineage.of(dag_id, "run", "COMPLETE")
    assert _names(complete["inputs"]) == [
        (REGION_NS, job_id),
        ("oci://raw@tenancyns", "sales/2026"),
        ("oci://ref@tenancyns", "calendar.csv"),
    ]
    assert _names(complete["outputs"]) == [("oci://features@tenancyns", "sales")]
    facet = complete["run"]["facets"]["ociDataScience"]
    assert facet["ocid"] == run["id"]
    assert facet["resource"] == "job_run"
    assert facet["lifecycleState"] == "SUCCEEDED"
    assert facet["consoleUrl"] == console_url("job_run", run["id"], "us-ashburn-1")
    assert complete["run"]["facets"]["externalQuery"]["externalQueryId"] == run["id"]
    # the Airflow task's run is the parent of code inside the job run
    env = ds.hook.get_job_run(run["id"]).data["jobConfigurationOverrideDetails"]["environmentVariables"]
    assert env[PARENT_ID_ENV] == f"{NAMESPACE}/{dag_id}.run/{start['run']['runId']}"
    assert env[ROOT_PARENT_ID_ENV].startswith(f"{NAMESPACE}/{dag_id}/")
    assert env["STAGE"] == "test"  # the job's own variables are kept in the override
    override = ds.hook.get_job_run(run["id"]).data["jobConfigurationOverrideDetails"]
    assert override["commandLineArguments"] == f"--epochs 3 --calendar-input-uri={ARG_IN}"


def test_a_retried_create_sends_the_same_body_with_the_parent_run(ds, run_dag, lineage) -> None:
    """The HTTP retry after a lost response sends the first attempt's body, parent run included,
    under the same retry token, and one run exists."""
    job_id = _job(ds)
    ds.emu.inject_fault("POST", "/jobRuns$", kind="commit_then_drop", count=1)
    with DAG("ol_retried_create", schedule=None, start_date=START) as dag:
        DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, **FAST)
    assert run_dag(dag).state == "success"
    posts = [r for r in ds.emu.requests if r["operation"] == "create_job_run"]
    assert [p["fault"] for p in posts] == ["commit_then_drop", None]
    assert posts[0]["body"] == posts[1]["body"]
    env = posts[0]["body"]["jobConfigurationOverrideDetails"]["environmentVariables"]
    assert env[PARENT_ID_ENV].startswith(f"{NAMESPACE}/ol_retried_create.run/")
    assert len(ds.emu.list("job_run")) == 1


class _BuildsTwice(DataScienceCreateJobRunOperator):
    """Builds its body twice in one try (as a re-run of the same try would) and returns both."""

    def execute(self, context: Any) -> Any:
        return [self.build_body(context), self.build_body(context)]


def test_the_parent_run_is_fixed_for_a_try(ds, run_dag, lineage) -> None:
    job_id = _job(ds)
    with DAG("ol_fixed", schedule=None, start_date=START) as dag:
        _BuildsTwice(task_id="run", job_id=job_id)
    result = run_dag(dag)
    assert result.state == "success", result.task_states()
    first, second = result.xcom("run")
    assert first == second
    start = lineage.of("ol_fixed", "run", "START")
    env = first["jobConfigurationOverrideDetails"]["environmentVariables"]
    assert env[PARENT_ID_ENV] == f"{NAMESPACE}/ol_fixed.run/{start['run']['runId']}"


def test_failed_job_run_reports_its_lineage(ds, run_dag, lineage) -> None:
    job_id = _job(ds, tags={"emulator-duration": "4", "emulator-outcome": "FAILED"})
    with DAG("ol_job_run_failed", schedule=None, start_date=START) as dag:
        DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, **FAST)
    result = run_dag(dag)
    assert result.state == "failed"

    [run] = ds.emu.list("job_run")
    fail = lineage.of("ol_job_run_failed", "run", "FAIL")
    assert fail["run"]["facets"]["ociDataScience"]["ocid"] == run["id"]
    assert fail["run"]["facets"]["ociDataScience"]["lifecycleState"] == "FAILED"
    assert (REGION_NS, job_id) in _names(fail["inputs"])


def test_pipeline_run_lineage_and_parent_run(ds, run_dag, lineage, tmp_path) -> None:
    from pipeline_world import pipeline_body, scripts

    body = pipeline_body(ds, None, True)
    body["configurationDetails"] = {
        "type": "DEFAULT",
        "environmentVariables": {"RAW_INPUT_URI": IN_URI},
    }
    body["stepDetails"][-1]["stepConfigurationDetails"] = {"commandLineArguments": f"--output-uri {OUT_URI}"}
    pipeline_id = ds.hook.create_pipeline(body).data["id"]
    for name, path in scripts(tmp_path).items():
        ds.hook.create_step_artifact(pipeline_id, name, path)
    ds.hook.wait_for_state("pipeline", pipeline_id, poll_interval=0.02, timeout=10)
    with DAG("ol_pipeline_run", schedule=None, start_date=START) as dag:
        DataScienceCreatePipelineRunOperator(task_id="run", pipeline_id=pipeline_id, log_tail_grace=0, **FAST)
    result = run_dag(dag)
    assert result.state == "success", result.task_states()

    [run] = ds.emu.list("pipeline_run")
    start, complete = (
        lineage.of("ol_pipeline_run", "run", "START"),
        lineage.of("ol_pipeline_run", "run", "COMPLETE"),
    )
    assert _names(complete["inputs"]) == [(REGION_NS, pipeline_id), ("oci://raw@tenancyns", "sales/2026")]
    assert _names(complete["outputs"]) == [("oci://features@tenancyns", "sales")]
    assert complete["run"]["facets"]["ociDataScience"]["consoleUrl"] == console_url(
        "pipeline_run", run["id"], "us-ashburn-1"
    )
    env = ds.hook.get_pipeline_run(run["id"]).data["configurationOverrideDetails"]["environmentVariables"]
    assert env[PARENT_ID_ENV] == f"{NAMESPACE}/ol_pipeline_run.run/{start['run']['runId']}"
    assert env["RAW_INPUT_URI"] == IN_URI


@pytest.mark.parametrize("lineage", ["thread", "fork"], indirect=True)
def test_model_registry_and_deployment_lineage(ds, run_dag, lineage, tmp_path) -> None:
    artifact = tmp_path / "model.zip"
    artifact.write_bytes(b"PK\x03\x04 model" * 100)
    project_id = ds.project()
    set_id = ds.hook.create_model_version_set(
        {"compartmentId": ds.compartment, "projectId": project_id, "name": "churn"}
    ).data["id"]
    with DAG("ol_models", schedule=None, start_date=START) as dag:
        model = DataScienceCreateModelOperator(task_id="model", project_id=project_id)
        upload = DataScienceCreateModelArtifactOperator(
            task_id="artifact", model_id=MODEL_ID, artifact_path=str(artifact)
        )
        register = DataScienceRegisterModelVersionOperator(
            task_id="register", model_version_set_id=set_id, version_label="v1", artifact_path=str(artifact)
        )
        deploy = DataScienceCreateModelDeploymentOperator(
            task_id="deploy",
            project_id=project_id,
            model_id=MODEL_ID,
            create_model_deployment_details={"modelDeploymentConfigurationDetails": deployment_config()},
            **FAST,
        )
        model >> upload >> register >> deploy
    result = run_dag(dag)
    assert result.state == "success", result.task_states()

    model_id = result.xcom("model", "resource_id")
    version_id = result.xcom("register", "resource_id")
    [deployment] = ds.emu.list("model_deployment")
    for task_id, ocid in (("model", model_id), ("artifact", model_id), ("register", version_id)):
        complete = lineage.of("ol_models", task_id, "COMPLETE")
        assert (complete["inputs"], _names(complete["outputs"])) == ([], [(REGION_NS, ocid)]), task_id
        assert complete["run"]["facets"]["ociDataScience"]["ocid"] == ocid
    registered = lineage.of("ol_models", "register", "COMPLETE")["outputs"][0]
    assert registered["facets"]["version"]["datasetVersion"] == str(result.xcom("register", "version_id"))
    deployed = lineage.of("ol_models", "deploy", "COMPLETE")
    assert _names(deployed["inputs"]) == [(REGION_NS, model_id)]
    assert _names(deployed["outputs"]) == [(REGION_NS, deployment["id"])]
    assert deployed["run"]["facets"]["ociDataScience"]["lifecycleState"] == "ACTIVE"


def _created_run_body(ds: Any) -> dict[str, Any]:
    [create] = [r for r in ds.emu.requests if r["operation"] == "create_job_run"]
    return create["body"]


def test_without_openlineage_the_create_body_is_unchanged(ds, run_dag, monkeypatch) -> None:
    """The provider not importable (or installed but without a transport): no lineage, no
    changed body, the same run as before."""
    monkeypatch.setitem(sys.modules, "airflow.providers.openlineage", None)  # import raises ImportError
    job_id = _job(ds)
    with DAG("ol_absent", schedule=None, start_date=START) as dag:
        DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, **FAST)
    assert run_dag(dag).state == "success"
    body = _created_run_body(ds)
    assert "jobConfigurationOverrideDetails" not in body, body
    assert set(body) == {"jobId", "projectId", "compartmentId", "freeformTags"}


def test_installed_but_disabled_openlineage_changes_nothing(ds, run_dag) -> None:
    pytest.importorskip("airflow.providers.openlineage")
    from airflow.providers.openlineage import conf as ol_conf

    assert ol_conf.is_disabled()  # no transport configured outside the ``lineage`` fixture
    job_id = _job(ds)
    with DAG("ol_disabled", schedule=None, start_date=START) as dag:
        DataScienceCreateJobRunOperator(task_id="run", job_id=job_id, **FAST)
    assert run_dag(dag).state == "success"
    assert "jobConfigurationOverrideDetails" not in _created_run_body(ds)


# --- the naming and declaration conventions ------------------------------------------------------


def test_object_storage_uris_name_datasets() -> None:
    assert object_storage_dataset("oci://b@ns/a/b/") == ("oci://b@ns", "a/b")
    assert object_storage_dataset("oci://b@ns") == ("oci://b@ns", "/")
    assert object_storage_dataset("s3://b/a") is None
    assert object_storage_dataset("oci://b/a") is None


def test_declared_uris_follow_the_convention() -> None:
    env = {
        "INPUT_URI": "oci://a@n/x",
        "TRAIN_INPUT_URIS": "oci://a@n/y, oci://a@n/z",
        "MODEL_OUTPUT_URI": "oci://m@n/out",
        "NOT_AN_INPUT": "oci://a@n/ignored",
        "LOG_URI": "oci://a@n/ignored",
        "BAD_INPUT_URI": "https://example.com/x",
    }
    args = "--input-uri oci://c@n/1 --eval_output_uri=oci://c@n/2 --uri oci://c@n/ignored --x-input-uri"
    assert declared_uris(env, args) == {
        "inputs": ["oci://a@n/x", "oci://a@n/y", "oci://a@n/z", "oci://c@n/1"],
        "outputs": ["oci://m@n/out", "oci://c@n/2"],
    }
    assert declared_uris(None, "--input-uri 'unbalanced") == {"inputs": [], "outputs": []}


def test_inject_parent_env_keeps_the_job_configuration_and_a_users_own_parent() -> None:
    parent = {PARENT_ID_ENV: "ns/dag.task/1"}
    base = {"jobType": "DEFAULT", "environmentVariables": {"A": "1"}, "maximumRuntimeInMinutes": 5}
    body: dict[str, Any] = {}
    inject_parent_env(body, "cfg", parent, base)
    assert body["cfg"] == {**base, "environmentVariables": {"A": "1", **parent}}
    assert base["environmentVariables"] == {"A": "1"}  # the job's JSON is not changed
    own = {"cfg": {"jobType": "DEFAULT", "environmentVariables": {PARENT_ID_ENV: "mine"}}}
    inject_parent_env(own, "cfg", parent, base)
    assert own["cfg"]["environmentVariables"] == {PARENT_ID_ENV: "mine"}
    untouched: dict[str, Any] = {}
    inject_parent_env(untouched, "cfg", {}, base)
    assert untouched == {}


def test_a_runs_override_wins_over_its_job_configuration() -> None:
    base = {"environmentVariables": {"A": "1", "B": "1"}, "commandLineArguments": "--job"}
    assert effective_config(base, {"environmentVariables": {"B": "2"}, "commandLineArguments": "--run"}) == (
        {"A": "1", "B": "2"},
        "--run",
    )
    assert effective_config(base, None) == ({"A": "1", "B": "1"}, "--job")
    assert effective_config(None, None) == ({}, "")


def _openlineage_modules_after(*imports: str) -> set[str]:
    probe = "import sys; print(' '.join(m for m in sys.modules if 'openlineage' in m))"
    code = "\n".join([*imports, probe])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_importing_the_operators_loads_no_openlineage() -> None:
    """A DAG file pays nothing for lineage, even where the OpenLineage provider is installed.

    The baseline is the operators' base module: it reads Airflow's config, which loads every
    installed provider's ``get_provider_info`` (the OpenLineage provider's too).
    """
    base = ("import airflow_ds_provider.operators.base",)
    modules = ("job_runs", "pipeline_runs", "models", "model_version_sets", "model_deployments")
    ours = _openlineage_modules_after(*base, *(f"import airflow_ds_provider.operators.{m}" for m in modules))
    assert ours == _openlineage_modules_after(*base)
