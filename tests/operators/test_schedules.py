"""Schedule operators against the emulator, in DAGs and directly."""

from __future__ import annotations

import pytest
from airflow.sdk import DAG

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.operators._schedule_body import schedule_action, schedule_trigger
from airflow_ds_provider.operators.schedules import (
    DataScienceActivateScheduleOperator,
    DataScienceChangeScheduleCompartmentOperator,
    DataScienceCreateScheduleOperator,
    DataScienceDeactivateScheduleOperator,
    DataScienceDeleteScheduleOperator,
    DataScienceUpdateScheduleOperator,
)

from ._models_helpers import START, operations
from .conftest import FAST, OTHER_COMPARTMENT, make_context

SID = "{{ ti.xcom_pull(task_ids='create', key='resource_id') }}"
MODES = pytest.mark.parametrize("deferrable", [False, True], ids=["sync", "deferrable"])
JOB = "ocid1.datasciencejob.oc1.iad.amaaaaaajob"
PROJECT = "ocid1.datascienceproject.oc1.iad.amaaaaaaproject"


@MODES
def test_schedule_lifecycle_in_a_dag(ds, run_dag, deferrable) -> None:
    project_id = ds.project()
    job_id = ds.job(project_id)
    dag_id = f"ds_schedules_{deferrable}"
    with DAG(dag_id, schedule=None, start_date=START) as dag:
        wait = {"deferrable": deferrable, **FAST}
        create = DataScienceCreateScheduleOperator(
            task_id="create",
            project_id=project_id,
            display_name="nightly-{{ ds_nodash }}",
            job_id=job_id,
            run_details={"displayName": "scheduled-{{ dag.dag_id }}"},
            cron="0 3 * * MON-FRI",
            time_start="2030-01-01T00:00:00Z",
            **wait,
        )
        deactivate = DataScienceDeactivateScheduleOperator(task_id="deactivate", schedule_id=SID, **wait)
        update = DataScienceUpdateScheduleOperator(
            task_id="update",
            schedule_id=SID,
            update_schedule_details={"trigger": {"triggerType": "ICAL", "recurrence": "FREQ=WEEKLY"}},
            description="weekly now",
            **wait,
        )
        activate = DataScienceActivateScheduleOperator(task_id="activate", schedule_id=SID, **wait)
        move = DataScienceChangeScheduleCompartmentOperator(
            task_id="move", schedule_id=SID, compartment_id=OTHER_COMPARTMENT
        )
        delete = DataScienceDeleteScheduleOperator(task_id="delete", schedule_id=SID, **wait)
        create >> deactivate >> update >> activate >> move >> delete
    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    sid = result.xcom("create", "resource_id")
    created = result.xcom("create")
    assert created["id"] == sid and created["lifecycleState"] == "ACTIVE"
    assert created["displayName"].startswith("nightly-20") and created["projectId"] == project_id
    assert created["freeformTags"]["airflow-run-id"] == result.run_id
    assert created["trigger"] == {
        "triggerType": "CRON",
        "cronExpression": "0 3 * * MON-FRI",
        "timeStart": "2030-01-01T00:00:00.000Z",
    }
    assert created["action"] == {
        "actionType": "HTTP",
        "actionDetails": {
            "httpActionType": "CREATE_JOB_RUN",
            "createJobRunDetails": {
                "projectId": project_id,
                "compartmentId": ds.compartment,
                "displayName": f"scheduled-{dag_id}",
                "jobId": job_id,
            },
        },
    }
    assert result.xcom("create", "work_request_id").startswith("ocid1.datascienceworkrequest")
    assert "/data-science/schedules/" in result.xcom("create", "console_url")
    assert result.xcom("deactivate")["lifecycleState"] == "INACTIVE"
    updated = result.xcom("update")  # an INACTIVE schedule stays INACTIVE through an update
    assert updated["lifecycleState"] == "INACTIVE" and updated["description"] == "weekly now"
    assert updated["trigger"]["recurrence"] == "FREQ=WEEKLY"
    assert result.xcom("activate")["lifecycleState"] == "ACTIVE"
    assert result.xcom("move")["compartmentId"] == OTHER_COMPARTMENT
    assert ds.emu.get(sid)["lifecycleState"] == "DELETED"
    assert len(operations(ds.emu, "create_schedule")) == 1


def test_an_update_of_an_active_schedule_settles_active(ds) -> None:
    op = DataScienceCreateScheduleOperator(
        task_id="create", project_id=ds.project(), display_name="s", job_id=ds.job(), interval_hours=2, **FAST
    )
    sid = op.execute(make_context(op))["id"]
    update = DataScienceUpdateScheduleOperator(
        task_id="update", schedule_id=sid, display_name="renamed", **FAST
    )
    data = update.execute(make_context(update))
    assert (data["lifecycleState"], data["displayName"]) == ("ACTIVE", "renamed")
    assert len(operations(ds.emu, "update_schedule")) == 1


def test_a_failed_deactivate_fails_with_its_details(ds) -> None:
    tags = {"emulator-fail-actions": "deactivate", "emulator-details": "quota exceeded"}
    op = DataScienceCreateScheduleOperator(
        task_id="create",
        project_id=ds.project(),
        display_name="s",
        job_id=ds.job(),
        interval_days=1,
        freeform_tags=tags,
        **FAST,
    )
    sid = op.execute(make_context(op))["id"]
    deactivate = DataScienceDeactivateScheduleOperator(task_id="off", schedule_id=sid, **FAST)
    with pytest.raises(AirflowFailException, match="quota exceeded"):
        deactivate.execute(make_context(deactivate))


def test_a_job_that_does_not_exist_is_named(ds) -> None:
    op = DataScienceCreateScheduleOperator(
        task_id="create", project_id=ds.project(), display_name="s", job_id=JOB, interval_days=1, **FAST
    )
    with pytest.raises(AirflowFailException, match=rf"job_id: job {JOB} does not exist"):
        op.execute(make_context(op))


GOOD = {"project_id": PROJECT, "display_name": "s", "job_id": JOB}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {**GOOD, "cron": "61 * * * *"},
            r"trigger\.cronExpression: the minute field '61' has '61', outside 0-59",
        ),
        ({**GOOD, "cron": "* * *"}, r"trigger\.cronExpression: expected 5 fields"),
        ({**GOOD, "cron": "0 3 * FOO *"}, r"the month field 'FOO' has 'FOO', outside 1-12"),
        ({**GOOD, "cron": "*/0 * * * *"}, r"the minute field '\*/0' has a step below 1"),
        ({**GOOD, "ical": "FREQ=SOMETIMES"}, r"trigger\.recurrence: FREQ must be one of"),
        ({**GOOD, "ical": "FREQ=DAILY;COUNT=0"}, r"trigger\.recurrence: COUNT must be a positive"),
        ({**GOOD, "interval_hours": 0}, r"trigger\.interval: expected a positive whole number"),
        ({**GOOD, "cron": "0 * * * *", "interval_days": 1}, r"^cron/interval_days: give one trigger"),
        (
            {
                **GOOD,
                "interval_days": 1,
                "time_start": "2030-01-02T00:00:00Z",
                "time_end": "2030-01-01T00:00:00Z",
            },
            r"trigger\.timeEnd: must be later than .*timeStart",
        ),
        (
            {**GOOD, "interval_days": 1, "time_start": "tomorrow"},
            r"^time_start: expected an RFC 3339 timestamp",
        ),
        ({**GOOD, "time_start": "2030-01-01T00:00:00Z"}, r"^time_start/time_end: give them with a trigger"),
        ({**GOOD}, r"create_schedule_details: CreateScheduleDetails\.trigger is required"),
        (
            {**GOOD, "pipeline_id": "ocid1.datasciencepipeline.oc1.iad.p", "cron": "0 * * * *"},
            r"^job_id/pipeline_id",
        ),
        (
            {
                "project_id": PROJECT,
                "display_name": "s",
                "cron": "0 * * * *",
                "run_details": {"displayName": "x"},
            },
            r"^run_details: give job_id or pipeline_id",
        ),
        ({**GOOD, "job_id": PROJECT, "cron": "0 * * * *"}, r"^job_id: .* is the OCID of a project"),
        ({**GOOD, "cron": "0 * * * *", "run_details": ["x"]}, r"^run_details: expected a JSON object"),
        (
            {
                **GOOD,
                "cron": "0 * * * *",
                "run_details": {"jobConfigurationOverrideDetails": {"jobType": "NOPE"}},
            },
            r"jobType",
        ),
    ],
)
def test_bad_input_fails_before_the_create_naming_the_field(ds, kwargs, message) -> None:
    op = DataScienceCreateScheduleOperator(task_id="t", **kwargs)
    with pytest.raises(ValueError, match=message):
        op.execute(make_context(op))
    assert operations(ds.emu, "create_schedule") == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "update_schedule_details: nothing to update"),
        (
            {"update_schedule_details": {"trigger": {"triggerType": "CRON", "cronExpression": "0 25 * * *"}}},
            r"update_schedule_details\.trigger\.cronExpression: the hour field '25'",
        ),
        ({"schedule_id": JOB, "display_name": "x"}, r"^schedule_id: .* is the OCID of a job"),
    ],
)
def test_bad_update_input_fails_before_any_request(ds, kwargs, message) -> None:
    op = DataScienceUpdateScheduleOperator(
        task_id="t", **{"schedule_id": "ocid1.datascienceschedule.oc1.iad.amaaaaaas", **kwargs}
    )
    ds.emu.clear_requests()
    with pytest.raises(ValueError, match=message):
        op.execute(make_context(op))
    assert ds.emu.requests == []


def test_a_pipeline_action_and_the_trigger_shorthands() -> None:
    action = schedule_action(
        job_id=None,
        pipeline_id="ocid1.datasciencepipeline.oc1.iad.amaaaaaapipe",
        run_details={"displayName": "nightly", "projectId": PROJECT},
        project_id=None,
        compartment_id="ocid1.compartment.oc1..c",
    )
    assert action == {
        "actionType": "HTTP",
        "actionDetails": {
            "httpActionType": "CREATE_PIPELINE_RUN",
            "createPipelineRunDetails": {
                "projectId": PROJECT,
                "compartmentId": "ocid1.compartment.oc1..c",
                "displayName": "nightly",
                "pipelineId": "ocid1.datasciencepipeline.oc1.iad.amaaaaaapipe",
            },
        },
    }
    assert schedule_trigger(interval_days=2, time_end=1_900_000_000) == {
        "triggerType": "INTERVAL",
        "frequency": "DAILY",
        "interval": 2,
        "timeEnd": "2030-03-17T17:46:40.000Z",
    }
    assert schedule_trigger(interval_hours=3)["frequency"] == "HOURLY"
    assert schedule_trigger(ical="FREQ=DAILY") == {"triggerType": "ICAL", "recurrence": "FREQ=DAILY"}
    assert schedule_trigger() is None
