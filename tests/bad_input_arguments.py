"""Bad-argument tables of ``tests/test_bad_input.py`` checked before any task runs.

Numbers are not templated, so the operators and sensors check them at construction (the DAG
file fails to load, naming the argument); triggers check everything in ``__init__``, so a task
that would defer with a bad argument fails in the worker.
"""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.operators.job_runs import DataScienceCreateJobRunOperator
from airflow_ds_provider.operators.projects import DataScienceDeleteProjectOperator
from airflow_ds_provider.sensors import DataScienceJobRunSensor

CONSTRUCTION_CASES: list[tuple[str, type, dict[str, Any], str]] = [
    (
        "op_poll_interval_text",
        DataScienceDeleteProjectOperator,
        {"poll_interval": "abc"},
        "poll_interval: expected a positive number of seconds, got 'abc'",
    ),
    (
        "op_poll_interval_negative",
        DataScienceDeleteProjectOperator,
        {"poll_interval": -1},
        "poll_interval: expected a positive number",
    ),
    (
        "op_poll_interval_none",
        DataScienceDeleteProjectOperator,
        {"poll_interval": None},
        "poll_interval: expected a positive number",
    ),
    (
        "op_timeout_zero",
        DataScienceDeleteProjectOperator,
        {"timeout": 0},
        "timeout: expected a positive number of seconds, got 0",
    ),
    (
        "op_timeout_bool",
        DataScienceDeleteProjectOperator,
        {"timeout": True},
        "timeout: expected a positive number of seconds, got True",
    ),
    (
        "op_timeout_nan",
        DataScienceDeleteProjectOperator,
        {"timeout": float("nan")},
        "timeout: expected a positive number",
    ),
    (
        "op_wait_for_completion_text",
        DataScienceDeleteProjectOperator,
        {"wait_for_completion": "yes"},
        "wait_for_completion: expected True or False",
    ),
    (
        "run_timeout_text",
        DataScienceCreateJobRunOperator,
        {"timeout": "4h"},
        "timeout: expected a positive number of seconds, got '4h'",
    ),
    (
        "run_failure_log_lines_negative",
        DataScienceCreateJobRunOperator,
        {"failure_log_lines": -1},
        "failure_log_lines: expected an integer >= 0, got -1",
    ),
    (
        "run_log_tail_grace_text",
        DataScienceCreateJobRunOperator,
        {"log_tail_grace": "soon"},
        "log_tail_grace: expected a non-negative number of seconds, got 'soon'",
    ),
    (
        "run_log_tail_max_wait_negative",
        DataScienceCreateJobRunOperator,
        {"log_tail_max_wait": -5},
        "log_tail_max_wait: expected a non-negative number",
    ),
    (
        "sensor_poll_interval_text",
        DataScienceJobRunSensor,
        {"poll_interval": "5"},
        "poll_interval: expected a positive number of seconds, got '5'",
    ),
    (
        "sensor_poll_interval_zero",
        DataScienceJobRunSensor,
        {"poll_interval": 0},
        "poll_interval: expected a positive number",
    ),
    (
        "sensor_timeout_negative",
        DataScienceJobRunSensor,
        {"timeout": -3},
        "timeout: expected a non-negative number of seconds, got -3",
    ),
    (
        "sensor_poke_interval_text",
        DataScienceJobRunSensor,
        {"poke_interval": "x"},
        "poke_interval: expected a non-negative number",
    ),
    (
        "sensor_deferrable_text",
        DataScienceJobRunSensor,
        {"deferrable": "true"},
        "deferrable: expected True or False",
    ),
]
#: A valid id argument per class, so only the number under test is wrong.
IDS = {
    DataScienceDeleteProjectOperator: {"project_id": "ocid1.datascienceproject.oc1.iad.p"},
    DataScienceCreateJobRunOperator: {"job_id": "ocid1.datasciencejob.oc1.iad.j"},
    DataScienceJobRunSensor: {"job_run_id": "ocid1.datasciencejobrun.oc1.iad.r"},
}


RUN = "ocid1.datasciencejobrun.oc1.iad.amaaaaaarun"
TRIGGER_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("trigger_id_bogus", {"job_run_id": "12345-bogus"}, "job_run_id: expected the OCID of a job_run"),
    (
        "trigger_id_wrong_kind",
        {"job_run_id": "ocid1.datasciencejob.oc1.iad.j"},
        "job_run_id: 'ocid1.datasciencejob.oc1.iad.j' is the OCID of a job",
    ),
    (
        "trigger_poll_interval_negative",
        {"job_run_id": RUN, "poll_interval": -1},
        "poll_interval: expected a positive number",
    ),
    (
        "trigger_poll_interval_text",
        {"job_run_id": RUN, "poll_interval": "30"},
        "poll_interval: expected a positive number",
    ),
    (
        "trigger_deadline_text",
        {"job_run_id": RUN, "deadline": "tomorrow"},
        "deadline: expected an absolute UNIX timestamp",
    ),
    (
        "trigger_unknown_target",
        {"job_run_id": RUN, "target_states": ["DONE"]},
        "target_states: unknown job_run state(s) ['DONE']",
    ),
    (
        "trigger_unknown_failure",
        {"job_run_id": RUN, "failure_states": ["OOPS"]},
        "failure_states: unknown job_run state(s) ['OOPS']",
    ),
    ("trigger_states_not_a_list", {"job_run_id": RUN, "target_states": 7}, "target_states: expected a list"),
    (
        "trigger_conn_id_empty",
        {"job_run_id": RUN, "oci_conn_id": ""},
        "oci_conn_id: expected an Airflow connection id",
    ),
    (
        "trigger_flag_text",
        {"job_run_id": RUN, "cancel_on_kill": "yes"},
        "cancel_on_kill: expected True or False",
    ),
]
