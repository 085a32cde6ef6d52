#!/usr/bin/env bash
# The README demo, one command on a fresh machine: set up .venv (scripts/setup_env.sh), then run
# example_ds_job_pipeline and example_ds_model_deployment end to end against a local OCI Data
# Science emulator (scripts/demo.py). Needs python3 >= 3.10 and access to PyPI for the setup.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
exec .venv/bin/python scripts/demo.py "$@"
