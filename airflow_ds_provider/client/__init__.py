"""OCI Data Science REST client without the ``oci`` SDK (no Airflow imports).

``DataScienceClient`` (sync, requests) and ``AsyncDataScienceClient`` (async, httpx) expose one
method per API operation; see ``docs/DESIGN.md`` for the contracts.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public names and their modules, imported on first access (PEP 562), so that importing
#: ``airflow_ds_provider.client.errors`` (as every operator module does) loads neither
#: ``requests`` nor ``httpx`` nor the credential providers.
_LAZY = {
    "ApiKeyCredentials": "auth",
    "Credentials": "auth",
    "credentials_from_config": "auth",
    "register_auth_type": "auth",
    "AsyncDataScienceClient": "async_client",
    "DataScienceClient": "client",
    "ClientConfig": "config",
    "data_science_endpoint": "endpoints",
    "logging_search_endpoint": "endpoints",
    "ConfigurationError": "errors",
    "DataScienceError": "errors",
    "InvalidArgumentError": "errors",
    "NotFoundError": "errors",
    "ResourceFailedError": "errors",
    "ServiceError": "errors",
    "TransportError": "errors",
    "WaitTimeoutError": "errors",
    "Response": "response",
    "RetryPolicy": "retry",
    "is_retryable": "retry",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


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
