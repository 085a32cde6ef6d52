"""Reading the OCI CLI/SDK config file (``~/.oci/config``, INI format)."""

from __future__ import annotations

import configparser
import os

from airflow_ds_provider.client.errors import ConfigurationError

DEFAULT_LOCATION = "~/.oci/config"
FALLBACK_LOCATION = "~/.oraclebmc/config"
DEFAULT_PROFILE = "DEFAULT"


def locate_config_file(path: str | None) -> str:
    """The config file to read: ``path``, else ``~/.oci/config``, else ``$OCI_CONFIG_FILE``, else
    ``~/.oraclebmc/config`` (the SDK's order). ``~`` is expanded."""
    if path:
        return os.path.expanduser(path)
    candidates = [DEFAULT_LOCATION, os.environ.get("OCI_CONFIG_FILE") or "", FALLBACK_LOCATION]
    for candidate in candidates:
        if candidate and os.path.isfile(os.path.expanduser(candidate)):
            return os.path.expanduser(candidate)
    return os.path.expanduser(DEFAULT_LOCATION)


def read_profile(path: str | None, profile: str | None = None) -> dict[str, str]:
    """Return one profile of an OCI config file, with keys inherited from ``[DEFAULT]``.

    ``key_file`` is ``~``-expanded (relative paths are taken relative to the config file).

    :param path: the config file (``None``: the SDK's default locations).
    :param profile: the profile name (default ``DEFAULT``).
    :raises ConfigurationError: missing/unreadable file, missing profile, ``key_content`` in the file.
    """
    location = locate_config_file(path)
    name = profile or DEFAULT_PROFILE
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(location, encoding="utf-8") as handle:
            parser.read_file(handle)
    except FileNotFoundError:
        raise ConfigurationError("config_file", f"OCI config file {location!r} does not exist") from None
    except OSError as exc:
        raise ConfigurationError(
            "config_file", f"cannot read OCI config file {location!r}: {exc.strerror}"
        ) from None
    except configparser.Error as exc:
        reason = type(exc).__name__
        raise ConfigurationError(
            "config_file", f"{location!r} is not a valid OCI config file ({reason})"
        ) from None
    if name != DEFAULT_PROFILE and not parser.has_section(name):
        available = [DEFAULT_PROFILE, *parser.sections()] if parser.defaults() else parser.sections()
        raise ConfigurationError(
            "profile", f"profile {name!r} not found in {location!r}; available: {available}"
        )
    if name == DEFAULT_PROFILE and not parser.defaults():
        raise ConfigurationError(
            "profile",
            f"profile 'DEFAULT' not found (or empty) in {location!r}; available: {parser.sections()}",
        )
    values = dict(parser.defaults()) if name == DEFAULT_PROFILE else dict(parser.items(name))
    if "key_content" in values:
        raise ConfigurationError(
            "key_content", f"is not allowed in a config file ({location!r}); use key_file"
        )
    key_file = values.get("key_file")
    if key_file:
        key_file = os.path.expanduser(key_file)
        if not os.path.isabs(key_file):
            key_file = os.path.join(os.path.dirname(os.path.abspath(location)), key_file)
        values["key_file"] = key_file
    values["__location__"] = location
    return values
