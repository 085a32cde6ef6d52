"""Fault injection (each kind), the request log, server logging, and bad requests that must not hurt."""

from __future__ import annotations

import logging
import socket
import time

import pytest
import requests


def _list(world, **kw):
    return world.client.op("list_projects", params={"compartmentId": world.comp}, **kw)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_status_faults_for_next_n_requests(world, emu, status):
    emu.inject_fault(
        method="GET", path=r"/projects$", status=status, count=2, retry_after=3 if status == 429 else None
    )
    first, second, third = _list(world), _list(world), _list(world)
    assert (first.status_code, second.status_code, third.status_code) == (status, status, 200)
    assert first.json()["code"] and first.json()["message"]
    if status == 429:
        assert first.headers["retry-after"] == "3"
        assert first.json()["code"] == "TooManyRequests"
    faults = [e["fault"] for e in emu.requests]
    assert faults == ["status", "status", None]


def test_fault_matches_method_and_path_only(world, emu):
    emu.inject_fault(method="POST", path=r"/jobRuns", status=500)
    assert _list(world).status_code == 200
    assert emu.faults.active()


def test_latency_fault(world, emu):
    emu.inject_fault(path="/projects", kind="latency", latency=0.3)
    start = time.perf_counter()
    assert _list(world).status_code == 200
    assert time.perf_counter() - start >= 0.3


def test_drop_fault_processes_nothing(world, emu):
    emu.inject_fault(method="POST", path="/projects", kind="drop")
    with pytest.raises(requests.ConnectionError):
        world.client.op("create_project", json={"compartmentId": world.comp})
    assert emu.list("project") == []
    world.client.op("create_project", json={"compartmentId": world.comp}, expect=200)


def test_commit_then_latency_commits_before_the_late_answer(world, emu):
    emu.inject_fault(method="POST", path="/projects$", kind="commit_then_latency", latency=1.5)
    body = {"compartmentId": world.comp, "displayName": "late answer"}
    with pytest.raises(requests.Timeout):  # the caller gave up (or died) before the answer came
        world.client.op("create_project", json=body, timeout=0.5)
    assert [p["displayName"] for p in emu.list("project")] == ["late answer"]
    deadline = time.monotonic() + 10  # the request log entry is written once the late answer went
    while not emu.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [e["fault"] for e in emu.requests] == ["commit_then_latency"]


def test_commit_then_drop_and_retry_token(world, emu):
    emu.inject_fault(method="POST", path="/projects$", kind="commit_then_drop")
    body = {"compartmentId": world.comp, "displayName": "committed"}
    headers = {"opc-retry-token": "abc"}
    with pytest.raises(requests.ConnectionError):
        world.client.op("create_project", json=body, headers=headers)
    assert len(emu.list("project")) == 1
    retried = world.client.op("create_project", json=body, headers=headers, expect=200).json()
    assert retried["id"] == emu.list("project")[0]["id"]
    assert len(emu.list("project")) == 1


def test_fault_control_over_http(world, emu):
    resp = requests.post(
        f"{emu.url}/_emulator/faults",
        json={"method": "GET", "path": "/projects", "status": 503, "count": 1, "retryAfter": 1},
        timeout=5,
    )
    assert resp.status_code == 200
    assert requests.get(f"{emu.url}/_emulator/faults", timeout=5).json()[0]["status"] == 503
    assert _list(world).status_code == 503
    bad = requests.post(f"{emu.url}/_emulator/faults", json={"kind": "explode"}, timeout=5)
    assert bad.status_code == 400
    requests.post(f"{emu.url}/_emulator/faults", json={"path": "/projects"}, timeout=5)
    requests.delete(f"{emu.url}/_emulator/faults", timeout=5)
    assert _list(world).status_code == 200


def test_request_log(world, emu):
    _list(world, headers={"opc-request-id": "RID1"})
    entry = emu.requests[-1]
    assert entry["method"] == "GET" and entry["path"] == "/20190101/projects"
    assert entry["operation"] == "list_projects" and entry["status"] == 200
    assert entry["opc_request_id"] == "RID1" and "compartmentId=" in entry["query"]
    over_http = requests.get(f"{emu.url}/_emulator/requests", timeout=5).json()
    assert over_http[-1]["opc_request_id"] == "RID1"
    assert "authorization" not in str(emu.requests).lower()


def test_one_log_line_per_request_without_authorization(world, emu, caplog):
    with caplog.at_level(logging.INFO, logger="airflow_ds_provider.emulator"):
        _list(world)
        world.client.op("create_project", json={"compartmentId": world.comp})
        world.client.call(
            "GET", "/projects", params={"compartmentId": world.comp}, date="Mon, 01 Jan 2001 00:00:00 GMT"
        )
    lines = [r.getMessage() for r in caplog.records if r.name == "airflow_ds_provider.emulator"]
    assert len(lines) == 3
    assert " 401 " in lines[2]
    text = "\n".join(lines).lower()
    assert "signature" not in text and "authorization" not in text and "keyid" not in text


def _raw(emu, payload: bytes) -> bytes:
    host, port = emu.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "payload",
    [
        b"GARBAGE\r\n\r\n",
        b"POST /20190101/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{}",
        b"POST /20190101/projects HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"POST /20190101/projects HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
        b"POST /20190101/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab",
        b'GET /20190101/projects?%%%=%zz HTTP/1.1\r\nHost: x\r\nAuthorization: Signature keyId="\xff"\r\n\r\n',
        b"POST /_emulator/advance HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n[1,2]",
        b'POST /_emulator/advance HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n{"seconds": -10}',
        b'POST /_emulator/advance HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\n\r\n{"seconds": -10}',
        b"POST /20190909/search HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
    ],
)
def test_bad_requests_do_not_crash_or_corrupt(world, emu, payload):
    project = world.project()
    answer = _raw(emu, payload)
    assert answer == b"" or answer.startswith(b"HTTP/1."), answer[:100]
    assert b" 500 " not in answer.split(b"\r\n", 1)[0]
    assert world.get("get_project", project_id=project["id"])["id"] == project["id"]
    assert len(emu.list("project")) == 1


def test_status_fault_with_a_chosen_oci_error_code(world, emu):
    emu.inject_fault("GET", r"/projects$", status=409, error_code="IncorrectState", message="busy, retry")
    resp = _list(world)
    assert resp.status_code == 409
    assert resp.json() == {"code": "IncorrectState", "message": "busy, retry"}
    assert _list(world).status_code == 200
