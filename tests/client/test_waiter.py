"""Pure wait logic: classification, messages, deadlines."""

from __future__ import annotations

import pytest

from airflow_ds_provider.client.errors import ResourceFailedError, WaitTimeoutError
from airflow_ds_provider.client.waiter import StateWaiter, check_state
from airflow_ds_provider.lifecycle import Outcome, get_lifecycle


def test_check_state() -> None:
    lc = get_lifecycle("job_run")
    assert check_state(lc, "r", {"lifecycleState": "SUCCEEDED"}).outcome is Outcome.SUCCESS
    failed = check_state(lc, "r", {"lifecycleState": "FAILED", "lifecycleDetails": "exit code 3"})
    assert (
        failed.outcome is Outcome.FAILURE and "exit code 3" in failed.message and "FAILED" in failed.message
    )
    assert check_state(lc, "r", {"lifecycleState": "IN_PROGRESS"}).outcome is Outcome.PENDING
    unknown = check_state(lc, "r", {"lifecycleState": "SOMETHING_NEW"})
    assert unknown.outcome is Outcome.UNKNOWN and "unknown" in unknown.message
    assert check_state(lc, "r", {}).outcome is Outcome.UNKNOWN


def test_custom_targets() -> None:
    waiter = StateWaiter.create("job_run", "r", target_states=["IN_PROGRESS"])
    assert waiter.observe({"lifecycleState": "IN_PROGRESS"}).outcome is Outcome.SUCCESS
    assert waiter.get_operation == "get_job_run" and waiter.get_args == {"job_run_id": "r"}
    waiter = StateWaiter.create("model_deployment", "m", failure_states=["INACTIVE"])
    assert waiter.observe({"lifecycleState": "INACTIVE"}).outcome is Outcome.FAILURE


def test_errors() -> None:
    waiter = StateWaiter.create("work_request", "wr", timeout=0)
    assert waiter.is_work_request
    err = waiter.failure({"status": "FAILED"}, [{"code": "InternalError", "message": "boom"}])
    assert isinstance(err, ResourceFailedError)
    assert (
        err.state == "FAILED"
        and "InternalError: boom" in str(err)
        and err.errors[0]["code"] == "InternalError"
    )
    assert waiter.next_sleep() is None
    timeout = waiter.timed_out()
    assert isinstance(timeout, WaitTimeoutError) and isinstance(timeout, TimeoutError)
    assert "wr" in str(timeout)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown resource"):
        StateWaiter.create("pipeline", "x")
    with pytest.raises(ValueError):
        StateWaiter.create("job", "")
