"""The operator base: body helpers, retry tokens, identity tags, publishing and waiting."""

from __future__ import annotations

import datetime as dt
import json
import string
import time

import pytest
from airflow.models.taskinstance import TaskInstance
from airflow.sdk import DAG
from airflow.utils.session import create_session

from airflow_ds_provider._compat import AirflowException, AirflowFailException, TaskDeferred
from airflow_ds_provider.operators.base import (
    DataScienceBaseOperator,
    DataScienceWaitingOperator,
    airflow_identity_tags,
    ds_template_fields,
    load_body,
    merge_body,
    require_str,
    retry_token_for,
    validate_body,
    validate_fields,
)
from airflow_ds_provider.operators.projects import (
    DataScienceCreateProjectOperator,
    DataScienceUpdateProjectOperator,
)

from .conftest import make_context


class _Waiter(DataScienceWaitingOperator):
    resource = "job_run"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.timeouts: list[dict] = []

    def on_wait_timeout(self, context, event):
        self.timeouts.append(dict(event))


def test_retry_token_is_deterministic_per_try_and_salt() -> None:
    op = _Waiter(task_id="t")
    token = retry_token_for(make_context(op))
    assert len(token) == 30 and set(token) <= set(string.ascii_letters + string.digits)
    assert retry_token_for(make_context(op)) == token
    assert retry_token_for(make_context(op, try_number=2)) != token
    assert retry_token_for(make_context(op), salt="artifact") != token
    assert retry_token_for(make_context(op, map_index=3)) != token


def test_identity_tags() -> None:
    context = make_context(_Waiter(task_id="t"), map_index=4, run_id="r1", dag_id="d")
    assert airflow_identity_tags(context) == {
        "airflow-dag-id": "d",
        "airflow-task-id": "t",
        "airflow-run-id": "r1",
        "airflow-map-index": "4",
    }


def test_load_body() -> None:
    original = {"a": {"b": 1}}
    loaded = load_body(original, "body")
    loaded["a"]["b"] = 2
    assert original == {"a": {"b": 1}}  # a deep copy: the operator's attribute is not mutated
    assert load_body(' {"x": 1} ', "body") == {"x": 1}
    assert load_body(None, "body") == {} and load_body("  ", "body") == {}
    with pytest.raises(ValueError, match=r"my_body: expected a JSON object .* invalid JSON"):
        load_body("{not json", "my_body")
    with pytest.raises(ValueError, match="my_body: expected a JSON object \\(dict\\), got list"):
        load_body([1], "my_body")


def test_merge_body_keywords_win_and_tags_merge() -> None:
    body = {"displayName": "body", "freeformTags": {"a": "1", "b": "1"}, "keep": True}
    merged = merge_body(body, display_name="kw", freeform_tags={"b": "2"}, description=None, project_id="p")
    assert merged == {
        "displayName": "kw",
        "freeformTags": {"a": "1", "b": "2"},
        "keep": True,
        "projectId": "p",
    }


def test_validate_body_names_the_field() -> None:
    good = {
        "projectId": "ocid1.datascienceproject.oc1.iad.p",
        "compartmentId": "ocid1.compartment.oc1..c",
        "jobId": "ocid1.datasciencejob.oc1.iad.j",
    }
    validate_body("CreateJobRunDetails", good, "details")
    with pytest.raises(ValueError, match=r"details: CreateJobRunDetails.jobId is required \(str\)"):
        validate_body("CreateJobRunDetails", {**good, "jobId": ""}, "details")
    with pytest.raises(ValueError, match=r"details: unknown field\(s\) \['job_id'\] for CreateJobRunDetails"):
        validate_body("CreateJobRunDetails", {**good, "job_id": "j"}, "details")
    with pytest.raises(
        ValueError, match=r"cfg: JobConfigurationDetails.jobType must be one of \['DEFAULT', 'EMPTY'\]"
    ):
        validate_body("JobConfigurationDetails", {"jobType": "NOPE"}, "cfg")
    validate_fields({"a": 1}, ("a", "b"), "f")
    with pytest.raises(ValueError, match=r"f: unknown field\(s\) \['c'\]; expected some of \['a', 'b'\]"):
        validate_fields({"c": 1}, ("a", "b"), "f")
    with pytest.raises(ValueError, match=r"some_id: expected an OCID \(ocid1\.<type>.*got 3"):
        require_str(3, "some_id")


def test_template_fields_merge_without_duplicates() -> None:
    fields = ds_template_fields("region", "job_id", "job_id")
    assert fields == ("oci_conn_id", "region", "job_id")
    assert DataScienceBaseOperator.template_fields == ("oci_conn_id", "region")


def test_waiting_operator_arguments() -> None:
    with pytest.raises(ValueError, match="poll_interval: expected a positive number"):
        _Waiter(task_id="t", poll_interval=0)
    with pytest.raises(ValueError, match="timeout: expected a positive number"):
        _Waiter(task_id="t", timeout=-1)


def test_execute_complete_reads_the_event_shape() -> None:
    op = _Waiter(task_id="t")
    context = make_context(op)
    data = {"id": "r", "lifecycleState": "SUCCEEDED"}
    assert op.execute_complete(context, {"status": "success", "message": "ok", "data": data}) == data
    with pytest.raises(AirflowException, match="trigger returned no event"):
        op.execute_complete(context, None)
    with pytest.raises(AirflowException, match="boom") as raised:
        op.execute_complete(context, {"status": "error", "message": "boom"})
    assert not isinstance(raised.value, AirflowFailException)  # errors may be retried
    failed = {"id": "r", "lifecycleState": "FAILED", "lifecycleDetails": "exit 1"}
    with pytest.raises(AirflowFailException, match="job_run r reached failure state FAILED: exit 1"):
        op.execute_complete(
            context,
            {"status": "failure", "message": "job_run r reached failure state FAILED", "data": failed},
        )
    timeout = {"status": "timeout", "message": "too slow", "resource": "job_run", "resource_id": "r"}
    with pytest.raises(AirflowException, match="too slow"):
        op.execute_complete(context, timeout)
    assert op.timeouts == [timeout]


def test_wait_without_completion_returns_the_initial_data() -> None:
    op = _Waiter(task_id="t", wait_for_completion=False)
    assert op.wait(make_context(op), "r", initial={"id": "r"}) == {"id": "r"}


def test_sync_timeout_calls_on_wait_timeout_with_the_event_shape(ds) -> None:
    run = ds.job_run(ds.job(tags={"emulator-duration": "4000"}))
    op = _Waiter(task_id="t", deferrable=False, poll_interval=0.05, timeout=0.2)
    with pytest.raises(AirflowException, match="timed out after"):
        op.wait(make_context(op), run["id"])
    [event] = op.timeouts
    assert (event["status"], event["resource"], event["resource_id"]) == ("timeout", "job_run", run["id"])
    assert event["state"] in ("ACCEPTED", "IN_PROGRESS")


def test_deferrable_wait_checks_first_then_defers_with_a_deadline(ds) -> None:
    run = ds.job_run(ds.job(tags={"emulator-duration": "4000"}))
    op = _Waiter(task_id="t", deferrable=True, poll_interval=7, timeout=100)
    with pytest.raises(TaskDeferred) as deferred:
        op.wait(make_context(op), run["id"], cancel_on_kill=True)
    trigger = deferred.value.trigger
    assert (trigger.resource_id, trigger.poll_interval, trigger.cancel_on_kill) == (run["id"], 7.0, True)
    assert time.time() + 95 < trigger.deadline <= time.time() + 100
    assert deferred.value.method_name == "execute_complete"
    assert deferred.value.timeout.total_seconds() > 100  # the framework timeout is only a backstop
    # a run that has already failed fails at once, without a trigger
    ds.emu.set_state(run["id"], "FAILED")
    with pytest.raises(AirflowFailException, match="reached failure state FAILED"):
        op.wait(make_context(op), run["id"])


def test_publish_pushes_stable_keys(ds, capfd) -> None:
    op = DataScienceUpdateProjectOperator(task_id="u", project_id="p")
    context = make_context(op)
    op.publish(context, "ocid1.datascienceproject.oc1.iad.x", work_request_id="wr")
    assert "OCI Console: https://cloud.oracle.com/data-science/projects/" in capfd.readouterr().out
    assert context["ti"].xcoms == {
        "resource_id": "ocid1.datascienceproject.oc1.iad.x",
        "console_url": "https://cloud.oracle.com/data-science/projects/ocid1.datascienceproject.oc1.iad.x"
        "?region=us-ashburn-1",
        "work_request_id": "wr",
    }


def test_errors_and_logs_never_carry_the_private_key(ds, capsys) -> None:
    op = DataScienceUpdateProjectOperator(
        task_id="u", project_id="ocid1.datascienceproject.oc1.iad.missing", display_name="x"
    )
    with pytest.raises(Exception) as raised:
        op.execute(make_context(op))
    assert "404" in str(raised.value)
    secret_line = ds.ident.private_key_pem.strip().splitlines()[1]
    assert secret_line not in str(raised.value)
    assert secret_line not in capsys.readouterr().out


def test_bad_input_fails_without_retrying_but_transient_errors_retry(ds, run_dag, monkeypatch) -> None:
    """The default retry_policy: a validation error fails at once, a 503 storm is retried."""
    no_retry = dt.timedelta(seconds=0)

    def storm_on_first_try(context) -> None:
        if context["ti"].try_number == 1:
            ds.emu.inject_fault("POST", r"/projects$", status=503, count=100)
        else:
            ds.emu.clear_faults()

    with DAG("ds_retry_policy", schedule=None, start_date=dt.datetime(2026, 1, 1)) as dag:
        DataScienceCreateProjectOperator(
            task_id="bad_input", create_project_details="[1, 2]", retries=3, retry_delay=no_retry
        )
        DataScienceCreateProjectOperator(
            task_id="flaky",
            display_name="flaky",
            retries=1,
            retry_delay=no_retry,
            on_execute_callback=storm_on_first_try,
        )
    extra = {**ds.emu.connection_extra(ds.ident), "max_attempts": 1}
    monkeypatch.setenv(
        "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT", json.dumps({"conn_type": "oci_data_science", "extra": extra})
    )
    result = run_dag(dag)
    with create_session() as session:
        tries = {
            ti.task_id: (str(ti.state), ti.try_number)
            for ti in session.query(TaskInstance).filter(TaskInstance.run_id == result.run_id)
        }
    assert tries["bad_input"] == ("failed", 1)
    assert tries["flaky"] == ("success", 2)
    assert len(ds.emu.list("project")) == 1
