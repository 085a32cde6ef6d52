"""Planning the work-request actions of model deployments and notebook sessions (their scripting
rules, tags and outcomes are in :mod:`.scripting`).

Every such action (create, update, activate, deactivate, delete) enters its transient state
now, settles after a duration and has a work request. A script can make it settle elsewhere:

* the ``emulator-fail-actions`` freeform tag (e.g. ``"activate,deactivate"``) fails those
  actions, with ``emulator-details`` (or a default message) as ``lifecycleDetails`` and as the
  work request's error;
* :meth:`Emulator.script_model_deployment` / :meth:`Emulator.script_notebook_session` with
  ``action=`` set ``duration``, ``outcome`` (the final ``lifecycleState``) and ``details`` for
  that action: the running one is re-planned, later ones use it until scripted again;
* on a notebook session, ``emulator-duration``, ``emulator-outcome`` and ``emulator-details``
  script its creation (as they do for a model deployment).

What a failure leaves behind (the work request is FAILED, with one entry in its errors and the
message in its last log entry; ``lifecycleDetails`` says why):

* model deployment update or deactivate: NEEDS_ATTENTION. OCI keeps a deployment whose change
  did not go through in NEEDS_ATTENTION (it may still serve the previous configuration; the
  configuration sent stays recorded), from where it can be updated, deactivated or deleted;
* model deployment activate, and every notebook-session failure: FAILED (only deletable).

A script may also name FAILED or NEEDS_ATTENTION explicitly (:data:`ACTION_OUTCOMES`). The
creation of a model deployment keeps its own planning (``resources/model_deployments.py``).
"""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.emulator.scripting import (
    ACTION_OUTCOMES,
    FAILURE_STATES,
    action_script,
    check_outcome,
    failure_details,
    scriptable_actions,
)
from airflow_ds_provider.emulator.store import Record, Step
from airflow_ds_provider.emulator.transitions import Lifecycles
from airflow_ds_provider.lifecycle import TRANSITIONS


def _outcome(
    record: Record, action: str, script: dict[str, Any], settled: str | None
) -> tuple[str, str | None, str | None]:
    """(final state, lifecycleDetails or None, work-request error or None)."""
    outcome = script.get("outcome") or settled or TRANSITIONS[(record.kind, action)].settled
    if (record.kind, action) in ACTION_OUTCOMES:
        check_outcome(record.kind, action, outcome, "outcome")
    details = script.get("details")
    failed = outcome in FAILURE_STATES
    if failed and details is None:
        details = failure_details(record.kind, action)
    return outcome, details, details if failed else None


def plan_action(
    lifecycles: Lifecycles,
    record: Record,
    action: str,
    duration: float,
    operation: str,
    done: str,
    settled: str | None = None,
) -> Record:
    """Enter the action's transient state, schedule its (scripted) outcome; return the work request.

    :param duration: nominal seconds in the transient state unless the script says otherwise.
    :param operation: the work request's ``operationType``.
    :param done: the work request's final ``actionType``.
    :param settled: the state a success ends in, when it is not the table's.
    """
    script = action_script(record, action) if action in scriptable_actions(record.kind) else {}
    outcome, details, error = _outcome(record, action, script, settled)
    started = lifecycles.clock.now()
    end = lifecycles.transition(
        record, action, script.get("duration", duration), settled=outcome, details=details
    )
    work = lifecycles.work_request(operation, record, done, end, error=error)
    record.extra["pending_action"] = {
        "action": action,
        "started": started,
        "duration": duration,
        "settled": settled,
        "work": work.id,
    }
    return work


def replan_action(lifecycles: Lifecycles, record: Record, action: str) -> bool:
    """Re-plan ``action`` if it is still running on ``record``; True when it was."""
    pending = record.extra.get("pending_action")
    if not pending or pending["action"] != action or not record.steps:
        return False
    script = action_script(record, action)
    outcome, details, error = _outcome(record, action, script, pending["settled"])
    clock = lifecycles.clock
    end = max(clock.now(), pending["started"] + clock.scaled(script.get("duration", pending["duration"])))
    final: dict[str, Any] = {"lifecycleState": outcome}
    if details is not None:
        final["lifecycleDetails"] = details
    record.schedule([Step(end, final)])
    work = lifecycles.store.get(pending["work"], "work_request")
    if work is not None:
        lifecycles.retime_work_request(work, end, error)
    return True
