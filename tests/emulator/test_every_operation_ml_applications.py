"""Every ML application operation through DataScienceHook over real signed HTTP, each response
validated against the spec's models (area "ML applications" of issue #14): the package upload is
streamed and signed with body headers, downloads stream the stored packages back, and the
``list_all_*`` methods page through the items-wrapped collections."""

from __future__ import annotations

import json

import pytest

from .ml_app_helpers import MlApps, package, valid

#: The operations of this area; the coverage test (test_operation_coverage.py) reads it.
OPERATIONS = frozenset(
    {
        "change_ml_application_compartment",
        "change_ml_application_implementation_compartment",
        "change_ml_application_instance_compartment",
        "change_ml_application_instance_view_compartment",
        "create_ml_application",
        "create_ml_application_implementation",
        "create_ml_application_instance",
        "delete_ml_application",
        "delete_ml_application_implementation",
        "delete_ml_application_instance",
        "disable_ml_application_instance_view_trigger",
        "enable_ml_application_instance_view_trigger",
        "get_ml_application",
        "get_ml_application_historical_package_content",
        "get_ml_application_implementation",
        "get_ml_application_implementation_version",
        "get_ml_application_instance",
        "get_ml_application_instance_view",
        "get_ml_application_package_content",
        "list_ml_application_implementation_versions",
        "list_ml_application_implementations",
        "list_ml_application_instance_views",
        "list_ml_application_instances",
        "list_ml_applications",
        "put_ml_application_package",
        "recover_ml_application_instance_view",
        "trigger_ml_application_instance_flow",
        "trigger_ml_application_instance_view_flow",
        "update_ml_application",
        "update_ml_application_implementation",
        "update_ml_application_implementation_version",
        "update_ml_application_instance",
        "update_ml_application_instance_view",
    }
)


@pytest.fixture
def apps(emu, ident, monkeypatch) -> MlApps:
    return MlApps(emu, ident, monkeypatch)


def test_every_ml_application_operation_through_the_hook(apps: MlApps, emu, ident, tmp_path) -> None:
    hook, comp = apps.hook, apps.comp
    other = ident.compartment_id.replace("amaaaaaa", "amaaaaab")
    # applications: two, so that list_all_* pages through an items-wrapped collection
    app = apps.app(description="d", freeformTags={"team": "ml"})
    app_id = app["id"]
    assert app["lifecycleState"] == "ACTIVE"
    spare = apps.app()
    listed = hook.list_all_ml_applications(comp, limit=1)
    assert sorted(a["id"] for a in listed) == sorted([app_id, spare["id"]])
    assert valid("list_ml_applications", hook.list_ml_applications(comp, limit=1))["items"]
    updated = valid("update_ml_application", hook.update_ml_application(app_id, {"description": "e"}))
    assert updated["description"] == "e"
    assert valid("get_ml_application", hook.get_ml_application(app_id))["description"] == "e"
    moved = hook.change_ml_application_compartment(spare["id"], {"compartmentId": other})
    assert moved.status == 200
    assert apps.get("ml_application", spare["id"])["compartmentId"] == other
    assert hook.delete_ml_application(spare["id"]).status == 204

    # implementation, a package streamed from a file (signed with body headers), its version
    implementation = apps.implementation(app_id)
    impl_id = implementation["id"]
    first = package("1.0")
    path = tmp_path / "package.zip"
    path.write_bytes(first)
    args = json.dumps({"bucket": "models"})
    work_id = apps.upload(
        impl_id,
        str(path),
        content_disposition="attachment; filename=package.zip",
        opc_ml_app_package_args=args,
    )
    work = apps.work_request(work_id)
    assert work["operationType"] == "ML_APPLICATION_PACKAGE_UPLOAD"
    assert apps.get("ml_application_implementation", impl_id)["lifecycleState"] == "UPDATING"
    emu.advance(1)
    assert apps.work_request(work_id)["status"] == "SUCCEEDED"
    implementation = apps.get("ml_application_implementation", impl_id)
    assert (implementation["lifecycleState"], implementation["packageVersion"]) == ("ACTIVE", "1.0")
    content = hook.get_ml_application_package_content(impl_id)
    assert valid("get_ml_application_package_content", content) == first
    assert json.loads(content.headers["opc-ml-app-package-args"]) == {"bucket": "models"}
    versions = hook.list_all_ml_application_implementation_versions(impl_id)
    assert [v["packageVersion"] for v in versions] == ["1.0"]
    valid(
        "list_ml_application_implementation_versions",
        hook.list_ml_application_implementation_versions(impl_id),
    )
    version_id = versions[0]["id"]
    version = apps.get("ml_application_implementation_version", version_id)
    assert version["lifecycleState"] == "ACTIVE"
    assert version["mlApplicationPackageArguments"]["arguments"][0]["value"] == "models"
    tagged = hook.update_ml_application_implementation_version(version_id, {"freeformTags": {"v": "1"}})
    assert valid("update_ml_application_implementation_version", tagged)["freeformTags"] == {"v": "1"}
    historical = hook.get_ml_application_historical_package_content(version_id)
    assert valid("get_ml_application_historical_package_content", historical) == first
    update = hook.update_ml_application_implementation(impl_id, {"allowedMigrationDestinations": ["x"]})
    assert update.status == 202
    assert apps.work_request(update.headers["opc-work-request-id"])["operationType"] == (
        "ML_APPLICATION_IMPLEMENTATION_UPDATE"
    )
    emu.advance(1)
    implementations = hook.list_all_ml_application_implementations(comp, ml_application_id=app_id)
    assert [i["id"] for i in implementations] == [impl_id]
    valid("list_ml_application_implementations", hook.list_ml_application_implementations(comp))

    # instance and its view
    instance = apps.instance(
        implementation, displayName="tenant-a", configuration=[{"key": "k", "value": "v"}]
    )
    instance_id = instance["id"]
    assert instance["lifecycleState"] == "CREATING"
    emu.advance(1)
    assert apps.get("ml_application_instance", instance_id)["lifecycleState"] == "ACTIVE"
    assert [i["id"] for i in hook.list_all_ml_application_instances(comp)] == [instance_id]
    valid("list_ml_application_instances", hook.list_ml_application_instances(comp))
    view = apps.view_of(instance_id)
    view_id = view["id"]
    assert (view["lifecycleState"], view["packageVersion"]) == ("ACTIVE", "1.0")
    valid("list_ml_application_instance_views", hook.list_ml_application_instance_views(comp))
    flow = hook.trigger_ml_application_instance_flow({"triggerName": "train"}, instance_id)
    assert (
        apps.work_request(flow.headers["opc-work-request-id"])["operationType"]
        == "ML_APPLICATION_TRIGGER_START"
    )
    disabled = hook.disable_ml_application_instance_view_trigger({"triggerName": "train"}, view_id)
    assert (
        valid("disable_ml_application_instance_view_trigger", disabled)["instanceComponents"][0]["isEnabled"]
        is False
    )
    enabled = hook.enable_ml_application_instance_view_trigger({"triggerName": "train"}, view_id)
    assert (
        valid("enable_ml_application_instance_view_trigger", enabled)["instanceComponents"][0]["isEnabled"]
        is True
    )
    params = {"triggerName": "train", "parameters": [{"name": "epochs", "value": "3"}]}
    assert hook.trigger_ml_application_instance_view_flow(params, view_id).status == 202
    retagged = hook.update_ml_application_instance_view(
        view_id, {"freeformTags": {"emulator-fail-actions": "recover"}}
    )
    assert valid("update_ml_application_instance_view", retagged)["freeformTags"]
    # a failed update leaves a recoverable NEEDS_ATTENTION; recovering the view (scripted to fail
    # above, so untag it first) brings both back
    failing = {"freeformTags": {"emulator-fail-actions": "update"}}
    assert hook.update_ml_application_instance(instance_id, failing).status == 202
    emu.advance(1)
    assert apps.get("ml_application_instance", instance_id)["lifecycleState"] == "NEEDS_ATTENTION"
    hook.update_ml_application_instance_view(view_id, {"freeformTags": {}})
    view = apps.get("ml_application_instance_view", view_id)
    assert (view["lifecycleState"], view["lifecycleSubstate"]) == (
        "NEEDS_ATTENTION",
        "RECOVERABLE_SERVICE_ISSUE",
    )
    recover = hook.recover_ml_application_instance_view(view_id)
    assert recover.status == 202
    emu.advance(1)
    assert apps.get("ml_application_instance_view", view_id)["lifecycleState"] == "ACTIVE"
    assert apps.get("ml_application_instance", instance_id)["lifecycleState"] == "ACTIVE"
    for name, call in (
        ("change_ml_application_instance_compartment", hook.change_ml_application_instance_compartment),
        (
            "change_ml_application_instance_view_compartment",
            hook.change_ml_application_instance_view_compartment,
        ),
    ):
        target = instance_id if "view" not in name else view_id
        reply = call(target, {"compartmentId": other})
        assert reply.status == 202, name
        assert apps.work_request(reply.headers["opc-work-request-id"])["compartmentId"] == other
    assert hook.update_ml_application_instance(instance_id, {"freeformTags": {}}).status == 202
    emu.advance(1)

    # teardown: instance (DELETED, its view too), then implementation and application (gone)
    delete = hook.delete_ml_application_instance(instance_id)
    assert apps.work_request(delete.headers["opc-work-request-id"])["operationType"] == (
        "ML_APPLICATION_INSTANCE_DELETE"
    )
    emu.advance(1)
    assert apps.get("ml_application_instance", instance_id)["lifecycleState"] == "DELETED"
    assert apps.get("ml_application_instance_view", view_id)["lifecycleState"] == "DELETED"
    move = hook.change_ml_application_implementation_compartment(impl_id, {"compartmentId": comp})
    assert move.status == 202
    assert hook.delete_ml_application_implementation(impl_id).status == 202
    emu.advance(1)
    assert hook.delete_ml_application(app_id).status == 204

    seen = {entry["operation"] for entry in emu.requests if 200 <= entry["status"] < 300}
    assert seen >= OPERATIONS, sorted(OPERATIONS - seen)
