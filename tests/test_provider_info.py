"""Provider metadata: connection form declared as data, hook importable, schema-valid."""

from __future__ import annotations

import importlib
import json
from importlib import resources

from airflow_ds_provider.get_provider_info import get_provider_info


def test_connection_type_declared() -> None:
    info = get_provider_info()
    (conn,) = info["connection-types"]
    assert conn["connection-type"] == "oci_data_science"
    module, _, name = conn["hook-class-name"].rpartition(".")
    hook = getattr(importlib.import_module(module), name)
    assert hook.conn_type == "oci_data_science" and hook.conn_name_attr == "oci_conn_id"
    assert hook.default_conn_name == "oci_data_science_default" and hook.hook_name == conn["hook-name"]
    fields = conn["conn-fields"]
    assert fields["key_content"]["schema"]["format"] == "password"
    for key in (
        "auth_type",
        "tenancy",
        "fingerprint",
        "key_file",
        "region",
        "config_file",
        "profile",
        "endpoint",
    ):
        assert key in fields and fields[key]["label"] and "type" in fields[key]["schema"]
    behaviour = conn["ui-field-behaviour"]
    assert behaviour["relabeling"]["login"] == "User OCID"
    assert set(behaviour["hidden-fields"]) <= {
        "description",
        "host",
        "port",
        "login",
        "password",
        "schema",
        "extra",
    }
    assert info["hooks"][0]["python-modules"] == ["airflow_ds_provider.hooks.data_science"]


def test_matches_airflow_schemas() -> None:
    import jsonschema

    info = get_provider_info()
    runtime = json.loads(resources.files("airflow").joinpath("provider_info.schema.json").read_text())
    jsonschema.validate(info, runtime)
    authoring = json.loads(resources.files("airflow").joinpath("provider.yaml.schema.json").read_text())
    conn_schema = authoring["properties"]["connection-types"]
    jsonschema.validate(info["connection-types"], conn_schema)


def test_registered_with_airflow() -> None:
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    behaviour = manager.field_behaviours["oci_data_science"]
    assert behaviour["relabeling"]["login"] == "User OCID"
    assert "extra__oci_data_science__key_content" in manager.connection_form_widgets
