#!/usr/bin/env bash
# Install what the end-to-end deployment tests (pytest -m deployment tests/deployment) need on
# top of the project's Python environment:
#   - a PostgreSQL server (Debian package `postgresql`): the tests start a private cluster of it
#     on a unix socket as the metadata database of a real Airflow deployment;
#   - the drivers Airflow uses for it: psycopg2-binary (sync engine) and asyncpg (async engine).
# Idempotent: it installs only what is missing. Runs as root (apt) or with sudo available.
#
# Usage: PYTHON=/path/to/venv/bin/python scripts/install_deployment_deps.sh
#        (default: the `python` on PATH, else python3)
set -euo pipefail

PYTHON="${PYTHON:-$(command -v python || command -v python3)}"

have_pg_server() {
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if have_pg_server && id postgres >/dev/null 2>&1; then
    echo "install_deployment_deps: PostgreSQL server already installed"
else
    echo "install_deployment_deps: installing PostgreSQL from Debian packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
command -v runuser >/dev/null || { echo "runuser (util-linux) is required" >&2; exit 1; }

if "$PYTHON" -c "import psycopg2, asyncpg" 2>/dev/null; then
    echo "install_deployment_deps: psycopg2 and asyncpg already installed for $PYTHON"
else
    echo "install_deployment_deps: installing psycopg2-binary and asyncpg for $PYTHON"
    "$PYTHON" -m pip install -q "psycopg2-binary>=2.9.9" "asyncpg>=0.29"
fi

"$PYTHON" - <<'PY'
import glob
import psycopg2, asyncpg
bindirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
print(f"install_deployment_deps: ok (psycopg2 {psycopg2.__version__.split()[0]}, asyncpg {asyncpg.__version__}, "
      f"PostgreSQL bin dirs {bindirs})")
PY
