"""The operations added to the API since the seed, one dependent sequence per area, for the fault
storm (:mod:`storm_scenario` runs them after the seed's sequence, with the same drivers).

Each area is a generator of :class:`~storm_scenario.Call` / :class:`~storm_scenario.Advance`
steps sent each :class:`Response`; it cleans up after itself (the project is deleted at the end).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import ds_bodies as bodies
from storm_steps import Advance, Call

Steps = Generator[Call | Advance, Any, None]


@dataclass(frozen=True)
class World:
    """What every area may use: the compartments and a project."""

    comp: str
    other: str
    project_id: str


def _active_job(world: World) -> Steps:
    job = yield Call("create_job", {"create_job_details": bodies.job(world.comp, world.project_id)})
    yield Advance(5)
    return job.data["id"]


def pipelines(world: World) -> Steps:
    """Pipelines with a script step and a job step, their artifacts, runs, cancel, deletes."""
    comp, jid = world.comp, (yield from _active_job(world))
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


def model_registry(world: World) -> Steps:
    """Version sets and their models, model groups and their version histories, their artifacts."""
    comp, project = world.comp, world.project_id
    mvs_body = {"compartmentId": comp, "projectId": project, "name": "churn"}
    mvs = (yield Call("create_model_version_set", {"create_model_version_set_details": mvs_body})).data["id"]
    models = []
    for label in ("l1", "l2"):
        model = {**bodies.model(comp, project), "modelVersionSetId": mvs, "versionLabel": label}
        models.append((yield Call("create_model", {"create_model_details": model})).data["id"])
    yield Call("get_model_version_set", {"model_version_set_id": mvs})
    change = {"description": "churn models"}
    yield Call(
        "update_model_version_set", {"model_version_set_id": mvs, "update_model_version_set_details": change}
    )
    yield Call("list_model_version_sets", {"compartment_id": comp, "name": "churn"})
    history_body = {"compartmentId": comp, "projectId": project, "displayName": "h"}
    history = (
        yield Call(
            "create_model_group_version_history", {"create_model_group_version_history_details": history_body}
        )
    ).data["id"]
    group_body = {
        "createType": "CREATE",
        "compartmentId": comp,
        "projectId": project,
        "modelGroupDetails": {"type": "HOMOGENEOUS"},
        "memberModelEntries": {"memberModelDetails": [{"modelId": m} for m in models]},
        "modelGroupVersionHistoryId": history,
    }
    gid = (yield Call("create_model_group", {"create_base_model_group_details": group_body})).data["id"]
    yield Advance(5)
    yield Call("get_model_group", {"model_group_id": gid})
    yield Call("get_model_group_version_history", {"model_group_version_history_id": history})
    yield Call("list_model_group_models", {"model_group_id": gid, "compartment_id": comp})
    yield Call("list_model_groups", {"compartment_id": comp})
    yield Call(
        "update_model_group", {"model_group_id": gid, "update_model_group_details": {"versionLabel": "first"}}
    )
    payload = b"group artifact " * 100
    upload = {
        "model_group_id": gid,
        "model_group_artifact": payload,
        "content_disposition": "attachment; filename=g.zip",
    }
    yield Call("create_model_group_artifact", upload)
    yield Call("head_model_group_artifact", {"model_group_id": gid})
    assert (yield Call("get_model_group_artifact_content", {"model_group_id": gid})).data == payload
    yield Call("deactivate_model_group", {"model_group_id": gid})
    yield Call("activate_model_group", {"model_group_id": gid})
    stay = {"compartmentId": comp}
    yield Call(
        "change_model_group_compartment",
        {"model_group_id": gid, "change_model_group_compartment_details": stay},
    )
    rename = {"description": "d", "displayName": "h2"}
    yield Call(
        "update_model_group_version_history",
        {"model_group_version_history_id": history, "update_model_group_version_history_details": rename},
    )
    yield Call("list_model_group_version_histories", {"compartment_id": comp})
    yield Call(
        "change_model_group_version_history_compartment",
        {
            "model_group_version_history_id": history,
            "change_model_group_version_history_compartment_details": stay,
        },
    )
    yield Call("delete_model_group", {"model_group_id": gid})
    yield Advance(5)
    yield Call("delete_model_group_version_history", {"model_group_version_history_id": history})
    yield Advance(5)
    yield Call(
        "change_model_version_set_compartment",
        {
            "model_version_set_id": mvs,
            "change_model_version_set_compartment_details": {"compartmentId": world.other},
        },
    )
    yield Advance(5)
    yield Call("delete_model_version_set", {"model_version_set_id": mvs, "is_delete_related_models": "true"})
    yield Advance(5)


def platform(world: World) -> Steps:
    """A schedule that starts a job run (one due run), a private endpoint, a compute target, the
    catalogues."""
    comp, move = world.comp, {"compartmentId": world.other}
    jid = yield from _active_job(world)
    run = {"projectId": world.project_id, "compartmentId": comp, "jobId": jid}
    action = {
        "actionType": "HTTP",
        "actionDetails": {"httpActionType": "CREATE_JOB_RUN", "createJobRunDetails": run},
    }
    hourly = {"triggerType": "INTERVAL", "frequency": "HOURLY", "interval": 1}
    body = {
        "displayName": "s",
        "projectId": world.project_id,
        "compartmentId": comp,
        "trigger": hourly,
        "action": action,
    }
    sid = (yield Call("create_schedule", {"create_schedule_details": body})).data["id"]
    yield Advance(5)
    yield Call("get_schedule", {"schedule_id": sid})
    yield Call("update_schedule", {"schedule_id": sid, "update_schedule_details": {"description": "d"}})
    yield Advance(5)
    yield Call("deactivate_schedule", {"schedule_id": sid})
    yield Advance(5)
    yield Call("activate_schedule", {"schedule_id": sid})
    yield Advance(5)
    yield Call(
        "change_schedule_compartment", {"schedule_id": sid, "change_schedule_compartment_details": move}
    )
    yield Advance(3600)  # the one due run starts
    yield Call("list_schedules", {"compartment_id": world.other})
    yield Call("delete_schedule", {"schedule_id": sid})
    yield Advance(5)
    endpoint = {
        "compartmentId": comp,
        "subnetId": bodies.SUBNET,
        "dataScienceResourceType": "MODEL_DEPLOYMENT",
    }
    create = {"create_data_science_private_endpoint_details": endpoint}
    pe = (yield Call("create_data_science_private_endpoint", create)).data["id"]
    yield Advance(5)
    yield Call("get_data_science_private_endpoint", {"data_science_private_endpoint_id": pe})
    yield Call("list_data_science_private_endpoints", {"compartment_id": comp})
    change = {
        "data_science_private_endpoint_id": pe,
        "update_data_science_private_endpoint_details": {"description": "d"},
    }
    yield Call("update_data_science_private_endpoint", change)
    yield Advance(5)
    yield Call(
        "change_data_science_private_endpoint_compartment",
        {
            "data_science_private_endpoint_id": pe,
            "change_data_science_private_endpoint_compartment_details": move,
        },
    )
    yield Advance(5)
    yield Call("delete_data_science_private_endpoint", {"data_science_private_endpoint_id": pe})
    yield Advance(5)
    config = {
        "computeType": "MANAGED_COMPUTE_CLUSTER",
        "instanceConfiguration": {"instanceShape": "VM.GPU.A10.1"},
    }
    target = {"compartmentId": comp, "computeConfigurationDetails": config}
    ct = (yield Call("create_compute_target", {"create_compute_target_details": target})).data["id"]
    yield Advance(5)
    yield Call("get_compute_target", {"compute_target_id": ct})
    yield Call("list_compute_targets", {"compartment_id": comp})
    yield Call(
        "update_compute_target",
        {"compute_target_id": ct, "update_compute_target_details": {"description": "d"}},
    )
    yield Advance(5)
    yield Call(
        "change_compute_target_compartment",
        {"compute_target_id": ct, "change_compute_target_compartment_details": move},
    )
    yield Call("delete_compute_target", {"compute_target_id": ct})
    yield Advance(5)
    yield Call("list_compute_target_shapes", {"compartment_id": comp})
    yield Call("list_containers", {})
    yield Call("delete_job", {"job_id": jid, "delete_related_job_runs": True})
    yield Advance(10)


def _ml_package(version: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("descriptor.yaml", f"descriptorSchemaVersion: 1.0\npackageVersion: {version}\n")
        archive.writestr("instance-components/main.tf", b"# terraform\n")
    return out.getvalue()


def ml_applications(world: World) -> Steps:
    """An application, an implementation with a package (signed with body headers) and its version,
    an instance and its view, their flows and triggers, the teardown."""
    comp, move = world.comp, {"compartmentId": world.other}
    app = {"name": "app", "compartmentId": comp}
    app_id = (yield Call("create_ml_application", {"create_ml_application_details": app})).data["id"]
    yield Call("get_ml_application", {"ml_application_id": app_id})
    yield Call(
        "update_ml_application",
        {"ml_application_id": app_id, "update_ml_application_details": {"description": "e"}},
    )
    yield Call("list_ml_applications", {"compartment_id": comp})
    spare = {"name": "spare", "compartmentId": comp}
    spare_id = (yield Call("create_ml_application", {"create_ml_application_details": spare})).data["id"]
    yield Call(
        "change_ml_application_compartment",
        {"ml_application_id": spare_id, "change_ml_application_compartment_details": move},
    )
    yield Call("delete_ml_application", {"ml_application_id": spare_id})
    impl = {"name": "impl", "mlApplicationId": app_id, "compartmentId": comp}
    create = {"create_ml_application_implementation_details": impl}
    impl_id = (yield Call("create_ml_application_implementation", create)).data["id"]
    yield Advance(2)
    upload = {
        "ml_application_implementation_id": impl_id,
        "put_ml_application_package": _ml_package("1.0"),
        "content_disposition": "attachment; filename=package.zip",
    }
    yield Call("put_ml_application_package", upload)
    yield Advance(2)
    yield Call("get_ml_application_implementation", {"ml_application_implementation_id": impl_id})
    yield Call("get_ml_application_package_content", {"ml_application_implementation_id": impl_id})
    versions = yield Call(
        "list_ml_application_implementation_versions", {"ml_application_implementation_id": impl_id}
    )
    version_id = versions.data["items"][0]["id"]
    yield Call(
        "get_ml_application_implementation_version", {"ml_application_implementation_version_id": version_id}
    )
    tags = {"freeformTags": {"v": "1"}}
    yield Call(
        "update_ml_application_implementation_version",
        {
            "ml_application_implementation_version_id": version_id,
            "update_ml_application_implementation_version_details": tags,
        },
    )
    yield Call(
        "get_ml_application_historical_package_content",
        {"ml_application_implementation_version_id": version_id},
    )
    yield Call(
        "update_ml_application_implementation",
        {
            "ml_application_implementation_id": impl_id,
            "update_ml_application_implementation_details": {"allowedMigrationDestinations": ["x"]},
        },
    )
    yield Advance(2)
    yield Call("list_ml_application_implementations", {"compartment_id": comp})
    instance = {"mlApplicationId": app_id, "mlApplicationImplementationId": impl_id, "compartmentId": comp}
    create = {"create_ml_application_instance_details": instance}
    instance_id = (yield Call("create_ml_application_instance", create)).data["id"]
    yield Advance(2)
    yield Call("get_ml_application_instance", {"ml_application_instance_id": instance_id})
    yield Call("list_ml_application_instances", {"compartment_id": comp})
    views = yield Call(
        "list_ml_application_instance_views",
        {"compartment_id": comp, "ml_application_instance_id": instance_id},
    )
    view_id = views.data["items"][0]["id"]
    yield Call("get_ml_application_instance_view", {"ml_application_instance_view_id": view_id})
    train = {"triggerName": "train"}
    yield Call(
        "trigger_ml_application_instance_flow",
        {"trigger_ml_application_instance_flow_details": train, "ml_application_instance_id": instance_id},
    )
    yield Advance(2)
    for verb in ("disable", "enable"):
        yield Call(
            f"{verb}_ml_application_instance_view_trigger",
            {
                f"{verb}_ml_application_instance_view_trigger_details": train,
                "ml_application_instance_view_id": view_id,
            },
        )
    yield Call(
        "trigger_ml_application_instance_view_flow",
        {
            "trigger_ml_application_instance_view_flow_details": train,
            "ml_application_instance_view_id": view_id,
        },
    )
    yield Advance(2)
    yield Call(
        "update_ml_application_instance_view",
        {"ml_application_instance_view_id": view_id, "update_ml_application_instance_view_details": tags},
    )
    failing = {"freeformTags": {"emulator-fail-actions": "update"}}
    yield Call(
        "update_ml_application_instance",
        {"ml_application_instance_id": instance_id, "update_ml_application_instance_details": failing},
    )
    yield Advance(2)
    yield Call("recover_ml_application_instance_view", {"ml_application_instance_view_id": view_id})
    yield Advance(2)
    yield Call(
        "change_ml_application_instance_compartment",
        {
            "ml_application_instance_id": instance_id,
            "change_ml_application_instance_compartment_details": move,
        },
    )
    yield Call(
        "change_ml_application_instance_view_compartment",
        {
            "ml_application_instance_view_id": view_id,
            "change_ml_application_instance_view_compartment_details": move,
        },
    )
    yield Advance(2)
    yield Call("delete_ml_application_instance", {"ml_application_instance_id": instance_id})
    yield Advance(2)
    yield Call(
        "change_ml_application_implementation_compartment",
        {
            "ml_application_implementation_id": impl_id,
            "change_ml_application_implementation_compartment_details": move,
        },
    )
    yield Advance(2)
    yield Call("delete_ml_application_implementation", {"ml_application_implementation_id": impl_id})
    yield Advance(2)
    yield Call("delete_ml_application", {"ml_application_id": app_id})


#: The areas, in the order the storm runs them.
AREAS: tuple[Callable[[World], Steps], ...] = (pipelines, model_registry, platform, ml_applications)


def all_areas(world: World) -> Steps:
    """Every area's sequence, one after the other."""
    for area in AREAS:
        yield from area(world)
