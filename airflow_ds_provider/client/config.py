"""The client configuration, parsed from an Airflow connection's fields (no Airflow import).

Precedence: hook/explicit argument > connection extra > standard connection field
(``login`` -> ``user``, ``password`` -> ``pass_phrase``, ``host`` -> ``endpoint``) > OCI config
file profile > default.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

from airflow_ds_provider.client.auth.base import default_region
from airflow_ds_provider.client.auth.config_file import read_profile
from airflow_ds_provider.client.endpoints import (
    canonical_region,
    data_science_endpoint,
    logging_search_endpoint,
    validate_endpoint,
)
from airflow_ds_provider.client.errors import ConfigurationError

DEFAULT_AUTH_TYPE = "api_key"
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_MAX_RETRY_SECONDS = 600.0
DEFAULT_TIMEOUT = (10.0, 60.0)

#: Keys a connection may hold; anything else is kept in ``ClientConfig.options``.
KNOWN_KEYS = (
    "auth_type",
    "tenancy",
    "user",
    "fingerprint",
    "key_file",
    "key_content",
    "pass_phrase",
    "region",
    "config_file",
    "profile",
    "endpoint",
    "compartment_id",
    "max_attempts",
    "max_retry_seconds",
    "timeout",
)
#: Keys read from an OCI config file profile.
CONFIG_FILE_KEYS = ("tenancy", "user", "fingerprint", "key_file", "pass_phrase", "region")
_SECRET_KEYS = frozenset({"key_content", "pass_phrase", "password", "private_key", "security_token"})
_UI_PREFIX = "extra__oci_data_science__"


def _clean(values: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (values or {}).items():
        key = key.removeprefix(_UI_PREFIX)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        out[key] = (
            value.strip() if isinstance(value, str) and key not in ("key_content", "pass_phrase") else value
        )
    return out


def _as_int(name: str, value: Any, minimum: int) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, int) or isinstance(value, bool) else value
    except ValueError:
        raise ConfigurationError(name, f"must be an integer >= {minimum}, got {value!r}") from None
    if isinstance(value, bool) or number < minimum:
        raise ConfigurationError(name, f"must be an integer >= {minimum}, got {value!r}")
    return number


def _as_float(name: str, value: Any, minimum: float = 0.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigurationError(name, f"must be a number >= {minimum}, got {value!r}") from None
    if isinstance(value, bool) or math.isnan(number) or number < minimum:
        raise ConfigurationError(name, f"must be a number >= {minimum}, got {value!r}")
    return number


def _as_timeout(value: Any) -> tuple[float, float]:
    if isinstance(value, str) and "," in value:
        value = value.split(",")
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ConfigurationError("timeout", f"must be a number or [connect, read] seconds, got {value!r}")
        return (_as_float("timeout", value[0], 0.001), _as_float("timeout", value[1], 0.001))
    seconds = _as_float("timeout", value, 0.001)
    return (seconds, seconds)


@dataclass(frozen=True)
class ClientConfig:
    """Everything a client needs, resolved and validated. Secrets never appear in ``repr``.

    :param auth_type: credential provider name (``api_key``, ``config_file``; more later).
    :param options: any other connection keys (for auth providers added later); hidden in repr.
    """

    auth_type: str = DEFAULT_AUTH_TYPE
    tenancy: str | None = None
    user: str | None = None
    fingerprint: str | None = None
    key_file: str | None = None
    key_content: str | None = field(default=None, repr=False)
    pass_phrase: str | None = field(default=None, repr=False)
    region: str | None = None
    config_file: str | None = None
    profile: str | None = None
    endpoint: str | None = None
    compartment_id: str | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    max_retry_seconds: float = DEFAULT_MAX_RETRY_SECONDS
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False, hash=False)

    @classmethod
    def from_connection(
        cls,
        extra: Mapping[str, Any] | None = None,
        *,
        login: str | None = None,
        password: str | None = None,
        host: str | None = None,
        overrides: Mapping[str, Any] | None = None,
        read_config_file: bool = True,
    ) -> ClientConfig:
        """Build a config from a connection's extras and standard fields.

        :param extra: the connection's extras (OCI config-file key names).
        :param login: the connection login (user OCID), used when ``user`` is not in the extras.
        :param password: the connection password (key pass phrase), used when ``pass_phrase`` is not.
        :param host: the connection host (endpoint URL), used when ``endpoint`` is not.
        :param overrides: explicit values (hook arguments) that win over everything.
        :param read_config_file: merge the OCI config file profile for ``auth_type=config_file``
            (or when ``config_file`` is set).
        """
        merged = _clean({"user": login, "pass_phrase": password, "endpoint": host})
        merged.update(_clean(extra))
        merged.update(_clean(overrides))
        return cls.from_mapping(merged, read_config_file=read_config_file)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, read_config_file: bool = True) -> ClientConfig:
        """Build a config from one flat mapping of OCI config-file style keys."""
        merged = _clean(values)
        auth_type = str(merged.get("auth_type") or DEFAULT_AUTH_TYPE).strip().lower()
        if read_config_file and (auth_type == "config_file" or "config_file" in merged):
            profile = read_profile(merged.get("config_file"), merged.get("profile"))
            for key in CONFIG_FILE_KEYS:
                if key not in merged and profile.get(key):
                    merged[key] = profile[key]
            merged["config_file"] = profile["__location__"]
            extra_file_keys = {
                k: v for k, v in profile.items() if k not in CONFIG_FILE_KEYS and k != "__location__"
            }
            merged.setdefault("_profile_values", extra_file_keys)
        endpoint = merged.get("endpoint")
        if not merged.get("region") and not endpoint:
            # Principals know their region (environment, instance metadata service).
            region = default_region(auth_type, merged)
            if region:
                merged["region"] = region
        kwargs: dict[str, Any] = {
            "auth_type": auth_type,
            "endpoint": validate_endpoint(str(endpoint)) if endpoint else None,
            "region": canonical_region(str(merged["region"])) if merged.get("region") else None,
            "max_attempts": _as_int("max_attempts", merged.get("max_attempts", DEFAULT_MAX_ATTEMPTS), 1),
            "max_retry_seconds": _as_float(
                "max_retry_seconds", merged.get("max_retry_seconds", DEFAULT_MAX_RETRY_SECONDS)
            ),
            "timeout": _as_timeout(merged["timeout"]) if "timeout" in merged else DEFAULT_TIMEOUT,
        }
        for name in (
            "tenancy",
            "user",
            "fingerprint",
            "key_file",
            "key_content",
            "pass_phrase",
            "config_file",
            "profile",
            "compartment_id",
        ):
            if name in merged:
                kwargs[name] = str(merged[name])
        options = {k: v for k, v in merged.items() if k not in KNOWN_KEYS}
        kwargs["options"] = MappingProxyType(options)
        return cls(**kwargs)

    def with_overrides(self, **values: Any) -> ClientConfig:
        """A copy with some fields replaced (``None`` values are ignored)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigurationError(
                unknown[0], f"is not a client configuration field; expected one of {sorted(known)}"
            )
        changes = {k: v for k, v in values.items() if v is not None}
        if changes.get("region"):
            changes["region"] = canonical_region(changes["region"])
        if changes.get("endpoint"):
            changes["endpoint"] = validate_endpoint(changes["endpoint"])
        return replace(self, **changes)

    @property
    def service_endpoint(self) -> str:
        """The Data Science base URL (with ``/20190101``)."""
        return data_science_endpoint(self.region, self.endpoint)

    @property
    def logging_endpoint(self) -> str:
        """The Logging Search base URL (with ``/20190909``)."""
        return logging_search_endpoint(self.region, self.endpoint)

    def redacted(self) -> dict[str, Any]:
        """A dict view for logs and error messages, with secrets replaced by ``***``."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "options":
                value = {
                    k: ("***" if k in _SECRET_KEYS else v) for k, v in value.items() if not k.startswith("_")
                }
            elif f.name in _SECRET_KEYS and value is not None:
                value = "***"
            out[f.name] = value
        return out
