"""The async client over real HTTP against the emulator: a representative set of operations."""

from __future__ import annotations

import io
import time

import ds_bodies as bodies
import pytest

from airflow_ds_provider.client import (
    AsyncDataScienceClient,
    ClientConfig,
    NotFoundError,
    ResourceFailedError,
    RetryPolicy,
    WaitTimeoutError,
)
from airflow_ds_provider.client.errors import BadRequestError, InvalidArgumentError

FAST = RetryPolicy(max_attempts=8, max_seconds=10, base_delay=0.01, max_delay=0.05)


@pytest.fixture(scope="module")
def emu(ds_emulator_factory):
    with ds_emulator_factory.private(speed=20) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def ident(emu):
    return emu.create_identity()


@pytest.fixture
async def client(emu, ident):
    emu.reset()
    async with AsyncDataScienceClient(
        ClientConfig.from_connection(emu.connection_extra(ident)), retry_policy=FAST
    ) as c:
        yield c


def _ops(emu, operation: str, expected: int) -> list[dict]:
    deadline = time.monotonic() + 1.0
    while True:
        found = [r for r in emu.requests if r["operation"] == operation]
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        time.sleep(0.01)


async def _project_and_job(client, comp: str, **tags: str) -> tuple[str, str]:
    pid = (await client.create_project(bodies.project(comp))).data["id"]
    job = (await client.create_job(bodies.job(comp, pid, **tags))).data["id"]
    await client.wait_for_state("job", job, poll_interval=0.05, timeout=10)
    return pid, job


async def test_crud_pagination_and_errors(client, ident) -> None:
    comp = ident.compartment_id
    ids = {(await client.create_project(bodies.project(comp, f"p{i}"))).data["id"] for i in range(3)}
    assert {p["id"] for p in await client.list_all_projects(comp, limit=2)} == ids
    assert {p["id"] async for p in client.paginate("list_projects", compartment_id=comp, limit=1)} == ids
    pid = next(iter(ids))
    resp = await client.get_project(pid)
    assert resp.data["id"] == pid and resp.headers["ETAG"] == resp.etag and resp.request_id
    assert (await client.update_project(pid, {"displayName": "x"})).data["displayName"] == "x"
    assert (await client.request("GET", f"/projects/{pid}")).data["displayName"] == "x"
    with pytest.raises(NotFoundError) as info:
        await client.get_project("ocid1.datascienceproject.oc1.iad.nope")
    assert info.value.code == "NotAuthorizedOrNotFound" or info.value.status == 404
    with pytest.raises(InvalidArgumentError, match="lifecycle_state"):
        await client.list_projects(comp, lifecycle_state="ALIVE")


async def test_artifact_stream_upload_and_download(client, ident, tmp_path) -> None:
    comp = ident.compartment_id
    _, job = await _project_and_job(client, comp)
    payload = bytes(range(256)) * 5000  # 1.28 MB: several upload chunks
    await client.create_job_artifact(
        job, io.BytesIO(payload), content_disposition="attachment; filename=a.zip"
    )
    head = await client.head_job_artifact(job)
    assert int(head.headers["content-length"]) == len(payload)
    assert (await client.get_job_artifact_content(job, range="bytes=10-19")).data == payload[10:20]
    target = tmp_path / "out.zip"
    resp = await client.download_artifact("get_job_artifact_content", job, target)
    assert target.read_bytes() == payload and resp.data == str(target)
    model = (
        await client.create_model(bodies.model(comp, (await client.get_job(job)).data["projectId"]))
    ).data
    path = tmp_path / "model.zip"
    path.write_bytes(payload[:1000])
    await client.create_model_artifact(model["id"], str(path))
    assert (await client.get_model_artifact_content(model["id"])).data == payload[:1000]


async def test_job_run_wait_success_and_failure(client, ident) -> None:
    comp = ident.compartment_id
    pid, job = await _project_and_job(client, comp)
    run = (await client.create_job_run(bodies.job_run(comp, pid, job))).data
    data = await client.wait_for_state("job_run", run["id"], poll_interval=0.05, timeout=10)
    assert data["lifecycleState"] == "SUCCEEDED"
    failing = bodies.job_run(
        comp, pid, job, **{"emulator-outcome": "FAILED", "emulator-details": "exit code 3"}
    )
    run = (await client.create_job_run(failing)).data
    with pytest.raises(ResourceFailedError) as info:
        await client.wait_for_state("job_run", run["id"], poll_interval=0.05, timeout=10)
    assert (
        info.value.state == "FAILED"
        and info.value.details == "exit code 3"
        and "exit code 3" in str(info.value)
    )


async def test_wait_timeout_and_not_found(emu, client, ident) -> None:
    comp = ident.compartment_id
    pid, job = await _project_and_job(client, comp)
    slow = bodies.job_run(comp, pid, job, **{"emulator-duration": "600"})
    run = (await client.create_job_run(slow)).data
    with pytest.raises(WaitTimeoutError) as info:
        await client.wait_for_state("job_run", run["id"], poll_interval=0.05, timeout=0.3)
    assert info.value.state in ("ACCEPTED", "IN_PROGRESS") and info.value.timeout == 0.3
    await client.cancel_job_run(run["id"])
    canceled = await client.wait_for_state(
        "job_run", run["id"], target_states=["CANCELED"], poll_interval=0.05, timeout=10
    )
    assert canceled["lifecycleState"] == "CANCELED"
    await client.delete_job_run(run["id"])
    result = await client.wait_for_state(
        "job_run", run["id"], target_states=["DELETED"], poll_interval=0.05, timeout=10, not_found_ok=True
    )
    assert result is None or result["lifecycleState"] == "DELETED"


async def test_retries_and_idempotent_create(emu, client, ident) -> None:
    comp = ident.compartment_id
    emu.inject_fault(method="GET", path=r"/projects$", status=503, count=3)
    assert (await client.list_projects(comp)).status == 200
    assert len(_ops(emu, "list_projects", 4)) == 4
    emu.inject_fault(method="POST", path=r"/projects$", kind="commit_then_drop", count=1)
    await client.create_project(bodies.project(comp, "once"))
    assert [p["displayName"] for p in emu.list("project")] == ["once"]
    emu.inject_fault(method="GET", path=r"/projects$", status=400, count=3)
    with pytest.raises(BadRequestError):
        await client.list_projects(comp)
    assert len(_ops(emu, "list_projects", 5)) == 5


async def test_work_request_wait(emu, client, ident) -> None:
    comp = ident.compartment_id
    pid = (await client.create_project(bodies.project(comp))).data["id"]
    resp = await client.delete_project(pid)
    data = await client.wait_for_state("work_request", resp.work_request_id, poll_interval=0.05, timeout=10)
    assert data["status"] == "SUCCEEDED"


async def test_incorrect_state_conflict_is_retried_until_the_transition_ends(emu, ident) -> None:
    comp = ident.compartment_id
    policy = RetryPolicy(max_attempts=30, max_seconds=10, base_delay=0.05, max_delay=0.1)
    config = ClientConfig.from_connection(emu.connection_extra(ident))
    async with AsyncDataScienceClient(config, retry_policy=policy) as client:
        pid = (await client.create_project(bodies.project(comp))).data["id"]
        mid = (await client.create_model(bodies.model(comp, pid))).data["id"]
        await client.create_model_artifact(mid, b"model")
        md = (await client.create_model_deployment(bodies.model_deployment(comp, pid, mid))).data["id"]
        resp = await client.update_model_deployment(md, {"displayName": "renamed"})  # 409 while CREATING
    assert resp.status in (200, 202)
    statuses = [r["status"] for r in _ops(emu, "update_model_deployment", 2)]
    assert statuses[0] == 409 and statuses[-1] in (200, 202)


async def test_signature_covers_encoded_query(client, ident) -> None:
    name = "a b/c:d&e=f?ü+%"
    pid = (await client.create_project(bodies.project(ident.compartment_id, name))).data["id"]
    found = (await client.list_projects(ident.compartment_id, display_name=name)).data
    assert [p["id"] for p in found] == [pid]
