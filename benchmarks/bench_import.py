"""What importing the provider adds to parsing a DAG file (and to starting a triggerer).

Every DAG file that uses the provider imports its operators; the DAG processor does that on every
parse, and a triggerer imports the trigger modules. In fresh interpreters, interleaved, this times
(a) what any DAG file imports from ``airflow.sdk`` (DAG, BaseOperator, BaseSensorOperator, ...)
and (b) the same plus the hook and every operator, sensor and trigger module of the provider; the
provider's cost is ``median(b) - median(a)``. It also reports the same cost timed inside process
(b), after the ``airflow.sdk`` part, and whether importing the provider loaded any module it
should not (the HTTP stacks, the signing and credential code, Oracle's SDK, the generated
operation methods, the spec tables, the wait flow). The in-process figure is also given in CPU
time (less sensitive to a loaded machine), with the share of it that is Airflow's own
``airflow.triggers.base`` (pydantic models; loaded by every triggerer before any trigger module,
and by no DAG file). Byte code is compiled once into a private cache first
(``PYTHONPYCACHEPREFIX``), as in a deployment.

    python benchmarks/bench_import.py --runs 15
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


def _provider_modules() -> list[str]:
    """The hook and every operator, sensor and trigger module, found by walking the packages (so
    modules added later are counted without editing this file)."""
    import pkgutil

    import airflow_ds_provider.operators
    import airflow_ds_provider.sensors
    import airflow_ds_provider.triggers

    return ["airflow_ds_provider.hooks.data_science"] + [
        f"{pkg.__name__}.{m.name}"
        for pkg in (airflow_ds_provider.operators, airflow_ds_provider.sensors, airflow_ds_provider.triggers)
        for m in pkgutil.iter_modules(pkg.__path__)
    ]


MODULES = _provider_modules()
#: Prints the module list of whichever checkout is first on the path (for ``--baseline``).
_LIST_MODULES = (
    "import json, pkgutil, airflow_ds_provider.operators as o, airflow_ds_provider.sensors as s, "
    "airflow_ds_provider.triggers as t\n"
    "print(json.dumps(['airflow_ds_provider.hooks.data_science'] + "
    "[f'{p.__name__}.{m.name}' for p in (o, s, t) for m in pkgutil.iter_modules(p.__path__)]))"
)
#: Airflow's own trigger base class, which every trigger module needs and every triggerer has
#: loaded before it imports one (a DAG file never needs it: operators import triggers on deferral).
TRIGGER_BASE = "import airflow.triggers.base"
PROVIDER = "\n".join(f"import {m}" for m in MODULES)
#: Modules importing the provider must not load (they load when a client is first built).
UNWANTED = (
    "requests",
    "oci",
    "aiohttp",
    "boto3",
    # the OpenLineage client and provider (Airflow's own config loading imports the provider's
    # package and get_provider_info where it is installed; the rest only the listener needs)
    "openlineage",
    "airflow.providers.openlineage.conf",
    "airflow.providers.openlineage.extractors",
    "airflow.providers.openlineage.plugins",
    "airflow_ds_provider.client.transport",
    "airflow_ds_provider.client.async_client",
    "airflow_ds_provider.client.client",
    "airflow_ds_provider.client.signing",
    "airflow_ds_provider.client.auth.api_key",
    "airflow_ds_provider.client._operations",
    "airflow_ds_provider.client.config",
    "airflow_ds_provider.client.wait_flow",
    "airflow_ds_provider.spec._tables",
    "airflow_ds_provider.spec.validation",
)
PROBE = f"import sys, json; print(json.dumps(sorted(m for m in {UNWANTED!r} if m in sys.modules)))"


def _run(code: str, env: dict[str, str]) -> str:
    return (
        subprocess.run(  # in a neutral directory: ``-c`` puts the working directory first on the path
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd=env["AIRFLOW_HOME"],
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def _timed(code: str, env: dict[str, str], after: str = "") -> tuple[float, float]:
    """Wall and CPU seconds to run ``code`` in a fresh interpreter, after ``after`` ran untimed."""
    script = (
        f"{after}\nimport time; t, c = time.perf_counter(), time.process_time()\n{code}\n"
        "print(time.perf_counter() - t, time.process_time() - c)"
    )
    wall, cpu = _run(script, env).split()
    return float(wall), float(cpu)


def main() -> None:
    """Run the measurement and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--baseline",
        help="another checkout of the provider (e.g. an older commit): its modules' in-process CPU "
        "is timed in the same interleaved rounds, for a comparison under the same load",
    )
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="bench-import-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(AIRFLOW_HOME=home, AIRFLOW__CORE__LOAD_EXAMPLES="False", PYTHONPYCACHEPREFIX=f"{home}/pyc")
    _timed(BASE + "\n" + PROVIDER, env)  # compile the byte code, warm the file system cache
    other = dict(env, PYTHONPATH=os.pathsep.join(filter(None, [args.baseline, env.get("PYTHONPATH")])))
    if args.baseline:
        other_modules = "\n".join(f"import {m}" for m in json.loads(_run(_LIST_MODULES, other)))
        _timed(BASE + "\n" + other_modules, other)
    bare, full, inside, inside_cpu, base_cpu, baseline_cpu = [], [], [], [], [], []
    for _ in range(args.runs):  # interleaved, so that a change of the machine's load hits both
        bare.append(_timed(BASE, env)[0])
        full.append(_timed(BASE + "\n" + PROVIDER, env)[0])
        wall, cpu = _timed(PROVIDER, env, after=BASE)
        inside.append(wall)
        inside_cpu.append(cpu)
        base_cpu.append(_timed(TRIGGER_BASE, env, after=BASE)[1])
        if args.baseline:
            baseline_cpu.append(_timed(other_modules, other, after=BASE)[1])
    loaded = json.loads(_run(BASE + "\n" + PROVIDER + "\n" + PROBE, env))

    def ms(values: list[float]) -> float:
        return round(statistics.median(values) * 1000, 1)

    print(
        json.dumps(
            {
                "runs": args.runs,
                "modules": len(MODULES),
                "load_average": os.getloadavg(),
                "airflow_sdk_median_s": round(statistics.median(bare), 4),
                "with_provider_median_s": round(statistics.median(full), 4),
                "provider_adds_median_ms": round(
                    (statistics.median(full) - statistics.median(bare)) * 1000, 1
                ),
                "provider_adds_in_process_median_ms": ms(inside),
                "provider_adds_in_process_min_ms": round(min(inside) * 1000, 1),
                "provider_adds_in_process_cpu_median_ms": ms(inside_cpu),
                "provider_adds_in_process_cpu_min_ms": round(min(inside_cpu) * 1000, 1),
                "of_which_airflow_trigger_base_cpu_median_ms": ms(base_cpu),
                **(
                    {"baseline": args.baseline, "baseline_in_process_cpu_median_ms": ms(baseline_cpu)}
                    if args.baseline
                    else {}
                ),
                "unwanted_modules_loaded": loaded,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
