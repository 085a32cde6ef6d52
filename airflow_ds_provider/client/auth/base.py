"""The credential provider protocol and the ``auth_type`` registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from airflow_ds_provider.client.errors import ConfigurationError
from airflow_ds_provider.client.signing import SigningKey

if TYPE_CHECKING:
    from airflow_ds_provider.client.config import ClientConfig


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


CredentialsFactory = Callable[["ClientConfig"], Credentials]

_REGISTRY: dict[str, CredentialsFactory] = {}


def register_auth_type(name: str) -> Callable[[CredentialsFactory], CredentialsFactory]:
    """Decorator registering a credentials factory for ``auth_type == name``."""

    def decorator(factory: CredentialsFactory) -> CredentialsFactory:
        _REGISTRY[name] = factory
        return factory

    return decorator


def auth_types() -> list[str]:
    """The registered ``auth_type`` names."""
    return sorted(_REGISTRY)


def credentials_from_config(config: ClientConfig) -> Credentials:
    """Build the credentials selected by ``config.auth_type``.

    :raises ConfigurationError: for an unknown ``auth_type`` or bad credential fields.
    """
    factory = _REGISTRY.get(config.auth_type)
    if factory is None:
        raise ConfigurationError(
            "auth_type", f"unknown value {config.auth_type!r}; expected one of {auth_types()}"
        )
    return factory(config)
