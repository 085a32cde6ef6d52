"""Provider metadata read by Airflow's ProvidersManager (entry point ``apache_airflow_provider``).

The connection form is declared here (``conn-fields`` + ``ui-field-behaviour``), as Airflow
3.2+ expects; on Airflow 3.0/3.1 the hook serves the same declaration through the form methods
those versions read (see :func:`connection_type`).
"""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.resources import waitable, with_operators

INTEGRATION = "OCI Data Science"
#: The user documentation's index; equal to pyproject's ``[project.urls] Documentation``, which
#: Airflow 3.3 reads from the package metadata into ``documentation-url`` (tests check both agree).
DOCUMENTATION_URL = "https://github.com/airflow-ds-provider/airflow-ds-provider/blob/main/docs/README.md"


def _field(label: str, description: str, type_: str = "string", **schema: Any) -> dict[str, Any]:
    return {"label": label, "description": description, "schema": {"type": [type_, "null"], **schema}}


CONN_FIELDS: dict[str, Any] = {
    "auth_type": _field(
        "Authentication",
        "api_key: tenancy/user/fingerprint/key below; config_file: a profile of an OCI config file; "
        "security_token, instance_principal, resource_principal, workload_identity: see docs/AUTH.md.",
        enum=[
            "api_key",
            "config_file",
            "security_token",
            "instance_principal",
            "resource_principal",
            "workload_identity",
        ],
        default="api_key",
    ),
    "region": _field("Region", "Region name or short key, e.g. us-ashburn-1 or iad.", default="us-ashburn-1"),
    "tenancy": _field("Tenancy OCID", "ocid1.tenancy.oc1..xxx"),
    "user": _field("User OCID", "ocid1.user.oc1..xxx (the user the API key belongs to)."),
    "fingerprint": _field("Key fingerprint", "The API key fingerprint, aa:bb:...:ff (16 hex pairs)."),
    "key_file": _field("Private key file", "Path of the PEM private key on the workers (~ is expanded)."),
    # Named so that Airflow masks it (its default sensitive names include "private_key"); a PEM
    # pasted into this single-line input loses its newlines, which the provider restores.
    "private_key": _field(
        "Private key (PEM)",
        "The PEM private key itself, instead of a key file (masked by Airflow). Its pass phrase, "
        "if it is encrypted, goes in the Private key pass phrase field.",
        format="password",
    ),
    "config_file": _field("OCI config file", "For auth_type config_file; default ~/.oci/config."),
    "profile": _field("Config profile", "Profile of the OCI config file; default DEFAULT."),
    "compartment_id": _field("Default compartment OCID", "Used when an operator does not name one."),
    "endpoint": _field(
        "Endpoint override", "Base URL (scheme://host[:port]) instead of the regional endpoint.", format="url"
    ),
    "max_attempts": _field(
        "Max attempts", "Attempts per call, retries included.", "integer", default=8, minimum=1
    ),
    "max_retry_seconds": _field(
        "Max retry seconds",
        "Total time budget of one call, retries included.",
        "number",
        default=600,
        minimum=0,
    ),
    "timeout": _field(
        "HTTP timeout (s)",
        "Connect and read timeout in seconds (default: 10 s connect, 60 s read).",
        "number",
    ),
}
# The pass phrase lives in the standard (always secret) password field; the user OCID in the
# ``user`` extra (the login field is hidden; a login is still read when ``user`` is absent).

#: Module names (``job_runs``) of the resources with operators, and of those Airflow waits on.
_RESOURCES = tuple(resource.module for resource in with_operators())
_WAITED = tuple(resource.module for resource in waitable())

OPERATORS: list[dict[str, Any]] = [
    {
        "integration-name": INTEGRATION,
        "python-modules": [f"airflow_ds_provider.operators.{name}" for name in _RESOURCES],
    }
]
SENSORS: list[dict[str, Any]] = [
    {
        "integration-name": INTEGRATION,
        "python-modules": ["airflow_ds_provider.sensors.lifecycle"]
        + [f"airflow_ds_provider.sensors.{name}" for name in _WAITED],
    }
]
TRIGGERS: list[dict[str, Any]] = [
    {
        "integration-name": INTEGRATION,
        "python-modules": ["airflow_ds_provider.triggers.lifecycle"]
        + [f"airflow_ds_provider.triggers.{name}" for name in _WAITED]
        + ["airflow_ds_provider.triggers.asset_watchers"],
    }
]
EXTRA_LINKS: list[str] = [
    "airflow_ds_provider.links.console.DataScienceConsoleLink",
    "airflow_ds_provider.links.console.DataScienceLogSearchLink",
]


def connection_type() -> dict[str, Any]:
    """The ``oci_data_science`` connection type: hook, form fields and field behaviour.

    Airflow 3.2+ reads the form from here; on 3.0/3.1 the hook serves the same data
    (``DataScienceHook.get_connection_form_widgets`` / ``get_ui_field_behaviour``).
    """
    return {
        "hook-class-name": "airflow_ds_provider.hooks.data_science.DataScienceHook",
        "hook-name": "OCI Data Science",
        "connection-type": "oci_data_science",
        "conn-fields": CONN_FIELDS,
        "ui-field-behaviour": {
            "hidden-fields": ["schema", "port", "host", "login"],
            "relabeling": {"password": "Private key pass phrase"},
            "placeholders": {"password": "only for an encrypted private key"},
        },
    }


def get_provider_info() -> dict[str, Any]:
    """Return the provider description Airflow registers."""
    info: dict[str, Any] = {
        "package-name": "airflow-ds-provider",
        "name": "OCI Data Science",
        "description": "Oracle Cloud Infrastructure Data Science: jobs, job runs, models, model deployments.",
        "versions": ["0.1.0"],
        "documentation-url": DOCUMENTATION_URL,
        "integrations": [
            {
                "integration-name": INTEGRATION,
                "external-doc-url": "https://docs.oracle.com/iaas/data-science/using/data-science.htm",
                "tags": ["service"],
            }
        ],
        "hooks": [
            {"integration-name": INTEGRATION, "python-modules": ["airflow_ds_provider.hooks.data_science"]}
        ],
        "connection-types": [connection_type()],
        # oci-datascience://<region>/<ocid> (airflow_ds_provider.assets, docs/assets.md)
        "asset-uris": [
            {"schemes": ["oci-datascience"], "handler": "airflow_ds_provider.assets.sanitize_uri"}
        ],
    }
    for key, value in (
        ("operators", OPERATORS),
        ("sensors", SENSORS),
        ("triggers", TRIGGERS),
        ("extra-links", EXTRA_LINKS),
    ):
        if value:
            info[key] = value
    return info
