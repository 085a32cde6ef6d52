"""ML application packages through DataScienceHook and the async client: the streamed upload is
signed with body headers (``x-content-sha256`` of the stream, ``content-length``,
``content-type``) from bytes, a path, a file object or a stream that cannot be rewound; the
packages stream back (also to a file); bad arguments fail before anything is sent."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile

import pytest

from airflow_ds_provider.client import AsyncDataScienceClient, ClientConfig
from airflow_ds_provider.client.errors import AuthenticationError, InvalidArgumentError, NotFoundError
from airflow_ds_provider.client.signing import body_sha256
from airflow_ds_provider.hooks.data_science import DataScienceHook

CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"


class _Pipe(io.RawIOBase):
    """A readable stream that cannot seek (like a socket or a pipe)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        return self._data.read(size)


def _package(tag: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("descriptor.yaml", f"tag: {tag}\n")
        archive.writestr("instance-components/big.bin", bytes(range(256)) * 8192)  # 2 MiB: several blocks
    return out.getvalue()


@pytest.fixture(scope="module")
def emu(ds_emulator_factory):
    with ds_emulator_factory.private(manual_clock=True) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def ident(emu):
    return emu.create_identity()


@pytest.fixture
def hook(emu, ident, monkeypatch) -> DataScienceHook:
    emu.reset()
    monkeypatch.setenv(CONN_ENV, emu.airflow_connection_json(ident))
    return DataScienceHook()


def _implementation(hook: DataScienceHook, emu, comp: str) -> str:
    app = hook.create_ml_application({"name": "app", "compartmentId": comp}).data
    body = {"name": "impl", "mlApplicationId": app["id"], "compartmentId": comp}
    impl_id = hook.create_ml_application_implementation(body).data["id"]
    emu.advance(1)
    return impl_id


def _signed_upload(emu) -> dict:
    [entry] = [
        e for e in emu.requests if e["operation"] == "put_ml_application_package" and e["status"] == 202
    ]
    return entry


@pytest.mark.parametrize("source", ["bytes", "path", "file", "pipe"])
def test_the_upload_is_signed_with_the_digest_of_the_stream(hook, emu, ident, tmp_path, source) -> None:
    impl_id = _implementation(hook, emu, ident.compartment_id)
    data = _package(source)
    path = tmp_path / "package.zip"
    path.write_bytes(data)
    body = {
        "bytes": lambda: data,
        "path": lambda: str(path),
        "file": lambda: open(path, "rb"),  # noqa: SIM115 - the hook reads it; closed below
        "pipe": lambda: _Pipe(data),
    }[source]()
    extra = {"content_length": len(data)} if source == "pipe" else {}
    reply = hook.put_ml_application_package(impl_id, body, **extra)
    if hasattr(body, "close"):
        body.close()
    assert reply.status == 202
    emu.advance(1)
    assert hook.get_work_request(reply.headers["opc-work-request-id"]).data["status"] == "SUCCEEDED"
    assert hook.get_ml_application_package_content(impl_id).data == data
    out = tmp_path / "back.zip"
    got = hook.download_artifact("get_ml_application_package_content", impl_id, out)
    assert got.data == str(out) and out.read_bytes() == data


def test_the_emulator_rejects_an_upload_whose_digest_is_not_the_body(hook, emu, ident, monkeypatch) -> None:
    """The check the client passes above is real: a digest of other bytes is refused (401)."""
    from airflow_ds_provider.client import transport

    impl_id = _implementation(hook, emu, ident.compartment_id)
    monkeypatch.setattr(transport.Upload, "sha256", lambda self: body_sha256(b"other bytes"))
    with pytest.raises(AuthenticationError, match="x-content-sha256"):
        hook.put_ml_application_package(impl_id, _package("x"))
    with pytest.raises(NotFoundError):
        hook.get_ml_application_package_content(impl_id)


def test_a_short_stream_fails_before_sending(hook, emu, ident) -> None:
    impl_id = _implementation(hook, emu, ident.compartment_id)
    before = len(emu.requests)
    with pytest.raises(InvalidArgumentError, match=r"put_ml_application_package.*short of content_length 10"):
        hook.put_ml_application_package(impl_id, _Pipe(b"abc"), content_length=10)
    with pytest.raises(InvalidArgumentError, match="content_length is required"):
        hook.put_ml_application_package(impl_id, _Pipe(b"abc"))
    assert len(emu.requests) == before


def test_the_async_client_uploads_and_downloads_packages(hook, emu, ident) -> None:
    impl_id = _implementation(hook, emu, ident.compartment_id)
    data = _package("async")
    config = ClientConfig.from_connection(emu.connection_extra(ident))

    async def run() -> tuple[int, bytes, dict]:
        async with AsyncDataScienceClient(config) as client:
            args = json.dumps({"bucket": "b"})
            reply = await client.put_ml_application_package(
                impl_id, io.BytesIO(data), opc_ml_app_package_args=args
            )
            emu.advance(1)
            content = await client.get_ml_application_package_content(impl_id)
            [version] = await client.list_all_ml_application_implementation_versions(impl_id)
            return reply.status, content.data, version

    status, content, version = asyncio.run(run())
    assert (status, content) == (202, data)
    assert version["lifecycleState"] == "ACTIVE"
    assert _signed_upload(emu)["status"] == 202
