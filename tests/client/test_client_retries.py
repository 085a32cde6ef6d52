"""Retries, 401 refresh, errors and pagination over real HTTP against the emulator (sync client)."""

from __future__ import annotations

import logging
import socket
import time

import ds_bodies as bodies
import pytest

from airflow_ds_provider.client import ClientConfig, DataScienceClient, RetryPolicy, TransportError
from airflow_ds_provider.client.auth import ApiKeyCredentials
from airflow_ds_provider.client.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ServerError,
    ThrottledError,
)

FAST = RetryPolicy(max_attempts=8, max_seconds=10, base_delay=0.01, max_delay=0.05)


@pytest.fixture(scope="module")
def emu(ds_emulator_factory):
    with ds_emulator_factory.private(manual_clock=True) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def ident(emu):
    return emu.create_identity()


@pytest.fixture
def extra(emu, ident):
    emu.reset()
    return emu.connection_extra(ident)


@pytest.fixture
def client(extra):
    with DataScienceClient(ClientConfig.from_connection(extra), retry_policy=FAST) as c:
        yield c


def _attempts(emu, operation: str, expected: int = 0) -> list[dict]:
    """Requests of ``operation`` in the emulator's log (which is written just after the reply)."""
    deadline = time.monotonic() + 1.0
    while True:
        found = [r for r in emu.requests if r["operation"] == operation]
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        time.sleep(0.01)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_burst_is_retried(emu, ident, client, status, caplog) -> None:
    emu.inject_fault(method="GET", path=r"/projects$", status=status, count=3)
    with caplog.at_level(logging.WARNING, logger="airflow_ds_provider.client"):
        resp = client.list_projects(ident.compartment_id)
    assert resp.status == 200
    attempts = _attempts(emu, "list_projects", 4)
    assert [a["status"] for a in attempts] == [status] * 3 + [200]
    assert len({a["opc_request_id"] for a in attempts}) == 1  # one logical call
    logged = [r.getMessage() for r in caplog.records if r.name == "airflow_ds_provider.client"]
    assert len(logged) == 3 and all("list_projects" in m and str(status) in m for m in logged)
    assert attempts[0]["opc_request_id"] in logged[0]


def test_persistent_503_gives_up_within_the_bound(emu, ident, extra) -> None:
    emu.inject_fault(method="GET", path=r"/projects$", status=503, count=1000)
    policy = RetryPolicy(max_attempts=4, max_seconds=5, base_delay=0.01, max_delay=0.02)
    with DataScienceClient(ClientConfig.from_connection(extra), retry_policy=policy) as client:
        start = time.monotonic()
        with pytest.raises(ServerError) as info:
            client.list_projects(ident.compartment_id)
    assert time.monotonic() - start < 10  # a generous bound for a loaded CI machine
    assert info.value.status == 503 and info.value.code == "ServiceUnavailable"
    assert info.value.operation == "list_projects" and info.value.opc_request_id
    assert len(_attempts(emu, "list_projects", 4)) == 4


def test_total_time_bound(emu, ident, extra) -> None:
    emu.inject_fault(method="GET", path=r"/projects$", status=429, count=100000)
    extra = {**extra, "max_attempts": 1000, "max_retry_seconds": 0.4}
    config = ClientConfig.from_connection(extra)
    policy = RetryPolicy(config.max_attempts, config.max_retry_seconds, base_delay=0.05, max_delay=0.1)
    with DataScienceClient(config, retry_policy=policy) as client:
        start = time.monotonic()
        with pytest.raises(ThrottledError):
            client.list_projects(ident.compartment_id)
    assert time.monotonic() - start < 10  # unbounded, 1000 attempts would take ~100 s


def test_short_409_incorrect_state_is_retried(emu, ident, client) -> None:
    emu.inject_fault("GET", r"/projects$", status=409, count=2, error_code="IncorrectState")
    assert client.list_projects(ident.compartment_id).status == 200
    assert [a["status"] for a in _attempts(emu, "list_projects", 3)] == [409, 409, 200]


def test_persistent_409_gives_up_after_the_conflict_bound(emu, ident, client) -> None:
    """A resource busy for minutes (e.g. a model in use) fails fast instead of retrying for 600 s."""
    emu.inject_fault("GET", r"/projects$", status=409, count=100, error_code="IncorrectState")
    with pytest.raises(ConflictError) as info:
        client.list_projects(ident.compartment_id)
    assert info.value.code == "IncorrectState"
    assert len(_attempts(emu, "list_projects", FAST.max_conflict_attempts)) == FAST.max_conflict_attempts
    assert FAST.max_conflict_attempts < FAST.max_attempts


def test_other_409_codes_are_not_retried(emu, ident, client) -> None:
    emu.inject_fault("GET", r"/projects$", status=409, count=5, error_code="InvalidatedRetryToken")
    with pytest.raises(ConflictError):
        client.list_projects(ident.compartment_id)
    assert len(_attempts(emu, "list_projects", 1)) == 1


def test_retry_after_is_honoured(emu, ident, client) -> None:
    emu.inject_fault(method="GET", path=r"/projects$", status=429, count=1, retry_after=0.4)
    start = time.monotonic()
    client.list_projects(ident.compartment_id)
    assert time.monotonic() - start >= 0.4


def test_400_is_never_retried(emu, ident, client) -> None:
    emu.inject_fault(method="GET", path=r"/projects$", status=400, count=5)
    with pytest.raises(BadRequestError) as info:
        client.list_projects(ident.compartment_id)
    assert info.value.status == 400
    assert len(_attempts(emu, "list_projects", 1)) == 1


def test_commit_then_drop_create_is_deduplicated(emu, ident, client) -> None:
    project = client.create_project(bodies.project(ident.compartment_id)).data
    job = client.create_job(bodies.job(ident.compartment_id, project["id"])).data
    emu.advance(10)
    emu.inject_fault(method="POST", path=r"/jobRuns$", kind="commit_then_drop", count=1)
    run = client.create_job_run(bodies.job_run(ident.compartment_id, project["id"], job["id"])).data
    assert [r["id"] for r in emu.list("job_run")] == [run["id"]]
    attempts = _attempts(emu, "create_job_run", 2)
    assert len(attempts) == 2


def test_dropped_connection_without_a_completion_check_is_not_resent(emu, ident, client) -> None:
    """A raw POST (no retry token, no completion check) is sent once after a lost connection."""
    emu.inject_fault(method="POST", path=r"/projects$", kind="drop", count=5)
    with pytest.raises(TransportError) as info:
        client.request("POST", "/projects", json=bodies.project(ident.compartment_id))
    assert info.value.operation == "POST /projects"
    assert len(_attempts(emu, "create_project", 1)) == 1 and emu.list("project") == []


def test_dropped_get_is_retried(emu, ident, client) -> None:
    emu.inject_fault(method="GET", path=r"/projects$", kind="drop", count=2)
    assert client.list_projects(ident.compartment_id).status == 200


def test_connection_refused_is_transport_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = ClientConfig.from_connection({"endpoint": f"http://127.0.0.1:{port}"})

    policy = RetryPolicy(max_attempts=3, base_delay=0.01)
    client = DataScienceClient(config, credentials=_static_creds(), retry_policy=policy)
    with client, pytest.raises(TransportError, match="connection failed") as info:
        client.get_project("ocid1.datascienceproject.oc1..x")
    assert info.value.opc_request_id


def _static_creds() -> ApiKeyCredentials:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return ApiKeyCredentials(
        "ocid1.tenancy.oc1..unknown",
        "ocid1.user.oc1..unknown",
        "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff",
        key_content=pem,
    )


class RotatingCredentials:
    """First an unregistered key; after a 401, the registered one."""

    def __init__(self, bad: ApiKeyCredentials, good: ApiKeyCredentials, refresh: bool) -> None:
        self.current, self.good, self.refresh, self.calls = bad, good, refresh, 0

    def signing_key(self):
        return self.current.signing_key()

    async def asigning_key(self):
        return self.current.signing_key()

    def on_unauthorized(self) -> bool:
        self.calls += 1
        if self.refresh:
            self.current = self.good
        return self.refresh


@pytest.mark.parametrize("refresh", [True, False])
def test_401_refreshes_once(emu, ident, extra, refresh) -> None:
    config = ClientConfig.from_connection(extra)
    good = ApiKeyCredentials(ident.tenancy, ident.user, ident.fingerprint, key_content=extra["private_key"])
    creds = RotatingCredentials(_static_creds(), good, refresh)
    with DataScienceClient(config, credentials=creds, retry_policy=FAST) as client:
        if refresh:
            assert client.list_projects(ident.compartment_id).status == 200
        else:
            with pytest.raises(AuthenticationError) as info:
                client.list_projects(ident.compartment_id)
            assert info.value.code == "NotAuthenticated"
    assert creds.calls == 1
    assert len(_attempts(emu, "list_projects", 2 if refresh else 1)) == (2 if refresh else 1)


def test_pagination(emu, ident, client) -> None:
    ids = {client.create_project(bodies.project(ident.compartment_id, f"p{i}")).data["id"] for i in range(5)}
    emu.clear_requests()
    assert {p["id"] for p in client.list_all_projects(ident.compartment_id, limit=2)} == ids
    assert len(_attempts(emu, "list_projects", 3)) == 3
    assert {
        p["id"] for p in client.paginate("list_projects", compartment_id=ident.compartment_id, limit=4)
    } == ids
    first = client.list_projects(ident.compartment_id, limit=2)
    assert len(first.data) == 2 and first.next_page


def test_raw_request_escape_hatch(emu, ident, client) -> None:
    pid = client.create_project(bodies.project(ident.compartment_id)).data["id"]
    assert client.request("GET", f"/projects/{pid}").data["id"] == pid
    resp = client.request("GET", "/projects", params={"compartmentId": ident.compartment_id, "limit": 1})
    assert resp.data[0]["id"] == pid
    with pytest.raises(BadRequestError):
        client.request("POST", "/projects", json={"displayName": "no compartment"})


def test_non_json_error_body_becomes_the_message(emu, client) -> None:
    with pytest.raises(Exception) as info:
        client.request("GET", "/../nothing-here")
    assert getattr(info.value, "status", None) in (400, 404, 405)


def test_signature_covers_encoded_query_and_path(emu, ident, client) -> None:
    name = "a b/c:d&e=f?ü+%"
    pid = client.create_project(bodies.project(ident.compartment_id, name)).data["id"]
    found = client.list_projects(ident.compartment_id, display_name=name).data
    assert [p["id"] for p in found] == [pid]
