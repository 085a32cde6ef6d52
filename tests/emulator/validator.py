"""A small validator of emulator responses against models.json.

It walks a model (required fields present, no unknown fields, camelCase names, primitive types,
enum values, RFC 3339 UTC millisecond times, OCID shapes), follows polymorphic discriminators to
the concrete model, and treats a ``<X>Summary`` model that models.json lacks as a relaxed ``<X>``
(no required fields). Types models.json does not describe are only checked for camelCase keys.
"""

from __future__ import annotations

import re
from typing import Any

from airflow_ds_provider.spec import Model, models

CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
OCID = re.compile(r"^ocid1\.[a-z0-9]+\.oc1\.[a-z0-9-]*\.[a-z0-9]+$")
_LIST = re.compile(r"^list\[(.+)\]$")
_DICT = re.compile(r"^dict\((\w+),\s*(.+)\)$")


class ValidationError(AssertionError):
    """A response does not match models.json."""


def _fail(path: str, message: str) -> None:
    raise ValidationError(f"{path or '<root>'}: {message}")


def validate_response(type_name: str, value: Any, path: str = "") -> None:
    """Check ``value`` against ``type_name`` (a model name, ``list[...]`` or a primitive)."""
    if value is None:
        return
    if match := _LIST.match(type_name):
        if not isinstance(value, list):
            _fail(path, f"expected a list of {match.group(1)}")
        for i, item in enumerate(value):
            validate_response(match.group(1), item, f"{path}[{i}]")
        return
    if match := _DICT.match(type_name):
        if not isinstance(value, dict):
            _fail(path, "expected an object")
        for key, item in value.items():
            validate_response(match.group(2), item, f"{path}.{key}")
        return
    checks = {
        "str": lambda v: isinstance(v, str),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "object": lambda v: True,
    }
    if type_name in checks:
        if not checks[type_name](value):
            _fail(path, f"expected {type_name}, got {type(value).__name__}")
        return
    if type_name == "datetime":
        if not isinstance(value, str) or not TIME.match(value):
            _fail(path, f"expected an RFC 3339 UTC time with milliseconds and Z, got {value!r}")
        return
    _validate_model(type_name, value, path)


def _resolve(name: str) -> tuple[Model | None, bool]:
    table = models()
    if name in table:
        return table[name], True
    if name.endswith("Summary") and name[: -len("Summary")] in table:
        return table[name[: -len("Summary")]], False
    return None, False


def _camel_keys(value: Any, path: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not CAMEL.match(key):
                _fail(f"{path}.{key}", "is not a camelCase wire name")
            _camel_keys(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _camel_keys(item, f"{path}[{i}]")


def _validate_model(name: str, value: Any, path: str) -> None:
    if not isinstance(value, dict):
        _fail(path, f"expected a {name} object")
    model, strict = _resolve(name)
    if model is None:
        _camel_keys(value, path)
        return
    if model.polymorphic:
        disc = model.polymorphic["discriminator"]
        kind = value.get(disc)
        if kind not in model.polymorphic["mapping"]:
            _fail(f"{path}.{disc}", f"discriminator {kind!r} not in {sorted(model.polymorphic['mapping'])}")
        concrete = models().get(model.polymorphic["mapping"][kind])
        if concrete is None:
            _camel_keys(value, path)
            return
        model = concrete
    fields = model.field_by_wire()
    for key in value:
        if not CAMEL.match(key):
            _fail(f"{path}.{key}", "is not a camelCase wire name")
        if key not in fields:
            _fail(f"{path}.{key}", f"is not a field of {model.name}")
    for wire, spec in fields.items():
        sub = f"{path}.{wire}"
        if value.get(wire) is None:
            if spec.required and strict:
                _fail(sub, f"required field of {model.name} is missing")
            continue
        item = value[wire]
        # a list[str] field's allowed values are those of its items (ContainerSummary.usages)
        for one in item if spec.allowed and isinstance(item, list) else [item]:
            if spec.allowed and one not in spec.allowed:
                _fail(sub, f"{one!r} is not one of {list(spec.allowed)}")
        is_ocid = wire == "id" or (wire.endswith("Id") and spec.type == "str" and wire != "trainingId")
        if is_ocid and not OCID.match(item):
            _fail(sub, f"{item!r} is not an OCID of the real shape")
        validate_response(spec.type, item, sub)
