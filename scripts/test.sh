#!/usr/bin/env bash
# Set everything up and run the whole test suite: lint; the fast suite (unit + integration tests
# against the embedded emulator, the example DAGs through dag.test()): on Airflow 3.3 all of it,
# on 3.0, 3.1 and 3.2 (one virtual environment per version, scripts/setup_compat_envs.sh) the
# folders shown green there so far (COMPAT_TESTS); then the end-to-end tests on a real Airflow
# 3.3 deployment and the distributed (CeleryExecutor) suite. What runs where, and why:
# docs/COMPATIBILITY.md, "What CI runs".
#
# AIRFLOW_FREE_TESTS never import Airflow (the HTTP client, most of the emulator, the spec and
# OCID tables): they run once, on 3.3, under an import guard (tests/airflow_guard.py: importing
# airflow fails the run), so the claim is checked, not assumed. The other tests touch Airflow
# and run on every version that runs them.
#
#   FULL_SUITE_VERSIONS="3.3 3.0 3.1 3.2"  versions that run all the Airflow tests (default: 3.3)
#   COMPAT_VERSIONS="3.0 3.1 3.2"  versions that run COMPAT_TESTS only (default: those three)
#   COMPAT_TESTS="tests/compat ..." what they run (default: the folders green there so far)
#   FAST_PARALLEL=1                run every fast-suite step at the same time (default: the 3.3
#                                  Airflow step alone, then the older versions' steps together)
#   FAST_WORKERS=2                 run each fast-suite step with pytest-xdist on that many workers
#   DEPLOYMENT_VERSIONS="3.3 3.0"  versions whose deployment tests run (default: 3.3)
#   SKIP_DEPLOYMENT_TESTS=1, SKIP_DISTRIBUTED_TESTS=1
set -euo pipefail
cd "$(dirname "$0")/.."
FULL_SUITE_VERSIONS="${FULL_SUITE_VERSIONS:-3.3}"
COMPAT_VERSIONS="${COMPAT_VERSIONS:-3.0 3.1 3.2}"
# What COMPAT_VERSIONS run: the folders shown green there so far (docs/COMPATIBILITY.md).
read -r -a COMPAT_TESTS <<<"${COMPAT_TESTS:-tests/compat tests/example_dags tests/docs tests/auth tests/emulator tests/hooks tests/logs}"
DEPLOYMENT_VERSIONS="${DEPLOYMENT_VERSIONS:-3.3}"
# Checked by the import guard (DS_TESTS_WITHOUT_AIRFLOW=1): a path here that imports Airflow fails.
AIRFLOW_FREE_TESTS=(
    tests/client tests/test_ocids.py tests/test_spec.py tests/test_lifecycle.py
    tests/emulator/test_{action_outcomes,api_semantics,control_api,deployments_notebooks,every_operation,faults,fidelity,handler_registry,job_runs,layers,log_scripting,logsearch,model_artifacts_transfers,model_groups,model_version_sets,pytest_plugin,request_log_and_tokens,robustness,schedules_triggers,scripting_table,signatures,smoke}.py
    tests/auth/test_{auth_no_secret_leaks,resource_principal}.py
)
ignore_free=()
for path in "${AIRFLOW_FREE_TESTS[@]}"; do ignore_free+=("--ignore=$path"); done
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

# The Airflow-free step (it waits on its emulator far more than it computes) runs beside the
# others. The whole Airflow suite on 3.3 runs alone, since several of its tests (the triggers'
# event-loop checks) poll real deadlines that two cores shared by concurrent suites can miss;
# then the older versions' steps run beside each other (they too mostly wait). FAST_PARALLEL=1
# runs every step at once. Each step writes its own log, printed whole when the step ends, with
# its wall and CPU time.
logs=$(mktemp -d)
run_suite() {  # version label pytest-args...
  local version=$1 label=$2 py
  shift 2
  py="$(venv_of "$version")/bin/python"
  TIMEFORMAT="== $label on Airflow $version: %R s wall, %U s user + %S s system CPU"
  { echo "== $label on Airflow $version"; time "$py" -m pytest -q "${workers[@]}" "$@"; } 2>&1
}
steps=()
start_step() {  # log-name env-assignment-or-"" version label pytest-args...
  local name=$1 env=$2
  shift 2
  steps+=("$name")
  (
    [ -z "$env" ] || export "${env?}"
    rc=0
    run_suite "$@" >"$logs/$name" 2>&1 || rc=$?
    echo "$rc" >"$logs/$name.rc"
  ) &
  case "$name" in
    airflow-free | compat-*) ;;  # beside the others; the older versions' steps beside each other
    *) if [ "${FAST_PARALLEL:-0}" != "1" ]; then wait "$!"; fi ;;
  esac
}
started=$SECONDS
start_step airflow-free DS_TESTS_WITHOUT_AIRFLOW=1 3.3 "tests that never import Airflow" "${AIRFLOW_FREE_TESTS[@]}"
for version in $FULL_SUITE_VERSIONS; do
  start_step "airflow-$version" "" "$version" "unit and integration tests that touch Airflow" "${ignore_free[@]}"
done
for version in $COMPAT_VERSIONS; do
  case " $FULL_SUITE_VERSIONS " in *" $version "*) continue ;; esac
  start_step "compat-$version" "" "$version" "the Airflow tests green there so far" "${COMPAT_TESTS[@]}" "${ignore_free[@]}"
done
wait
failed=0
for name in "${steps[@]}"; do
  cat "$logs/$name"
  [ "$(cat "$logs/$name.rc" 2>/dev/null)" = 0 ] || failed=1
done
echo "== fast suite, all steps: $((SECONDS - started)) s wall"
[ "$failed" = 0 ] || { echo "== the fast suite failed (logs above)" >&2; exit 1; }
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
