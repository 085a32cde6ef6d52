"""Pipeline runs on the emulator's manual clock, through the hook: steps in dependency order,
parallel branches, a failing step, cancel, scripts, ML_JOB steps as job runs, delete rules.

Default timings: the run is IN_PROGRESS 1 s after it is accepted; a step is IN_PROGRESS 0.5 s
after it is ACCEPTED and runs 2 s unless scripted (``emulator-duration``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from airflow_ds_provider.client.errors import BadRequestError, ConflictError, NotFoundError

from .pipeline_helpers import Pipes, container_step, job_step, script_step
from .validator import validate_response


@pytest.fixture
def pipes(emu, ident, monkeypatch) -> Pipes:
    return Pipes(emu, ident, monkeypatch)


def _timer(emu) -> Callable[[float], None]:
    """``at(seconds)`` moves the manual clock to ``seconds`` after now."""
    start = emu.clock.now()

    def at(seconds: float) -> None:
        emu.advance(start + seconds - emu.clock.now())

    return at


def test_steps_run_in_dependency_order(pipes: Pipes, emu) -> None:
    pid = pipes.active([script_step("a"), script_step("b", "a"), container_step("c", "b")])["id"]
    at = _timer(emu)
    run = pipes.run(pid)
    rid = run["id"]
    assert run["lifecycleState"] == "ACCEPTED" and "timeStarted" not in run
    assert {s["stepName"]: s["lifecycleState"] for s in run["stepRuns"]} == dict.fromkeys("abc", "WAITING")
    expected = [
        (0.9, "ACCEPTED", "WAITING", "WAITING", "WAITING"),
        (1.0, "IN_PROGRESS", "ACCEPTED", "WAITING", "WAITING"),
        (1.5, "IN_PROGRESS", "IN_PROGRESS", "WAITING", "WAITING"),
        (3.5, "IN_PROGRESS", "SUCCEEDED", "ACCEPTED", "WAITING"),
        (4.0, "IN_PROGRESS", "SUCCEEDED", "IN_PROGRESS", "WAITING"),
        (6.0, "IN_PROGRESS", "SUCCEEDED", "SUCCEEDED", "ACCEPTED"),
        (8.4, "IN_PROGRESS", "SUCCEEDED", "SUCCEEDED", "IN_PROGRESS"),
        (8.5, "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"),
    ]
    for seconds, state, *steps in expected:
        at(seconds)
        data = pipes.get_run(rid)
        validate_response("PipelineRun", data)
        assert (data["lifecycleState"], *(s["lifecycleState"] for s in data["stepRuns"])) == (
            state,
            *steps,
        ), seconds
    done = pipes.get_run(rid)
    a, b, c = done["stepRuns"]
    assert a["timeFinished"] <= b["timeStarted"] < b["timeFinished"] <= c["timeStarted"]
    assert done["timeStarted"] < a["timeStarted"] and done["timeFinished"] == c["timeFinished"]
    assert "lifecycleDetails" not in done
    emu.advance(3600)
    assert pipes.get_run(rid)["lifecycleState"] == "SUCCEEDED"


def test_independent_branches_run_in_parallel(pipes: Pipes, emu) -> None:
    # a -> (b, c -> x) -> d: d waits for b and for x, which waits for c
    steps = [
        script_step("a"),
        script_step("b", "a"),
        script_step("c", "a"),
        container_step("x", "c"),
        script_step("d", "b", "x"),
    ]
    pid = pipes.active(steps, freeformTags={"emulator-duration.b": "1", "emulator-duration.c": "4"})["id"]
    at = _timer(emu)
    rid = pipes.run(pid)["id"]
    at(4.0)  # a ended at 3.5; b and c started together
    expected = {"a": "SUCCEEDED", "b": "IN_PROGRESS", "c": "IN_PROGRESS", "x": "WAITING", "d": "WAITING"}
    assert pipes.steps(rid) == expected
    at(5.0)  # b ended at 5.0; c runs until 8.0
    assert pipes.steps(rid) == {**expected, "b": "SUCCEEDED"}
    at(8.0)  # c ended: x starts, d still waits for it
    assert pipes.steps(rid) == {**expected, "b": "SUCCEEDED", "c": "SUCCEEDED", "x": "ACCEPTED"}
    at(10.4)
    assert pipes.steps(rid)["d"] == "WAITING"
    at(10.5)  # x ended
    assert pipes.steps(rid)["d"] == "ACCEPTED"
    at(13.0)
    data = pipes.get_run(rid)
    assert data["lifecycleState"] == "SUCCEEDED"
    runs = {s["stepName"]: s for s in data["stepRuns"]}
    assert runs["b"]["timeStarted"] == runs["c"]["timeStarted"]
    assert (
        runs["d"]["timeStarted"]
        > runs["x"]["timeFinished"]
        > runs["c"]["timeFinished"]
        > runs["b"]["timeFinished"]
    )


def test_every_step_type_runs(pipes: Pipes, emu) -> None:
    dataflow = {
        "stepType": "DATAFLOW",
        "stepName": "flow",
        "applicationId": "ocid1.dataflowapplication.oc1.iad.amaaaaaaapp",
        "dependsOn": ["script", "job"],
        "stepDataflowConfigurationDetails": {"driverShape": "VM.Standard.E4.Flex", "numExecutors": 2},
    }
    steps = [script_step("script"), job_step("job", pipes.job()), container_step("box", "script"), dataflow]
    rid = pipes.run(pipes.active(steps)["id"])["id"]
    emu.advance(30)
    data = pipes.get_run(rid)
    validate_response("PipelineRun", data)
    assert data["lifecycleState"] == "SUCCEEDED"
    assert {s["stepType"]: s["lifecycleState"] for s in data["stepRuns"]} == {
        "CUSTOM_SCRIPT": "SUCCEEDED",
        "ML_JOB": "SUCCEEDED",
        "CONTAINER": "SUCCEEDED",
        "DATAFLOW": "SUCCEEDED",
    }
    validate_response("Pipeline", pipes.get(data["pipelineId"]))


def test_a_failed_step_fails_the_run_and_its_dependents_never_start(pipes: Pipes, emu) -> None:
    steps = [
        script_step("a"),
        script_step("b", "a"),
        script_step("c", "a"),
        script_step("d", "b"),
        script_step("e", "c"),
    ]
    tags = {"emulator-duration.b": "1", "emulator-duration.c": "4"}
    pid = pipes.active(steps, freeformTags=tags)["id"]
    at = _timer(emu)
    run_tags = {"emulator-outcome.b": "failed", "emulator-details.b": "out of memory"}
    rid = pipes.run(pid, freeformTags=run_tags)["id"]
    at(5.0)  # b fails at 5.0: d (after b) and e (after c, which ends later) never start
    assert pipes.steps(rid) == {
        "a": "SUCCEEDED",
        "b": "FAILED",
        "c": "IN_PROGRESS",
        "d": "SKIPPED",
        "e": "SKIPPED",
    }
    assert pipes.get_run(rid)["lifecycleState"] == "IN_PROGRESS"
    at(8.0)  # the running branch finishes; then the run fails
    data = pipes.get_run(rid)
    validate_response("PipelineRun", data)
    assert data["lifecycleState"] == "FAILED"
    assert data["lifecycleDetails"] == "Step b failed: out of memory"
    runs = {s["stepName"]: s for s in data["stepRuns"]}
    assert runs["c"]["lifecycleState"] == "SUCCEEDED" and runs["b"]["lifecycleDetails"] == "out of memory"
    assert runs["e"]["lifecycleState"] == "SKIPPED" and "timeFinished" in runs["e"]


def test_cancel_mid_run(pipes: Pipes, emu) -> None:
    pid = pipes.active([script_step("a"), script_step("b", "a")])["id"]
    at = _timer(emu)
    rid = pipes.run(pid, freeformTags={"emulator-logs": "one\ntwo\nthree"})["id"]
    at(2.0)
    assert pipes.hook.cancel_pipeline_run(rid).status == 200
    data = pipes.get_run(rid)
    assert data["lifecycleState"] == "CANCELING"
    assert pipes.steps(rid) == {"a": "CANCELING", "b": "WAITING"}
    emu.advance(1)
    data = pipes.get_run(rid)
    validate_response("PipelineRun", data)
    assert data["lifecycleState"] == "CANCELED" and data["timeFinished"]
    assert pipes.steps(rid) == {"a": "CANCELED", "b": "CANCELED"}
    emu.advance(3600)
    assert pipes.steps(rid) == {"a": "CANCELED", "b": "CANCELED"}
    # only the line a wrote before the cancel (at 2.0 of a's 1.5-3.5) was kept
    assert pipes.lines(f"source = '*{rid}'") == ["one"]
    # cancelling again: 409 IncorrectState, which the client reads as already done
    assert pipes.hook.cancel_pipeline_run(rid).recovered
    done = pipes.run(pid)["id"]
    emu.advance(30)
    with pytest.raises(ConflictError, match="cannot cancel pipeline run in state SUCCEEDED"):
        pipes.hook.cancel_pipeline_run(done)


def test_a_graceful_cancel_ends_the_run_succeeded(pipes: Pipes, emu) -> None:
    job_id = pipes.job()
    pid = pipes.active([job_step("a", job_id), script_step("b", "a"), job_step("c", job_id, "b")])["id"]
    at = _timer(emu)
    rid = pipes.run(pid)["id"]
    at(2.0)
    job_runs = pipes.hook.list_all_job_runs(pipes.comp, job_id=job_id)
    assert pipes.hook.cancel_pipeline_run(rid, terminate_gracefully="true").status == 200
    assert pipes.get_run(rid)["lifecycleState"] == "CANCELING"
    assert pipes.steps(rid) == {"a": "IN_PROGRESS", "b": "WAITING", "c": "WAITING"}
    emu.advance(1)
    data = pipes.get_run(rid)
    validate_response("PipelineRun", data)
    assert data["lifecycleState"] == "SUCCEEDED"
    assert pipes.steps(rid) == {"a": "SUCCEEDED", "b": "SKIPPED", "c": "SKIPPED"}
    by_step = {s["stepName"]: s.get("jobRunId") for s in data["stepRuns"]}
    states = {r["id"]: pipes.hook.get_job_run(r["id"]).data["lifecycleState"] for r in job_runs}
    assert states[by_step["a"]] == "SUCCEEDED" and set(states.values()) == {"SUCCEEDED", "CANCELED"}


def test_scripts_tags_on_the_pipeline_and_the_run(pipes: Pipes, emu) -> None:
    steps = [container_step("a"), container_step("b", "a")]
    tags = {
        "emulator-duration": "1",
        "emulator-outcome.b": "SUCCEEDED",
        "emulator-details.a": "from pipeline",
    }
    pid = pipes.active(steps, freeformTags=tags)["id"]
    at = _timer(emu)
    rid = pipes.run(pid, freeformTags={"emulator-outcome.b": "FAILED", "emulator-duration.b": "10"})["id"]
    at(2.5)  # a: 1.0-1.5 accepted, 1 s running
    runs = {s["stepName"]: s for s in pipes.get_run(rid)["stepRuns"]}
    assert runs["a"]["lifecycleState"] == "SUCCEEDED" and runs["a"]["lifecycleDetails"] == "from pipeline"
    at(12.9)
    assert pipes.steps(rid)["b"] == "IN_PROGRESS"
    at(13.0)
    assert pipes.steps(rid)["b"] == "FAILED" and pipes.get_run(rid)["lifecycleState"] == "FAILED"


@pytest.mark.parametrize(
    ("tags", "field"),
    [
        ({"emulator-outcome": "NEEDS_ATTENTION"}, "freeformTags.emulator-outcome"),
        ({"emulator-outcome.a": "CANCELED"}, "freeformTags.emulator-outcome.a"),
        ({"emulator-duration.a": "soon"}, "freeformTags.emulator-duration.a"),
        ({"emulator-outcome.zz": "FAILED"}, "freeformTags.emulator-outcome.zz"),
    ],
)
def test_bad_scripts_are_named(pipes: Pipes, tags, field) -> None:
    pid = pipes.active([container_step("a")])["id"]
    with pytest.raises(BadRequestError) as err:
        pipes.run(pid, freeformTags=tags)
    assert err.value.message.startswith(f"{field}: ")
    assert pipes.hook.list_pipeline_runs(pipes.comp).data == []
    with pytest.raises(BadRequestError) as err:
        pipes.pipeline([container_step("a")], freeformTags=tags)
    assert err.value.message.startswith(f"{field}: ")


def test_log_lines_per_step(pipes: Pipes, emu) -> None:
    from airflow_ds_provider.logs.search import from_ms, job_run_query, search_logs

    job_id = pipes.job()
    steps = [script_step("a"), job_step("j", job_id), container_step("c", "a")]
    tags = {"emulator-logs.a": "a1\na2", "emulator-logs.j": "j1", "emulator-logs.c": "c1"}
    pipeline = pipes.active(steps, freeformTags=tags)
    at = _timer(emu)
    rid = pipes.run(pipeline["id"])["id"]
    at(7.0)  # a wrote its lines at ~2.2 and ~2.8 of its 1.5-3.5; ingestion takes 5 s
    where = f"source = '*{rid}'"
    assert pipes.lines(f"{where} and subject = 'a'") == []
    at(7.5)
    assert pipes.lines(f"{where} and subject = 'a'") == ["a1"]
    at(30)
    assert pipes.lines(f"{where} and subject = 'a'") == ["a1", "a2"]
    assert pipes.lines(f"{where} and subject = 'c'") == ["c1"]
    assert pipes.lines(where) == ["a1", "a2", "c1"]
    run = pipes.get_run(rid)
    job_run = next(s["jobRunId"] for s in run["stepRuns"] if s["stepName"] == "j")
    log = run["logDetails"]
    assert pipes.lines(f"source = '*{job_run}' and subject = 'j'") == ["j1"]
    # the query ADS builds for a run's steps: custom steps by subject, ML_JOB steps by job run
    ads = f"(source = '*{rid}' AND (subject = 'a' OR subject = 'c')) OR source = '*{job_run}'"
    assert pipes.lines(ads) == ["a1", "j1", "a2", "c1"]
    assert pipes.lines(f"subject = 'c' or (subject = 'j' and source = '*{job_run}')") == ["j1", "c1"]
    for bad in (f"source = '*{rid}' and", f"(source = '*{rid}'", "subject = 'a' or or subject = 'c'"):
        with pytest.raises(BadRequestError, match="searchQuery: unsupported query"):
            pipes.lines(bad)
    # the logs package finds an ML_JOB step's lines as a job run's
    now = emu.clock.now()
    query = job_run_query(pipes.comp, log["logGroupId"], log["logId"], job_run)
    records = search_logs(pipes.hook, query, from_ms(int((now - 3600) * 1000)), from_ms(int(now * 1000)))
    assert [r.message for r in records] == ["j1"]


def test_an_ml_job_step_runs_as_a_job_run_of_its_job(pipes: Pipes, emu) -> None:
    job_id = pipes.job(freeformTags={"emulator-outcome": "FAILED", "emulator-details": "exit 3"})
    pid = pipes.active([{**job_step("train", job_id), "stepRunName": "training"}])["id"]
    at = _timer(emu)
    rid = pipes.run(pid)["id"]
    step = pipes.get_run(rid)["stepRuns"][0]
    assert step["stepRunName"] == "training" and "jobRunId" not in step
    at(1.0)
    step = pipes.get_run(rid)["stepRuns"][0]
    job_run = pipes.hook.get_job_run(step["jobRunId"]).data
    validate_response("JobRun", job_run)
    assert (job_run["jobId"], job_run["lifecycleState"], job_run["displayName"]) == (
        job_id,
        "ACCEPTED",
        "training",
    )
    assert job_run["logDetails"] == pipes.get_run(rid)["logDetails"]
    at(1.5)
    assert pipes.hook.get_job_run(step["jobRunId"]).data["lifecycleState"] == "IN_PROGRESS"
    at(3.5)
    job_run = pipes.hook.get_job_run(step["jobRunId"]).data
    assert (job_run["lifecycleState"], job_run["lifecycleDetails"]) == ("FAILED", "exit 3")
    data = pipes.get_run(rid)
    assert data["lifecycleState"] == "FAILED" and data["stepRuns"][0]["lifecycleDetails"] == "exit 3"


@pytest.mark.parametrize("job_runs", [True, False])
def test_delete_rules(pipes: Pipes, emu, job_runs: bool) -> None:
    pid = pipes.active([job_step("j", pipes.job())])["id"]
    rid = pipes.run(pid)["id"]
    with pytest.raises(ConflictError, match="cancel it first"):
        pipes.hook.delete_pipeline_run(rid)
    emu.advance(30)
    job_run = pipes.get_run(rid)["stepRuns"][0]["jobRunId"]
    assert pipes.hook.delete_pipeline_run(rid, delete_related_job_runs=job_runs).status == 204
    assert pipes.get_run(rid)["lifecycleState"] == "DELETING"
    emu.advance(1)
    assert pipes.get_run(rid)["lifecycleState"] == "DELETED"
    state = pipes.hook.get_job_run(job_run).data["lifecycleState"]
    assert state == ("DELETED" if job_runs else "SUCCEEDED")
    with pytest.raises(ConflictError, match="DELETED"):
        pipes.hook.update_pipeline_run(rid, {"displayName": "late"})
    assert pipes.hook.delete_pipeline_run(rid).recovered  # 409: already deleted


def test_run_body_rules_and_overrides(pipes: Pipes, emu) -> None:
    hook = pipes.hook
    config = {"type": "DEFAULT", "maximumRuntimeInMinutes": 60}
    pipeline = pipes.active([container_step("a"), container_step("b")], configurationDetails=config)
    pid = pipeline["id"]
    step_config = {"stepConfigurationDetails": {"environmentVariables": {"X": "1"}}}
    cases = [
        (
            {"stepOverrideDetails": [{"stepName": "zz", **step_config}]},
            "stepOverrideDetails[0].stepName: 'zz'",
        ),
        (
            {"stepOverrideDetails": [{"stepName": "a", **step_config}, {"stepName": "a", **step_config}]},
            "stepOverrideDetails[1].stepName: step 'a' is overridden twice",
        ),
        (
            {"stepOverrideDetails": [{"stepName": "a"}]},
            "stepOverrideDetails[0].stepConfigurationDetails: is required",
        ),
        (
            {"logConfigurationOverrideDetails": {"enableLogging": True}},
            "logConfigurationOverrideDetails.logGroupId: is required",
        ),
    ]
    for extra, message in cases:
        with pytest.raises(BadRequestError) as err:
            pipes.run(pid, **extra)
        assert err.value.message.startswith(message), err.value.message
    with pytest.raises(NotFoundError, match="pipelineId"):
        pipes.run("ocid1.datasciencepipeline.oc1.iad.amaaaaaamissing")
    with pytest.raises(NotFoundError, match="projectId"):
        pipes.run(pid, projectId="ocid1.datascienceproject.oc1.iad.amaaaaaamissing")
    overrides = {"stepName": "a", **step_config}
    auto = {
        "enableLogging": True,
        "enableAutoLogCreation": True,
        "logGroupId": "ocid1.loggroup.oc1.iad.amaaaaaag2",
    }
    run = pipes.run(pid, stepOverrideDetails=[overrides], logConfigurationOverrideDetails=auto)
    validate_response("PipelineRun", run)
    assert run["projectId"] == pipeline["projectId"] and run["configurationDetails"] == config
    assert run["stepOverrideDetails"] == [overrides]
    assert run["logDetails"]["logGroupId"] == auto["logGroupId"] and run["logDetails"]["logId"].startswith(
        "ocid1.log."
    )
    again = pipes.run(pid, logConfigurationOverrideDetails=auto)
    assert again["logDetails"] == run["logDetails"]  # one auto-created log per pipeline and group
    quiet = pipes.run(pid, logConfigurationOverrideDetails={"enableLogging": False})
    assert "logDetails" not in quiet
    token = hook.create_pipeline_run({"compartmentId": pipes.comp, "pipelineId": pid}, opc_retry_token="tok1")
    same = hook.create_pipeline_run({"compartmentId": pipes.comp, "pipelineId": pid}, opc_retry_token="tok1")
    assert same.data["id"] == token.data["id"]
    with pytest.raises(ConflictError, match="InvalidatedRetryToken"):
        hook.create_pipeline_run(
            {"compartmentId": pipes.comp, "pipelineId": pid, "displayName": "x"}, opc_retry_token="tok1"
        )
    other = pipes.run(pipes.active([container_step("z")])["id"])["id"]
    listed = {r["id"] for r in hook.list_all_pipeline_runs(pipes.comp, pipeline_id=pid)}
    assert len(listed) == 4 and other not in listed
    emu.advance(30)
    assert {r["lifecycleState"] for r in hook.list_all_pipeline_runs(pipes.comp, pipeline_id=pid)} == {
        "SUCCEEDED"
    }
    assert hook.list_all_pipeline_runs(pipes.comp, lifecycle_state="FAILED") == []
    hook.delete_pipeline(pid, delete_related_pipeline_runs="true")
    with pytest.raises(ConflictError, match="DELETING"):
        pipes.run(pid)
