#!/usr/bin/env bash
# Set everything up and run the whole test suite: lint; the fast suite (unit + integration tests
# against the embedded emulator, the example DAGs through dag.test()) on Airflow 3.3; the
# compatibility suite (tests/compat) on 3.0, 3.1 and 3.2 (one virtual environment per version,
# scripts/setup_compat_envs.sh); then the end-to-end tests on a real Airflow deployment and the
# distributed (CeleryExecutor) suite, on 3.3.
#
#   FULL_SUITE_VERSIONS="3.3 3.0"  versions that run the whole fast suite (default: 3.3)
#   COMPAT_VERSIONS="3.0 3.1 3.2"  versions that run tests/compat only (default: those three)
#   FAST_WORKERS=4                 run each suite with pytest-xdist on that many workers
#   DEPLOYMENT_VERSIONS="3.3 3.0"  versions whose deployment tests run (default: 3.3)
#   SKIP_DEPLOYMENT_TESTS=1, SKIP_DISTRIBUTED_TESTS=1
set -euo pipefail
cd "$(dirname "$0")/.."
FULL_SUITE_VERSIONS="${FULL_SUITE_VERSIONS:-3.3}"
COMPAT_VERSIONS="${COMPAT_VERSIONS:-3.0 3.1 3.2}"
DEPLOYMENT_VERSIONS="${DEPLOYMENT_VERSIONS:-3.3}"
venv_of() { if [ "$1" = 3.3 ]; then echo .venv; else echo ".venv-af${1/./}"; fi; }
workers=()
[ -z "${FAST_WORKERS:-}" ] || workers=(-n "$FAST_WORKERS")

bash scripts/setup_env.sh
# shellcheck disable=SC2086
bash scripts/setup_compat_envs.sh $(echo $FULL_SUITE_VERSIONS $COMPAT_VERSIONS $DEPLOYMENT_VERSIONS | tr ' ' '\n' | sort -u)
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
PYTHON=.venv/bin/python bash scripts/check_dist.sh

run_suite() {  # version label pytest-args...
  local version=$1 label=$2 py
  shift 2
  py="$(venv_of "$version")/bin/python"
  echo "== $label on Airflow $version"
  TIMEFORMAT="== $label on Airflow $version: %R s wall, %U s user + %S s system CPU"
  time "$py" -m pytest -q "${workers[@]}" "$@"
}
for version in $FULL_SUITE_VERSIONS; do
  run_suite "$version" "unit and integration tests"
done
for version in $COMPAT_VERSIONS; do
  case " $FULL_SUITE_VERSIONS " in *" $version "*) continue ;; esac
  run_suite "$version" "compatibility tests" tests/compat
done
if [ "${SKIP_DEPLOYMENT_TESTS:-0}" != "1" ] && [ -d tests/deployment ]; then
  for version in $DEPLOYMENT_VERSIONS; do
    py="$(venv_of "$version")/bin/python"
    echo "== end-to-end tests on a real Airflow $version deployment"
    PYTHON="$py" bash scripts/install_deployment_deps.sh
    TIMEFORMAT="== deployment suite on Airflow $version: %R s wall, %U s user + %S s system CPU"
    time "$py" -m pytest -q -m deployment tests/deployment --ignore=tests/deployment/test_distributed_e2e.py
  done
  if [ "${SKIP_DISTRIBUTED_TESTS:-0}" != "1" ]; then
    echo "== end-to-end tests on a distributed deployment (CeleryExecutor, Redis, 2 workers, 2 triggerers)"
    PYTHON=.venv/bin/python bash scripts/install_distributed_deps.sh
    started=$SECONDS
    .venv/bin/python -m pytest -q -m deployment tests/deployment/test_distributed_e2e.py
    echo "== distributed suite: $((SECONDS - started)) s"
  fi
fi
