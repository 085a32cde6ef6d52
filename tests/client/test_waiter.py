"""Pure wait logic: classification, messages, deadlines."""

from __future__ import annotations

import threading
import time

import pytest
from lifecycle_world import conn, emu, ident, sync_client, world  # noqa: F401

from airflow_ds_provider.client.errors import ResourceFailedError, WaitTimeoutError
from airflow_ds_provider.client.waiter import StateWaiter, check_state, seconds
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
        StateWaiter.create("no_such_kind", "x")
    with pytest.raises(ValueError):
        StateWaiter.create("job", "")


def test_numbers_of_the_wrong_type_or_sign_are_named() -> None:
    with pytest.raises(
        ValueError, match=r"poll_interval: expected a non-negative number of seconds, got '5'"
    ):
        StateWaiter.create("job", "ocid1.datasciencejob.oc1.iad.j", poll_interval="5")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"timeout: expected a non-negative number of seconds, got -1"):
        StateWaiter.create("job", "ocid1.datasciencejob.oc1.iad.j", timeout=-1)
    with pytest.raises(ValueError, match=r"target_states: unknown job state\(s\) \['SUCCEEDED'\]"):
        StateWaiter.create("job", "ocid1.datasciencejob.oc1.iad.j", target_states=["SUCCEEDED"])
    assert seconds("t", 0, allow_zero=True) == 0.0 and seconds("t", None, optional=True) is None
    for bad in (0, -2, True, float("inf"), "3"):
        with pytest.raises(ValueError, match=r"^t: expected a positive number of seconds"):
            seconds("t", bad)


def test_a_stranded_state_is_a_failure_only_once_reached() -> None:
    waiter = StateWaiter.create("model_deployment", "md", target_states=["INACTIVE"])
    assert waiter.observe({"lifecycleState": "ACTIVE"}).outcome is Outcome.UNKNOWN  # an action may move it
    assert waiter.observe({"lifecycleState": "UPDATING"}).outcome is Outcome.PENDING
    stranded = waiter.observe({"lifecycleState": "ACTIVE"})
    assert stranded.outcome is Outcome.FAILURE
    assert (
        "reached ACTIVE, which is neither a target state ['INACTIVE'] nor a failure state" in stranded.message
    )
    assert "neither a target state" in str(waiter.failure({"lifecycleState": "ACTIVE"}))


def test_the_sync_wait_ends_when_a_transition_settles_elsewhere(world, emu) -> None:  # noqa: F811
    """A deployment seen CREATING that becomes ACTIVE will never be INACTIVE by itself."""
    deployment, _ = world.model_deployment(duration=10_000)

    def settle_after_two_reads() -> None:
        limit = time.monotonic() + 60
        while time.monotonic() < limit:
            reads = [r for r in emu.requests if r["method"] == "GET" and r["path"].endswith(deployment)]
            if len(reads) >= 2:
                break
            time.sleep(0.02)
        emu.set_state(deployment, "ACTIVE")

    threading.Thread(target=settle_after_two_reads, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(ResourceFailedError, match=r"reached ACTIVE, which is neither a target state") as info:
        world.client.wait_for_state(
            "model_deployment", deployment, target_states=["INACTIVE"], poll_interval=0.05, timeout=120
        )
    assert info.value.state == "ACTIVE"
    assert time.monotonic() - started < 60  # far below the 120 s timeout it used to wait out
    # seen ACTIVE from the start: an action may still deactivate it, so the wait goes on
    with pytest.raises(WaitTimeoutError):
        world.client.wait_for_state(
            "model_deployment", deployment, target_states=["INACTIVE"], poll_interval=0.05, timeout=0.3
        )
