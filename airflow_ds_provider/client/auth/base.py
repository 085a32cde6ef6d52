"""The credential provider protocol, the ``auth_type`` registry and the process-wide credential cache."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from airflow_ds_provider.client.auth.regions import (
    BUILTIN_AUTH_MODULES,
    load_builtin,
)
from airflow_ds_provider.client.auth.regions import (
    RegionResolver as RegionResolver,
)
from airflow_ds_provider.client.auth.regions import (
    default_region as default_region,
)
from airflow_ds_provider.client.auth.regions import (
    register_region_resolver as register_region_resolver,
)
from airflow_ds_provider.client.errors import ConfigurationError, DataScienceError

if TYPE_CHECKING:
    # signing loads cryptography: not needed to import the protocol (a trigger module does)
    from airflow_ds_provider.client.config import ClientConfig
    from airflow_ds_provider.client.signing import SigningKey


@runtime_checkable
class Credentials(Protocol):
    """Hands the signer a key id and a parsed private key."""

    def signing_key(self) -> SigningKey:
        """The key to sign the next request with (may refresh; thread-safe)."""
        ...

    async def asigning_key(self) -> SigningKey:
        """Async variant of :meth:`signing_key`; never blocks the event loop."""
        ...

    def on_unauthorized(self) -> bool:
        """A 401 was seen: refresh if possible; True if one retry may help."""
        ...


class CredentialsError(DataScienceError):
    """Credentials could not be obtained or refreshed at run time.

    For example: the session token expired, the instance metadata service is unreachable, the
    federation service rejected the instance certificate. The message names the source (a
    connection key or environment variable) and what to do; it never contains a token or key.

    :param source: the connection key or environment variable the failing value came from.
    :param message: what went wrong and how to fix it.
    """

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        super().__init__(f"{source}: {message}")


CredentialsFactory = Callable[["ClientConfig"], Credentials]
_REGISTRY: dict[str, CredentialsFactory] = {}
#: Built-in auth types and the module that registers each (see :mod:`.regions`).
_BUILTIN = BUILTIN_AUTH_MODULES


def _load_builtin(name: str) -> None:
    if name not in _REGISTRY:
        load_builtin(name)


def register_auth_type(name: str) -> Callable[[CredentialsFactory], CredentialsFactory]:
    """Decorator registering a credentials factory for ``auth_type == name``."""

    def decorator(factory: CredentialsFactory) -> CredentialsFactory:
        _REGISTRY[name] = factory
        return factory

    return decorator


def auth_types() -> list[str]:
    """The registered ``auth_type`` names (built-in ones included)."""
    return sorted(set(_REGISTRY) | set(_BUILTIN))


def credentials_from_config(config: ClientConfig) -> Credentials:
    """Build the credentials selected by ``config.auth_type``.

    :raises ConfigurationError: for an unknown ``auth_type`` or bad credential fields.
    """
    _load_builtin(config.auth_type)
    factory = _REGISTRY.get(config.auth_type)
    if factory is None:
        raise ConfigurationError(
            "auth_type", f"unknown value {config.auth_type!r}; expected one of {auth_types()}"
        )
    return factory(config)


C = TypeVar("C")
_SHARED: dict[Hashable, Any] = {}
_SHARED_LOCK = threading.Lock()


def shared_credentials(key: Hashable, build: Callable[[], C]) -> C:
    """One credentials object per ``key`` in this process, so that every hook, client and trigger
    using the same principal shares one token and one refresh.

    :param key: identifies the principal (never holds a secret in clear; hash secrets first).
    :param build: creates the credentials; must not do I/O (they are built lazily).
    """
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is None:
            found = _SHARED[key] = build()
        return found


def clear_shared_credentials() -> None:
    """Forget every cached credentials object (tests; after rotating a principal's configuration)."""
    with _SHARED_LOCK:
        _SHARED.clear()
