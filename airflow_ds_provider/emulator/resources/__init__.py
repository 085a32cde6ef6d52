"""One module per resource; :data:`HANDLERS` maps every operation name to its handler."""

from __future__ import annotations

from collections.abc import Callable

from airflow_ds_provider.emulator.resources import (
    job_runs,
    jobs,
    model_deployments,
    models,
    notebook_sessions,
    projects,
    shapes,
    work_requests,
)
from airflow_ds_provider.emulator.resources.base import Reply, Request, Services

Handler = Callable[[Services, Request], Reply]


def _collect() -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}
    for module in (
        projects,
        jobs,
        job_runs,
        models,
        model_deployments,
        notebook_sessions,
        work_requests,
        shapes,
    ):
        for name in dir(module):
            if name.split("_")[0] in {
                "create",
                "get",
                "list",
                "update",
                "delete",
                "change",
                "cancel",
                "head",
                "activate",
                "deactivate",
            } and callable(getattr(module, name)):
                func = getattr(module, name)
                if getattr(func, "__module__", "") == module.__name__:
                    handlers[name] = func
    return handlers


#: Operation name -> handler.
HANDLERS: dict[str, Handler] = _collect()
