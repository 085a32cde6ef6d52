"""The provider through Airflow's own CLI: `airflow providers list` and `airflow connections test`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

AIRFLOW = shutil.which("airflow", path=str(Path(sys.executable).parent)) or "airflow"


def _airflow(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AIRFLOW, *args], capture_output=True, text=True, timeout=180, env=env, check=False)


@pytest.fixture
def cli_env(airflow_db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_")}
    env["AIRFLOW__CORE__TEST_CONNECTION"] = "Enabled"
    return env


def test_providers_list_shows_the_provider(cli_env) -> None:
    result = _airflow("providers", "list", "-o", "json", env=cli_env)
    assert result.returncode == 0, result.stderr[-2000:]
    # Airflow 3.0 logs to stdout before the JSON document
    document = result.stdout[re.search(r"^\[\s*[{\]]", result.stdout, re.MULTILINE).start() :]  # type: ignore[union-attr]
    packages = {p["package_name"] for p in json.loads(document)}
    assert "airflow-ds-provider" in packages


def test_connections_test_against_the_emulator(cli_env, ds_emulator, ds_identity) -> None:
    cli_env["AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"] = ds_emulator.airflow_connection_json(ds_identity)
    result = _airflow("connections", "test", "oci_data_science_default", env=cli_env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Connection success!" in result.stdout
    assert any(r["operation"] == "list_projects" for r in ds_emulator.requests)


def test_connections_test_reports_the_oci_error(cli_env, ds_emulator, ds_identity) -> None:
    extra = {**ds_emulator.connection_extra(ds_identity), "fingerprint": "00:" * 15 + "00"}
    cli_env["AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT"] = json.dumps(
        {"conn_type": "oci_data_science", "extra": extra}
    )
    result = _airflow("connections", "test", "oci_data_science_default", env=cli_env)
    output = result.stdout + result.stderr
    assert "Connection success!" not in output
    assert "NotAuthenticated" in output
    assert "PRIVATE KEY" not in output
