"""The entries of the resource table, one module per area; :data:`ALL_KINDS` gathers them for
:data:`airflow_ds_provider.resources.RESOURCES`."""

from __future__ import annotations

from airflow_ds_provider.kinds import (
    core,
    ml_applications,
    model_artifacts,
    model_registry,
    pipelines,
    platform,
)
from airflow_ds_provider.resource_model import Resource

#: Every kind, in table order; a name declared twice is an import-time error.
ALL_KINDS: tuple[Resource, ...] = (
    *core.KINDS,
    *model_artifacts.KINDS,
    *model_registry.KINDS,
    *pipelines.KINDS,
    *platform.KINDS,
    *ml_applications.KINDS,
)

_names = [kind.name for kind in ALL_KINDS]
if len(set(_names)) != len(_names):
    raise ImportError(f"resource kinds declared twice: {sorted({n for n in _names if _names.count(n) > 1})}")
