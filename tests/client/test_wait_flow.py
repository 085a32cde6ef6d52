"""The wait flow as a generator: which steps it asks for, and when it stops (no I/O needed).

Real-HTTP behaviour is covered through the clients (test_waiter.py, test_async_client.py,
test_wait_and_error_branches.py) and the trigger (tests/triggers/)."""

from __future__ import annotations

import pytest

from airflow_ds_provider.client.wait_flow import (
    FINAL_READ_SECONDS,
    TIMEOUT,
    Read,
    ReadWorkRequestErrors,
    Sleep,
    WaitEnd,
    wait_flow,
)
from airflow_ds_provider.lifecycle import get_lifecycle

RUN = "ocid1.datasciencejobrun.oc1.iad.run"
PENDING = {"lifecycleState": "IN_PROGRESS"}


def _steps(flow, answers):
    """Send ``answers`` in turn; return the steps seen and the WaitEnd (or None if still going)."""
    steps = [next(flow)]
    for answer in answers:
        try:
            steps.append(flow.send(answer))
        except StopIteration as stop:
            return steps, stop.value
    return steps, None


def test_bounded_reads_read_once_more_after_a_passed_deadline_then_stop_before_reading() -> None:
    left = iter([-5.0, 3.0, 0.0])
    flow = wait_flow(
        get_lifecycle("job_run"), RUN, remaining=lambda: next(left), interval=lambda: 10.0, bounded_reads=True
    )
    steps, end = _steps(flow, [PENDING, None])
    assert steps == [Read("get_job_run", {"job_run_id": RUN}, FINAL_READ_SECONDS), Sleep(3.0)]
    assert end == WaitEnd(TIMEOUT, state="IN_PROGRESS")


def test_unbounded_reads_check_the_deadline_after_each_read() -> None:
    left = iter([4.0, 0.0])
    flow = wait_flow(get_lifecycle("job_run"), RUN, remaining=lambda: next(left), interval=lambda: 1.0)
    steps, end = _steps(flow, [PENDING, None, PENDING])
    assert steps == [
        Read("get_job_run", {"job_run_id": RUN}),
        Sleep(1.0),
        Read("get_job_run", {"job_run_id": RUN}),
    ]
    assert end == WaitEnd(TIMEOUT, state="IN_PROGRESS")


def test_a_timeout_error_of_an_unbounded_read_is_not_a_deadline() -> None:
    flow = wait_flow(get_lifecycle("job_run"), RUN, remaining=lambda: 5.0, interval=lambda: 1.0)
    next(flow)
    with pytest.raises(TimeoutError):
        flow.throw(TimeoutError())


@pytest.mark.parametrize(
    ("kind", "failed", "explained"),
    [
        ("work_request", {"status": "FAILED"}, True),
        ("job_run", {"lifecycleState": "FAILED", "lifecycleDetails": "exit code 3"}, False),
    ],
)
def test_only_work_request_failures_ask_for_their_errors(kind, failed, explained) -> None:
    ocid = f"ocid1.{get_lifecycle(kind).ocid_type}.oc1.iad.x"
    flow = wait_flow(get_lifecycle(kind), ocid, remaining=lambda: 5.0, interval=lambda: 1.0)
    steps, end = _steps(flow, [failed, [{"code": "Boom", "message": "it broke"}]])
    assert (ReadWorkRequestErrors(ocid) in steps) is explained
    assert end is not None and end.status == "failure"
    assert ("(errors: Boom: it broke)" in end.message) is explained
