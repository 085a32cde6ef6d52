"""ML applications through the hook against a manual-clock emulator: a small world of helpers."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from airflow_ds_provider.emulator import Emulator, Identity
from airflow_ds_provider.hooks.data_science import DataScienceHook
from airflow_ds_provider.spec import operations

from .validator import validate_response

CONN_ENV = "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"


def package(version: str = "1.0", extra: bytes = b"") -> bytes:
    """A small ML application package (a zip with a descriptor and one instance component); the
    same arguments give the same bytes (fixed member times)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        members = {
            "descriptor.yaml": f"descriptorSchemaVersion: 1.0\npackageVersion: {version}\n".encode(),
            "instance-components/main.tf": b"# terraform\n" + extra,
        }
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


def valid(name: str, response: Any) -> Any:
    """Assert a 2xx answer, validate its data against the operation's response model, return it."""
    assert 200 <= response.status < 300, (name, response.status)
    response_type = operations()[name].response_type
    if response_type and response_type != "stream":
        validate_response(response_type, response.data)
    return response.data


class MlApps:
    """Creates ML applications, implementations (with packages) and instances through the hook.

    :param emu: a manual-clock emulator.
    :param ident: the identity whose compartment everything lives in.
    """

    def __init__(self, emu: Emulator, ident: Identity, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(CONN_ENV, emu.airflow_connection_json(ident))
        self.emu = emu
        self.hook = DataScienceHook()
        self.comp = ident.compartment_id
        self._count = 0

    def app(self, **extra: Any) -> dict[str, Any]:
        """A new ACTIVE ML application."""
        self._count += 1
        body = {"name": f"app-{self._count}", "compartmentId": self.comp, **extra}
        return valid("create_ml_application", self.hook.create_ml_application(body))

    def implementation(self, app_id: str, **extra: Any) -> dict[str, Any]:
        """A new implementation, ACTIVE (the clock advanced past CREATING), without a package."""
        body = {"name": "impl", "mlApplicationId": app_id, "compartmentId": self.comp, **extra}
        created = valid(
            "create_ml_application_implementation", self.hook.create_ml_application_implementation(body)
        )
        assert created["lifecycleState"] == "CREATING"
        self.emu.advance(1)
        return self.get("ml_application_implementation", created["id"])

    def deployed(self, app_id: str | None = None, **extra: Any) -> dict[str, Any]:
        """An ACTIVE implementation with a deployed package (version 1.0)."""
        implementation = self.implementation(app_id or self.app()["id"], **extra)
        self.upload(implementation["id"], package())
        self.emu.advance(1)
        return self.get("ml_application_implementation", implementation["id"])

    def upload(self, implementation_id: str, body: Any, **kwargs: Any) -> str:
        """Upload a package; return the upload's work request id."""
        reply = self.hook.put_ml_application_package(implementation_id, body, **kwargs)
        assert reply.status == 202
        return reply.headers["opc-work-request-id"]

    def instance(self, implementation: dict[str, Any], **extra: Any) -> dict[str, Any]:
        """A new instance of ``implementation`` (CREATING; the clock is not advanced)."""
        body = {
            "mlApplicationId": implementation["mlApplicationId"],
            "mlApplicationImplementationId": implementation["id"],
            "compartmentId": self.comp,
            **extra,
        }
        return valid("create_ml_application_instance", self.hook.create_ml_application_instance(body))

    def view_of(self, instance_id: str) -> dict[str, Any]:
        """The instance view of an instance."""
        [view] = self.hook.list_all_ml_application_instance_views(
            self.comp, ml_application_instance_id=instance_id
        )
        return self.get("ml_application_instance_view", view["id"])

    def get(self, kind: str, ocid: str) -> dict[str, Any]:
        """``get_<kind>``, validated."""
        return valid(f"get_{kind}", getattr(self.hook, f"get_{kind}")(ocid))

    def work_request(self, work_id: str) -> dict[str, Any]:
        """The work request, validated."""
        return valid("get_work_request", self.hook.get_work_request(work_id))
