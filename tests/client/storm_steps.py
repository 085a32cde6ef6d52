"""The steps of the fault-storm sequences (:mod:`storm_scenario`, :mod:`storm_areas`)."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import ds_bodies as bodies


@dataclass(frozen=True)
class Call:
    """One operation of the sequence."""

    operation: str
    args: dict[str, Any]


@dataclass(frozen=True)
class Advance:
    """Move the emulator clock (lets transitions settle)."""

    seconds: float


Steps = Generator["Call | Advance", Any, None]


@dataclass(frozen=True)
class World:
    """What every area may use: the compartments and a project."""

    comp: str
    other: str
    project_id: str


def active_job(world: World) -> Steps:
    """Create a job and let it become ACTIVE; its OCID."""
    job = yield Call("create_job", {"create_job_details": bodies.job(world.comp, world.project_id)})
    yield Advance(5)
    return job.data["id"]
