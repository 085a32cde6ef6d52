"""OCIDs: the one table of resource -> OCID type, and the shape-and-kind check of an OCID argument.

An OCID reads ``ocid1.<type>.<realm>.[region][.future].<unique>`` (the region is empty for
realm-global resources such as tenancies and compartments). The Data Science types come from the
lifecycle tables (:mod:`airflow_ds_provider.lifecycle`); the few other services' resources our
arguments name (compartments, log groups, subnets...) are listed here. Operators, sensors,
triggers and the emulator all read :data:`OCID_TYPES`, so they cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from airflow_ds_provider.lifecycle import LIFECYCLES

#: OCID type segment per resource kind (``ocid1.<type>...``).
OCID_TYPES: dict[str, str] = {
    **{lc.resource: lc.ocid_type for lc in LIFECYCLES.values()},
    "compartment": "compartment",
    "tenancy": "tenancy",
    "user": "user",
    "log_group": "loggroup",
    "log": "log",
    "subnet": "subnet",
    "vcn": "vcn",
    "model_version_set": "datasciencemodelversionset",
    "key": "key",
    "vault": "vault",
}

#: Argument names whose kind is not ``<kind>_id`` -> ``<kind>``: the kinds each accepts.
_ARGUMENT_KINDS: dict[str, tuple[str, ...]] = {
    "compartment_id": ("compartment", "tenancy"),
    "target_compartment_id": ("compartment", "tenancy"),
    "source_job_run_id": ("job_run",),
    # a model deployment's, notebook session's or job's privateEndpointId
    "private_endpoint_id": ("data_science_private_endpoint",),
    "resource_id": (),  # generic sensor/trigger argument: the kind comes from ``resource``
}

_SHAPE = re.compile(r"^ocid1\.([a-z0-9]+)\.([a-z0-9]+)\.([a-z0-9-]*)(\.[a-z0-9-]+)?\.([A-Za-z0-9_-]+)$")
_TYPE_TO_KIND = {ocid_type: kind for kind, ocid_type in OCID_TYPES.items()}


def argument_kinds(field: str) -> tuple[str, ...]:
    """The resource kinds an OCID argument accepts, inferred from its name (empty: any kind).

    ``project_id`` -> ``("project",)``, ``compartment_id`` -> ``("compartment", "tenancy")``,
    ``projectId`` (a body's wire name) -> ``("project",)``; a name the table does not know
    (``some_id``) accepts any kind and only its shape is checked.
    """
    name = field.rsplit(".", 1)[-1]
    snake = re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
    if snake in _ARGUMENT_KINDS:
        return _ARGUMENT_KINDS[snake]
    if snake.endswith("_id") and snake[:-3] in OCID_TYPES:
        return (snake[:-3],)
    return ()


def is_ocid_argument(field: str) -> bool:
    """Whether ``field`` names an OCID (``..._id`` or a body's ``...Id``)."""
    name = field.rsplit(".", 1)[-1]
    return name.endswith(("_id", "Id"))


def kind_of(ocid: str) -> str | None:
    """The resource kind of a well-formed OCID (``None`` when its type is not in the table)."""
    match = _SHAPE.match(ocid)
    return _TYPE_TO_KIND.get(match.group(1)) if match else None


def _expected(kinds: Iterable[str]) -> str:
    kinds = tuple(kinds)
    if not kinds:
        return "an OCID (ocid1.<type>.<realm>.[region].<unique>)"
    names = " or ".join(f"{kind} (ocid1.{OCID_TYPES[kind]}...)" for kind in kinds)
    return f"the OCID of a {names}"


def validate_ocid(value: Any, field: str, kinds: Iterable[str] | None = None) -> str:
    """Return the OCID in ``value`` (stripped), checked for shape and kind.

    :param value: the rendered argument.
    :param field: the argument's name, for the message (and for the kind when ``kinds`` is None).
    :param kinds: accepted resource kinds (keys of :data:`OCID_TYPES`); default: inferred from
        ``field`` by :func:`argument_kinds`; empty: any kind.
    :raises ValueError: naming ``field``, the expected kind and what was given.
    """
    expected_kinds = argument_kinds(field) if kinds is None else tuple(kinds)
    unknown = [k for k in expected_kinds if k not in OCID_TYPES]
    if unknown:
        raise ValueError(f"unknown resource kind(s) {unknown}; expected some of {sorted(OCID_TYPES)}")
    expected = _expected(expected_kinds)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field}: expected {expected}, got {value!r}")
    ocid = value.strip()
    match = _SHAPE.match(ocid)
    if match is None:
        raise ValueError(f"{field}: expected {expected}, got {ocid!r}, which is not an OCID")
    if expected_kinds:
        types = {OCID_TYPES[k] for k in expected_kinds}
        if match.group(1) not in types:
            actual = _TYPE_TO_KIND.get(match.group(1), match.group(1))
            raise ValueError(f"{field}: {ocid!r} is the OCID of a {actual}, expected {expected}")
    return ocid
