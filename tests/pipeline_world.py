"""Pipelines for the pipeline and pipeline-run tests: two CUSTOM_SCRIPT steps (``prepare`` then
``train``) from local scripts, logging to a log group of the emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

LOG_GROUP = "ocid1.loggroup.oc1.iad.pipelinelogs0001"
STEPS = ("prepare", "train")


def step_details(*names: str) -> list[dict[str, Any]]:
    """CUSTOM_SCRIPT steps, each depending on the one before."""
    names = names or STEPS
    return [
        {
            "stepType": "CUSTOM_SCRIPT",
            "stepName": name,
            "stepInfrastructureConfigurationDetails": {
                "shapeName": "VM.Standard.E4.Flex",
                "blockStorageSizeInGBs": 50,
            },
            **({"dependsOn": [names[i - 1]]} if i else {}),
        }
        for i, name in enumerate(names)
    ]


def scripts(folder: Path, *names: str) -> dict[str, str]:
    """One small local script per step: ``{stepName: path}``."""
    out = {}
    for name in names or STEPS:
        path = folder / f"{name}.py"
        path.write_text(f"print('running {name}')\n")
        out[name] = str(path)
    return out


def pipeline_body(ds: Any, tags: dict[str, str] | None = None, logging: bool = True) -> dict[str, Any]:
    """A ``CreatePipelineDetails`` of the two steps in a new project."""
    body: dict[str, Any] = {
        "projectId": ds.project(),
        "compartmentId": ds.compartment,
        "displayName": "two-steps",
        "stepDetails": step_details(),
        "freeformTags": tags or {},
    }
    if logging:
        body["logConfigurationDetails"] = {
            "enableLogging": True,
            "enableAutoLogCreation": True,
            "logGroupId": LOG_GROUP,
        }
    return body


def active_pipeline(ds: Any, folder: Path, tags: dict[str, str] | None = None, logging: bool = True) -> str:
    """An ACTIVE pipeline (made through the hook) with both step artifacts uploaded."""
    pipeline_id = ds.hook.create_pipeline(pipeline_body(ds, tags, logging)).data["id"]
    for name, path in scripts(folder).items():
        ds.hook.create_step_artifact(pipeline_id, name, path)
    ds.hook.wait_for_state("pipeline", pipeline_id, poll_interval=0.02, timeout=10)
    return pipeline_id


class ClientWorld:
    """The sensor and trigger tests' ``world`` (a client, a compartment, a project) as the
    helpers above read it (``hook``, ``compartment``, ``project()``)."""

    def __init__(self, world: Any) -> None:
        self.hook, self.compartment, self._world = world.client, world.comp, world

    def project(self, name: str = "p") -> str:
        return self._world.project


def start_run(world: Any, folder: Path, **tags: str) -> str:
    """A run (through the client) of a new ACTIVE two-step pipeline scripted by ``tags``."""
    pipeline_id = active_pipeline(ClientWorld(world), folder, tags=tags)
    body = {"pipelineId": pipeline_id, "compartmentId": world.comp}
    return world.client.create_pipeline_run(body).data["id"]
