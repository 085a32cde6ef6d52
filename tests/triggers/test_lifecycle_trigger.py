"""The trigger's real ``run()`` coroutine in an event loop against the emulator (real HTTP)."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from airflow_ds_provider.triggers import (
    DataScienceJobRunTrigger,
    DataScienceLifecycleTrigger,
    DataScienceModelDeploymentTrigger,
    DataScienceNotebookSessionTrigger,
    DataScienceWorkRequestTrigger,
)

EVENT_KEYS = {"status", "message", "resource", "resource_id", "state", "data"}
FAST = 0.05  # poll interval (s) against a speed-20 emulator
RUN_ID = "ocid1.datasciencejobrun.oc1.iad.amaaaaaarun"


async def only_event(trigger: DataScienceLifecycleTrigger) -> dict:
    """Run the trigger as the triggerer does; it must yield exactly one JSON-serializable event."""
    gen = trigger.run()
    event = await anext(gen)
    with pytest.raises(StopAsyncIteration):
        await anext(gen)
    await trigger.cleanup()
    payload = event.payload
    assert set(payload) == EVENT_KEYS
    json.dumps(payload)
    assert trigger._lease is None  # released before the event was yielded
    return payload


def soon(seconds: float = 10.0) -> float:
    return time.time() + seconds


async def polled(emu, resource_id: str, times: int = 1, timeout: float = 5.0) -> None:
    """Wait until the emulator has served ``times`` successful reads of ``resource_id``."""
    deadline = time.monotonic() + timeout
    while (
        sum(
            1
            for r in emu.requests
            if r["method"] == "GET" and r["path"].endswith(resource_id) and r["status"] == 200
        )
        < times
    ):
        assert time.monotonic() < deadline, f"{resource_id} was never polled"
        await asyncio.sleep(0.02)


async def test_job_run_success(world) -> None:
    run = world.job_run()
    event = await only_event(DataScienceJobRunTrigger(run, poll_interval=FAST, deadline=soon()))
    assert event["status"] == "success"
    assert event["state"] == "SUCCEEDED"
    assert event["resource"] == "job_run" and event["resource_id"] == run
    assert event["data"]["id"] == run and event["data"]["lifecycleState"] == "SUCCEEDED"
    assert event["message"] == f"job_run {run} reached SUCCEEDED"


@pytest.mark.parametrize("outcome", ["FAILED", "CANCELED", "NEEDS_ATTENTION"])
async def test_job_run_scripted_failure_states(world, outcome) -> None:
    details = f"the run ended {outcome.lower()}: exit code 137 (out of memory)"
    run = world.job_run(duration=2, outcome=outcome, details=details)
    event = await only_event(DataScienceJobRunTrigger(run, poll_interval=FAST, deadline=soon()))
    assert event["status"] == "failure"
    assert event["state"] == outcome
    assert details in event["message"]
    assert event["message"].startswith(f"job_run {run} reached failure state {outcome}")
    assert event["data"]["lifecycleDetails"] == details


async def test_job_run_deleted_while_waited_for(world, emu) -> None:
    run = world.job_run(duration=10_000)
    trigger = DataScienceJobRunTrigger(run, poll_interval=FAST, deadline=soon())
    task = asyncio.create_task(only_event(trigger))
    await polled(emu, run, 2)
    assert not task.done()
    emu.set_state(run, "DELETED")
    event = await asyncio.wait_for(task, 5)
    assert event["status"] == "failure" and event["state"] == "DELETED"


async def test_model_deployment_and_its_work_request_fail_with_reasons(world) -> None:
    details = "container health check failed: /health returned 500"
    deployment, work_request = world.model_deployment(duration=2, outcome="FAILED", details=details)
    md_event, wr_event = await asyncio.gather(
        only_event(DataScienceModelDeploymentTrigger(deployment, poll_interval=FAST, deadline=soon())),
        only_event(DataScienceWorkRequestTrigger(work_request, poll_interval=FAST, deadline=soon())),
    )
    assert md_event["status"] == "failure" and md_event["state"] == "FAILED"
    assert details in md_event["message"]
    assert wr_event["status"] == "failure" and wr_event["state"] == "FAILED"
    assert wr_event["resource"] == "work_request" and wr_event["data"]["id"] == work_request
    # the work request has no lifecycleDetails: its errors are listed in the message
    assert "(errors: InternalServerError: " in wr_event["message"]
    assert details in wr_event["message"]


async def test_model_deployment_work_request_and_notebook_succeed(world) -> None:
    deployment, work_request = world.model_deployment()
    notebook = world.notebook_session()
    events = await asyncio.gather(
        only_event(DataScienceModelDeploymentTrigger(deployment, poll_interval=FAST, deadline=soon())),
        only_event(DataScienceWorkRequestTrigger(work_request, poll_interval=FAST, deadline=soon())),
        only_event(DataScienceNotebookSessionTrigger(notebook, poll_interval=FAST, deadline=soon())),
    )
    assert [(e["status"], e["state"]) for e in events] == [
        ("success", "ACTIVE"),
        ("success", "SUCCEEDED"),
        ("success", "ACTIVE"),
    ]


async def test_deadline_passing_yields_timeout(world, emu) -> None:
    run = world.job_run(duration=10_000)
    deadline = soon(0.5)
    event = await only_event(DataScienceJobRunTrigger(run, poll_interval=FAST, deadline=deadline))
    assert time.time() >= deadline  # not before it
    assert event["status"] == "timeout"
    assert event["state"] in ("ACCEPTED", "IN_PROGRESS")
    assert "timed out after" in event["message"] and "deadline" in event["message"]
    assert f"last state: {event['state']}" in event["message"]
    # It polled until the deadline and stopped there: one last read at most after it (no
    # wall-clock bound, which a loaded machine breaks: the emulator's request log says it).
    reads = [r["time"] for r in emu.requests if r["operation"] == "get_job_run" and r["path"].endswith(run)]
    assert len(reads) >= 2
    assert sum(t > deadline for t in reads) <= 1, [round(t - deadline, 3) for t in reads]


async def test_restarted_trigger_keeps_its_absolute_deadline(world) -> None:
    """A deadline that passed while the trigger was down: one last read, then timeout at once."""
    pending = world.job_run(duration=10_000)
    done = world.job_run()
    await only_event(DataScienceJobRunTrigger(done, poll_interval=FAST, deadline=soon()))
    started = time.monotonic()
    late = await only_event(DataScienceJobRunTrigger(pending, poll_interval=30, deadline=time.time() - 60))
    assert late["status"] == "timeout" and late["state"] in ("ACCEPTED", "IN_PROGRESS")
    assert time.monotonic() - started < 10  # no 30 s poll sleep
    finished = await only_event(DataScienceJobRunTrigger(done, poll_interval=30, deadline=time.time() - 60))
    assert finished["status"] == "success"


async def test_a_final_state_that_is_neither_target_nor_failure_ends_the_wait(world) -> None:
    """With other target states, SUCCEEDED is never success, and a finished run never moves on:
    the wait ends at once with a failure that says so (it used to poll until the deadline)."""
    run = world.job_run()
    world.client.wait_for_state("job_run", run, poll_interval=0.02, timeout=10)
    trigger = DataScienceJobRunTrigger(
        run, target_states=["CANCELED"], failure_states=["FAILED"], poll_interval=FAST, deadline=soon(60)
    )
    started = time.monotonic()
    event = await only_event(trigger)
    assert event["status"] == "failure" and event["state"] == "SUCCEEDED"
    assert "neither a target state ['CANCELED'] nor a failure state ['FAILED']" in event["message"]
    assert time.monotonic() - started < 30  # far below the 60 s deadline it used to wait out


async def test_throttling_and_unavailability_storm_mid_wait_still_succeeds(world, emu) -> None:
    run = world.job_run(duration=20)
    trigger = DataScienceJobRunTrigger(run, poll_interval=FAST, deadline=soon(30))
    task = asyncio.create_task(only_event(trigger))
    await polled(emu, run, 2)
    assert not task.done()
    emu.inject_fault("GET", r"/jobRuns/", kind="status", status=429, count=1, retry_after=0.2)
    emu.inject_fault("GET", r"/jobRuns/", kind="status", status=503, count=1)
    event = await asyncio.wait_for(task, 20)
    assert event["status"] == "success" and event["state"] == "SUCCEEDED"
    statuses = [r["status"] for r in emu.requests if r["path"].endswith(run)]
    assert 429 in statuses and 503 in statuses
    assert statuses[-1] == 200


async def test_resource_that_disappears_is_an_error(world, emu) -> None:
    run = world.job_run(duration=10_000)
    trigger = DataScienceJobRunTrigger(run, poll_interval=FAST, deadline=soon())
    task = asyncio.create_task(only_event(trigger))
    await polled(emu, run, 2)
    emu.inject_fault("GET", rf"/jobRuns/{run}$", kind="status", status=404, count=1)
    event = await asyncio.wait_for(task, 5)
    assert event["status"] == "error"
    assert event["state"] in ("ACCEPTED", "IN_PROGRESS")  # the last state seen
    assert "was not found" in event["message"] and "404" in event["message"]


async def test_not_found_ok_turns_404_into_success(conn) -> None:
    missing = "ocid1.datasciencejobrun.oc1.iad.doesnotexist"
    gone = await only_event(DataScienceJobRunTrigger(missing, poll_interval=FAST, not_found_ok=True))
    assert gone["status"] == "success" and gone["state"] is None and gone["data"] is None
    error = await only_event(DataScienceJobRunTrigger(missing, poll_interval=FAST))
    assert error["status"] == "error" and missing in error["message"]


async def test_unreachable_service_is_an_error_without_secrets(emu, ident, monkeypatch) -> None:
    extra = {**emu.connection_extra(ident), "endpoint": "http://127.0.0.1:9", "max_attempts": 1}
    monkeypatch.setenv(
        "AIRFLOW_CONN_OCI_DS_DOWN", json.dumps({"conn_type": "oci_data_science", "extra": extra})
    )
    trigger = DataScienceJobRunTrigger("ocid1.datasciencejobrun.oc1.iad.x", oci_conn_id="oci_ds_down")
    event = await only_event(trigger)
    assert event["status"] == "error"
    assert "get_job_run" in event["message"] and "connection failed" in event["message"]
    assert "PRIVATE KEY" not in json.dumps(event)
    assert ident.private_key_pem.splitlines()[1] not in json.dumps(event)


async def test_missing_connection_is_an_error_event(monkeypatch) -> None:
    event = await only_event(
        DataScienceJobRunTrigger("ocid1.datasciencejobrun.oc1.iad.x", oci_conn_id="nope")
    )
    assert event["status"] == "error" and "nope" in event["message"]


async def _run_until_cancelled(emu, trigger: DataScienceLifecycleTrigger) -> None:
    """What the triggerer does on a user kill: cancel run(), await on_kill(), then cleanup()."""
    task = asyncio.create_task(anext(trigger.run()))
    await polled(emu, trigger.resource_id, 2)
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await trigger.on_kill()
    await trigger.cleanup()
    assert trigger._lease is None


async def test_on_kill_cancels_the_job_run(world, emu) -> None:
    run = world.job_run(duration=10_000)
    await _run_until_cancelled(emu, DataScienceJobRunTrigger(run, poll_interval=FAST, cancel_on_kill=True))
    assert emu.get(run)["lifecycleState"] in ("CANCELING", "CANCELED")
    assert any(
        r["method"] == "POST" and r["path"].endswith(f"{run}/actions/cancelJobRun") for r in emu.requests
    )


async def test_on_kill_without_cancel_on_kill_leaves_the_run_alone(world, emu) -> None:
    run = world.job_run(duration=10_000)
    await _run_until_cancelled(emu, DataScienceJobRunTrigger(run, poll_interval=FAST))
    assert emu.get(run)["lifecycleState"] in ("ACCEPTED", "IN_PROGRESS")


async def test_on_kill_after_the_run_finished_does_not_cancel(world, emu) -> None:
    run = world.job_run()
    trigger = DataScienceJobRunTrigger(run, poll_interval=FAST, cancel_on_kill=True, deadline=soon())
    assert (await only_event(trigger))["status"] == "success"
    await trigger.on_kill()  # builds its own client: run() already closed its one
    assert emu.get(run)["lifecycleState"] == "SUCCEEDED"
    assert not any(r["path"].endswith(f"{run}/actions/cancelJobRun") for r in emu.requests)


async def test_on_kill_is_best_effort(monkeypatch) -> None:
    trigger = DataScienceJobRunTrigger(
        "ocid1.datasciencejobrun.oc1.iad.x", oci_conn_id="nope", cancel_on_kill=True
    )
    await trigger.on_kill()  # the connection does not exist: logged, not raised


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"resource": "no_such_kind", "resource_id": "ocid1.x"}, "unknown resource 'no_such_kind'"),
        ({"resource": "job_run", "resource_id": ""}, "resource_id"),
        ({"resource": "job_run", "resource_id": RUN_ID, "poll_interval": 0}, "poll_interval"),
        ({"resource": "job_run", "resource_id": RUN_ID, "deadline": "tomorrow"}, "deadline"),
        (
            {
                "resource": "job_run",
                "resource_id": RUN_ID,
                "target_states": ["FAILED"],
                "failure_states": ["FAILED"],
            },
            "both target_states and failure_states",
        ),
    ],
)
def test_bad_arguments_name_the_field(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        DataScienceLifecycleTrigger(**kwargs)


async def test_a_transition_that_settles_elsewhere_ends_the_wait(world, emu) -> None:
    """Seen CREATING, then ACTIVE: a deployment never becomes INACTIVE by itself, so the trigger
    fires a failure at once instead of polling until its deadline."""
    deployment, _ = world.model_deployment(duration=10_000)
    started = time.monotonic()
    task = asyncio.create_task(
        only_event(
            DataScienceModelDeploymentTrigger(
                deployment, target_states=["INACTIVE"], poll_interval=FAST, deadline=soon(120)
            )
        )
    )
    await polled(emu, deployment, 2)  # seen CREATING
    emu.set_state(deployment, "ACTIVE")
    event = await task
    assert event["status"] == "failure" and event["state"] == "ACTIVE"
    assert "reached ACTIVE, which is neither a target state ['INACTIVE']" in event["message"]
    assert time.monotonic() - started < 60
    # seen ACTIVE from the first read: a deactivation may still come, so it waits for the deadline
    late = await only_event(
        DataScienceModelDeploymentTrigger(
            deployment, target_states=["INACTIVE"], poll_interval=FAST, deadline=soon(0.3)
        )
    )
    assert late["status"] == "timeout"


async def test_a_404_names_the_argument(world) -> None:
    missing = "ocid1.datasciencenotebooksession.oc1.iad.amaaaaaamissing"
    event = await only_event(DataScienceNotebookSessionTrigger(missing, poll_interval=FAST, deadline=soon()))
    assert event["status"] == "error"
    assert event["message"].startswith(f"notebook_session_id: notebook_session {missing} was not found")
