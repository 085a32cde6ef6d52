"""OCI Data Science REST client without the ``oci`` SDK (no Airflow imports).

``DataScienceClient`` (sync, requests) and ``AsyncDataScienceClient`` (async, httpx) expose one
method per API operation; see ``docs/DESIGN.md`` for the contracts.
"""

from __future__ import annotations

from airflow_ds_provider.client.auth import (
    ApiKeyCredentials,
    Credentials,
    credentials_from_config,
    register_auth_type,
)
from airflow_ds_provider.client.client import AsyncDataScienceClient, DataScienceClient
from airflow_ds_provider.client.config import ClientConfig
from airflow_ds_provider.client.endpoints import data_science_endpoint, logging_search_endpoint
from airflow_ds_provider.client.errors import (
    ConfigurationError,
    DataScienceError,
    InvalidArgumentError,
    NotFoundError,
    ResourceFailedError,
    ServiceError,
    TransportError,
    WaitTimeoutError,
)
from airflow_ds_provider.client.response import Response
from airflow_ds_provider.client.retry import RetryPolicy, is_retryable

__all__ = [
    "ApiKeyCredentials",
    "AsyncDataScienceClient",
    "ClientConfig",
    "ConfigurationError",
    "Credentials",
    "DataScienceClient",
    "DataScienceError",
    "InvalidArgumentError",
    "NotFoundError",
    "ResourceFailedError",
    "Response",
    "RetryPolicy",
    "ServiceError",
    "TransportError",
    "WaitTimeoutError",
    "credentials_from_config",
    "data_science_endpoint",
    "is_retryable",
    "logging_search_endpoint",
    "register_auth_type",
]
