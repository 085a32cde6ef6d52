"""The pytest plugin is cheap to load (pytest loads it in every run of an environment with the
provider installed) and still gives working fixtures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import airflow_ds_provider.emulator as emulator_pkg

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "airflow_ds_provider.emulator.pytest_plugin"
#: What loading the plugin must not import: the emulator's layers and the libraries they need.
HEAVY = (
    "airflow_ds_provider.emulator.core",
    "airflow_ds_provider.emulator.server",
    "airflow_ds_provider.spec",
    "airflow_ds_provider.client",
    "cryptography",
    "requests",
    "httpx",
    "airflow",
)
#: Of those, what the emulator's facade itself imports (the probe's control case).
FACADE = ("airflow_ds_provider.emulator.core", "airflow_ds_provider.emulator.server", "cryptography")


def _modules_after(code: str) -> set[str]:
    """The top-level and provider modules in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


def _loaded(modules: set[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    modules = _modules_after(f"import {PLUGIN}")
    assert PLUGIN in modules  # the probe is real
    assert [name for name in HEAVY if _loaded(modules, name)] == []


def test_the_probe_sees_heavy_imports() -> None:
    """The check above can fail: the emulator's facade does pull those modules in."""
    modules = _modules_after("from airflow_ds_provider.emulator import Emulator")
    assert [name for name in FACADE if not _loaded(modules, name)] == []


def test_the_plugin_is_the_registered_pytest11_entry_point() -> None:
    from importlib.metadata import entry_points

    found = {ep.name: ep.value for ep in entry_points(group="pytest11") if ep.value.startswith("airflow_ds")}
    assert found == {"airflow_ds_provider_emulator": PLUGIN}


def test_the_package_names_resolve_lazily() -> None:
    from airflow_ds_provider.emulator.core import Emulator
    from airflow_ds_provider.emulator.faults import Fault

    assert emulator_pkg.Emulator is Emulator and emulator_pkg.Fault is Fault
    assert set(emulator_pkg.__all__) == {"Emulator", "Fault", "Identity", "Timings"}
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = emulator_pkg.Nope


def test_private_emulators_start_and_stop(ds_emulator_factory) -> None:
    with ds_emulator_factory.private(manual_clock=True) as emu:
        ident = emu.create_identity()
        assert emu.url.startswith("http://127.0.0.1:") and ident.key_id
    assert ds_emulator_factory(manual_clock=True, log_ingestion_delay=5.0) is ds_emulator_factory(
        manual_clock=True, log_ingestion_delay=5.0
    )
