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
    assert fields["private_key"]["schema"]["format"] == "password"
    assert "key_content" not in fields and "pass_phrase" not in fields
    for key in (
        "auth_type",
        "tenancy",
        "user",
        "fingerprint",
        "key_file",
        "region",
        "config_file",
        "profile",
        "endpoint",
    ):
        assert key in fields and fields[key]["label"] and "type" in fields[key]["schema"]
    behaviour = conn["ui-field-behaviour"]
    # the user OCID has one place in the form (the ``user`` extra); the pass phrase is the password
    assert "login" in behaviour["hidden-fields"] and "password" not in behaviour["hidden-fields"]
    assert fields["user"]["label"] == "User OCID"
    assert behaviour["relabeling"] == {"password": "Private key pass phrase"}
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
    assert behaviour["relabeling"]["password"] == "Private key pass phrase"
    assert "login" in behaviour["hidden_fields"]
    widgets = manager.connection_form_widgets
    assert {"extra__oci_data_science__private_key", "extra__oci_data_science__user"} <= set(widgets)
    assert "extra__oci_data_science__key_content" not in widgets


def test_every_operator_sensor_trigger_and_link_is_registered() -> None:
    """Each registered module imports, and every public DataScience* class lives in one."""
    import inspect
    import pkgutil

    import airflow_ds_provider.operators
    import airflow_ds_provider.sensors
    import airflow_ds_provider.triggers
    from airflow_ds_provider.links import console

    info = get_provider_info()
    registered = {
        kind: {m for group in info[kind] for m in group["python-modules"]}
        for kind in ("operators", "sensors", "triggers")
    }
    for kind, package, suffix in (
        ("operators", airflow_ds_provider.operators, "Operator"),
        ("sensors", airflow_ds_provider.sensors, "Sensor"),
        ("triggers", airflow_ds_provider.triggers, "Trigger"),
    ):
        for mod in pkgutil.iter_modules(package.__path__):
            if mod.name == "base" or mod.name.startswith("_"):
                continue  # the private base classes users don't instantiate
            module = importlib.import_module(f"{package.__name__}.{mod.name}")
            public = [
                name
                for name, obj in vars(module).items()
                if inspect.isclass(obj)
                and obj.__module__ == module.__name__
                and name.startswith("DataScience")
                and name.endswith(suffix)
            ]
            if public:
                assert module.__name__ in registered[kind], f"{module.__name__} is not registered"
        for name in registered[kind]:
            importlib.import_module(name)
    links = {
        f"{console.__name__}.{name}"
        for name, obj in vars(console).items()
        if inspect.isclass(obj) and name.startswith("DataScience") and name.endswith("Link")
    }
    assert links == set(info["extra-links"])


OPERATOR_NAMES = [
    "CreateProject",
    "UpdateProject",
    "DeleteProject",
    "ChangeProjectCompartment",
    "CreateJob",
    "UpdateJob",
    "DeleteJob",
    "ChangeJobCompartment",
    "CreateJobArtifact",
    "CreateJobRun",
    "UpdateJobRun",
    "DeleteJobRun",
    "CancelJobRun",
    "ChangeJobRunCompartment",
    "CreateModel",
    "UpdateModel",
    "DeleteModel",
    "ActivateModel",
    "DeactivateModel",
    "ChangeModelCompartment",
    "CreateModelArtifact",
    "CreateModelProvenance",
    "UpdateModelProvenance",
    "CreateModelDeployment",
    "UpdateModelDeployment",
    "DeleteModelDeployment",
    "ActivateModelDeployment",
    "DeactivateModelDeployment",
    "ChangeModelDeploymentCompartment",
    "CreateNotebookSession",
    "UpdateNotebookSession",
    "DeleteNotebookSession",
    "ActivateNotebookSession",
    "DeactivateNotebookSession",
    "ChangeNotebookSessionCompartment",
    "CancelWorkRequest",
]


def test_all_36_operators_exist_with_their_exact_names() -> None:
    assert len(OPERATOR_NAMES) == 36
    found: set[str] = set()
    for group in get_provider_info()["operators"]:
        for module in group["python-modules"]:
            found |= set(vars(importlib.import_module(module)))
    missing = [name for name in OPERATOR_NAMES if f"DataScience{name}Operator" not in found]
    assert not missing


def test_secret_form_fields_use_names_airflow_masks_by_default() -> None:
    """Airflow redacts extras by key name (REST API, form, CLI, logs); ``format: password`` does not."""
    from airflow_ds_provider._compat import secrets_masker

    DEFAULT_SENSITIVE_FIELDS = secrets_masker().DEFAULT_SENSITIVE_FIELDS

    fields = get_provider_info()["connection-types"][0]["conn-fields"]
    secret = [name for name, spec in fields.items() if spec["schema"].get("format") == "password"]
    assert secret == ["private_key"]
    for name in secret:
        assert any(word in name for word in DEFAULT_SENSITIVE_FIELDS), name
    for name in ("key_content", "pass_phrase"):  # the aliases are exactly the names it does not mask
        assert not any(word in name for word in DEFAULT_SENSITIVE_FIELDS)
