"""Assertions shared by the example-DAG tests."""

from __future__ import annotations

from pathlib import Path

from airflow_ds_provider.emulator import Emulator
from airflow_ds_provider.example_assets import ASSETS_DIR

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "example_dags"
__all__ = ["ASSETS_DIR", "EXAMPLES_DIR", "created", "deferred_tasks", "leftovers", "seed_version_set"]
#: Examples that register into a model version set named by this variable when they are parsed.
VERSION_SET_ENV = "OCI_DS_EXAMPLE_MODEL_VERSION_SET_ID"
VERSION_SET_EXAMPLES = ("example_ds_model_version_asset.py", "example_ds_model_version_consumer.py")
#: Resource kinds the examples create (work requests are records, not resources to delete).
RESOURCE_KINDS = (
    "project",
    "job",
    "job_run",
    "model",
    "model_deployment",
    "notebook_session",
    "pipeline",
    "pipeline_run",
)


def leftovers(emu: Emulator) -> dict[str, list[tuple[str, str]]]:
    """Every resource in the emulator that is neither DELETED nor gone: kind -> [(id, state)]."""
    found: dict[str, list[tuple[str, str]]] = {}
    for kind in RESOURCE_KINDS:
        alive = [(r["id"], r["lifecycleState"]) for r in emu.list(kind) if r["lifecycleState"] != "DELETED"]
        if alive:
            found[kind] = alive
    return found


def created(emu: Emulator) -> dict[str, int]:
    """How many resources of each kind the emulator has seen (deleted ones included)."""
    return {kind: len(emu.list(kind)) for kind in RESOURCE_KINDS if emu.list(kind)}


def deferred_tasks(messages: list[str]) -> list[str]:
    """Tasks (``task_id`` or ``task_id[map_index]``) that deferred in a ``dag.test()``, in order.

    Read from its log messages: ``starting task_id=X map_index=N`` ... ``running trigger in line``.
    """
    found: list[str] = []
    current = None
    for message in messages:
        if message.startswith("[DAG TEST] starting task_id="):
            fields = dict(part.split("=", 1) for part in message.split()[2:] if "=" in part)
            index = int(fields.get("map_index", "-1"))
            current = fields["task_id"] if index < 0 else f"{fields['task_id']}[{index}]"
        elif message.startswith("[DAG TEST] running trigger in line") and current not in found:
            found.append(current)
    return found


def seed_version_set(emu: Emulator) -> tuple[str, str]:
    """A project and an ACTIVE model version set in it (through the hook); their OCIDs."""
    from airflow_ds_provider.hooks.data_science import DataScienceHook

    hook = DataScienceHook()
    compartment = hook.config.compartment_id
    project = hook.create_project({"compartmentId": compartment, "displayName": "registry"}).data["id"]
    body = {"compartmentId": compartment, "projectId": project, "name": "linear-model"}
    return project, hook.create_model_version_set(body).data["id"]
