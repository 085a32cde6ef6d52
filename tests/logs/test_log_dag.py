"""The streamer inside a real Airflow task (``dag.test()``), with the hook from a connection."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest
from log_env import Env

from airflow_ds_provider.hooks.data_science import DataScienceHook
from airflow_ds_provider.lifecycle import get_lifecycle
from airflow_ds_provider.logs import JobRunLogStreamer

TERMINAL = get_lifecycle("job_run").terminal


def _stream(search_conn_id: str, body: dict[str, Any]) -> dict[str, Any]:
    hook = DataScienceHook()
    run = hook.create_job_run(body).data
    streamer = JobRunLogStreamer(
        failure_log_lines=3, final_tail_grace=0.3, final_tail_poll_interval=0.1, final_tail_max_wait=2
    )
    streamer.start(DataScienceHook(oci_conn_id=search_conn_id), run, logging.getLogger("airflow.task"))
    deadline = time.monotonic() + 20
    while run["lifecycleState"] not in TERMINAL and time.monotonic() < deadline:
        time.sleep(0.2)
        run = hook.get_job_run(run["id"]).data
        streamer.on_poll(run)
    last = streamer.finish(run, failed=True)
    return {"state": run["lifecycleState"], "emitted": streamer.lines_emitted, "last": last}


def test_streaming_in_a_task_and_a_dead_logging_endpoint_never_fails_it(
    fast_env: Env, run_dag: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.sdk import dag, task

    conn = {"conn_type": "oci_data_science", "extra": fast_env.extra}
    dead = {**fast_env.extra, "endpoint": "http://127.0.0.1:9", "max_attempts": 1}
    monkeypatch.setenv("AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT", json.dumps(conn))
    monkeypatch.setenv("AIRFLOW_CONN_OCI_DEAD", json.dumps({"conn_type": "oci_data_science", "extra": dead}))
    lines = [f"task line {i}" for i in range(12)]
    bodies = []
    for _ in range(2):
        job_id = fast_env.job()
        fast_env.emu.script_job_run(job_id, duration=20, log_lines=lines)
        bodies.append({"projectId": fast_env.project, "compartmentId": fast_env.compartment, "jobId": job_id})

    @dag(dag_id="ds_job_run_logs", schedule=None)
    def logs_dag() -> None:
        @task
        def streamed() -> dict[str, Any]:
            return _stream("oci_data_science_default", bodies[0])

        @task
        def outage() -> dict[str, Any]:
            return _stream("oci_dead", bodies[1])

        streamed() >> outage()

    result = run_dag(logs_dag())
    assert result.task_states() == {"streamed": "success", "outage": "success"}
    assert result.xcom("streamed") == {"state": "SUCCEEDED", "emitted": 12, "last": lines[-3:]}
    assert result.xcom("outage") == {"state": "SUCCEEDED", "emitted": 0, "last": []}
