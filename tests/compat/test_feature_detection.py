"""The compatibility layer detects what the running Airflow has, and is the only place that asks.

Run on each supported Airflow (3.0, 3.1, 3.2, 3.3: ``scripts/test.sh``); every module must import
and every detected feature must match the release-notes table in :mod:`compat.features`.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import airflow_ds_provider
from airflow_ds_provider import _compat
from compat.features import FEATURES, MINOR, has

PACKAGE = Path(airflow_ds_provider.__file__).parent


def test_the_running_airflow_is_a_supported_one() -> None:
    assert min(FEATURES) <= MINOR, f"Airflow {MINOR} is older than the oldest supported one"


def test_detected_features_match_the_release_notes() -> None:
    from airflow.sdk import Connection

    detected = {
        "retry_policy": _compat.HAS_RETRY_POLICY,
        "trigger_on_kill": _compat.has_trigger_on_kill(),
        "task_state_store": _compat.has_task_state_store(),
        "conn_fields": _compat.has_declarative_conn_fields(),
        "aget_connection": hasattr(_compat.BaseHook, "aget_connection"),
        "aextra_dejson": hasattr(Connection, "aextra_dejson"),
        "asset_state_store": _compat.has_asset_state_store(),
    }
    assert detected == {name: has(name) for name in detected}


def test_the_exceptions_are_the_ones_the_task_runner_catches() -> None:
    """The task runner of each version catches its own classes; ours must be those very classes."""
    from airflow.sdk.execution_time import task_runner

    for name in ("AirflowFailException", "AirflowSkipException", "TaskDeferred", "AirflowSensorTimeout"):
        runner_has = getattr(task_runner, name, None)
        if runner_has is not None:
            assert runner_has is getattr(_compat, name), name


@pytest.mark.parametrize(
    "module", sorted(m.name for m in pkgutil.walk_packages([str(PACKAGE)], "airflow_ds_provider."))
)
def test_every_module_imports(module: str) -> None:
    importlib.import_module(module)


#: Imports of the parts that moved between Airflow 3.0 and 3.3: only ``_compat`` may use them.
MOVING_MODULES = {
    "airflow.exceptions",
    "airflow.sdk.exceptions",
    "airflow.configuration",
    "airflow.hooks.base",
    "airflow.sdk.log",
    "airflow.sdk._shared",
    "airflow.sdk._shared.secrets_masker",
    "airflow.sdk.execution_time.secrets_masker",
    "airflow.sdk.module_loading",
    "airflow.utils.module_loading",
    "airflow._shared.module_loading",
}
MOVING_NAMES = {
    "conf",
    "BaseHook",
    "ExceptionRetryPolicy",
    "RetryRule",
    "RetryAction",
    "redact",
    "mask_secret",
}
MOVING_ATTRIBUTES = {"aget_connection", "aextra_dejson"}


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module in MOVING_MODULES:
                found.append(f"from {node.module} import ...")
            elif (
                (node.module.startswith("airflow.") or node.module == "airflow")
                and not node.module.startswith(
                    "airflow.providers."  # other providers' own modules (the optional OpenLineage one) are not Airflow's
                )
            ):
                found += [f"from {node.module} import {a.name}" for a in node.names if a.name in MOVING_NAMES]
        elif isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name in MOVING_MODULES]
        elif isinstance(node, ast.Attribute) and node.attr in MOVING_ATTRIBUTES:
            found.append(f".{node.attr}")
        elif isinstance(node, ast.Attribute) and node.attr == "__version__":
            found.append("a version string")
    return found


def test_moving_parts_are_imported_only_through_compat() -> None:
    offences = {
        str(path.relative_to(PACKAGE)): found
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "_compat.py" and (found := _offences(path))
    }
    assert offences == {}


def test_compat_detects_features_without_version_strings() -> None:
    assert "__version__" not in (PACKAGE / "_compat.py").read_text()
    assert "packaging" not in (PACKAGE / "_compat.py").read_text()


def test_the_offence_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The scan above is not vacuous: each kind of offence is found."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from airflow.sdk.exceptions import AirflowFailException\n"
        "from airflow.sdk import conf\n"
        "import airflow.exceptions\n"
        "async def f(h, c):\n    await h.aget_connection('x'); await c.aextra_dejson()\n"
        "import airflow\nv = airflow.__version__\n"
    )
    assert len(_offences(bad)) == 6
