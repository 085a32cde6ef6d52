"""Where a principal finds its region when the connection names none (a registry, no I/O here).

The configuration holds a :class:`LazyRegion` and asks it on first use (endpoint, console link),
so that parsing a connection never does I/O.

Kept apart from :mod:`~airflow_ds_provider.client.auth.base` (which types its factories with
:class:`~airflow_ds_provider.client.config.ClientConfig`), so that the config, which holds a
lazily resolved default region, and the credential registry do not import each other.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from airflow_ds_provider.client.endpoints import canonical_region

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
    when the region is first needed (an endpoint, a console link), never while a connection is parsed.
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


class LazyRegion:
    """A principal's region, resolved on first :meth:`get` (once, thread-safe), never at parse time.

    :param auth_type: the connection's ``auth_type`` (selects the registered resolver).
    :param values: the connection's flat, non-secret values handed to the resolver.

    A failed lookup is not cached: the next :meth:`get` asks again. Copies share the instance
    (and so the resolved value); a pickled one resolves afresh.
    """

    def __init__(self, auth_type: str, values: Mapping[str, Any]) -> None:
        self._auth_type = auth_type
        self._values = MappingProxyType(dict(values))
        self._lock = threading.Lock()
        self._resolved = False
        self._region: str | None = None

    def get(self) -> str | None:
        """The region (``None`` when the auth type implies none); may ask the environment or a service."""
        with self._lock:
            if not self._resolved:
                region = default_region(self._auth_type, self._values)
                self._region = canonical_region(region) if region else None
                self._resolved = True
            return self._region

    def peek(self) -> str | None:
        """The region if already resolved, else ``None`` (never any I/O)."""
        return self._region

    def __repr__(self) -> str:
        return f"LazyRegion({self._auth_type!r}, resolved={self._resolved})"

    def __copy__(self) -> LazyRegion:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> LazyRegion:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyRegion, (self._auth_type, dict(self._values)))
