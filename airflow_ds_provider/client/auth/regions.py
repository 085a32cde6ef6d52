"""Where a principal finds its region when the connection names none (a registry, no I/O here).

Kept apart from :mod:`~airflow_ds_provider.client.auth.base` (which types its factories with
:class:`~airflow_ds_provider.client.config.ClientConfig`), so that the config, which asks for a
default region while it parses, and the credential registry do not import each other.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

RegionResolver = Callable[[Mapping[str, Any]], "str | None"]

#: Built-in auth types and the module that registers each, imported on first use so that parsing
#: a DAG file (which builds no credentials) pays for none of them.
BUILTIN_AUTH_MODULES: dict[str, str] = {
    "api_key": "api_key",
    "config_file": "api_key",
    "security_token": "security_token",
    "instance_principal": "instance_principal",
    "resource_principal": "resource_principal",
    "workload_identity": "workload_identity",
}

_REGION_RESOLVERS: dict[str, RegionResolver] = {}


def load_builtin(name: str) -> None:
    """Import the module that registers the built-in ``auth_type`` ``name`` (no-op otherwise)."""
    module = BUILTIN_AUTH_MODULES.get(name)
    if module is not None:
        importlib.import_module(f"airflow_ds_provider.client.auth.{module}")


def register_region_resolver(name: str) -> Callable[[RegionResolver], RegionResolver]:
    """Decorator registering where ``auth_type == name`` finds its region when the connection has none.

    The resolver gets the connection's flat values and returns a region (or ``None``). It runs
    when the client configuration is built (never when a hook or operator is created).
    """

    def decorator(resolver: RegionResolver) -> RegionResolver:
        _REGION_RESOLVERS[name] = resolver
        return resolver

    return decorator


def default_region(auth_type: str, values: Mapping[str, Any]) -> str | None:
    """The region the credentials of ``auth_type`` imply (environment, metadata service), if any."""
    if auth_type not in _REGION_RESOLVERS:
        load_builtin(auth_type)
    resolver = _REGION_RESOLVERS.get(auth_type)
    return resolver(values) if resolver is not None else None
