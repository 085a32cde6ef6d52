"""Importing the trigger modules (as a triggerer does before it runs one), the hook, the operators
and the sensors (as a DAG file does) loads no HTTP stack, signing or credential code: those load
when a client is first built (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

TRIGGERS = [
    f"airflow_ds_provider.triggers.{m}"
    for m in ("lifecycle", "job_runs", "model_deployments", "notebook_sessions", "work_requests")
]
OTHERS = [
    "airflow_ds_provider.hooks.data_science",
    *(f"airflow_ds_provider.operators.{m}" for m in ("job_runs", "jobs", "models", "model_deployments")),
    *(f"airflow_ds_provider.sensors.{m}" for m in ("job_runs", "model_deployments")),
]
#: Loaded only when a client is built. (``airflow.sdk`` itself loads httpx and cryptography, so
#: for those the test checks our modules that use them.)
DEFERRED = [
    "requests",
    "airflow_ds_provider.client.transport",
    "airflow_ds_provider.client.async_client",
    "airflow_ds_provider.client.client",
    "airflow_ds_provider.client.shared_clients",
    "airflow_ds_provider.client.signing",
    "airflow_ds_provider.client.auth.api_key",
    "airflow_ds_provider.client.auth.keys",
]


def _loaded_after(modules: list[str], then: str = "") -> dict[str, list[str]]:
    script = (
        "import sys, json\n"
        "import airflow.sdk, airflow.triggers.base\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"early = sorted(m for m in {DEFERRED!r} if m in sys.modules)\n"
        + then
        + f"late = sorted(m for m in {DEFERRED!r} if m in sys.modules)\n"
        "print(json.dumps({'early': early, 'late': late}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=dict(os.environ)
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_trigger_modules_load_no_http_or_signing_code_until_a_client_is_built() -> None:
    loaded = _loaded_after(
        TRIGGERS,
        then="from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger\n"
        "from airflow_ds_provider.client import AsyncDataScienceClient\n",
    )
    assert loaded["early"] == []
    assert "airflow_ds_provider.client.async_client" in loaded["late"]  # the lazy name still resolves


def test_the_hook_operators_and_sensors_load_none_of_it_either() -> None:
    assert _loaded_after(OTHERS + TRIGGERS)["early"] == []
