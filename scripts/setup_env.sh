#!/usr/bin/env bash
# Create (or reuse) the project's virtual environment in .venv and install the provider with its
# test extras. Idempotent; needs only python3 (>= 3.10) and access to PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]" 2>&1 \
  | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import airflow_ds_provider, airflow; print('environment ready: airflow', airflow.__version__)"
