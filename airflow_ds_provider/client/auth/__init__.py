"""Credential providers, selected by ``auth_type`` through one registry.

Built in: ``api_key``, ``config_file`` (API key or session profile), ``security_token``,
``instance_principal``, ``resource_principal`` and ``workload_identity``. Each module registers
itself with :func:`register_auth_type`; see docs/AUTH.md for the connection each one needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_ds_provider.client.auth.base import (
        Credentials,
        CredentialsError,
        CredentialsFactory,
        auth_types,
        clear_shared_credentials,
        credentials_from_config,
        default_region,
        register_auth_type,
        register_region_resolver,
        shared_credentials,
    )

#: Names imported on first access (PEP 562): the credential modules pull in x509, JWT and HTTP
#: code that parsing a DAG file never needs, and even ``auth.base`` (the registry, with the
#: region table and the endpoints) loads only when used, so that importing
#: ``client.auth.masking`` (as the hook does) costs next to nothing.
_LAZY = {
    "Credentials": "base",
    "CredentialsError": "base",
    "CredentialsFactory": "base",
    "auth_types": "base",
    "clear_shared_credentials": "base",
    "credentials_from_config": "base",
    "default_region": "base",
    "register_auth_type": "base",
    "register_region_resolver": "base",
    "shared_credentials": "base",
    "ApiKeyCredentials": "api_key",
    "InstancePrincipalCredentials": "instance_principal",
    "RefreshingCredentials": "refreshing",
    "Token": "refreshing",
    "ResourcePrincipalV11Credentials": "resource_principal",
    "ResourcePrincipalV21Credentials": "resource_principal",
    "ResourcePrincipalV22Credentials": "resource_principal",
    "resource_principal_credentials": "resource_principal",
    "SecurityTokenCredentials": "security_token",
    "WorkloadIdentityCredentials": "workload_identity",
    "load_private_key": "keys",
    "read_profile": "config_file",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "ApiKeyCredentials",
    "Credentials",
    "CredentialsError",
    "CredentialsFactory",
    "InstancePrincipalCredentials",
    "RefreshingCredentials",
    "ResourcePrincipalV11Credentials",
    "ResourcePrincipalV21Credentials",
    "ResourcePrincipalV22Credentials",
    "SecurityTokenCredentials",
    "Token",
    "WorkloadIdentityCredentials",
    "auth_types",
    "clear_shared_credentials",
    "credentials_from_config",
    "default_region",
    "load_private_key",
    "read_profile",
    "register_auth_type",
    "register_region_resolver",
    "resource_principal_credentials",
    "shared_credentials",
]
