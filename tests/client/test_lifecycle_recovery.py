"""Retries that never give up early, for the sync AND the async client, over real HTTP.

429 and 409 ``IncorrectState``/``LockConflict`` are re-sent for every operation; a lifecycle
action whose answer was lost is judged by reading the resource (success when it has taken
effect, re-sent when it has not); ``retry-after`` as an HTTP date is honoured.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Iterator
from typing import Any

import ds_bodies as bodies
import pytest

from airflow_ds_provider.client import AsyncDataScienceClient, ClientConfig, DataScienceClient, RetryPolicy
from airflow_ds_provider.client.errors import ConflictError, ThrottledError, TransportError
from airflow_ds_provider.emulator import Emulator
from airflow_ds_provider.emulator.faults import http_date

FAST = RetryPolicy(max_attempts=8, max_seconds=20, base_delay=0.01, max_delay=0.05)


class AsyncAdapter:
    """The async client behind the sync client's ``call``/``request`` (one event loop per test)."""

    def __init__(self, config: ClientConfig, policy: RetryPolicy) -> None:
        self.runner = asyncio.Runner()
        self.client = self.runner.run(self._build(config, policy))

    @staticmethod
    async def _build(config: ClientConfig, policy: RetryPolicy) -> AsyncDataScienceClient:
        return AsyncDataScienceClient(config, retry_policy=policy)

    def call(self, operation: str, **kwargs: Any) -> Any:
        return self.runner.run(self.client.call(operation, **kwargs))

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.runner.run(self.client.request(method, path, **kwargs))

    def close(self) -> None:
        self.runner.run(self.client.aclose())
        self.runner.close()


@pytest.fixture(scope="module")
def emu(ds_emulator_factory) -> Iterator[Emulator]:
    with ds_emulator_factory.private(manual_clock=True) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def ident(emu):
    return emu.create_identity()


@pytest.fixture(params=["sync", "async"])
def client(request, emu, ident) -> Iterator[Any]:
    emu.reset()
    config = ClientConfig.from_connection(emu.connection_extra(ident))
    if request.param == "sync":
        with DataScienceClient(config, retry_policy=FAST) as sync_client:
            yield sync_client
    else:
        adapter = AsyncAdapter(config, FAST)
        try:
            yield adapter
        finally:
            adapter.close()


def _requests(emu, operation: str, expected: int = 0) -> list[dict]:
    """Requests of ``operation`` in the emulator's log (written just after each reply)."""
    deadline = time.monotonic() + 2.0
    while True:
        found = [r for r in emu.requests if r["operation"] == operation]
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        time.sleep(0.01)


def _work(emu, operation_type: str) -> list[dict]:
    return [w for w in emu.list("work_request") if w["operationType"] == operation_type]


def _deployment(emu, client, comp: str) -> str:
    """An ACTIVE model deployment (and its model, project)."""
    pid = client.call("create_project", create_project_details=bodies.project(comp)).data["id"]
    mid = client.call("create_model", create_model_details=bodies.model(comp, pid)).data["id"]
    client.call("create_model_artifact", model_id=mid, model_artifact=b"zip")
    details = bodies.model_deployment(comp, pid, mid)
    mdid = client.call("create_model_deployment", create_model_deployment_details=details).data["id"]
    emu.advance(10)
    assert emu.get(mdid)["lifecycleState"] == "ACTIVE"
    return mdid


def _inactive_deployment(emu, client, comp: str) -> str:
    mdid = _deployment(emu, client, comp)
    client.call("deactivate_model_deployment", model_deployment_id=mdid)
    emu.advance(10)
    assert emu.get(mdid)["lifecycleState"] == "INACTIVE"
    emu.clear_requests()
    return mdid


@pytest.mark.parametrize("status", [429, 409])
def test_not_processed_answers_are_retried_for_actions_the_sdk_does_not_retry(emu, ident, client, status):
    mdid = _inactive_deployment(emu, client, ident.compartment_id)
    code = "IncorrectState" if status == 409 else None
    emu.inject_fault("POST", r"/actions/activate$", status=status, count=3, error_code=code)
    resp = client.call("activate_model_deployment", model_deployment_id=mdid)
    assert resp.recovered is None and resp.work_request_id
    assert [r["status"] for r in _requests(emu, "activate_model_deployment", 4)] == [status] * 3 + [202]
    assert [w["id"] for w in _work(emu, "MODEL_DEPLOYMENT_ACTIVATE")] == [resp.work_request_id]
    if status == 429:
        assert _requests(emu, "get_model_deployment") == []  # not processed: nothing to check


def test_429_is_retried_even_for_a_raw_post(emu, ident, client):
    emu.inject_fault("POST", r"/projects$", status=429, count=2)
    resp = client.request("POST", "/projects", json=bodies.project(ident.compartment_id))
    assert resp.status == 200 and len(emu.list("project")) == 1
    assert [r["status"] for r in _requests(emu, "create_project", 3)] == [429, 429, 200]


def test_commit_then_drop_of_an_unsafe_action_is_success_after_a_read(emu, ident, client):
    """The activate went through, its answer was lost: one work request, reported as success."""
    mdid = _inactive_deployment(emu, client, ident.compartment_id)
    emu.inject_fault("POST", r"/actions/activate$", kind="commit_then_drop", count=1)
    resp = client.call("activate_model_deployment", model_deployment_id=mdid)
    work = _work(emu, "MODEL_DEPLOYMENT_ACTIVATE")
    assert len(work) == 1 and resp.work_request_id == work[0]["id"]
    assert resp.recovered and mdid in resp.recovered and "UPDATING" in resp.recovered
    assert len(_requests(emu, "activate_model_deployment", 1)) == 1  # never re-sent
    assert emu.get(mdid)["lifecycleState"] == "UPDATING"


@pytest.mark.parametrize("kind", ["drop", "status"])
def test_unprocessed_ambiguous_failure_of_an_unsafe_action_is_resent_after_a_read(emu, ident, client, kind):
    """A dropped connection or a 503 before the action ran: the read shows it did not, so re-send."""
    mdid = _inactive_deployment(emu, client, ident.compartment_id)
    emu.inject_fault("POST", r"/actions/activate$", kind=kind, status=503, count=2)
    resp = client.call("activate_model_deployment", model_deployment_id=mdid)
    assert resp.recovered is None and resp.status == 202
    assert len(_requests(emu, "activate_model_deployment", 3)) == 3
    assert len(_requests(emu, "get_model_deployment", 2)) == 2  # one read before each re-send
    assert len(_work(emu, "MODEL_DEPLOYMENT_ACTIVATE")) == 1


def test_unsafe_compartment_move_is_judged_by_the_compartment(emu, ident, client):
    comp = ident.compartment_id
    other = comp.replace("amaaaaaa", "amaaaaab")
    pid = client.call("create_project", create_project_details=bodies.project(comp)).data["id"]
    jid = client.call("create_job", create_job_details=bodies.job(comp, pid)).data["id"]
    emu.inject_fault("POST", r"/changeCompartment$", kind="commit_then_drop", count=1)
    resp = client.call(
        "change_job_compartment", job_id=jid, change_job_compartment_details={"compartmentId": other}
    )
    assert resp.recovered and other in resp.recovered
    assert emu.get(jid)["compartmentId"] == other
    assert len(_requests(emu, "change_job_compartment", 1)) == 1


@pytest.mark.parametrize(
    ("operation", "state"), [("deactivate_model", "INACTIVE"), ("delete_model", "DELETED")]
)
def test_resent_safe_action_answered_409_is_success_when_it_took_effect(emu, ident, client, operation, state):
    comp = ident.compartment_id
    pid = client.call("create_project", create_project_details=bodies.project(comp)).data["id"]
    mid = client.call("create_model", create_model_details=bodies.model(comp, pid)).data["id"]
    emu.inject_fault("*", r"/models/[^/]+(/actions/deactivate)?$", kind="commit_then_drop", count=1)
    resp = client.call(operation, model_id=mid)
    assert resp.recovered and state in resp.recovered
    statuses = [r["status"] for r in _requests(emu, operation, 2)]
    assert len(statuses) == 2 and statuses[1] == 409  # the re-send met the state the first one made
    if operation == "deactivate_model":
        assert resp.data["id"] == mid and resp.data["lifecycleState"] == "INACTIVE"  # as the API answers


def test_lost_answer_then_412_on_the_etag_is_success(emu, ident, client):
    """With if-match, the re-send of an action that went through meets a new etag: 412, judged."""
    comp = ident.compartment_id
    pid = client.call("create_project", create_project_details=bodies.project(comp)).data["id"]
    created = client.call("create_model", create_model_details=bodies.model(comp, pid))
    emu.inject_fault("POST", r"/actions/deactivate$", kind="commit_then_drop", count=1)
    resp = client.call("deactivate_model", model_id=created.data["id"], if_match=created.etag)
    assert resp.recovered and [r["status"] for r in _requests(emu, "deactivate_model", 2)][1] == 412


def test_409_when_already_in_the_target_state_is_success(emu, ident, client):
    mdid = _inactive_deployment(emu, client, ident.compartment_id)
    resp = client.call("deactivate_model_deployment", model_deployment_id=mdid)
    assert resp.recovered and "INACTIVE" in resp.recovered
    assert [r["status"] for r in _requests(emu, "deactivate_model_deployment", 1)] == [409]


def test_shared_transient_state_of_another_action_is_not_success(emu, ident, client):
    """UPDATING because of an update is not a deactivate: retried until the 409 bound, then raised."""
    mdid = _deployment(emu, client, ident.compartment_id)
    rename = {"displayName": "renamed"}
    client.call("update_model_deployment", model_deployment_id=mdid, update_model_deployment_details=rename)
    assert emu.get(mdid)["lifecycleState"] == "UPDATING"  # the manual clock keeps it there
    with pytest.raises(ConflictError):
        client.call("deactivate_model_deployment", model_deployment_id=mdid)
    assert len(_requests(emu, "deactivate_model_deployment", FAST.max_conflict_attempts)) == (
        FAST.max_conflict_attempts
    )
    assert _work(emu, "MODEL_DEPLOYMENT_DEACTIVATE") == []


def test_cancel_work_request_survives_429_and_a_lost_answer(emu, ident, client):
    comp = ident.compartment_id
    pid = client.call("create_project", create_project_details=bodies.project(comp)).data["id"]
    wr = client.call("delete_project", project_id=pid).work_request_id
    emu.inject_fault("DELETE", r"/workRequests/", status=429, count=2)
    emu.inject_fault("DELETE", r"/workRequests/", kind="commit_then_drop", count=1)
    resp = client.call("cancel_work_request", work_request_id=wr)
    assert resp.recovered and "CANCELING" in resp.recovered
    assert [r["status"] for r in _requests(emu, "cancel_work_request", 3)][:2] == [429, 429]


def test_retry_after_http_date_is_honoured(emu, ident, client):
    emu.inject_fault("GET", r"/projects$", status=429, count=1, retry_after=http_date(time.time() + 2))
    start = time.monotonic()
    assert client.call("list_projects", compartment_id=ident.compartment_id).status == 200
    assert time.monotonic() - start >= 0.9  # the date has one-second resolution: 1-3 s from now


def test_non_rewindable_upload_is_never_resent(emu, ident, client):
    class OneWay(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            return 0

    comp = ident.compartment_id
    pid = client.call("create_project", create_project_details=bodies.project(comp)).data["id"]
    mid = client.call("create_model", create_model_details=bodies.model(comp, pid)).data["id"]
    emu.inject_fault("POST", r"/artifact$", status=429, count=3)
    with pytest.raises(ThrottledError):
        client.call("create_model_artifact", model_id=mid, model_artifact=OneWay(), content_length=0)
    assert len(_requests(emu, "create_model_artifact", 1)) == 1


def test_persistent_drop_of_an_unsafe_action_ends_within_the_bounds(emu, ident, client):
    mdid = _inactive_deployment(emu, client, ident.compartment_id)
    emu.inject_fault("POST", r"/actions/activate$", kind="drop", count=100)
    with pytest.raises(TransportError):
        client.call("activate_model_deployment", model_deployment_id=mdid)
    assert len(_requests(emu, "activate_model_deployment", FAST.max_attempts)) == FAST.max_attempts
    assert emu.get(mdid)["lifecycleState"] == "INACTIVE"


def test_every_write_the_sdk_would_not_repeat_has_a_completion_check():
    """A new unsafe action without a way to judge it would silently give up after one lost answer."""
    from airflow_ds_provider.client._base import is_retry_safe
    from airflow_ds_provider.client.completion import completion_for
    from airflow_ds_provider.spec import operations

    unsafe = [op.name for op in operations().values() if not op.streams_body and not is_retry_safe(op, None)]
    assert sorted(unsafe) == [
        "activate_model_deployment",
        "activate_notebook_session",
        "cancel_work_request",
        "change_job_compartment",
        "change_job_run_compartment",
        "change_pipeline_compartment",
        "change_pipeline_run_compartment",
        "deactivate_model_deployment",
        "deactivate_notebook_session",
        "delete_data_science_private_endpoint",
        "delete_model_group",
        "delete_model_group_version_history",
        "delete_pipeline",
        "delete_pipeline_run",
        "delete_schedule",
        "import_model_artifact",
        "update_data_science_private_endpoint",
        "update_schedule",
    ]
    assert all(completion_for(name) is not None for name in unsafe)


# --- lost answers across the whole API (the branches of call_flow beyond the state checks) ---


def _project(client, comp: str) -> str:
    return client.call("create_project", create_project_details=bodies.project(comp)).data["id"]


def _pipeline(emu, client, comp: str) -> str:
    pid = _project(client, comp)
    body = {
        "projectId": pid,
        "compartmentId": comp,
        "infrastructureConfigurationDetails": {
            "shapeName": "VM.Standard.E4.Flex",
            "blockStorageSizeInGBs": 50,
        },
        "stepDetails": [
            {
                "stepType": "CONTAINER",
                "stepName": "only",
                "stepContainerConfigurationDetails": {
                    "containerType": "OCIR_CONTAINER",
                    "image": "iad.ocir.io/n/i:1",
                },
            }
        ],
    }
    pipeline = client.call("create_pipeline", create_pipeline_details=body).data["id"]
    emu.advance(5)
    emu.clear_requests()
    return pipeline


def test_an_unconditional_put_is_sent_again_after_a_lost_answer(emu, ident, client):
    pipeline = _pipeline(emu, client, ident.compartment_id)
    emu.inject_fault("PUT", r"/pipelines/", kind="commit_then_drop", count=1)
    resp = client.call("update_pipeline", pipeline_id=pipeline, update_pipeline_details={"description": "d2"})
    assert resp.status == 200 and resp.data["description"] == "d2"
    assert len(_requests(emu, "update_pipeline", 2)) == 2


def test_a_conditional_put_is_not_sent_again_after_a_lost_answer(emu, ident, client):
    pipeline = _pipeline(emu, client, ident.compartment_id)
    etag = client.call("get_pipeline", pipeline_id=pipeline).etag
    emu.inject_fault("PUT", r"/pipelines/", kind="commit_then_drop", count=1)
    with pytest.raises(TransportError):
        client.call(
            "update_pipeline",
            pipeline_id=pipeline,
            update_pipeline_details={"description": "d"},
            if_match=etag,
        )
    assert len(_requests(emu, "update_pipeline", 1)) == 1


def test_a_delete_answered_404_after_a_lost_answer_is_success(emu, ident, client):
    """ML applications vanish when deleted (no DELETED state): the re-sent delete finds nothing."""
    comp = ident.compartment_id
    app = client.call(
        "create_ml_application", create_ml_application_details={"name": "a", "compartmentId": comp}
    )
    emu.inject_fault("DELETE", r"/mlApplications/", kind="commit_then_drop", count=1)
    resp = client.call("delete_ml_application", ml_application_id=app.data["id"])
    assert resp.recovered and "gone" in resp.recovered
    assert [r["status"] for r in _requests(emu, "delete_ml_application", 2)][-1] == 404


def _model_with_metadata(client, comp: str) -> str:
    body = {
        **bodies.model(comp, _project(client, comp)),
        "customMetadataList": [{"key": "readme", "value": "v"}],
    }
    return client.call("create_model", create_model_details=body).data["id"]


def test_an_upload_refused_after_a_lost_answer_is_success_when_the_stored_artifact_is_ours(
    emu, ident, client
):
    mid = _model_with_metadata(client, ident.compartment_id)
    emu.inject_fault("POST", r"/customMetadata/readme/artifact$", kind="commit_then_drop", count=1)
    resp = client.call(
        "create_model_custom_metadatum_artifact",
        model_id=mid,
        metadatum_key_name="readme",
        model_custom_metadatum_artifact=b"ours",
    )
    assert resp.recovered and "ours" in resp.recovered
    assert [r["status"] for r in _requests(emu, "create_model_custom_metadatum_artifact", 2)][-1] == 409
    head = client.call("head_model_custom_metadatum_artifact", model_id=mid, metadatum_key_name="readme")
    assert head.status == 200


def test_an_upload_refused_because_another_artifact_is_there_fails(emu, ident, client):
    mid = _model_with_metadata(client, ident.compartment_id)
    where = {"model_id": mid, "metadatum_key_name": "readme"}
    client.call("create_model_custom_metadatum_artifact", **where, model_custom_metadatum_artifact=b"theirs")
    emu.inject_fault("POST", r"/customMetadata/readme/artifact$", kind="drop", count=1)
    with pytest.raises(ConflictError):
        client.call(
            "create_model_custom_metadatum_artifact", **where, model_custom_metadatum_artifact=b"ours"
        )


def test_an_action_that_changes_no_state_is_judged_by_its_work_request(emu, ident, client):
    comp = ident.compartment_id
    mid = client.call("create_model", create_model_details=bodies.model(comp, _project(client, comp))).data[
        "id"
    ]
    client.call("create_model_artifact", model_id=mid, model_artifact=b"zip")
    details = {
        "artifactImportDetails": {
            "artifactSourceType": "ORACLE_OBJECT_STORAGE",
            "namespace": "ns",
            "destinationBucket": "models",
            "destinationObjectName": "m.zip",
            "destinationRegion": "us-ashburn-1",
        }
    }
    emu.inject_fault("POST", r"/actions/importArtifact$", kind="commit_then_drop", count=1)
    resp = client.call("import_model_artifact", model_id=mid, import_model_artifact_details=details)
    assert resp.recovered and "IMPORT_MODEL_ARTIFACT" in resp.recovered
    assert len(_work(emu, "IMPORT_MODEL_ARTIFACT")) == 1
    assert len(_requests(emu, "import_model_artifact", 1)) == 1  # never re-sent
