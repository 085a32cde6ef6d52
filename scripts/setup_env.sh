#!/usr/bin/env bash
# Create (or reuse) the project's virtual environment in .venv (Airflow 3.3) and install the
# provider with its test extras, pinned by constraints/airflow-3.3.txt. Idempotent and fast when
# already done; needs only python3 (>= 3.10) and access to PyPI. The environments of the older
# Airflow versions: scripts/setup_compat_envs.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_compat_envs.sh 3.3
# The OpenLineage tests' provider (the test-only [lineage-test] extra), in the 3.3 environment
# only, pinned by constraints/lineage-test-3.3.txt besides the Airflow pins (nothing there moves).
.venv/bin/python -c "import airflow.providers.openlineage" 2>/dev/null \
    || .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints/airflow-3.3.txt \
        -c constraints/lineage-test-3.3.txt -e ".[test,lineage-test]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import airflow_ds_provider, airflow; print('environment ready: airflow', airflow.__version__)" 2>/dev/null | tail -1
