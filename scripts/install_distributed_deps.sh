#!/usr/bin/env bash
# Install what the distributed deployment tests (tests/deployment/test_distributed_e2e.py:
# CeleryExecutor, Redis, two Celery workers, two triggerers) need on top of
# scripts/install_deployment_deps.sh (PostgreSQL and its drivers, which this script runs first):
#   - a Redis server (Debian package `redis-server`); the tests start a private one on a unix
#     socket (no TCP port), the system service is not used;
#   - apache-airflow-providers-celery with celery, kombu and the redis client, pinned to versions
#     that install next to apache-airflow 3.3.2 without changing any package it already has
#     (celery 5.7.0 / kombu 5.7.0 would pin python-dateutil and packaging down).
# Idempotent: it installs only what is missing. Runs as root (apt) or with sudo available.
#
# Usage: PYTHON=/path/to/venv/bin/python scripts/install_distributed_deps.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-$(command -v python || command -v python3)}"
export PYTHON
bash scripts/install_deployment_deps.sh

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if command -v redis-server >/dev/null; then
    echo "install_distributed_deps: redis-server already installed"
else
    echo "install_distributed_deps: installing redis-server from Debian packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
    # The package starts a system service on 127.0.0.1:6379 where an init system runs; the
    # tests do not use it.
    as_root service redis-server stop >/dev/null 2>&1 || true
fi

CELERY_PINS=("apache-airflow-providers-celery==3.26.0" "celery==5.6.3" "kombu==5.6.2" "redis==6.4.0")
if "$PYTHON" -c "import airflow.providers.celery, celery, kombu, redis" 2>/dev/null; then
    echo "install_distributed_deps: the Celery provider, celery, kombu and redis already installed for $PYTHON"
else
    echo "install_distributed_deps: installing ${CELERY_PINS[*]} for $PYTHON"
    "$PYTHON" -m pip install -q "${CELERY_PINS[@]}"
fi

"$PYTHON" - <<'PY'
import shutil
import subprocess

import celery
import kombu
import redis
from airflow.providers.celery import __version__ as provider

server = subprocess.run([shutil.which("redis-server"), "--version"], capture_output=True, text=True).stdout
print(f"install_distributed_deps: ok (celery provider {provider}, celery {celery.__version__}, "
      f"kombu {kombu.__version__}, redis-py {redis.__version__}, {server.split(' sha=')[0].strip()})")
PY
