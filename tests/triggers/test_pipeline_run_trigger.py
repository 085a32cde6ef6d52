"""DataSciencePipelineRunTrigger: one event with the run's JSON, and cancel on kill."""

from __future__ import annotations

from pipeline_world import start_run

from airflow_ds_provider.triggers import DataSciencePipelineRunTrigger


async def _fire(trigger: DataSciencePipelineRunTrigger) -> dict:
    gen = trigger.run()
    event = await anext(gen)
    await gen.aclose()
    return event.payload


async def test_the_event_carries_the_run_and_its_steps(world, conn, tmp_path) -> None:
    run = start_run(world, tmp_path, **{"emulator-duration": "4"})
    event = await _fire(DataSciencePipelineRunTrigger(run, poll_interval=0.05))
    assert (event["status"], event["resource"], event["resource_id"]) == ("success", "pipeline_run", run)
    assert [s["lifecycleState"] for s in event["data"]["stepRuns"]] == ["SUCCEEDED", "SUCCEEDED"]


async def test_a_failed_step_is_a_failure_event_with_details(world, conn, tmp_path) -> None:
    run = start_run(
        world, tmp_path, **{"emulator-outcome.train": "FAILED", "emulator-details.train": "bad data"}
    )
    event = await _fire(DataSciencePipelineRunTrigger(run, poll_interval=0.05))
    assert event["status"] == "failure" and event["state"] == "FAILED"
    assert "bad data" in event["message"]


async def test_on_kill_cancels_only_with_cancel_on_kill(world, conn, emu, tmp_path) -> None:
    run = start_run(world, tmp_path, **{"emulator-duration": "4000"})
    await DataSciencePipelineRunTrigger(run, poll_interval=5).on_kill()
    assert world.client.get_pipeline_run(run).data["lifecycleState"] in ("ACCEPTED", "IN_PROGRESS")
    await DataSciencePipelineRunTrigger(run, poll_interval=5, cancel_on_kill=True).on_kill()
    assert world.client.get_pipeline_run(run).data["lifecycleState"] in ("CANCELING", "CANCELED")
    cancels = [r for r in emu.requests if r["path"].endswith("/actions/cancelPipelineRun")]
    assert len(cancels) == 1
    world.client.wait_for_state(
        "pipeline_run", run, target_states=["CANCELED"], poll_interval=0.05, timeout=20
    )
    # a finished run: nothing to cancel, no request sent
    await DataSciencePipelineRunTrigger(run, poll_interval=5, cancel_on_kill=True).on_kill()
    assert len([r for r in emu.requests if r["path"].endswith("/actions/cancelPipelineRun")]) == 1
