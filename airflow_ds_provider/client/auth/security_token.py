"""Session token credentials (``oci session authenticate``): ``ST$<token>`` plus the session key."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from airflow_ds_provider.client.auth.base import CredentialsError, register_auth_type, shared_credentials
from airflow_ds_provider.client.auth.file_token import RECHECK_INTERVAL, FileTokenCredentials, Value
from airflow_ds_provider.client.auth.keys import KEY_FIELD, PASS_FIELD
from airflow_ds_provider.client.auth.refreshing import utc_text
from airflow_ds_provider.client.errors import ConfigurationError

if TYPE_CHECKING:
    from airflow_ds_provider.client.config import ClientConfig


class SecurityTokenCredentials(FileTokenCredentials):
    """A session token file and its session private key.

    The token file is re-read when it changes on disk (``oci session refresh`` rewrites it), and
    again after a 401. An expired token raises :class:`CredentialsError` saying how to refresh it.

    :param security_token_file: path of the token file (``~`` expanded).
    :param key_file: path of the session private key (PEM).
    :param key_content: the session private key itself (instead of ``key_file``).
    :param pass_phrase: pass phrase of an encrypted key.
    :param key_field: the connection key ``key_content`` came from (named in errors).
    :param pass_field: the connection key ``pass_phrase`` came from (named in errors).
    :param profile: the OCI CLI profile the session belongs to (named in the refresh advice).
    :param recheck_interval: seconds between checks of the token file for changes.
    :param clock: time source.
    """

    kind = "session token"

    def __init__(
        self,
        security_token_file: str | None,
        *,
        key_file: str | None = None,
        key_content: str | None = None,
        pass_phrase: str | None = None,
        key_field: str = KEY_FIELD,
        pass_field: str = PASS_FIELD,
        profile: str | None = None,
        recheck_interval: float = RECHECK_INTERVAL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not security_token_file:
            raise ConfigurationError(
                "security_token_file",
                "is required for auth_type security_token (the token file written by "
                "'oci session authenticate', e.g. ~/.oci/sessions/DEFAULT/token)",
            )
        if key_content:
            key = Value(key_field, literal=key_content)
        elif key_file:
            key = Value("key_file", path=os.path.expanduser(key_file))
        else:
            raise ConfigurationError(
                "key_file",
                "session token authentication needs the session private key: key_file (a path) "
                f"or {KEY_FIELD} (the PEM)",
            )
        token = Value("security_token_file", path=os.path.abspath(os.path.expanduser(security_token_file)))
        passphrase = Value(pass_field, literal=pass_phrase) if pass_phrase else None
        super().__init__(token, key, passphrase, recheck_interval=recheck_interval, clock=clock)
        self.profile = profile or "DEFAULT"

    def expired_error(self, expired_at: float) -> CredentialsError:
        """Explain that the session expired and how to refresh it."""
        return CredentialsError(
            "security_token_file",
            f"the session token in {self._token_value.path!r} expired at {utc_text(expired_at)}; "
            f"refresh it with 'oci session refresh --profile {self.profile}' (within the session's "
            f"refresh window) or start a new session with "
            f"'oci session authenticate --profile-name {self.profile}'",
        )


def _secret_hash(value: str | None) -> str | None:
    return hashlib.sha256(value.encode()).hexdigest() if value else None


def security_token_credentials(
    config: ClientConfig, token_file: str | None = None, profile: str | None = None
) -> SecurityTokenCredentials:
    """The (process-wide shared) session token credentials of ``config``."""
    profile_values = dict(config.options.get("_profile_values") or {})
    token_file = (
        token_file or config.options.get("security_token_file") or profile_values.get("security_token_file")
    )
    if token_file:
        token_file = str(token_file)
        if not os.path.isabs(os.path.expanduser(token_file)) and config.config_file:
            token_file = os.path.join(os.path.dirname(config.config_file), token_file)
    profile = profile or config.profile
    key = (
        "security_token",
        token_file,
        config.key_file,
        _secret_hash(config.key_content),
        _secret_hash(config.pass_phrase),
        profile,
    )
    return shared_credentials(
        key,
        lambda: SecurityTokenCredentials(
            token_file,
            key_file=config.key_file,
            key_content=config.key_content,
            pass_phrase=config.pass_phrase,
            key_field=config.source_of("key_content"),
            pass_field=config.source_of("pass_phrase"),
            profile=profile,
        ),
    )


@register_auth_type("security_token")
def _security_token_from_config(config: ClientConfig) -> SecurityTokenCredentials:
    return security_token_credentials(config)
