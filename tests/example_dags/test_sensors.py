"""``example_ds_sensors`` end to end through ``dag.test()`` against the emulator."""

from __future__ import annotations

from ._helpers import created, leftovers

DAG_ID = "example_ds_sensors"
RUN_SENSORS = ("run_done_poke", "run_done_reschedule", "run_done_deferred")
WORK_REQUEST_SENSORS = ("job_deleted_poke", "job_deleted_reschedule", "job_deleted_deferred")


def test_sensors_in_every_mode_see_the_run_and_the_work_request(example_dagbag, run_dag, emu):
    dag = example_dagbag.dags[DAG_ID]
    assert {dag.get_task(t).mode for t in RUN_SENSORS[:2]} == {"poke", "reschedule"}
    assert dag.get_task("run_done_deferred").deferrable is True

    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    assert set(result.task_states().values()) == {"success"}
    assert created(emu) == {"project": 1, "job": 1, "job_run": 1}
    assert leftovers(emu) == {}

    started = result.xcom("start_run")
    assert started["lifecycleState"] in ("ACCEPTED", "IN_PROGRESS")  # start_run did not wait
    for task_id in RUN_SENSORS:
        sensed = result.xcom(task_id)
        assert (sensed["id"], sensed["lifecycleState"]) == (started["id"], "SUCCEEDED"), task_id
    work_request_id = result.xcom("delete_job", "work_request_id")
    assert work_request_id.startswith("ocid1.datascienceworkrequest.")
    for task_id in WORK_REQUEST_SENSORS:
        sensed = result.xcom(task_id)
        assert (sensed["id"], sensed["status"], sensed["operationType"]) == (
            work_request_id,
            "SUCCEEDED",
            "JOB_DELETE",
        ), task_id


def test_a_failed_run_fails_the_sensors_and_the_dag_run(example_dagbag, run_dag, emu):
    conf = {"run_freeform_tags": {"emulator-outcome": "FAILED", "emulator-details": "exit code 2"}}
    result = run_dag(example_dagbag.dags[DAG_ID], run_conf=conf)

    states = result.task_states()
    assert result.state == "failed", states
    assert {states[t] for t in RUN_SENSORS} == {"failed"}
    assert {states[t] for t in WORK_REQUEST_SENSORS} == {"upstream_failed"}
    assert (states["cleanup_job"], states["delete_project"]) == ("success", "success")
    assert leftovers(emu) == {}
