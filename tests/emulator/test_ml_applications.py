"""ML applications and their implementations on the emulator's manual clock: states, work
requests, scripted failures, 404/409 rules (instances and views: test_ml_application_instances.py)."""

from __future__ import annotations

import pytest

from airflow_ds_provider.client.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    PreconditionFailedError,
)
from airflow_ds_provider.kinds.ml_applications import LIFECYCLE_SUBSTATES
from airflow_ds_provider.spec import models

from .ml_app_helpers import MlApps, package, valid


@pytest.fixture
def apps(emu, ident, monkeypatch) -> MlApps:
    return MlApps(emu, ident, monkeypatch)


@pytest.mark.parametrize("model", ["MlApplicationInstance", "MlApplicationInstanceView"])
def test_the_substates_are_the_models(model: str) -> None:
    [field] = [f for f in models()[model].fields if f.wire == "lifecycleSubstate"]
    assert set(field.allowed) == LIFECYCLE_SUBSTATES


def test_application_names_are_unique_and_etags_are_checked(apps: MlApps) -> None:
    app = apps.app()
    with pytest.raises(ConflictError, match="name"):
        apps.hook.create_ml_application({"name": app["name"], "compartmentId": apps.comp})
    with pytest.raises(PreconditionFailedError):
        apps.hook.update_ml_application(app["id"], {"description": "x"}, if_match="stale")
    etag = apps.hook.get_ml_application(app["id"]).headers["etag"]
    assert apps.hook.update_ml_application(app["id"], {"description": "x"}, if_match=etag).status == 200
    [only] = apps.hook.list_all_ml_applications(apps.comp, name=app["name"])
    assert only["id"] == app["id"]
    assert apps.hook.list_all_ml_applications(apps.comp, name="nope") == []


def test_an_application_in_use_is_not_deleted_and_a_deleted_one_is_gone(apps: MlApps) -> None:
    app = apps.app()
    implementation = apps.implementation(app["id"])
    with pytest.raises(ConflictError, match="refers to it"):
        apps.hook.delete_ml_application(app["id"])
    apps.hook.delete_ml_application_implementation(implementation["id"])
    apps.emu.advance(1)
    assert apps.hook.delete_ml_application(app["id"]).status == 204
    with pytest.raises(NotFoundError):
        apps.hook.get_ml_application(app["id"])
    assert apps.hook.list_all_ml_applications(apps.comp) == []


def test_implementation_create_names_its_application(apps: MlApps) -> None:
    missing = "ocid1.datasciencemlapp.oc1.iad.amaaaaaanothere"
    body = {"name": "i", "mlApplicationId": missing, "compartmentId": apps.comp}
    with pytest.raises(NotFoundError, match="mlApplicationId"):
        apps.hook.create_ml_application_implementation(body)
    with pytest.raises(BadRequestError, match="unknownField"):
        apps.hook.create_ml_application_implementation({**body, "unknownField": 1})
    app = apps.app()
    apps.implementation(app["id"])
    with pytest.raises(ConflictError, match="impl"):
        apps.hook.create_ml_application_implementation({**body, "name": "impl", "mlApplicationId": app["id"]})


def test_implementation_update_goes_through_updating_with_a_work_request(apps: MlApps, client) -> None:
    implementation = apps.implementation(apps.app()["id"])
    impl_id = implementation["id"]
    assert implementation["lifecycleState"] == "ACTIVE" and "packageVersion" not in implementation
    reply = apps.hook.update_ml_application_implementation(impl_id, {"freeformTags": {"a": "b"}})
    work_id = reply.headers["opc-work-request-id"]
    assert apps.get("ml_application_implementation", impl_id)["lifecycleState"] == "UPDATING"
    # (the hook's call flow reads an update's 409 during UPDATING as "taken effect": ask directly)
    again = client.op(
        "update_ml_application_implementation", ml_application_implementation_id=impl_id, json={}
    )
    assert again.status_code == 409 and "UPDATING" in again.json()["message"]
    with pytest.raises(ConflictError, match="UPDATING"):
        apps.hook.put_ml_application_package(impl_id, package())
    with pytest.raises(ConflictError, match="UPDATING"):
        apps.hook.delete_ml_application_implementation(impl_id)
    apps.emu.advance(1)
    assert apps.get("ml_application_implementation", impl_id)["lifecycleState"] == "ACTIVE"
    work = apps.work_request(work_id)
    assert (work["status"], work["resources"][0]["identifier"]) == ("SUCCEEDED", impl_id)


def test_a_scripted_failing_update_ends_needs_attention(apps: MlApps) -> None:
    impl_id = apps.implementation(apps.app()["id"], freeformTags={"emulator-fail-actions": "update"})["id"]
    reply = apps.hook.update_ml_application_implementation(impl_id, {"logging": {}})
    apps.emu.advance(1)
    implementation = apps.get("ml_application_implementation", impl_id)
    assert implementation["lifecycleState"] == "NEEDS_ATTENTION"
    work_id = reply.headers["opc-work-request-id"]
    assert apps.work_request(work_id)["status"] == "FAILED"
    [error] = apps.hook.list_all_work_request_errors(work_id)
    assert error["message"] == implementation["lifecycleDetails"]
    with pytest.raises(BadRequestError, match="emulator-fail-actions"):
        apps.hook.update_ml_application_implementation(
            impl_id, {"freeformTags": {"emulator-fail-actions": "x"}}
        )


def test_uploads_make_versions_and_keep_every_package(apps: MlApps) -> None:
    implementation = apps.deployed()
    impl_id = implementation["id"]
    second = package("2.0", b"more")
    work_id = apps.upload(impl_id, second)
    [old, new] = sorted(
        apps.hook.list_all_ml_application_implementation_versions(impl_id), key=lambda v: v["packageVersion"]
    )
    assert (old["lifecycleState"], new["lifecycleState"]) == ("ACTIVE", "CREATING")
    assert apps.get("ml_application_implementation", impl_id)["packageVersion"] == "1.0"
    apps.emu.advance(1)
    assert apps.work_request(work_id)["status"] == "SUCCEEDED"
    assert apps.get("ml_application_implementation_version", new["id"])["lifecycleState"] == "ACTIVE"
    assert apps.get("ml_application_implementation", impl_id)["packageVersion"] == "2.0"
    assert apps.hook.get_ml_application_package_content(impl_id).data == second
    assert apps.hook.get_ml_application_historical_package_content(old["id"]).data == package("1.0")


def test_a_package_that_is_not_a_zip_fails_its_upload(apps: MlApps) -> None:
    implementation = apps.deployed()
    impl_id = implementation["id"]
    work_id = apps.upload(impl_id, b"not a zip")
    apps.emu.advance(1)
    work = apps.work_request(work_id)
    assert work["status"] == "FAILED"
    implementation = apps.get("ml_application_implementation", impl_id)
    assert implementation["lifecycleState"] == "NEEDS_ATTENTION"
    assert implementation["packageVersion"] == "1.0"  # the deployed package stays
    assert "not a zip" in implementation["lifecycleDetails"]
    failed = [
        v
        for v in apps.hook.list_all_ml_application_implementation_versions(impl_id)
        if v["packageVersion"] == "2.0"
    ]
    assert [v["lifecycleState"] for v in failed] == ["FAILED"]
    # NEEDS_ATTENTION may be fixed by another upload
    apps.upload(impl_id, package("3.0"))
    apps.emu.advance(1)
    assert apps.get("ml_application_implementation", impl_id)["lifecycleState"] == "ACTIVE"


def test_package_arguments_header_is_checked(apps: MlApps) -> None:
    impl_id = apps.implementation(apps.app()["id"])["id"]
    for bad in ("not json", '["a"]', '{"a": 1}'):
        with pytest.raises(BadRequestError, match="opc-ml-app-package-args"):
            apps.hook.put_ml_application_package(impl_id, package(), opc_ml_app_package_args=bad)
    assert [v for v in apps.hook.list_all_ml_application_implementation_versions(impl_id)] == []
    with pytest.raises(NotFoundError, match="no ML application package"):
        apps.hook.get_ml_application_package_content(impl_id)


def test_a_package_upload_is_replayed_for_its_retry_token(apps: MlApps) -> None:
    impl_id = apps.implementation(apps.app()["id"])["id"]
    first = apps.upload(impl_id, package(), opc_retry_token="token-1")
    assert apps.upload(impl_id, package(), opc_retry_token="token-1") == first
    assert len(apps.hook.list_all_ml_application_implementation_versions(impl_id)) == 1
    other = apps.implementation(apps.app()["id"])["id"]
    with pytest.raises(ConflictError, match="retry"):
        apps.hook.put_ml_application_package(other, package(), opc_retry_token="token-1")


def test_deleting_an_implementation_removes_it_and_its_versions(apps: MlApps) -> None:
    implementation = apps.deployed()
    impl_id = implementation["id"]
    [version] = apps.hook.list_all_ml_application_implementation_versions(impl_id)
    instance = apps.instance(implementation)
    apps.emu.advance(1)
    with pytest.raises(ConflictError, match="uses it"):
        apps.hook.delete_ml_application_implementation(impl_id)
    apps.hook.delete_ml_application_instance(instance["id"])
    apps.emu.advance(1)
    reply = apps.hook.delete_ml_application_implementation(impl_id)
    assert apps.get("ml_application_implementation", impl_id)["lifecycleState"] == "DELETING"
    assert apps.get("ml_application_implementation_version", version["id"])["lifecycleState"] == "DELETING"
    apps.emu.advance(1)
    work = apps.work_request(reply.headers["opc-work-request-id"])
    assert (work["operationType"], work["status"]) == ("ML_APPLICATION_IMPLEMENTATION_DELETE", "SUCCEEDED")
    for kind, ocid in (("implementation", impl_id), ("implementation_version", version["id"])):
        with pytest.raises(NotFoundError):
            getattr(apps.hook, f"get_ml_application_{kind}")(ocid)
    with pytest.raises(NotFoundError):
        apps.hook.get_ml_application_historical_package_content(version["id"])
    assert apps.hook.list_all_ml_application_implementations(apps.comp) == []


def test_versions_are_listed_per_implementation(apps: MlApps, client) -> None:
    implementation = apps.deployed()
    other = apps.deployed(apps.app()["id"])
    ids = {v["id"] for v in apps.hook.list_all_ml_application_implementation_versions(implementation["id"])}
    assert len(ids) == 1
    assert ids.isdisjoint(
        v["id"] for v in apps.hook.list_all_ml_application_implementation_versions(other["id"])
    )
    resp = client.op("list_ml_application_implementation_versions")
    assert resp.status_code == 400 and "mlApplicationImplementationId" in resp.json()["message"]
    valid(
        "list_ml_application_implementation_versions",
        apps.hook.list_ml_application_implementation_versions(other["id"], lifecycle_state="ACTIVE"),
    )


def test_a_package_upload_must_be_signed_with_its_body_headers(apps: MlApps, client) -> None:
    impl_id = apps.implementation(apps.app()["id"])["id"]
    path = {"ml_application_implementation_id": impl_id}
    headers = {"content-type": "application/octet-stream"}
    target = f"/mlApplicationImplementations/{impl_id}/mlApplicationPackage"
    unsigned = client.call("PUT", target, data=package(), headers=headers, sign_body=False)
    assert unsigned.status_code == 401 and "does not cover the required header" in unsigned.json()["message"]

    def tamper(prepared):  # other bytes of the same length: the signature holds, the digest not
        prepared.body = prepared.body[:-1] + b"!"

    tampered = client.call("PUT", target, data=package(), headers=headers, mutate=tamper)
    assert tampered.status_code == 401 and "x-content-sha256" in tampered.json()["message"]
    assert apps.hook.list_all_ml_application_implementation_versions(impl_id) == []
    signed = client.op("put_ml_application_package", data=package(), headers=headers, **path)
    assert signed.status_code == 202, signed.text
