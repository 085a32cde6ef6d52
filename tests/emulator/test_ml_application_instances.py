"""ML application instances and instance views on the emulator's manual clock: states and
substates, the view following its instance, work requests, scripted failures, recover, triggers."""

from __future__ import annotations

import pytest

from airflow_ds_provider.client.errors import BadRequestError, ConflictError

from .ml_app_helpers import MlApps, package


@pytest.fixture
def apps(emu, ident, monkeypatch) -> MlApps:
    return MlApps(emu, ident, monkeypatch)


def _states(apps: MlApps, instance_id: str, view_id: str) -> tuple[tuple[str, str], tuple[str, str]]:
    instance = apps.get("ml_application_instance", instance_id)
    view = apps.get("ml_application_instance_view", view_id)
    return (
        (instance["lifecycleState"], instance["lifecycleSubstate"]),
        (view["lifecycleState"], view["lifecycleSubstate"]),
    )


def test_an_instance_needs_a_deployed_implementation_of_its_application(apps: MlApps) -> None:
    app = apps.app()
    bare = apps.implementation(app["id"])
    with pytest.raises(ConflictError, match="no deployed package"):
        apps.instance(bare)
    other = apps.deployed()
    with pytest.raises(BadRequestError, match="another ML application"):
        apps.instance({**other, "mlApplicationId": app["id"]})
    with pytest.raises(BadRequestError, match="repeated"):
        apps.instance(other, configuration=[{"key": "a", "value": "1"}, {"key": "a", "value": "2"}])


def test_create_mirrors_the_instance_in_its_view_with_a_work_request(apps: MlApps) -> None:
    implementation = apps.deployed()
    reply = apps.hook.create_ml_application_instance(
        {
            "mlApplicationId": implementation["mlApplicationId"],
            "mlApplicationImplementationId": implementation["id"],
            "compartmentId": apps.comp,
            "authConfiguration": {"type": "IAM"},
        }
    )
    instance = reply.data
    assert reply.headers["location"].endswith(instance["id"])
    view = apps.view_of(instance["id"])
    assert view["compartmentId"] == implementation["compartmentId"]
    assert view["mlApplicationImplementationVersionId"].startswith("ocid1.datasciencemlappimplversion.")
    assert _states(apps, instance["id"], view["id"]) == (("CREATING", "CREATING"), ("CREATING", "CREATING"))
    work_id = reply.headers["opc-work-request-id"]
    assert apps.work_request(work_id)["operationType"] == "ML_APPLICATION_INSTANCE_CREATE"
    with pytest.raises(ConflictError, match="CREATING"):
        apps.hook.delete_ml_application_instance(instance["id"])
    apps.emu.advance(1)
    assert _states(apps, instance["id"], view["id"]) == (("ACTIVE", "ACTIVE"), ("ACTIVE", "ACTIVE"))
    assert apps.work_request(work_id)["status"] == "SUCCEEDED"


def test_a_disabled_instance_is_inactive_and_starts_no_flow(apps: MlApps, client) -> None:
    instance = apps.instance(apps.deployed(), isEnabled=False)
    apps.emu.advance(1)
    view = apps.view_of(instance["id"])
    assert _states(apps, instance["id"], view["id"]) == (("INACTIVE", "INACTIVE"), ("INACTIVE", "INACTIVE"))
    with pytest.raises(ConflictError, match="INACTIVE"):
        apps.hook.trigger_ml_application_instance_flow({"triggerName": "t"}, instance["id"])
    apps.hook.update_ml_application_instance(instance["id"], {"isEnabled": True})
    assert _states(apps, instance["id"], view["id"])[1] == ("UPDATING", "UPDATING")
    apps.emu.advance(1)
    assert _states(apps, instance["id"], view["id"]) == (("ACTIVE", "ACTIVE"), ("ACTIVE", "ACTIVE"))
    assert apps.get("ml_application_instance_view", view["id"])["isEnabled"] is True


def test_a_scripted_failing_create_ends_failed(apps: MlApps) -> None:
    tags = {"emulator-fail-actions": "create", "emulator-details": "terraform apply failed"}
    instance = apps.instance(apps.deployed(), freeformTags=tags)
    apps.emu.advance(1)
    view = apps.view_of(instance["id"])
    assert _states(apps, instance["id"], view["id"]) == (("FAILED", "FAILED"), ("FAILED", "FAILED"))
    assert apps.get("ml_application_instance", instance["id"])["lifecycleDetails"] == "terraform apply failed"
    with pytest.raises(ConflictError, match="FAILED"):
        apps.hook.update_ml_application_instance(instance["id"], {"isEnabled": False})
    with pytest.raises(BadRequestError, match="emulator-fail-actions"):
        apps.instance(apps.deployed(), freeformTags={"emulator-fail-actions": "explode"})


def test_recover_only_from_a_recoverable_substate(apps: MlApps, client) -> None:
    instance = apps.instance(apps.deployed())
    apps.emu.advance(1)
    view_id = apps.view_of(instance["id"])["id"]
    with pytest.raises(ConflictError, match="substate ACTIVE"):
        apps.hook.recover_ml_application_instance_view(view_id)
    apps.emu.set_state(view_id, "NEEDS_ATTENTION")  # the control API leaves the substate alone
    with pytest.raises(ConflictError, match="substate ACTIVE"):
        apps.hook.recover_ml_application_instance_view(view_id)
    apps.emu.set_state(view_id, "ACTIVE")
    apps.hook.update_ml_application_instance(
        instance["id"], {"freeformTags": {"emulator-fail-actions": "update"}}
    )
    apps.emu.advance(1)
    needs = ("NEEDS_ATTENTION", "RECOVERABLE_SERVICE_ISSUE")
    assert _states(apps, instance["id"], view_id) == (needs, needs)
    # a recover scripted to fail leaves it where it was
    apps.hook.update_ml_application_instance_view(
        view_id, {"freeformTags": {"emulator-fail-actions": "recover"}}
    )
    reply = apps.hook.recover_ml_application_instance_view(view_id)
    assert _states(apps, instance["id"], view_id) == (("UPDATING", "UPDATING"), ("UPDATING", "UPDATING"))
    apps.emu.advance(1)
    assert _states(apps, instance["id"], view_id) == (needs, needs)
    assert apps.work_request(reply.headers["opc-work-request-id"])["status"] == "FAILED"
    apps.hook.update_ml_application_instance_view(view_id, {"freeformTags": {}})
    reply = apps.hook.recover_ml_application_instance_view(view_id)
    apps.emu.advance(1)
    assert _states(apps, instance["id"], view_id) == (("ACTIVE", "ACTIVE"), ("ACTIVE", "ACTIVE"))
    work = apps.work_request(reply.headers["opc-work-request-id"])
    assert (work["operationType"], work["status"]) == ("ML_APPLICATION_INSTANCE_VIEW_UPDATE", "SUCCEEDED")


def test_moving_to_another_implementation_upgrades(apps: MlApps) -> None:
    first = apps.deployed()
    app_id = first["mlApplicationId"]
    second = apps.implementation(app_id, name="impl-2")
    apps.upload(second["id"], package("7.0"))
    apps.emu.advance(1)
    instance = apps.instance(first)
    apps.emu.advance(1)
    apps.hook.update_ml_application_instance(instance["id"], {"mlApplicationImplementationId": second["id"]})
    view_id = apps.view_of(instance["id"])["id"]
    assert _states(apps, instance["id"], view_id) == (("UPDATING", "UPGRADING"), ("UPDATING", "UPGRADING"))
    apps.emu.advance(1)
    view = apps.get("ml_application_instance_view", view_id)
    [version] = apps.hook.list_all_ml_application_implementation_versions(second["id"])
    assert (view["lifecycleState"], view["mlApplicationImplementationVersionId"]) == ("ACTIVE", version["id"])
    assert view["mlApplicationImplementationId"] == second["id"]
    assert apps.get("ml_application_instance", instance["id"])["mlApplicationImplementationName"] == "impl-2"


def test_triggers_are_enabled_and_disabled_by_name(apps: MlApps, client) -> None:
    instance = apps.instance(apps.deployed())
    view_id = apps.view_of(instance["id"])["id"]
    with pytest.raises(ConflictError, match="CREATING"):
        apps.hook.enable_ml_application_instance_view_trigger({"triggerName": "t"}, view_id)
    with pytest.raises(ConflictError, match="CREATING"):
        apps.hook.trigger_ml_application_instance_view_flow({"triggerName": "t"}, view_id)
    apps.emu.advance(1)
    view = apps.hook.disable_ml_application_instance_view_trigger({"triggerName": "t"}, view_id).data
    [component] = view["instanceComponents"]
    assert (component["type"], component["componentName"], component["isEnabled"]) == (
        "ML_APPLICATION_INSTANCE_INTERNAL_TRIGGER",
        "t",
        False,
    )
    with pytest.raises(ConflictError, match="disabled"):
        apps.hook.trigger_ml_application_instance_flow({"triggerName": "t"}, instance["id"])
    with pytest.raises(ConflictError, match="disabled"):
        apps.hook.trigger_ml_application_instance_view_flow({"triggerName": "t"}, view_id)
    assert (
        apps.hook.trigger_ml_application_instance_flow({"triggerName": "other"}, instance["id"]).status == 202
    )
    apps.hook.enable_ml_application_instance_view_trigger({"triggerName": "t"}, view_id)
    reply = apps.hook.trigger_ml_application_instance_view_flow({"triggerName": "t"}, view_id)
    work = apps.work_request(reply.headers["opc-work-request-id"])
    assert (work["operationType"], work["resources"][0]["identifier"]) == (
        "ML_APPLICATION_TRIGGER_START",
        view_id,
    )
    resp = client.op(
        "trigger_ml_application_instance_view_flow", ml_application_instance_view_id=view_id, json={}
    )
    assert resp.status_code == 400 and "triggerName" in resp.json()["message"]


def test_delete_takes_the_view_along_and_is_final(apps: MlApps, client) -> None:
    instance = apps.instance(apps.deployed())
    apps.emu.advance(1)
    view_id = apps.view_of(instance["id"])["id"]
    reply = apps.hook.delete_ml_application_instance(instance["id"])
    assert _states(apps, instance["id"], view_id) == (("DELETING", "DELETING"), ("DELETING", "DELETING"))
    apps.emu.advance(1)
    assert _states(apps, instance["id"], view_id) == (("DELETED", "DELETED"), ("DELETED", "DELETED"))
    assert apps.work_request(reply.headers["opc-work-request-id"])["status"] == "SUCCEEDED"
    again = client.op("delete_ml_application_instance", ml_application_instance_id=instance["id"])
    assert again.status_code == 409 and "DELETED" in again.json()["message"]
    deleted = apps.hook.list_all_ml_application_instances(apps.comp, lifecycle_state="DELETED")
    assert [i["id"] for i in deleted] == [instance["id"]]
    assert apps.hook.list_all_ml_application_instances(apps.comp, lifecycle_state="ACTIVE") == []


def test_a_new_package_upgrades_the_instances_that_use_it(apps: MlApps) -> None:
    implementation = apps.deployed()
    active = apps.instance(implementation)
    inactive = apps.instance(implementation, isEnabled=False)
    apps.emu.advance(1)
    views = {i["id"]: apps.view_of(i["id"])["id"] for i in (active, inactive)}
    apps.upload(implementation["id"], package("2.0"))
    apps.emu.advance(1)  # the upload is done: every instance of the implementation is upgrading
    assert apps.get("ml_application_implementation", implementation["id"])["packageVersion"] == "2.0"
    for instance_id, view_id in views.items():
        upgrading = ("UPDATING", "UPGRADING")
        assert _states(apps, instance_id, view_id) == (upgrading, upgrading)
    upgrades = apps.hook.list_all_work_requests(
        apps.comp, operation_type="ML_APPLICATION_INSTANCE_VIEW_UPGRADE"
    )
    assert sorted(w["resources"][0]["identifier"] for w in upgrades) == sorted(views.values())
    apps.emu.advance(1)
    assert _states(apps, active["id"], views[active["id"]]) == (("ACTIVE", "ACTIVE"), ("ACTIVE", "ACTIVE"))
    assert _states(apps, inactive["id"], views[inactive["id"]])[1] == ("INACTIVE", "INACTIVE")
    [_, new] = sorted(
        apps.hook.list_all_ml_application_implementation_versions(implementation["id"]),
        key=lambda v: v["packageVersion"],
    )
    for view_id in views.values():
        view = apps.get("ml_application_instance_view", view_id)
        assert (view["packageVersion"], view["mlApplicationImplementationVersionId"]) == ("2.0", new["id"])
    assert {
        w["status"]
        for w in apps.hook.list_all_work_requests(apps.comp, operation_type=upgrades[0]["operationType"])
    } == {"SUCCEEDED"}
