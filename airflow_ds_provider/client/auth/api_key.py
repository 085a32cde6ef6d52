"""API key credentials (tenancy, user, fingerprint, RSA private key), also from a config file."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from airflow_ds_provider.client.auth.base import Credentials, credentials_from_config, register_auth_type
from airflow_ds_provider.client.auth.keys import KEY_FIELD, PASS_FIELD, load_private_key, read_key_file
from airflow_ds_provider.client.errors import ConfigurationError
from airflow_ds_provider.client.signing import SigningKey

if TYPE_CHECKING:
    from airflow_ds_provider.client.config import ClientConfig

OCID_RE = re.compile(r"^([0-9a-zA-Z-_]+[.:])([0-9a-zA-Z-_]*[.:]){3,}([0-9a-zA-Z-_]+)$")
FINGERPRINT_RE = re.compile(r"^([0-9a-f]{2}:){15}[0-9a-f]{2}$")


def _require(value: str | None, name: str, expected: str) -> str:
    if not value:
        raise ConfigurationError(name, f"is required for API key authentication ({expected})")
    return value


class ApiKeyCredentials:
    """Signs with an API signing key: keyId ``<tenancy>/<user>/<fingerprint>``.

    The PEM key is parsed once, here; errors name the bad field and never contain the key.

    :param tenancy: tenancy OCID.
    :param user: user OCID.
    :param fingerprint: the key's fingerprint (``aa:bb:...``, 16 lowercase hex pairs).
    :param key_file: path of the PEM private key (``~`` expanded).
    :param key_content: the PEM private key itself (instead of ``key_file``).
    :param pass_phrase: pass phrase of an encrypted key.
    :param key_field: the connection key ``key_content`` came from (named in errors).
    :param pass_field: the connection key ``pass_phrase`` came from (named in errors).
    """

    def __init__(
        self,
        tenancy: str | None,
        user: str | None,
        fingerprint: str | None,
        *,
        key_file: str | None = None,
        key_content: str | None = None,
        pass_phrase: str | None = None,
        key_field: str = KEY_FIELD,
        pass_field: str = PASS_FIELD,
    ) -> None:
        tenancy = _require(tenancy, "tenancy", "the tenancy OCID, ocid1.tenancy.oc1..xxx")
        user = _require(user, "user", "the user OCID, ocid1.user.oc1..xxx")
        fingerprint = _require(fingerprint, "fingerprint", "the API key fingerprint, e.g. 20:3b:97:...:3a:34")
        if not OCID_RE.match(tenancy):
            raise ConfigurationError(
                "tenancy", f"must be an OCID such as ocid1.tenancy.oc1..xxx, got {tenancy!r}"
            )
        if not OCID_RE.match(user):
            raise ConfigurationError("user", f"must be an OCID such as ocid1.user.oc1..xxx, got {user!r}")
        if not FINGERPRINT_RE.match(fingerprint):
            raise ConfigurationError(
                "fingerprint",
                f"must be 16 lowercase hex pairs separated by colons (aa:bb:...:ff), got {fingerprint!r}",
            )
        if key_content:
            pem: bytes | str = key_content.replace("\\n", "\n")
            field = key_field
        elif key_file:
            pem = read_key_file(key_file)
            field = "key_file"
        else:
            raise ConfigurationError(
                "key_file", f"API key authentication needs key_file (a path) or {KEY_FIELD} (the PEM)"
            )
        key = load_private_key(pem, pass_phrase, field, pass_field)
        self._key = SigningKey(f"{tenancy}/{user}/{fingerprint}", key)

    @property
    def key_id(self) -> str:
        """The key id used in signatures."""
        return self._key.key_id

    def signing_key(self) -> SigningKey:
        """The parsed key (never re-read)."""
        return self._key

    async def asigning_key(self) -> SigningKey:
        """The parsed key (no I/O)."""
        return self._key

    def on_unauthorized(self) -> bool:
        """An API key cannot be refreshed: a retry would not help."""
        return False

    def __repr__(self) -> str:
        return f"ApiKeyCredentials(key_id={self._key.key_id!r})"


@register_auth_type("api_key")
def _api_key_from_config(config: ClientConfig) -> ApiKeyCredentials:
    return ApiKeyCredentials(
        config.tenancy,
        config.user,
        config.fingerprint,
        key_file=config.key_file,
        key_content=config.key_content,
        pass_phrase=config.pass_phrase,
        key_field=config.source_of("key_content"),
        pass_field=config.source_of("pass_phrase"),
    )


@register_auth_type("config_file")
def _config_file(config: ClientConfig) -> Credentials:
    # ClientConfig.from_mapping has already merged the profile's values (connection values win).
    # A profile written by ``oci session authenticate`` has a security_token_file: a session.
    profile = config.options.get("_profile_values") or {}
    if config.options.get("security_token_file") or profile.get("security_token_file"):
        from airflow_ds_provider.client.auth.security_token import security_token_credentials

        return security_token_credentials(config)
    authentication_type = str(profile.get("authentication_type") or "").strip().lower()
    if authentication_type in ("instance_principal", "resource_principal"):
        return credentials_from_config(config.with_overrides(auth_type=authentication_type))
    return _api_key_from_config(config)
