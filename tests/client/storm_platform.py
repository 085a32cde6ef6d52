"""Fault-storm sequences of the platform and ML-application areas (see :mod:`storm_areas`)."""

from __future__ import annotations

import io
import zipfile

import ds_bodies as bodies
from storm_steps import Advance, Call, Steps, World, active_job


def platform(world: World) -> Steps:
    """A schedule that starts a job run (one due run), a private endpoint, a compute target, the
    catalogues."""
    comp, move = world.comp, {"compartmentId": world.other}
    jid = yield from active_job(world)
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
