"""Request-body validation against ``models.json`` plus the request models it lacks (``spec/extra_models.py``).

A malformed body, a missing required field, an unknown field, a wrong type or a bad enum value
raise :class:`BodyError` naming the field (``jobInfrastructureConfigurationDetails.shapeName``).
Polymorphic models are resolved through their discriminator; a concrete model that
``models.json`` does not describe is checked only for its discriminator.
"""

from __future__ import annotations

import re
from typing import Any

from airflow_ds_provider.emulator.clock import parse_rfc3339
from airflow_ds_provider.spec.extra_models import EXTRA_MODELS, all_models

__all__ = ["EXTRA_MODELS", "BodyError", "all_models", "validate"]


class BodyError(ValueError):
    """A request body does not match its model; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


_LIST_RE = re.compile(r"^list\[(.+)\]$")
_DICT_RE = re.compile(r"^dict\((\w+),\s*(.+)\)$")


def validate(model_name: str, value: Any, path: str = "") -> None:
    """Check ``value`` against the model or type ``model_name``.

    :raises BodyError: naming the first bad field.
    """
    _check_type(model_name, value, path)


def _check_type(typ: str, value: Any, path: str) -> None:
    if value is None:
        return
    if typ == "str":
        if not isinstance(value, str):
            raise BodyError(path, "must be a string")
    elif typ == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise BodyError(path, "must be an integer")
    elif typ == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BodyError(path, "must be a number")
    elif typ == "bool":
        if not isinstance(value, bool):
            raise BodyError(path, "must be a boolean")
    elif typ == "datetime":
        try:
            parse_rfc3339(value)
        except (ValueError, TypeError):
            raise BodyError(path, "must be an RFC 3339 timestamp") from None
    elif typ == "object":
        return
    elif match := _LIST_RE.match(typ):
        if not isinstance(value, list):
            raise BodyError(path, "must be a list")
        for index, item in enumerate(value):
            _check_type(match.group(1), item, f"{path}[{index}]")
    elif match := _DICT_RE.match(typ):
        if not isinstance(value, dict):
            raise BodyError(path, "must be an object")
        for key, item in value.items():
            _check_type(match.group(2), item, f"{path}.{key}" if path else key)
    else:
        _check_model(typ, value, path)


def _check_model(name: str, value: Any, path: str) -> None:
    if not isinstance(value, dict):
        raise BodyError(path, f"must be a JSON object ({name})")
    model = all_models().get(name)
    if model is None:
        return  # a model the reference does not describe: accept any object
    if model.polymorphic and not model.fixed_discriminator:
        disc = model.polymorphic["discriminator"]
        kind = value.get(disc)
        sub = f"{path}.{disc}" if path else disc
        if kind is None:
            raise BodyError(sub, "is required")
        concrete = model.polymorphic["mapping"].get(kind)
        if concrete is None:
            raise BodyError(sub, f"must be one of {sorted(model.polymorphic['mapping'])}, got {kind!r}")
        if concrete in all_models():
            model = all_models()[concrete]
        else:
            return  # a valid discriminator whose concrete model is not described
    known = model.field_by_wire()
    for key in value:
        if key not in known:
            raise BodyError(f"{path}.{key}" if path else key, f"is not a field of {model.name}")
    for wire, spec in known.items():
        sub = f"{path}.{wire}" if path else wire
        item = value.get(wire)
        if item is None:
            if spec.required:
                raise BodyError(sub, "is required")
            continue
        if spec.allowed and isinstance(item, str) and item not in spec.allowed:
            raise BodyError(sub, f"must be one of {list(spec.allowed)}, got {item!r}")
        _check_type(spec.type, item, sub)
