#!/usr/bin/env bash
# Set everything up and run the whole test suite: lint, unit + integration tests against the
# embedded emulator, then the end-to-end tests on a real Airflow deployment.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
PYTHON=.venv/bin/python bash scripts/check_dist.sh
echo "== unit and integration tests"
.venv/bin/python -m pytest -q
if [ "${SKIP_DEPLOYMENT_TESTS:-0}" != "1" ] && [ -d tests/deployment ]; then
  echo "== end-to-end tests on a real Airflow deployment"
  PYTHON=.venv/bin/python bash scripts/install_deployment_deps.sh
  .venv/bin/python -m pytest -q -m deployment tests/deployment --ignore=tests/deployment/test_distributed_e2e.py
  if [ "${SKIP_DISTRIBUTED_TESTS:-0}" != "1" ]; then
    echo "== end-to-end tests on a distributed deployment (CeleryExecutor, Redis, 2 workers, 2 triggerers)"
    PYTHON=.venv/bin/python bash scripts/install_distributed_deps.sh
    started=$SECONDS
    .venv/bin/python -m pytest -q -m deployment tests/deployment/test_distributed_e2e.py
    echo "== distributed suite: $((SECONDS - started)) s"
  fi
fi
