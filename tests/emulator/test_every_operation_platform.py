"""Every operation of the platform area (schedules, Data Science private endpoints, compute targets,
the compute-target-shape and container catalogues) through DataScienceHook over real signed HTTP,
each answer validated against the spec's models and headers."""

from __future__ import annotations

from .platform_world import platform  # noqa: F401 - the fixture

#: This area's operations; test_operation_coverage.py checks the areas cover the spec once.
OPERATIONS = frozenset(
    {
        "activate_schedule",
        "change_schedule_compartment",
        "create_schedule",
        "deactivate_schedule",
        "delete_schedule",
        "get_schedule",
        "list_schedules",
        "update_schedule",
        "change_data_science_private_endpoint_compartment",
        "create_data_science_private_endpoint",
        "delete_data_science_private_endpoint",
        "get_data_science_private_endpoint",
        "list_data_science_private_endpoints",
        "update_data_science_private_endpoint",
        "change_compute_target_compartment",
        "create_compute_target",
        "delete_compute_target",
        "get_compute_target",
        "list_compute_targets",
        "update_compute_target",
        "list_compute_target_shapes",
        "list_containers",
    }
)


def test_every_platform_operation(platform, emu, ident):  # noqa: F811 - the fixture
    p, comp = platform, platform.comp
    other = comp.replace("amaaaaaa", "amaaaaab")
    pid = p.project()
    jid = p.job(pid)
    # schedules
    trigger = {"triggerType": "INTERVAL", "frequency": "HOURLY", "interval": 1}
    sid = p.active_schedule(pid, p.job_run_action(pid, jid), trigger)
    assert [s["id"] for s in p.call("list_all_schedules", comp, project_id=pid)] == [sid]
    p.call("list_schedules", comp, lifecycle_state="ACTIVE")
    p.call("update_schedule", sid, {"description": "every hour"})
    emu.advance(2)
    p.call("deactivate_schedule", sid)
    emu.advance(2)
    assert p.get("schedule", sid)["lifecycleState"] == "INACTIVE"
    p.call("activate_schedule", sid)
    emu.advance(2)
    p.call("change_schedule_compartment", sid, {"compartmentId": other})
    emu.advance(2)
    assert p.get("schedule", sid)["compartmentId"] == other
    p.call("delete_schedule", sid)
    # private endpoints
    pe = p.call("create_data_science_private_endpoint", p.endpoint_body(subDomain="mype")).data
    emu.advance(3)
    assert p.get("data_science_private_endpoint", pe["id"])["lifecycleState"] == "ACTIVE"
    listed = p.call(
        "list_all_data_science_private_endpoints", comp, data_science_resource_type="NOTEBOOK_SESSION"
    )
    assert [e["id"] for e in listed] == [pe["id"]]
    p.call("list_data_science_private_endpoints", comp)
    p.call("update_data_science_private_endpoint", pe["id"], {"displayName": "pe2"})
    emu.advance(2)
    p.call("change_data_science_private_endpoint_compartment", pe["id"], {"compartmentId": other})
    emu.advance(2)
    p.call("delete_data_science_private_endpoint", pe["id"])
    # compute targets and the catalogues
    shapes = p.call("list_all_compute_target_shapes", comp)
    assert "VM.GPU.A10.1" in {s["name"] for s in shapes}
    p.call("list_compute_target_shapes", comp, limit=2)
    assert p.call("list_all_containers", target_workload="JOB_RUN")
    p.call("list_containers", is_latest=True)
    ct = p.call("create_compute_target", p.compute_target_body()).data
    emu.advance(3)
    assert [t["id"] for t in p.call("list_all_compute_targets", comp)] == [ct["id"]]
    p.call("list_compute_targets", comp, lifecycle_state="ACTIVE")
    p.call("get_compute_target", ct["id"])
    p.call("update_compute_target", ct["id"], {"description": "gpu"})
    emu.advance(2)
    p.call("change_compute_target_compartment", ct["id"], {"compartmentId": other})
    p.call("delete_compute_target", ct["id"])
    assert p.answered == OPERATIONS
