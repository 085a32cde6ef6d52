"""The operations added to the API since the seed, one dependent sequence per area, for the fault
storm (:mod:`storm_scenario` runs them after the seed's sequence, with the same drivers).

Each area is a generator of :class:`~storm_scenario.Call` / :class:`~storm_scenario.Advance`
steps sent each :class:`Response`; it cleans up after itself (the project is deleted at the end).
"""

from __future__ import annotations

from collections.abc import Callable

from storm_models import model_artifacts, model_registry
from storm_platform import ml_applications, platform
from storm_steps import Advance, Call, Steps, World, active_job

__all__ = ["AREAS", "World", "all_areas"]


def pipelines(world: World) -> Steps:
    """Pipelines with a script step and a job step, their artifacts, runs, cancel, deletes."""
    comp, jid = world.comp, (yield from active_job(world))
    steps = [
        {"stepType": "CUSTOM_SCRIPT", "stepName": "prep", "dependsOn": []},
        {"stepType": "ML_JOB", "stepName": "train", "jobId": jid, "dependsOn": ["prep"]},
    ]
    body = {
        "projectId": world.project_id,
        "compartmentId": comp,
        "displayName": "pipe",
        "infrastructureConfigurationDetails": {
            "shapeName": "VM.Standard.E4.Flex",
            "blockStorageSizeInGBs": 50,
        },
        "stepDetails": steps,
    }
    pid = (yield Call("create_pipeline", {"create_pipeline_details": body})).data["id"]
    payload = b"print('prep')\n" * 50
    yield Call(
        "create_step_artifact",
        {
            "pipeline_id": pid,
            "step_name": "prep",
            "step_artifact": payload,
            "content_disposition": "attachment; filename=prep.py",
        },
    )
    yield Advance(2)
    yield Call("head_step_artifact", {"pipeline_id": pid, "step_name": "prep"})
    got = yield Call("get_step_artifact_content", {"pipeline_id": pid, "step_name": "prep"})
    assert got.data == payload
    yield Call("get_pipeline", {"pipeline_id": pid})
    yield Call("update_pipeline", {"pipeline_id": pid, "update_pipeline_details": {"description": "d2"}})
    yield Call("list_pipelines", {"compartment_id": comp})
    run = {"compartmentId": comp, "pipelineId": pid}
    rid = (yield Call("create_pipeline_run", {"create_pipeline_run_details": run})).data["id"]
    yield Call("get_pipeline_run", {"pipeline_run_id": rid})
    yield Call(
        "update_pipeline_run", {"pipeline_run_id": rid, "update_pipeline_run_details": {"displayName": "r"}}
    )
    yield Call("list_pipeline_runs", {"compartment_id": comp, "pipeline_id": pid})
    second = {**run, "displayName": "cancelled"}
    rid2 = (yield Call("create_pipeline_run", {"create_pipeline_run_details": second})).data["id"]
    yield Call("cancel_pipeline_run", {"pipeline_run_id": rid2})
    yield Advance(60)
    move = {"compartmentId": world.other}
    yield Call(
        "change_pipeline_run_compartment",
        {"pipeline_run_id": rid, "change_pipeline_run_compartment_details": move},
    )
    yield Call("delete_pipeline_run", {"pipeline_run_id": rid2, "delete_related_job_runs": True})
    yield Advance(5)
    back = {"compartmentId": comp}
    yield Call(
        "change_pipeline_compartment", {"pipeline_id": pid, "change_pipeline_compartment_details": back}
    )
    yield Call(
        "delete_pipeline",
        {"pipeline_id": pid, "delete_related_pipeline_runs": "true", "delete_related_job_runs": True},
    )
    yield Advance(10)
    yield Call("delete_job", {"job_id": jid, "delete_related_job_runs": True})
    yield Advance(10)


#: The areas, in the order the storm runs them.
AREAS: tuple[Callable[[World], Steps], ...] = (
    pipelines,
    model_registry,
    model_artifacts,
    platform,
    ml_applications,
)


def all_areas(world: World) -> Steps:
    """Every area's sequence, one after the other."""
    for area in AREAS:
        yield from area(world)
