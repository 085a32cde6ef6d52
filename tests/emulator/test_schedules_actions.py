"""The other schedule actions: a pipeline run (dispatched to the handler of create_pipeline_run,
which the pipelines area provides) and an ML application trigger; a schedule whose action's
handler is missing reports it instead of starting anything."""

from __future__ import annotations

from airflow_ds_provider.emulator.resources import registry
from airflow_ds_provider.emulator.resources.base import Reply
from airflow_ds_provider.emulator.resources.schedule_runs import SCHEDULE_TAG

from .platform_world import HOURLY, platform  # noqa: F401 - the fixture

OPERATION = "trigger_ml_application_instance_view_flow"
VIEW = "ocid1.datasciencemlapplicationinstanceview.oc1.iad.amaaaaaaview"


def test_a_schedule_starts_pipeline_runs(platform, emu):  # noqa: F811
    p = platform
    pid = p.project()
    jid = p.job(pid)
    pipeline = {
        "projectId": pid,
        "compartmentId": p.comp,
        "displayName": "flow",
        "stepDetails": [{"stepType": "ML_JOB", "stepName": "train", "jobId": jid}],
    }
    pipeline_id = p.hook.create_pipeline(pipeline).data["id"]
    emu.advance(5)
    run = {"projectId": pid, "compartmentId": p.comp, "pipelineId": pipeline_id}
    action = {
        "actionType": "HTTP",
        "actionDetails": {"httpActionType": "CREATE_PIPELINE_RUN", "createPipelineRunDetails": run},
    }
    sid = p.active_schedule(pid, action, HOURLY)
    emu.advance(2 * 3600)
    runs = p.call("list_all_pipeline_runs", p.comp, pipeline_id=pipeline_id)
    assert len(runs) == 2
    assert all(r["freeformTags"][SCHEDULE_TAG] == sid for r in runs)


def _ml_trigger_schedule(p) -> str:
    pid = p.project()
    details = {
        "httpActionType": "INVOKE_ML_APPLICATION_PROVIDER_TRIGGER",
        "mlApplicationInstanceViewId": VIEW,
        "triggerMlApplicationInstanceViewFlowDetails": {"triggerName": "retrain"},
    }
    return p.active_schedule(pid, {"actionType": "HTTP", "actionDetails": details}, HOURLY)


def test_an_ml_application_trigger_is_dispatched_to_its_handler(platform, emu, monkeypatch):  # noqa: F811
    calls = []

    def trigger(svc, req):
        calls.append((req.op.name, req.params, req.body, req.principal.user))
        return Reply(204, None, {})

    monkeypatch.setitem(registry.REGISTERED, OPERATION, trigger)
    sid = _ml_trigger_schedule(platform)
    emu.advance(2 * 3600)
    schedule = platform.get("schedule", sid)
    assert (
        calls
        == [
            (
                OPERATION,
                {"mlApplicationInstanceViewId": VIEW},
                {"triggerName": "retrain"},
                schedule["createdBy"],
            )
        ]
        * 2
    )
    assert schedule["lastScheduleRunDetails"].endswith(f"{OPERATION} accepted")


def test_an_action_whose_handler_is_missing_is_reported(platform, emu, monkeypatch):  # noqa: F811
    monkeypatch.delitem(registry.REGISTERED, OPERATION, raising=False)
    sid = _ml_trigger_schedule(platform)
    emu.advance(3600)
    details = platform.get("schedule", sid)["lastScheduleRunDetails"]
    assert details.endswith(f"not started: this emulator does not serve {OPERATION}")
