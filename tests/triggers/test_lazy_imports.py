"""What a DAG file's imports (and a triggerer's) pull in, checked in a fresh interpreter.

Importing the hook and every operator, sensor and trigger module (found by walking the packages,
so a module added later is covered without touching this test), or parsing the example DAGs
(which construct operators and sensors), loads no HTTP stack, signing or credential code, no
generated operation methods, no spec tables or body validator and no wait flow: those load when a
client is first built, a body first checked, a trigger first run (issue #18, BENCHMARKS.md).
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import airflow_ds_provider.operators
import airflow_ds_provider.sensors
import airflow_ds_provider.triggers


def _modules(package: object) -> list[str]:
    return [
        f"{package.__name__}.{m.name}"  # type: ignore[attr-defined]
        for m in pkgutil.iter_modules(package.__path__)  # type: ignore[attr-defined]
    ]


TRIGGERS = _modules(airflow_ds_provider.triggers)
OTHERS = [
    "airflow_ds_provider.hooks.data_science",
    *_modules(airflow_ds_provider.operators),
    *_modules(airflow_ds_provider.sensors),
]
EXAMPLE_DAGS = sorted(str(p) for p in (Path(__file__).parents[2] / "example_dags").glob("*.py"))
#: Loaded only when a client is built. (``airflow.sdk`` itself loads httpx and cryptography, so
#: for those the test checks our modules that use them.)
CLIENT = [
    "requests",
    "airflow_ds_provider.client.transport",
    "airflow_ds_provider.client.async_client",
    "airflow_ds_provider.client.client",
    "airflow_ds_provider.client.shared_clients",
    "airflow_ds_provider.client.signing",
    "airflow_ds_provider.client.auth.api_key",
    "airflow_ds_provider.client.auth.keys",
    "airflow_ds_provider.client.auth.base",
    "airflow_ds_provider.client.config",
    "airflow_ds_provider.client.endpoints",
]
#: Loaded on first use: the generated methods (first hook method looked up), the spec tables and
#: the body validator (first body checked, first request), the wait flow (first poll).
ON_FIRST_USE = [
    "airflow_ds_provider.client._operations",
    "airflow_ds_provider.client.response",
    "airflow_ds_provider.spec._tables",
    "airflow_ds_provider.spec.validation",
    "airflow_ds_provider.client.wait_flow",
    "airflow_ds_provider.client.flow_driver",
]
DEFERRED = CLIENT + ON_FIRST_USE


def _loaded_after(setup: str, then: str = "") -> dict[str, list[str]]:
    script = (
        "import sys, json\n"
        "import airflow.sdk, airflow.triggers.base\n"
        + setup
        + f"early = sorted(m for m in {DEFERRED!r} if m in sys.modules)\n"
        + then
        + f"late = sorted(m for m in {DEFERRED!r} if m in sys.modules)\n"
        "print(json.dumps({'early': early, 'late': late}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=dict(os.environ)
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _imports(modules: list[str]) -> str:
    return "".join(f"import {m}\n" for m in modules)


def test_every_provider_module_is_found() -> None:
    assert "airflow_ds_provider.triggers.lifecycle" in TRIGGERS
    assert {"airflow_ds_provider.operators.job_runs", "airflow_ds_provider.sensors.job_runs"} <= set(OTHERS)
    assert len(EXAMPLE_DAGS) >= 3


def test_trigger_modules_load_no_http_or_signing_code_until_a_client_is_built() -> None:
    loaded = _loaded_after(
        _imports(TRIGGERS),
        then="from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger\n"
        "from airflow_ds_provider.client import AsyncDataScienceClient\n",
    )
    assert loaded["early"] == []
    assert "airflow_ds_provider.client.async_client" in loaded["late"]  # the lazy name still resolves


def test_the_hook_operators_and_sensors_load_none_of_it_either() -> None:
    assert _loaded_after(_imports(OTHERS + TRIGGERS))["early"] == []


def test_parsing_the_example_dags_constructs_operators_without_any_of_it() -> None:
    loaded = _loaded_after(
        "import runpy\n" + "".join(f"runpy.run_path({p!r})\n" for p in EXAMPLE_DAGS),
        then="from airflow_ds_provider.spec import get_operation\nget_operation('get_job_run')\n",
    )
    assert loaded["early"] == []
    assert "airflow_ds_provider.spec._tables" in loaded["late"]  # and the spec still loads on use


def test_a_trigger_built_and_serialized_still_loads_no_wait_flow() -> None:
    loaded = _loaded_after(
        "from airflow_ds_provider.triggers.job_runs import DataScienceJobRunTrigger\n"
        "t = DataScienceJobRunTrigger('ocid1.datasciencejobrun.oc1.iad.' + 'a' * 20)\n"
        "t.serialize()\n"
    )
    assert "airflow_ds_provider.client.wait_flow" not in loaded["early"]


def test_the_first_shared_client_is_imported_and_built_off_the_event_loop(ds_emulator, ds_identity) -> None:
    """The first build imports the async client (and the generated methods) and parses the spec
    tables in a worker thread: none of that runs on the triggerer's event loop."""
    script = (
        "import asyncio, json, sys, threading\n"
        "import airflow.sdk, airflow.triggers.base\n"
        "from airflow_ds_provider.hooks.data_science import DataScienceHook\n"
        "where = {}\n"
        "class Finder:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        where.setdefault(name, threading.current_thread() is threading.main_thread())\n"
        "sys.meta_path.insert(0, Finder())\n"
        "async def main():\n"
        "    lease = await DataScienceHook().aacquire_shared_client()\n"
        "    await lease.client()\n"
        "    await lease.release()\n"
        "asyncio.run(main())\n"
        f"print(json.dumps({{m: where.get(m) for m in {ON_FIRST_USE[:3] + CLIENT[1:3]!r}}}))\n"
    )
    env = dict(
        os.environ, AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT=ds_emulator.airflow_connection_json(ds_identity)
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env)
    on_loop = json.loads(out.stdout.strip().splitlines()[-1])
    # False: first imported in a worker thread (True would be the loop's thread).
    assert on_loop == dict.fromkeys(ON_FIRST_USE[:3] + CLIENT[1:3], False)
