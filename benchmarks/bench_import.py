"""What importing the provider adds to parsing a DAG file.

Every DAG file that uses the provider imports its operators; the DAG processor does that on every
parse. In fresh interpreters, this first imports what any DAG file imports from ``airflow.sdk``
(DAG, BaseOperator, BaseSensorOperator, ...), then times, in the same process, importing every
operator module and the job-run sensor of the provider (median of N runs), and reports whether
any heavy or unneeded module got imported.

    python benchmarks/bench_import.py --runs 9
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

# What any DAG file with an operator and a sensor imports anyway.
BASE = "from airflow.sdk import DAG, BaseOperator, BaseSensorOperator, BaseOperatorLink, BaseHook, conf"
PROVIDER = (
    BASE + "\n"
    "import airflow_ds_provider.operators.job_runs, airflow_ds_provider.operators.jobs\n"
    "import airflow_ds_provider.operators.projects, airflow_ds_provider.operators.models\n"
    "import airflow_ds_provider.operators.model_deployments, airflow_ds_provider.operators.notebook_sessions\n"
    "import airflow_ds_provider.operators.work_requests\n"
    "import airflow_ds_provider.sensors.job_runs\n"
)
PROBE = (
    "import sys, json; print(json.dumps(sorted(m for m in ('oci', 'aiohttp', 'boto3') if m in sys.modules)))"
)


def _time(code: str, home: str, after: str = "") -> float:
    """Seconds to run ``code`` in a fresh interpreter, after ``after`` ran untimed."""
    script = f"{after}\nimport time; t = time.perf_counter()\n{code}\nprint(time.perf_counter() - t)"
    env = {**os.environ, "AIRFLOW_HOME": home, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    ).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    """Run the measurement and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="bench-import-")
    provider_only = PROVIDER.removeprefix(BASE + "\n")
    _time(PROVIDER, home)  # warm the file system cache and byte-code
    base = [_time(BASE, home) for _ in range(args.runs)]
    added = [_time(provider_only, home, after=BASE) for _ in range(args.runs)]
    env = {**os.environ, "AIRFLOW_HOME": home}
    heavy = (
        subprocess.run(
            [sys.executable, "-c", PROVIDER + PROBE], capture_output=True, text=True, check=True, env=env
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    print(
        json.dumps(
            {
                "runs": args.runs,
                "dag_file_baseline_median_s": round(statistics.median(base), 3),
                "provider_adds_median_s": round(statistics.median(added), 3),
                "provider_adds_max_s": round(max(added), 3),
                "heavy_modules_imported": json.loads(heavy),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
