"""The client configuration, parsed from an Airflow connection's fields (no Airflow import).

Precedence: hook/explicit argument > connection extra > standard connection field
(``login`` -> ``user``, ``password`` -> the key pass phrase, ``host`` -> ``endpoint``) > OCI config
file profile > default.

Secrets use connection keys Airflow masks out of the box: ``private_key`` (the PEM) and
``private_key_passphrase`` (or the connection password). The OCI config-file names
``key_content`` and ``pass_phrase`` are read as aliases (:data:`SECRET_ALIASES`). Every secret
is registered with the log masker as it is read (:mod:`~airflow_ds_provider.client.auth.masking`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

from airflow_ds_provider.client.auth.config_file import read_profile
from airflow_ds_provider.client.auth.masking import mask_private_key, mask_secret
from airflow_ds_provider.client.auth.regions import LazyRegion
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

#: The connection keys of the PEM private key and its pass phrase (names Airflow masks).
PRIVATE_KEY = "private_key"
PRIVATE_KEY_PASSPHRASE = "private_key_passphrase"  # noqa: S105 (a key name)
#: OCI config-file names still read for them; Airflow does not mask these names.
SECRET_ALIASES = {"key_content": PRIVATE_KEY, "pass_phrase": PRIVATE_KEY_PASSPHRASE}
#: ClientConfig field -> the documented connection key it is read from.
_FIELD_KEYS = {"key_content": PRIVATE_KEY, "pass_phrase": PRIVATE_KEY_PASSPHRASE}

#: Keys a connection may hold; anything else is kept in ``ClientConfig.options``.
KNOWN_KEYS = (
    "auth_type",
    "tenancy",
    "user",
    "fingerprint",
    "key_file",
    PRIVATE_KEY,
    PRIVATE_KEY_PASSPHRASE,
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
_SECRET_KEYS = frozenset(
    {"key_content", "pass_phrase", "password", PRIVATE_KEY, PRIVATE_KEY_PASSPHRASE, "security_token"}
)
_RAW_KEYS = frozenset({"key_content", "pass_phrase", PRIVATE_KEY, PRIVATE_KEY_PASSPHRASE})
_UI_PREFIX = "extra__oci_data_science__"
#: ClientConfig field -> the name callers use for it (``with_overrides``, ``redacted``).
_PUBLIC_NAMES = {"declared_region": "region"}


def _clean(values: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (values or {}).items():
        key = key.removeprefix(_UI_PREFIX)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        out[key] = value.strip() if isinstance(value, str) and key not in _RAW_KEYS else value
    return out


def _canonical(values: dict[str, Any], sources: dict[str, str]) -> dict[str, Any]:
    """Move alias keys (``key_content``, ``pass_phrase``) to their documented names.

    ``sources`` records, per documented name, the key the value came from.

    :raises ConfigurationError: when a name and its alias hold different values.
    """
    out = dict(values)
    for alias, name in SECRET_ALIASES.items():
        if alias not in out:
            continue
        value = out.pop(alias)
        if name in out and out[name] != value:
            raise ConfigurationError(name, f"and its alias {alias} hold different values; keep only {name}")
        if name not in out:
            out[name] = value
            sources[name] = alias
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
    :param key_content: the PEM private key (connection key ``private_key``, alias ``key_content``).
    :param pass_phrase: its pass phrase (``private_key_passphrase``, the connection password, alias
        ``pass_phrase``, or the config file's ``pass_phrase``).
    :param options: any other connection keys (for auth providers added later); hidden in repr.
    :param sources: for ``user``, ``key_content`` and ``pass_phrase``, the connection key or field
        the value came from when it is not the documented one (see :meth:`source_of`).
    :param declared_region: the region the connection (or a hook argument) names; read
        :attr:`region`, which falls back to the principal's own region.
    :param _lazy_region: where that fallback is resolved, on first use (set by the parser when
        neither a region nor an endpoint is named); parsing itself never does I/O.
    """

    auth_type: str = DEFAULT_AUTH_TYPE
    tenancy: str | None = None
    user: str | None = None
    fingerprint: str | None = None
    key_file: str | None = None
    key_content: str | None = field(default=None, repr=False)
    pass_phrase: str | None = field(default=None, repr=False)
    declared_region: str | None = None
    config_file: str | None = None
    profile: str | None = None
    endpoint: str | None = None
    compartment_id: str | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    max_retry_seconds: float = DEFAULT_MAX_RETRY_SECONDS
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False, hash=False)
    sources: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, hash=False, compare=False
    )
    _lazy_region: LazyRegion | None = field(default=None, repr=False, hash=False, compare=False)

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

        :param extra: the connection's extras (``private_key``/``private_key_passphrase`` or their
            aliases, otherwise OCI config-file key names).
        :param login: the connection login (user OCID), used when ``user`` is not in the extras.
        :param password: the connection password (key pass phrase), used when
            ``private_key_passphrase`` (or its alias ``pass_phrase``) is not in the extras.
        :param host: the connection host (endpoint URL), used when ``endpoint`` is not.
        :param overrides: explicit values (hook arguments) that win over everything.
        :param read_config_file: merge the OCI config file profile for ``auth_type=config_file``
            (or when ``config_file`` is set).
        """
        sources: dict[str, str] = {}
        merged = _canonical(_clean(extra), sources)
        merged.update(_canonical(_clean(overrides), sources))
        for name, value, origin in (
            ("user", login, "login"),
            (PRIVATE_KEY_PASSPHRASE, password, "password"),
            ("endpoint", host, "host"),
        ):
            cleaned = _clean({name: value})
            if name in cleaned and name not in merged:
                merged[name] = cleaned[name]
                sources[name] = origin
        return cls._build(merged, sources, read_config_file)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, read_config_file: bool = True) -> ClientConfig:
        """Build a config from one flat mapping of connection keys (aliases accepted)."""
        sources: dict[str, str] = {}
        return cls._build(_canonical(_clean(values), sources), sources, read_config_file)

    @classmethod
    def _build(cls, merged: dict[str, Any], sources: dict[str, str], read_config_file: bool) -> ClientConfig:
        pem, pass_phrase = merged.get(PRIVATE_KEY), merged.get(PRIVATE_KEY_PASSPHRASE)
        mask_private_key(str(pem) if pem else None, str(pass_phrase) if pass_phrase else None)
        auth_type = str(merged.get("auth_type") or DEFAULT_AUTH_TYPE).strip().lower()
        if read_config_file and (auth_type == "config_file" or "config_file" in merged):
            profile = read_profile(merged.get("config_file"), merged.get("profile"))
            mask_secret(profile.get("pass_phrase"))
            for key in CONFIG_FILE_KEYS:
                target = SECRET_ALIASES.get(key, key)
                if target not in merged and profile.get(key):
                    merged[target] = profile[key]
                    if target != key:
                        sources[target] = key
            merged["config_file"] = profile["__location__"]
            extra_file_keys = {
                k: v for k, v in profile.items() if k not in CONFIG_FILE_KEYS and k != "__location__"
            }
            merged.setdefault("_profile_values", extra_file_keys)
        endpoint = merged.get("endpoint")
        lazy = None
        if not merged.get("region") and not endpoint:
            # Principals know their region (environment, instance metadata service): asked on first use.
            lazy = LazyRegion(auth_type, {k: v for k, v in merged.items() if k not in _SECRET_KEYS})
        kwargs: dict[str, Any] = {
            "auth_type": auth_type,
            "endpoint": validate_endpoint(str(endpoint)) if endpoint else None,
            "declared_region": canonical_region(str(merged["region"])) if merged.get("region") else None,
            "_lazy_region": lazy,
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
            key = _FIELD_KEYS.get(name, name)
            if key in merged:
                kwargs[name] = str(merged[key])
        options = {k: v for k, v in merged.items() if k not in KNOWN_KEYS}
        kwargs["options"] = MappingProxyType(options)
        field_sources = {f: sources[k] for f, k in (*_FIELD_KEYS.items(), ("user", "user")) if k in sources}
        kwargs["sources"] = MappingProxyType(field_sources)
        return cls(**kwargs)

    def source_of(self, name: str) -> str:
        """The connection key or field that ``name`` (a config field) was read from.

        ``key_content`` -> ``private_key`` (or ``key_content`` for an alias-named connection);
        ``pass_phrase`` -> ``private_key_passphrase``, ``password``, ``pass_phrase``; ``user`` ->
        ``user`` or ``login``. Used to name the right key in error messages.
        """
        return self.sources.get(name) or _FIELD_KEYS.get(name, name)

    @property
    def region(self) -> str | None:
        """The declared region, else the principal's own (resolved once, on first read; may do I/O).

        :raises ConfigurationError: naming ``region`` when the principal's region cannot be found.
        """
        if self.declared_region or self._lazy_region is None:
            return self.declared_region
        return self._lazy_region.get()

    def with_overrides(self, **values: Any) -> ClientConfig:
        """A copy with some fields replaced (``None`` values are ignored)."""
        known = {_PUBLIC_NAMES.get(f.name, f.name) for f in fields(self) if f.name != "_lazy_region"}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigurationError(
                unknown[0], f"is not a client configuration field; expected one of {sorted(known)}"
            )
        changes = {k: v for k, v in values.items() if v is not None}
        if changes.get("region"):
            changes["declared_region"] = canonical_region(changes.pop("region"))
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
            if f.name == "_lazy_region":
                continue
            value = getattr(self, f.name)
            if f.name == "declared_region":
                # Never resolves: a redacted view is for logs and errors, which must not do I/O.
                lazy = self._lazy_region
                out["region"] = value or (lazy.peek() if lazy is not None else None)
                continue
            if f.name == "options":
                value = {
                    k: ("***" if k in _SECRET_KEYS else v) for k, v in value.items() if not k.startswith("_")
                }
            elif f.name in _SECRET_KEYS and value is not None:
                value = "***"
            out[f.name] = value
        return out
