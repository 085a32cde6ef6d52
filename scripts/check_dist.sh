#!/usr/bin/env bash
# Build the sdist and the wheel as a release would (python -m build, isolated), check both with
# `twine check --strict`, and assert what each carries:
#   wheel: the package only: links/__init__.py, py.typed, the spec and example assets; no tests/,
#          no dev-time client generator (client/_generate.py, client/_docs.json); metadata with the
#          license, the classifiers and a Documentation URL equal to the provider info's.
#   sdist: the whole source tree a packager tests from: every tracked file of the package (the
#          generator included), tests/, example_dags/, docs/, LICENSE (see MANIFEST.in).
# build and twine go into a throwaway venv (deleted at exit). Usage: bash scripts/check_dist.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== sdist and wheel: python -m build, twine check --strict, contents"
PYTHON="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check build twine 2>&1 \
  | grep -v "^WARNING: Location" || true
if ! "$work/venv/bin/python" -m build --outdir "$work/dist" . >"$work/build.log" 2>&1; then
  cat "$work/build.log"
  exit 1
fi
"$work/venv/bin/python" -m twine check --strict "$work"/dist/*
tracked="$work/tracked.txt"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -- airflow_ds_provider tests example_dags docs LICENSE >"$tracked"
else
  : >"$tracked"  # not a git checkout (e.g. an unpacked sdist): only the fixed checks run
fi
"$work/venv/bin/python" - "$work/dist" "$tracked" <<'PY'
import ast
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

dist, tracked_list = Path(sys.argv[1]), Path(sys.argv[2])
[wheel] = dist.glob("*.whl")
[sdist] = dist.glob("*.tar.gz")
problems = []


def check(ok, message):
    if not ok:
        problems.append(message)


# -- the wheel
with zipfile.ZipFile(wheel) as zf:
    names = set(zf.namelist())
    info_dir = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
    meta = Parser().parsestr(zf.read(f"{info_dir}/METADATA").decode())
    entry_points = zf.read(f"{info_dir}/entry_points.txt").decode()
pkg = "airflow_ds_provider/"
for required in ("links/__init__.py", "py.typed", "spec/operations.json", "spec/models.json",
                 "example_assets/__init__.py", "example_assets/files/train.py",
                 "example_assets/files/model_artifact.zip", "emulator/pytest_plugin.py"):
    check(pkg + required in names, f"wheel lacks {pkg}{required}")
for forbidden in ("client/_generate.py", "client/_docs.json"):
    check(pkg + forbidden not in names, f"wheel carries the dev-time {pkg}{forbidden}")
check(not any(n.startswith(("tests/", "example_dags/", "docs/", "scripts/")) for n in names),
      "wheel carries files outside the package")
check(not any("__pycache__" in n or n.endswith(".pyc") for n in names), "wheel carries bytecode")
check(meta["License-Expression"] == "Apache-2.0", f"License-Expression: {meta['License-Expression']}")
check(f"{info_dir}/licenses/LICENSE" in names, "wheel lacks licenses/LICENSE")
classifiers = meta.get_all("Classifier") or []
check("Framework :: Apache Airflow :: Provider" in classifiers, "classifier Framework :: Apache Airflow :: Provider")
check(meta["Keywords"], "no keywords")
urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
tree = ast.parse(Path("airflow_ds_provider/get_provider_info.py").read_text())
doc_url = next(node.value.value for node in tree.body if isinstance(node, ast.Assign)
               and getattr(node.targets[0], "id", None) == "DOCUMENTATION_URL")
check(urls.get("Documentation") == doc_url, f"Project-URL Documentation {urls.get('Documentation')} != {doc_url}")
check("airflow_ds_provider_emulator = airflow_ds_provider.emulator.pytest_plugin" in entry_points,
      "pytest11 entry point missing")
check("provider_info = airflow_ds_provider.get_provider_info:get_provider_info" in entry_points,
      "apache_airflow_provider entry point missing")

# -- the sdist
with tarfile.open(sdist) as tf:
    root = tf.getnames()[0].split("/")[0]
    members = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
tracked = [line for line in tracked_list.read_text().splitlines() if line]
missing = sorted(set(tracked) - members)
check(not missing, f"sdist lacks {len(missing)} tracked files, e.g. {missing[:5]}")
for required in ("LICENSE", "README.md", "pyproject.toml", "tests/conftest.py",
                 "airflow_ds_provider/client/_generate.py", "airflow_ds_provider/client/_docs.json"):
    check(required in members, f"sdist lacks {required}")
check(not any("__pycache__" in n or n.endswith(".pyc") for n in members), "sdist carries bytecode")

if problems:
    print("check_dist: FAILED\n  " + "\n  ".join(problems))
    sys.exit(1)
print(f"check_dist: ok: {wheel.name} ({len(names)} files), {sdist.name} ({len(members)} files, "
      f"{len(tracked)} tracked files checked)")
PY
