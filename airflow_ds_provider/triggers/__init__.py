"""Triggers that wait for OCI Data Science resources to settle (one generic, thin per resource).

The classes are imported on first use; one thin class per waitable resource of the resource table
(:func:`airflow_ds_provider.resources.waitable`), in ``triggers/<resource>s.py``.
"""

from __future__ import annotations

import importlib
from typing import Any

from airflow_ds_provider.resources import waitable

#: class name -> module that defines it
_CLASSES: dict[str, str] = {
    "DataScienceLifecycleTrigger": f"{__name__}.lifecycle",
    # beyond the one per resource: waits for the next run a schedule starts
    "DataScienceScheduleRunTrigger": f"{__name__}.schedules",
    # an AssetWatcher's event trigger: every run of a job or pipeline that ends
    "DataScienceRunCompletedTrigger": f"{__name__}.asset_watchers",
    **{f"DataScience{r.class_stem}Trigger": f"{__name__}.{r.module}" for r in waitable()},
}
__all__ = sorted(_CLASSES)


def __getattr__(name: str) -> Any:
    """Import ``name`` from its module on first use."""
    module = _CLASSES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
