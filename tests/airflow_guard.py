"""The import guard of the tests that run on one Airflow version only (``scripts/test.sh``).

``scripts/test.sh`` runs the tests that never touch Airflow once (on 3.3) and every other test on
each supported version. With ``DS_TESTS_WITHOUT_AIRFLOW=1`` (set for that one run) importing
``airflow`` fails, naming what to do, so a test that starts to depend on Airflow cannot hide in
the single-version run.
"""

from __future__ import annotations

import importlib.abc
import os
import sys
from typing import Any

ENV = "DS_TESTS_WITHOUT_AIRFLOW"
MESSAGE = (
    "this test imports Airflow, so it must run on every supported Airflow version: "
    "remove its path from AIRFLOW_FREE_TESTS in scripts/test.sh"
)


def _is_airflow(name: str) -> bool:
    return name == "airflow" or name.startswith("airflow.")


class AirflowImportBlocked(ImportError):
    """Raised for ``import airflow`` while the guard is on."""


class _Guard(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if _is_airflow(fullname):
            raise AirflowImportBlocked(f"import {fullname}: {MESSAGE}")


def enabled() -> bool:
    """Whether this run is the one that must not import Airflow."""
    return os.environ.get(ENV) == "1"


def install() -> None:
    """Block every import of ``airflow`` from now on (fails at once if it is already imported)."""
    already = sorted(name for name in sys.modules if _is_airflow(name))
    if already:
        raise AirflowImportBlocked(f"{already[0]} was imported before the guard: {MESSAGE}")
    sys.meta_path.insert(0, _Guard())


def check() -> None:
    """After the run: nothing imported Airflow behind the guard's back."""
    leaked = sorted(name for name in sys.modules if _is_airflow(name))
    if leaked:
        raise AirflowImportBlocked(f"{leaked[0]} was imported during the run: {MESSAGE}")
