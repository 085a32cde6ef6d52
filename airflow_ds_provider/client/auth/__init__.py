"""Credential providers, selected by ``auth_type`` through one registry.

Built in: ``api_key`` and ``config_file``. More providers (session token, instance principal,
resource principal, workload identity) register themselves with :func:`register_auth_type`.
"""

from __future__ import annotations

from airflow_ds_provider.client.auth import api_key as _api_key  # noqa: F401  (registers api_key, config_file)
from airflow_ds_provider.client.auth.api_key import ApiKeyCredentials
from airflow_ds_provider.client.auth.base import (
    Credentials,
    CredentialsFactory,
    auth_types,
    credentials_from_config,
    register_auth_type,
)
from airflow_ds_provider.client.auth.config_file import read_profile
from airflow_ds_provider.client.auth.keys import load_private_key

__all__ = [
    "ApiKeyCredentials",
    "Credentials",
    "CredentialsFactory",
    "auth_types",
    "credentials_from_config",
    "load_private_key",
    "read_profile",
    "register_auth_type",
]
