"""The steps of the fault-storm sequences (:mod:`storm_scenario`, :mod:`storm_areas`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Call:
    """One operation of the sequence."""

    operation: str
    args: dict[str, Any]


@dataclass(frozen=True)
class Advance:
    """Move the emulator clock (lets transitions settle)."""

    seconds: float
