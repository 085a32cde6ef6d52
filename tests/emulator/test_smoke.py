from __future__ import annotations


def test_project_roundtrip(world, client, emu):
    project = world.project()
    assert project["lifecycleState"] == "ACTIVE"
    got = world.get("get_project", project_id=project["id"])
    assert got["id"] == project["id"]
    assert emu.get(project["id"])["displayName"] == "p"
