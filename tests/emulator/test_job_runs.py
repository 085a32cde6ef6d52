"""Job-run lifecycles on the manual clock: default, scripted by tags and by the control API, cancel."""

from __future__ import annotations

import pytest
import requests


def _state(world, rid):
    return world.get("get_job_run", job_run_id=rid)


@pytest.fixture
def job(world):
    return world.job(world.project()["id"])


def test_default_path_accepted_in_progress_succeeded(world, emu, job):
    run = world.run(job)
    assert run["lifecycleState"] == "ACCEPTED"
    assert "timeStarted" not in run
    emu.advance(1)
    got = _state(world, run["id"])
    assert got["lifecycleState"] == "IN_PROGRESS"
    assert got["timeStarted"]
    emu.advance(2)
    got = _state(world, run["id"])
    assert got["lifecycleState"] == "SUCCEEDED"
    assert got["timeFinished"] >= got["timeStarted"] >= got["timeAccepted"]


@pytest.mark.parametrize(
    ("outcome", "details"),
    [("FAILED", "exit code 3"), ("NEEDS_ATTENTION", "node lost"), ("SUCCEEDED", "all good")],
)
def test_scripted_by_run_tags(world, emu, job, outcome, details):
    tags = {"emulator-duration": "10", "emulator-outcome": outcome, "emulator-details": details}
    run = world.run(job, freeformTags=tags)
    emu.advance(1 + 9)
    assert _state(world, run["id"])["lifecycleState"] == "IN_PROGRESS"
    emu.advance(1)
    got = _state(world, run["id"])
    assert (got["lifecycleState"], got["lifecycleDetails"]) == (outcome, details)


def test_failed_default_details_carry_exit_code(world, emu, job):
    run = world.run(job, freeformTags={"emulator-outcome": "failed"})
    emu.advance(5)
    assert "exit code 1" in _state(world, run["id"])["lifecycleDetails"]


def test_job_tags_apply_and_run_tags_win(world, emu):
    job = world.job(
        world.project()["id"], freeformTags={"emulator-outcome": "FAILED", "emulator-duration": "1"}
    )
    from_job = world.run(job)
    from_run = world.run(job, freeformTags={"emulator-outcome": "SUCCEEDED"})
    emu.advance(3)
    assert _state(world, from_job["id"])["lifecycleState"] == "FAILED"
    assert _state(world, from_run["id"])["lifecycleState"] == "SUCCEEDED"


def test_bad_script_tag_is_400(world, job):
    resp = world.client.op(
        "create_job_run",
        json={
            "projectId": job["projectId"],
            "compartmentId": world.comp,
            "jobId": job["id"],
            "freeformTags": {"emulator-outcome": "EXPLODED"},
        },
    )
    assert resp.status_code == 400
    assert "emulator-outcome" in resp.json()["message"]
    assert world.emu.list("job_run") == []


def test_scripted_by_control_api_for_run_and_job(world, emu, job):
    run = world.run(job)
    emu.script_job_run(run["id"], duration=30, outcome="NEEDS_ATTENTION", details="stuck")
    emu.advance(20)
    assert _state(world, run["id"])["lifecycleState"] == "IN_PROGRESS"
    emu.advance(15)
    assert _state(world, run["id"])["lifecycleDetails"] == "stuck"
    emu.script_job_run(job["id"], outcome="FAILED")
    later = world.run(job)
    emu.advance(5)
    assert _state(world, later["id"])["lifecycleState"] == "FAILED"


def test_control_api_over_http(world, emu, job):
    run = world.run(job)
    resp = requests.post(
        f"{emu.url}/_emulator/script/job-run", json={"id": run["id"], "outcome": "FAILED"}, timeout=5
    )
    assert resp.status_code == 200, resp.text
    assert requests.post(f"{emu.url}/_emulator/advance", json={"seconds": 10}, timeout=5).status_code == 200
    assert _state(world, run["id"])["lifecycleState"] == "FAILED"
    state = requests.post(
        f"{emu.url}/_emulator/state", json={"id": run["id"], "state": "SUCCEEDED"}, timeout=5
    )
    assert state.json()["lifecycleState"] == "SUCCEEDED"
    assert (
        requests.post(
            f"{emu.url}/_emulator/state", json={"id": run["id"], "state": "NOPE"}, timeout=5
        ).status_code
        == 400
    )
    got = requests.get(f"{emu.url}/_emulator/resources/{run['id']}", timeout=5).json()
    assert got["id"] == run["id"]
    listed = requests.get(f"{emu.url}/_emulator/resources", params={"kind": "job_run"}, timeout=5).json()
    assert [r["id"] for r in listed] == [run["id"]]
    assert requests.get(f"{emu.url}/_emulator/health", timeout=5).json()["status"] == "ok"
    assert requests.post(f"{emu.url}/_emulator/nope", timeout=5).status_code == 404


@pytest.mark.parametrize("when", [0, 1.5])
def test_cancel_path(world, emu, job, when):
    run = world.run(job)
    emu.advance(when)
    world.client.op("cancel_job_run", job_run_id=run["id"], expect=202)
    assert _state(world, run["id"])["lifecycleState"] == "CANCELING"
    emu.advance(1)
    got = _state(world, run["id"])
    assert got["lifecycleState"] == "CANCELED"
    assert got["timeFinished"]


def test_cancel_finished_run_is_409(world, emu, job):
    run = world.run(job)
    emu.advance(5)
    resp = world.client.op("cancel_job_run", job_run_id=run["id"])
    assert resp.status_code == 409
    assert resp.json()["code"] == "IncorrectState"


def test_delete_needs_finished_run(world, emu, job):
    run = world.run(job)
    assert world.client.op("delete_job_run", job_run_id=run["id"]).status_code == 409
    emu.advance(5)
    world.client.op("delete_job_run", job_run_id=run["id"], expect=204)
    assert _state(world, run["id"])["lifecycleState"] == "DELETED"


def test_set_state_forces_a_state(world, emu, job):
    run = world.run(job)
    emu.set_state(run["id"], "NEEDS_ATTENTION")
    emu.advance(100)
    assert _state(world, run["id"])["lifecycleState"] == "NEEDS_ATTENTION"
    with pytest.raises(ValueError):
        emu.set_state(run["id"], "BOGUS")


def test_run_of_missing_job_is_404(world):
    resp = world.client.op(
        "create_job_run",
        json={
            "projectId": world.project()["id"],
            "compartmentId": world.comp,
            "jobId": "ocid1.datasciencejob.oc1.iad.amaaaaaanope",
        },
    )
    assert resp.status_code == 404
    assert resp.json()["code"] == "NotAuthorizedOrNotFound"


def test_log_details_from_job_and_override(world, emu):
    project = world.project()
    group = "ocid1.loggroup.oc1.iad.amaaaaaagroup"
    job = world.job(
        project["id"],
        jobLogConfigurationDetails={
            "enableLogging": True,
            "enableAutoLogCreation": True,
            "logGroupId": group,
        },
    )
    first, second = world.run(job), world.run(job)
    assert first["logDetails"]["logGroupId"] == group
    assert first["logDetails"]["logId"] == second["logDetails"]["logId"]
    assert first["logDetails"]["logId"].startswith("ocid1.log.oc1.iad.")
    override = world.run(
        job,
        jobLogConfigurationOverrideDetails={
            "enableLogging": True,
            "logGroupId": group,
            "logId": "ocid1.log.oc1.iad.amaaaaaamine",
        },
    )
    assert override["logDetails"]["logId"] == "ocid1.log.oc1.iad.amaaaaaamine"
    no_logs = world.run(world.job(project["id"]))
    assert "logDetails" not in no_logs
    bad = world.client.op(
        "create_job_run",
        json={
            "projectId": project["id"],
            "compartmentId": world.comp,
            "jobId": job["id"],
            "jobLogConfigurationOverrideDetails": {"enableLogging": True, "logGroupId": group},
        },
    )
    assert bad.status_code == 400 and "logId" in bad.json()["message"]


def test_delete_job_with_live_runs(world, emu, job):
    emu.advance(1)
    world.run(job)
    resp = world.client.op("delete_job", job_id=job["id"])
    assert resp.status_code == 409
    resp = world.client.op(
        "delete_job", job_id=job["id"], params={"deleteRelatedJobRuns": "true"}, expect=202
    )
    emu.advance(2)
    assert world.get("get_job", job_id=job["id"])["lifecycleState"] == "DELETED"
    assert {r["lifecycleState"] for r in emu.list("job_run")} == {"DELETED"}
    wr = world.get("get_work_request", work_request_id=resp.headers["opc-work-request-id"])
    assert wr["status"] == "SUCCEEDED" and wr["operationType"] == "JOB_DELETE"
