"""A token and a private key that come from files (re-read when they change) or literal values.

Shared by session tokens (``oci session authenticate``) and resource principals v2.2, whose
token and key are either given literally or as paths that an outside agent rewrites.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa

from airflow_ds_provider.client.auth.base import CredentialsError
from airflow_ds_provider.client.auth.keys import PASS_FIELD, load_private_key
from airflow_ds_provider.client.auth.masking import mask_secret
from airflow_ds_provider.client.auth.refreshing import RefreshingCredentials, Token, token_expiry
from airflow_ds_provider.client.errors import ConfigurationError
from airflow_ds_provider.client.signing import SigningKey

#: How often (seconds) a file-backed token is checked for changes on disk.
RECHECK_INTERVAL = 2.0


@dataclass(frozen=True)
class Value:
    """A secret given literally or as a file path.

    :param field: the connection key or environment variable it came from (for errors).
    :param literal: the value itself.
    :param path: a file holding the value (re-read when its mtime/size/inode change).
    """

    field: str
    literal: str | None = None
    path: str | None = None

    @classmethod
    def literal_or_path(cls, field: str, value: str) -> Value:
        """An absolute path is a file to read; anything else is the value itself (OCI's rule)."""
        value = value.strip()
        return cls(field, path=value) if os.path.isabs(value) else cls(field, literal=value)

    def fingerprint(self) -> tuple[object, ...]:
        """Changes whenever the value may have changed (stat of the file; hash of a literal)."""
        if self.path is None:
            return ("literal", hashlib.sha256((self.literal or "").encode()).hexdigest())
        try:
            st = os.stat(self.path)
        except OSError as exc:
            raise ConfigurationError(self.field, f"cannot read {self.path!r}: {exc.strerror}") from None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def read(self) -> str:
        """The value (file content stripped)."""
        if self.path is None:
            return self.literal or ""
        try:
            with open(self.path, encoding="utf-8") as handle:
                return handle.read().strip()
        except IsADirectoryError:
            raise ConfigurationError(self.field, f"{self.path!r} is a directory, expected a file") from None
        except OSError as exc:
            raise ConfigurationError(self.field, f"cannot read {self.path!r}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise ConfigurationError(self.field, f"{self.path!r} is not a text file") from None


class FileTokenCredentials(RefreshingCredentials):
    """Signs with ``ST$<token>`` and a private key, both re-read when their files change.

    :param token: where the token comes from.
    :param key: where the PEM private key comes from.
    :param pass_phrase: pass phrase of an encrypted key (optional).
    :param recheck_interval: seconds between checks of the files for changes.
    :param clock: time source.
    """

    kind = "session token"

    def __init__(
        self,
        token: Value,
        key: Value,
        pass_phrase: Value | None = None,
        *,
        recheck_interval: float = RECHECK_INTERVAL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock=clock)
        self._token_value = token
        self._key_value = key
        self._pass_value = pass_phrase
        self._recheck = recheck_interval
        self._seen: tuple[object, ...] | None = None
        self._key_hash: str | None = None
        self._private_key: rsa.RSAPrivateKey | None = None

    def expired_error(self, expired_at: float) -> CredentialsError:
        """The error for a token that has expired (subclasses say how to get a new one)."""
        raise NotImplementedError

    def _fetch(self, current: Token | None, forced: bool) -> Token:
        pass_value = self._pass_value
        seen = (
            self._token_value.fingerprint(),
            self._key_value.fingerprint(),
            pass_value.fingerprint() if pass_value else None,
        )
        now = self._clock()
        if current is not None and not forced and seen == self._seen:
            key, expires_at = current.key, current.expires_at
        else:
            # Changed on disk (or a 401): read again, but keep the key object when nothing differs.
            text = self._token_value.read()
            if not text:
                raise ConfigurationError(self._token_value.field, f"{self._describe()} is empty")
            mask_secret(text)
            pem = self._key_value.read().replace("\\n", "\n")
            pass_phrase = pass_value.read() if pass_value else None
            key_hash = hashlib.sha256(f"{pem}\0{pass_phrase}".encode()).hexdigest()
            if self._private_key is None or key_hash != self._key_hash:
                self._private_key = load_private_key(
                    pem,
                    pass_phrase or None,
                    self._key_value.field,
                    pass_value.field if pass_value else PASS_FIELD,
                )
                self._key_hash = key_hash
            key = SigningKey(f"ST${text}", self._private_key)
            if (
                current is not None
                and key.key_id == current.key.key_id
                and key.private_key is current.key.private_key
            ):
                key = current.key
            expires_at = token_expiry(text)
            self._seen = seen
        if expires_at is not None and now >= expires_at:
            raise self.expired_error(expires_at)
        files = self._token_value.path or self._key_value.path
        refresh_at = now + self._recheck if files else float("inf")
        if expires_at is not None:
            refresh_at = min(refresh_at, expires_at)
        return Token(key, refresh_at, expires_at)

    def _describe(self) -> str:
        value = self._token_value
        return f"the token file {value.path!r}" if value.path else "the token"

    def __repr__(self) -> str:
        where = self._token_value.path or "<literal>"
        return f"{type(self).__name__}(token={where!r})"
