"""The resource table: every fact about an OCI Data Science resource kind, declared once.

A :class:`Resource` holds a kind's name, OCID type, REST collection, lifecycle (every state, and
which are pending, success, failure and final), its actions (the states each may be requested
from, the transient state it enters and where it settles, the outcomes a script may choose), how
its failures are explained, whether Airflow waits on it (sensor and trigger), its console page
and its log source. Everything else is derived from :data:`RESOURCES`: the wait tables
(:mod:`airflow_ds_provider.lifecycle`), OCID validation (:mod:`airflow_ds_provider.ocids`),
console links, the provider-info module lists, the sensor and trigger registration, the
emulator's routing, transitions and scripting, and the tests' parametrization. Which operations
return a work request is read from the API spec (``spec/operations.json``).

Adding a resource is one entry in :mod:`airflow_ds_provider.kinds` plus its spec entries (see docs/DESIGN.md, "Adding a
resource").
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from airflow_ds_provider.kinds import ALL_KINDS
from airflow_ds_provider.resource_model import (
    DELETE,
    EXPLAIN_DETAILS,
    EXPLAIN_WORK_REQUEST_ERRORS,
    Action,
    Resource,
    fs,
)

__all__ = [
    "DELETE",
    "EXPLAIN_DETAILS",
    "EXPLAIN_WORK_REQUEST_ERRORS",
    "RESOURCES",
    "Action",
    "Resource",
    "fs",
    "get_resource",
    "waitable",
    "with_operators",
]

#: Every resource kind by name (the entries are in :mod:`airflow_ds_provider.kinds`).
RESOURCES: Mapping[str, Resource] = MappingProxyType({resource.name: resource for resource in ALL_KINDS})


def get_resource(name: str) -> Resource:
    """The resource kind ``name`` (e.g. ``"job_run"``).

    :raises ValueError: naming the known kinds.
    """
    try:
        return RESOURCES[name]
    except KeyError:
        raise ValueError(f"unknown resource {name!r}; expected one of {sorted(RESOURCES)}") from None


def waitable() -> list[Resource]:
    """The kinds Airflow waits on (each has a sensor and a trigger module)."""
    return [r for r in RESOURCES.values() if r.waitable]


def with_operators() -> list[Resource]:
    """The kinds with an operator module."""
    return [r for r in RESOURCES.values() if r.operators]
