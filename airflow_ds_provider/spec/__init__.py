"""The Data Science API (20190101) as data: its operations and wire models.

``operations.json`` and ``models.json`` are the declarative tables the client, the hook and the
emulator are all driven from; nobody writes a request builder per operation by hand.

Importing this package is cheap: the JSON is parsed, and the :class:`Operation` / :class:`Model`
dataclasses (``spec/_tables.py``) are built, on the first call of :func:`operations`,
:func:`get_operation` or :func:`models` (or the first use of one of the classes), so that a DAG
file constructing operators pays for none of it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.spec._names import camel_case, snake_case

if TYPE_CHECKING:
    from airflow_ds_provider.spec._tables import Model, ModelField, Operation

API_VERSION = "20190101"

#: Names defined in ``_tables`` and resolved on first access (PEP 562).
_LAZY = frozenset({"Operation", "Model", "ModelField"})


@cache
def operations() -> dict[str, Operation]:
    """All operations by name (``operations.json``, read on the first call)."""
    from airflow_ds_provider.spec._tables import load_operations

    return load_operations()


def get_operation(name: str) -> Operation:
    """One operation by name, with a clear error for an unknown one."""
    try:
        return operations()[name]
    except KeyError:
        raise ValueError(f"unknown Data Science operation {name!r}") from None


@cache
def models() -> dict[str, Model]:
    """All wire models by name (``models.json``, read on the first call)."""
    from airflow_ds_provider.spec._tables import load_models

    return load_models()


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from airflow_ds_provider.spec import _tables

        return getattr(_tables, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "API_VERSION",
    "Model",
    "ModelField",
    "Operation",
    "camel_case",
    "get_operation",
    "models",
    "operations",
    "snake_case",
]
