"""Branches only real HTTP reaches: a failed work request's errors in the async wait, and an
error answer whose body is not JSON (a proxy or gateway in front of the service)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from airflow_ds_provider.client import (
    AsyncDataScienceClient,
    ClientConfig,
    DataScienceClient,
    ResourceFailedError,
    RetryPolicy,
)
from airflow_ds_provider.client._base import MAX_ERROR_TEXT
from airflow_ds_provider.client.errors import BadRequestError

FAST = RetryPolicy(max_attempts=3, max_seconds=5, base_delay=0.01, max_delay=0.02)
DETAILS = "container health check failed: /health returned 500"


def _failed_deployment(client: DataScienceClient, comp: str) -> tuple[str, str]:
    """A model deployment whose create work request the emulator is told to fail."""
    pid = client.create_project({"compartmentId": comp}).data["id"]
    mid = client.create_model({"compartmentId": comp, "projectId": pid}).data["id"]
    client.create_model_artifact(mid, b"model bytes")
    body = {
        "compartmentId": comp,
        "projectId": pid,
        "modelDeploymentConfigurationDetails": {
            "deploymentType": "SINGLE_MODEL",
            "modelConfigurationDetails": {
                "modelId": mid,
                "instanceConfiguration": {"instanceShapeName": "VM.Standard.E4.Flex"},
            },
        },
    }
    resp = client.create_model_deployment(body)
    return resp.data["id"], resp.work_request_id


async def test_async_wait_for_a_failed_work_request_lists_its_errors(ds_emulator, ds_identity) -> None:
    config = ClientConfig.from_connection(ds_emulator.connection_extra(ds_identity))
    with DataScienceClient(config, retry_policy=FAST) as sync:
        deployment, work_request = _failed_deployment(sync, ds_identity.compartment_id)
        ds_emulator.script_model_deployment(deployment, outcome="FAILED", details=DETAILS)
        ds_emulator.advance(60)
        listed = sync.list_work_request_errors(work_request).data
    assert listed, "the emulator lists the errors of a failed work request"
    async with AsyncDataScienceClient(config, retry_policy=FAST) as client:
        with pytest.raises(ResourceFailedError) as info:
            await client.wait_for_state("work_request", work_request, poll_interval=0.01, timeout=5)
    err = info.value
    assert err.resource == "work_request" and err.state == "FAILED"
    assert err.errors == listed
    assert f"(errors: {listed[0]['code']}: " in str(err) and DETAILS in str(err)
    assert any(r["operation"] == "list_work_request_errors" for r in ds_emulator.requests)


class _TextErrors(BaseHTTPRequestHandler):
    """Answers every request with a plain-text 400, as a gateway in front of the API would."""

    body = b"Request Header Or Cookie Too Large"

    def _answer(self) -> None:
        self.send_response(400)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(self.body)))
        self.send_header("opc-request-id", "gateway-req-1")
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


class _LongTextErrors(_TextErrors):
    body = b"<html>" + b"x" * (MAX_ERROR_TEXT * 2) + b"</html>"


@pytest.fixture(params=[_TextErrors, _LongTextErrors], ids=["text", "long_html"])
def text_gateway(request, ds_emulator, ds_identity) -> Iterator[tuple[ClientConfig, bytes]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    extra = {
        **ds_emulator.connection_extra(ds_identity),
        "endpoint": f"http://127.0.0.1:{server.server_port}",
    }
    try:
        yield ClientConfig.from_connection(extra), request.param.body
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _check(err: BadRequestError, body: bytes) -> None:
    assert err.status == 400 and err.code == "HTTP400"
    assert err.message == body.decode()[:MAX_ERROR_TEXT]
    assert err.opc_request_id == "gateway-req-1"


def test_sync_non_json_error_body_is_the_message(text_gateway) -> None:
    config, body = text_gateway
    with DataScienceClient(config, retry_policy=FAST) as client, pytest.raises(BadRequestError) as info:
        client.list_projects("ocid1.compartment.oc1..test")
    _check(info.value, body)


async def test_async_non_json_error_body_is_the_message(text_gateway) -> None:
    config, body = text_gateway
    async with AsyncDataScienceClient(config, retry_policy=FAST) as client:
        with pytest.raises(BadRequestError) as info:
            await client.list_projects("ocid1.compartment.oc1..test")
    _check(info.value, body)
