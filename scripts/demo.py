"""Run two example DAGs end to end against a local OCI Data Science emulator, then summarize.

What it does, with nothing but this repository installed (``scripts/demo.sh`` sets that up):

1. starts the emulator as a subprocess (``python -m airflow_ds_provider.emulator``) on a free
   loopback port with a freshly generated API key, and reads the Airflow connection it writes;
2. creates a temporary AIRFLOW_HOME whose DAGs folder is ``example_dags/`` and a SQLite
   metadata database in it;
3. parses the DAGs folder with a ``DagBag`` (as the DAG processor would) and runs
   ``example_ds_job_pipeline`` and ``example_ds_model_deployment`` with ``dag.test()``;
4. prints the resources each DAG created (OCIDs from XCom), how long each task took, and what
   the emulator still holds (only ``DELETED`` resources, if cleanup worked);
5. stops the emulator. Exit status 0 only if both DAG runs succeeded and nothing was left
   behind. Airflow's own log goes to a file in the temporary directory (its path is printed).

Usage: ``python scripts/demo.py [--clean]`` (``--clean`` removes the temporary directory after a
success; by default it is kept, with the logs).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parents[1]
DAGS_FOLDER = ROOT / "example_dags"
DEMO_DAGS = ("example_ds_job_pipeline", "example_ds_model_deployment")
KINDS = ("project", "job", "job_run", "model", "model_deployment")


class Emulator:
    """The emulator as a subprocess, with a generated key and an Airflow connection file."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.ready_file = workdir / "emulator.url"
        self.connection_file = workdir / "connection.json"
        self.log_path = workdir / "emulator.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, timeout: float = 60.0) -> Emulator:
        args = [
            sys.executable,
            "-m",
            "airflow_ds_provider.emulator",
            "--port",
            "0",
            "--generate-key",
            "--connection-file",
            str(self.connection_file),
            "--ready-file",
            str(self.ready_file),
        ]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not self.ready_file.exists():
            if self.proc.poll() is not None:
                raise RuntimeError(f"the emulator exited with {self.proc.returncode}; see {self.log_path}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not start within {timeout:.0f}s; see {self.log_path}")
            time.sleep(0.1)
        self.url = self.ready_file.read_text().strip()
        return self

    def connection(self) -> str:
        return self.connection_file.read_text()

    def resources(self, kind: str) -> list[dict[str, Any]]:
        """Every resource of ``kind`` the emulator holds (its unsigned control API)."""
        with urllib.request.urlopen(f"{self.url}/_emulator/resources?kind={kind}", timeout=10) as resp:  # noqa: S310
            return json.load(resp)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@contextlib.contextmanager
def quiet(log_path: Path) -> Iterator[TextIO]:
    """Send everything written to fds 1 and 2 to ``log_path``; yield a stream to the real stdout."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    real = os.fdopen(os.dup(1), "w", buffering=1)
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield real
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved_out, 1)
            os.dup2(saved_err, 2)
            os.close(saved_out)
            os.close(saved_err)
            real.close()


def configure_airflow(home: Path, connection: str) -> None:
    """Environment for an isolated Airflow (must run before anything imports ``airflow``)."""
    os.environ.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT": connection,
            "OCI_DS_EXAMPLE_POLL_INTERVAL": os.environ.get("OCI_DS_EXAMPLE_POLL_INTERVAL", "1"),
            # The emulator's logs are searchable at once: no need to wait for late lines.
            "OCI_DS_EXAMPLE_LOG_TAIL_GRACE": os.environ.get("OCI_DS_EXAMPLE_LOG_TAIL_GRACE", "0"),
        }
    )


def load_dags() -> dict[str, Any]:
    """Parse the DAGs folder and record the DAGs in the metadata DB, as the DAG processor does."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.collection import update_dag_parsing_results_in_db
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.serialized_objects import LazyDeserializedDAG
    from airflow.utils import db
    from airflow.utils.session import create_session

    db.initdb()
    bag = DagBag(dag_folder=str(DAGS_FOLDER), bundle_path=DAGS_FOLDER, bundle_name="dags-folder")
    if bag.import_errors:
        raise RuntimeError(f"example DAGs failed to import: {bag.import_errors}")
    with create_session() as session:
        DagBundlesManager().sync_bundles_to_db(session=session)
    with create_session() as session:
        update_dag_parsing_results_in_db(
            "dags-folder",
            None,
            [LazyDeserializedDAG.from_dag(dag) for dag in bag.dags.values()],
            {},
            None,
            set(),
            session=session,
            files_parsed=set(),
        )
    return dict(bag.dags)


def task_report(dag_id: str, run_id: str) -> list[dict[str, Any]]:
    """Per task: state, duration, and the OCID / work request it pushed to XCom."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        tis = (
            session.query(TaskInstance)
            .filter(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)
            .order_by(TaskInstance.start_date)
            .all()
        )
        rows = []
        for ti in tis:
            xcoms = {
                row.key: XComModel.deserialize_value(row)
                for row in session.query(XComModel).filter(
                    XComModel.dag_id == dag_id,
                    XComModel.run_id == run_id,
                    XComModel.task_id == ti.task_id,
                    XComModel.key.in_(("resource_id", "work_request_id")),
                )
            }
            seconds = (ti.end_date - ti.start_date).total_seconds() if ti.start_date and ti.end_date else None
            rows.append(
                {
                    "task_id": ti.task_id,
                    "state": str(ti.state),
                    "seconds": seconds,
                    "resource_id": xcoms.get("resource_id"),
                }
            )
    return rows


def run_demo(workdir: Path) -> int:
    log_path = workdir / "airflow.log"
    print(f"Starting the OCI Data Science emulator (log: {workdir / 'emulator.log'})")
    emulator = Emulator(workdir).start()
    print(f"Emulator listening on {emulator.url}; connection oci_data_science_default points at it")
    results: dict[str, dict[str, Any]] = {}
    try:
        configure_airflow(workdir / "airflow-home", emulator.connection())
        print(f"Airflow home {workdir / 'airflow-home'}; DAGs folder {DAGS_FOLDER}")
        print(f"Airflow's own log: {log_path}")
        with quiet(log_path) as out:
            started = time.monotonic()
            dags = load_dags()
            out.write(
                f"Metadata DB created, {len(dags)} example DAGs parsed ({time.monotonic() - started:.1f}s)\n"
            )
            for dag_id in DEMO_DAGS:
                out.write(f"Running {dag_id} with dag.test() ...\n")
                started = time.monotonic()
                dag_run = dags[dag_id].test()
                elapsed = time.monotonic() - started
                results[dag_id] = {"state": str(dag_run.state), "seconds": elapsed, "run_id": dag_run.run_id}
                results[dag_id]["tasks"] = task_report(dag_id, dag_run.run_id)
                out.write(f"  -> {dag_run.state} in {elapsed:.1f}s\n")
        left = {kind: emulator.resources(kind) for kind in KINDS}
    finally:
        emulator.stop()

    print_summary(results, left)
    alive = [r for rows in left.values() for r in rows if r.get("lifecycleState") != "DELETED"]
    ok = all(r["state"] == "success" for r in results.values()) and len(results) == len(DEMO_DAGS)
    print()
    if ok and not alive:
        print("DEMO OK: both DAG runs succeeded and every resource they created is DELETED.")
        return 0
    print(f"DEMO FAILED: DAG runs {[(d, r['state']) for d, r in results.items()]}; {len(alive)} left alive")
    print(f"See {log_path}")
    return 1


def print_summary(results: dict[str, dict[str, Any]], left: dict[str, list[dict[str, Any]]]) -> None:
    for dag_id, result in results.items():
        print()
        print(f"== {dag_id}: {result['state']} in {result['seconds']:.1f}s")
        print(f"   {'task':<24} {'state':<16} {'seconds':>8}  resource")
        for row in result["tasks"]:
            seconds = f"{row['seconds']:.2f}" if row["seconds"] is not None else "-"
            print(f"   {row['task_id']:<24} {row['state']:<16} {seconds:>8}  {row['resource_id'] or ''}")
    print()
    print("   (the first task of the first DAG includes dag.test()'s one-time start-up of Airflow's")
    print("   in-process execution API; a deferred task's time includes its wait in the trigger)")
    print()
    print("== what the emulator holds now")
    for kind, rows in left.items():
        states: dict[str, int] = {}
        for row in rows:
            states[row.get("lifecycleState", "?")] = states.get(row.get("lifecycleState", "?"), 0) + 1
        summary = ", ".join(f"{n} {state}" for state, n in sorted(states.items())) or "none"
        print(f"   {kind:<18} {summary}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="remove the temporary directory after a success")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="ds-provider-demo-"))
    started = time.monotonic()
    code = run_demo(workdir)
    print(f"Total {time.monotonic() - started:.1f}s")
    if code == 0 and args.clean:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"Logs and the Airflow home are in {workdir}")
    return code


if __name__ == "__main__":
    sys.exit(main())
