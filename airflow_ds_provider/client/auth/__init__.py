"""Credential providers, selected by ``auth_type`` through one registry.

Built in: ``api_key``, ``config_file`` (API key or session profile), ``security_token``,
``instance_principal``, ``resource_principal`` and ``workload_identity``. Each module registers
itself with :func:`register_auth_type`; see docs/AUTH.md for the connection each one needs.
"""

from __future__ import annotations

from airflow_ds_provider.client.auth import api_key as _api_key  # noqa: F401  (registers api_key, config_file)
from airflow_ds_provider.client.auth import instance_principal as _instance_principal  # noqa: F401
from airflow_ds_provider.client.auth import resource_principal as _resource_principal  # noqa: F401
from airflow_ds_provider.client.auth import security_token as _security_token  # noqa: F401
from airflow_ds_provider.client.auth import workload_identity as _workload_identity  # noqa: F401
from airflow_ds_provider.client.auth.api_key import ApiKeyCredentials
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
from airflow_ds_provider.client.auth.config_file import read_profile
from airflow_ds_provider.client.auth.instance_principal import InstancePrincipalCredentials
from airflow_ds_provider.client.auth.keys import load_private_key
from airflow_ds_provider.client.auth.refreshing import RefreshingCredentials, Token
from airflow_ds_provider.client.auth.resource_principal import (
    ResourcePrincipalV11Credentials,
    ResourcePrincipalV21Credentials,
    ResourcePrincipalV22Credentials,
    resource_principal_credentials,
)
from airflow_ds_provider.client.auth.security_token import SecurityTokenCredentials
from airflow_ds_provider.client.auth.workload_identity import WorkloadIdentityCredentials

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
