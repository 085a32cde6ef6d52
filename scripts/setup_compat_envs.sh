#!/usr/bin/env bash
# Create (or reuse) one virtual environment per supported Airflow minor version, each with the
# provider (editable) and its test extras, pinned by constraints/airflow-<minor>.txt:
#   .venv (3.3.x, the project's main environment)  .venv-af30  .venv-af31  .venv-af32
# Airflow's published constraint files cannot be reached from CI, so each environment was
# resolved once (RESOLVE=1) and frozen into the repository. Idempotent and fast when already
# done: an environment whose stamp matches its constraints file and pyproject.toml is left as is.
# The environments are built side by side.
#
# Usage: scripts/setup_compat_envs.sh [3.3 3.0 3.1 3.2]   (default: all four)
#        RESOLVE=1 scripts/setup_compat_envs.sh 3.0   re-resolve and rewrite constraints/airflow-3.0.txt
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
declare -A AIRFLOW=([3.0]=3.0.6 [3.1]=3.1.8 [3.2]=3.2.2 [3.3]=3.3.2)
# pytest-xdist runs the fast suite in parallel; wtforms is what Airflow 3.0/3.1 build the
# connection form with (tests/compat); the drivers are for the real-deployment tests.
EXTRA_PKGS=("pytest-xdist>=3.6" "wtforms>=3.1" "psycopg2-binary>=2.9.9" "asyncpg>=0.29")
# Held back where the newest releases break that Airflow (its own requirements allow them):
#   3.0: with the newest, the in-process execution API of 3.0.6 (dag.test()) answers HTTP 422;
#   3.2: with fastapi 0.165 / cadwyn 9 the execution API of 3.2.2 fails to build.
declare -A HOLDS=([3.0]="fastapi==0.116.1 starlette==0.47.3 cadwyn==5.4.4 pydantic==2.11.7"
                  [3.2]="fastapi==0.136.3 cadwyn==7.0.0")
versions=("$@")
[ ${#versions[@]} -eq 0 ] && versions=(3.3 3.0 3.1 3.2)

venv_of() { if [ "$1" = 3.3 ]; then echo .venv; else echo ".venv-af${1/./}"; fi; }

setup_one() {
    local minor=$1 venv pin="constraints/airflow-$1.txt"
    venv=$(venv_of "$minor")
    local want="${AIRFLOW[$minor]:?unknown Airflow version $minor (known: ${!AIRFLOW[*]})}"
    [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
    local pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
    if [ "${RESOLVE:-0}" = "1" ] || [ ! -f "$pin" ]; then
        # shellcheck disable=SC2086
        "${pip[@]}" -e ".[test]" "apache-airflow==$want" "${EXTRA_PKGS[@]}" ${HOLDS[$minor]:-} 2>&1 \
            | grep -v "^WARNING: Location" || true
        { echo "# Resolved by scripts/setup_compat_envs.sh (RESOLVE=1) for apache-airflow==$want;"
          echo "# Airflow's published constraint files are not reachable from CI."
          [ -z "${HOLDS[$minor]:-}" ] || echo "# Held back (see the script): ${HOLDS[$minor]}"
          "$venv/bin/python" -m pip freeze --exclude-editable --disable-pip-version-check | grep -v "^-e "; } >"$pin"
    elif cat "$pin" pyproject.toml | cmp -s - "$venv/.constraints-stamp" 2>/dev/null \
        && "$venv/bin/python" -c "import airflow_ds_provider" 2>/dev/null; then
        echo "$venv: up to date with $pin"
        return
    else
        "${pip[@]}" -c "$pin" -e ".[test]" "apache-airflow==$want" "${EXTRA_PKGS[@]}" 2>&1 | grep -v "^WARNING: Location" || true
    fi
    cat "$pin" pyproject.toml >"$venv/.constraints-stamp"
    "$venv/bin/python" -c "import airflow; assert airflow.__version__ == '$want', airflow.__version__" >/dev/null 2>&1 \
        || { echo "$venv: expected apache-airflow $want" >&2; exit 1; }
    echo "$venv ready: apache-airflow $want"
}

# The environments are independent: build them side by side (each pip mostly unpacks wheels
# from the local cache, one core each), then print each one's output in order.
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
started=$SECONDS
for v in "${versions[@]}"; do
    ( rc=0; setup_one "$v" >"$logs/$v" 2>&1 || rc=$?; echo "$rc" >"$logs/$v.rc" ) &
done
wait
failed=0
for v in "${versions[@]}"; do
    cat "$logs/$v"
    [ "$(cat "$logs/$v.rc")" = 0 ] || { echo "setting up Airflow $v failed" >&2; failed=1; }
done
echo "virtual environments (${versions[*]}): $((SECONDS - started)) s wall"
exit "$failed"
