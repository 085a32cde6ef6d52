"""Shared helpers for the model, model-deployment and notebook-session operator tests.

They seed resources through the hook (real HTTP against the fast emulator of ``conftest.ds``)
and run a deferred operator the way the triggerer would: the trigger's real ``run()`` in an
event loop, its event handed to the resume method the operator asked for.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

from airflow_ds_provider._compat import TaskDeferred

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
SHAPE = "VM.Standard.E4.Flex"


def deployment_config(model_id: str | None = None) -> dict[str, Any]:
    """A minimal ``modelDeploymentConfigurationDetails`` (``modelId`` left out when None)."""
    model_config: dict[str, Any] = {"instanceConfiguration": {"instanceShapeName": SHAPE}}
    if model_id is not None:
        model_config["modelId"] = model_id
    return {"deploymentType": "SINGLE_MODEL", "modelConfigurationDetails": model_config}


def seed_model(ds: Any, project_id: str | None = None, name: str = "model") -> str:
    """An ACTIVE model (through the hook); returns its OCID."""
    body = {"compartmentId": ds.compartment, "projectId": project_id or ds.project(), "displayName": name}
    return ds.hook.create_model(body).data["id"]


def seed_deployment(ds: Any, tags: dict[str, str] | None = None, wait: bool = True) -> str:
    """A model deployment (ACTIVE when ``wait``); returns its OCID."""
    project_id = ds.project()
    body = {
        "compartmentId": ds.compartment,
        "projectId": project_id,
        "modelDeploymentConfigurationDetails": deployment_config(seed_model(ds, project_id)),
        "freeformTags": tags or {},
    }
    deployment_id = ds.hook.create_model_deployment(body).data["id"]
    if wait:
        ds.hook.wait_for_state("model_deployment", deployment_id, poll_interval=0.02, timeout=10)
    return deployment_id


def seed_notebook_session(ds: Any, wait: bool = True) -> str:
    """A notebook session (ACTIVE when ``wait``); returns its OCID."""
    body = {
        "compartmentId": ds.compartment,
        "projectId": ds.project(),
        "notebookSessionConfigDetails": {"shape": SHAPE},
    }
    session_id = ds.hook.create_notebook_session(body).data["id"]
    if wait:
        ds.hook.wait_for_state("notebook_session", session_id, poll_interval=0.02, timeout=10)
    return session_id


@contextlib.contextmanager
def slow(emu: Any, **timings: float) -> Iterator[None]:
    """Lengthen some emulator durations (seconds before the speed factor) for one block."""
    saved = dataclasses.asdict(emu.timings)
    emu.timings.update(**timings)
    try:
        yield
    finally:
        emu.timings.update(**saved)


def operations(emu: Any, name: str) -> list[dict[str, Any]]:
    """The emulator's request-log entries of one API operation."""
    return [r for r in emu.requests if r.get("operation") == name]


async def _first_event(trigger: Any) -> dict[str, Any]:
    async for event in trigger.run():
        return event.payload
    raise AssertionError("the trigger yielded no event")


def run_deferred(operator: Any, context: dict[str, Any], deferred: TaskDeferred) -> Any:
    """Run the deferral's trigger for real, then resume the operator as the worker would.

    Resumes (repeatedly) until the operator returns or raises something other than a deferral.
    """
    while True:
        event = asyncio.run(_first_event(deferred.trigger))
        resume = getattr(operator, deferred.method_name)
        try:
            return resume(context, event={**event, **(deferred.kwargs or {})})
        except TaskDeferred as again:
            deferred = again


def execute(operator: Any, context: dict[str, Any]) -> Any:
    """``operator.execute`` to completion, running any deferral's trigger in an event loop."""
    try:
        return operator.execute(context)
    except TaskDeferred as deferred:
        return run_deferred(operator, context, deferred)
