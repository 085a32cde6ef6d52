"""Every scripting rule of the emulator in one place: the ``emulator-*`` tag names, the outcomes
a script may choose, the defaults of a failure, and the effective script of a job run, a model
deployment or an action (tags < control script).

The scriptable outcomes and the state a failed action ends in come from the resource table
(:attr:`airflow_ds_provider.resources.Action.outcomes` / ``failed``); this module never
re-declares a state. The ``script_*`` methods of the emulator are in :mod:`.scripts`; when to
settle is planned by :mod:`.transitions` and :mod:`.actions`.

Scripted work-request actions (model deployments and notebook sessions):

* the ``emulator-fail-actions`` freeform tag (e.g. ``"activate,deactivate"``) fails those
  actions, with ``emulator-details`` (or a default message) as ``lifecycleDetails`` and as the
  work request's error; a failure ends in the action's ``failed`` state of the table
  (``FAILED`` when it names none);
* :meth:`Emulator.script_model_deployment` / :meth:`Emulator.script_notebook_session` with
  ``action=`` set ``duration``, ``outcome`` and ``details`` for that action;
* on a notebook session, ``emulator-duration``, ``emulator-outcome`` and ``emulator-details``
  script its creation (as they do for a model deployment and a job run).

Pipeline runs (:func:`pipeline_step_script`): the same ``emulator-*`` tags on the pipeline or the
run (the run's win; an ML_JOB step also reads its job's) script every step; a tag suffixed with
``.<stepName>`` (``emulator-outcome.train: FAILED``) scripts that step only, and wins.
"""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.emulator.store import Record
from airflow_ds_provider.kinds.pipelines import PIPELINE_STEP_RUN
from airflow_ds_provider.resources import RESOURCES

#: Scripted-outcome tags (on a job run, its job, a model deployment or a notebook session).
TAG_DURATION = "emulator-duration"
TAG_OUTCOME = "emulator-outcome"
TAG_DETAILS = "emulator-details"
TAG_LOGS = "emulator-logs"
#: Per-line ingestion delays (comma-separated seconds) of a job run's ``emulator-logs``.
TAG_LOG_DELAYS = "emulator-log-delays"
#: Comma-separated actions that fail (model deployments and notebook sessions).
TAG_FAIL_ACTIONS = "emulator-fail-actions"

#: Final states a script may give a job run / the creation of a model deployment.
JOB_RUN_OUTCOMES = RESOURCES["job_run"].actions["create"].outcomes
DEPLOYMENT_OUTCOMES = RESOURCES["model_deployment"].actions["create"].outcomes

#: Actions with a work request whose outcome a script may choose, per kind (``create`` first).
_ALLOWED: dict[str, tuple[str, ...]] = {
    resource.name: scriptable
    for resource in RESOURCES.values()
    if resource.work_request_operations
    and (scriptable := tuple(name for name, action in resource.actions.items() if action.outcomes))
}
DEPLOYMENT_ACTIONS = _ALLOWED["model_deployment"]
NOTEBOOK_ACTIONS = _ALLOWED["notebook_session"]

#: (kind, action) -> (final states a script may choose, the state a failure ends in by default).
#: The creation of a model deployment reads only its outcomes (it is planned by its own rules,
#: ``resources/model_deployments.py``).
ACTION_OUTCOMES: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    (kind, name): (RESOURCES[kind].actions[name].outcomes, RESOURCES[kind].actions[name].failed or "FAILED")
    for kind, names in _ALLOWED.items()
    for name in names
}
#: Outcomes that make a work request fail.
FAILURE_STATES = frozenset(failed for _, failed in ACTION_OUTCOMES.values())
_WHAT = {kind: RESOURCES[kind].display.capitalize() for kind in _ALLOWED}

_DEFAULT_DETAILS = {
    "FAILED": "Job run failed with exit code 1.",
    "NEEDS_ATTENTION": "The job run needs attention: the infrastructure reported a problem.",
}


class ScriptError(ValueError):
    """A scripted outcome is malformed; ``field`` names where it came from."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


def job_run_default_details(outcome: str) -> str | None:
    """The ``lifecycleDetails`` of a job run that ends in ``outcome`` without scripted details."""
    return _DEFAULT_DETAILS.get(outcome)


def script_from_tags(tags: dict[str, str] | None, where: str) -> dict[str, Any]:
    """Read the ``emulator-*`` tags into a script dict (duration, outcome, details, log_lines)."""
    tags = tags or {}
    script: dict[str, Any] = {}
    if TAG_DURATION in tags:
        try:
            script["duration"] = float(tags[TAG_DURATION])
        except ValueError:
            raise ScriptError(f"{where}.{TAG_DURATION}", "must be a number of seconds") from None
        if script["duration"] < 0:
            raise ScriptError(f"{where}.{TAG_DURATION}", "must be >= 0")
    if TAG_OUTCOME in tags:
        script["outcome"] = tags[TAG_OUTCOME].strip().upper()
    if TAG_DETAILS in tags:
        script["details"] = tags[TAG_DETAILS]
    if TAG_LOGS in tags:
        script["log_lines"] = tags[TAG_LOGS].split("\n")
    if TAG_LOG_DELAYS in tags:
        try:
            script["log_delays"] = check_log_delays(
                [float(v) for v in tags[TAG_LOG_DELAYS].split(",") if v.strip()]
            )
        except ValueError:
            raise ScriptError(f"{where}.{TAG_LOG_DELAYS}", "must be comma-separated seconds >= 0") from None
    return script


def check_log_delays(delays: list[float]) -> list[float]:
    """Per-line ingestion delays as floats; ValueError unless every one is a number >= 0."""
    values = [float(d) for d in delays]
    if any(not v >= 0 for v in values):
        raise ValueError("log_delays: every delay must be a number of seconds >= 0")
    return values


def fail_actions(tags: dict[str, str] | None, allowed: tuple[str, ...], where: str) -> set[str]:
    """The actions named by the ``emulator-fail-actions`` tag (ScriptError on an unknown one)."""
    raw = (tags or {}).get(TAG_FAIL_ACTIONS)
    if raw is None:
        return set()
    actions = {a.strip().lower() for a in raw.split(",") if a.strip()}
    unknown = sorted(actions - set(allowed))
    if unknown:
        raise ScriptError(
            f"{where}.{TAG_FAIL_ACTIONS}", f"unknown action(s) {unknown}; expected some of {list(allowed)}"
        )
    return actions


def scriptable_actions(kind: str) -> tuple[str, ...]:
    """The actions of ``kind`` a script may name (``create`` included)."""
    return _ALLOWED[kind]


def check_tags(kind: str, tags: dict[str, str] | None, where: str = "freeformTags") -> None:
    """Raise ScriptError when the ``emulator-*`` tags of ``kind`` are malformed."""
    fail_actions(tags, _ALLOWED[kind], where)
    if kind == "notebook_session":
        script = script_from_tags(tags, where)
        if "outcome" in script:
            check_outcome(kind, "create", script["outcome"], f"{where}.emulator-outcome")


def check_script(kind: str, action: str, outcome: str | None) -> str | None:
    """Validate a control script for ``action``; returns the upper-cased outcome."""
    if action not in _ALLOWED[kind]:
        raise ValueError(f"action must be one of {list(_ALLOWED[kind])}, got {action!r}")
    if outcome is None:
        return None
    outcome = outcome.upper()
    check_outcome(kind, action, outcome, "outcome")
    return outcome


def check_outcome(kind: str, action: str, outcome: str, where: str) -> None:
    """Raise ScriptError unless a script may end ``action`` of ``kind`` in ``outcome``."""
    allowed = ACTION_OUTCOMES[(kind, action)][0]
    if outcome not in allowed:
        raise ScriptError(where, f"must be one of {sorted(allowed)} for {action}, got {outcome!r}")


def failure_details(kind: str, action: str) -> str:
    """The default ``lifecycleDetails`` (and work-request error) of a failed action."""
    return f"{_WHAT[kind]} {action} failed: the service could not complete the work request."


def action_script(record: Record, action: str) -> dict[str, Any]:
    """The effective script of ``action`` on ``record``: tags < control script."""
    tags = record.data.get("freeformTags") or {}
    script: dict[str, Any] = {}
    if record.kind == "notebook_session" and action == "create":
        script.update(script_from_tags(tags, "freeformTags"))
        script.pop("log_lines", None)
        script.pop("log_delays", None)
    spec = ACTION_OUTCOMES.get((record.kind, action))
    if spec is not None and action in fail_actions(tags, _ALLOWED[record.kind], "freeformTags"):
        script.setdefault("outcome", spec[1])
        if TAG_DETAILS in tags:
            script.setdefault("details", tags[TAG_DETAILS])
    script.update(record.extra.get("action_scripts", {}).get(action, {}))
    return script


def job_run_script(run: Record, job: Record | None, job_scripts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The effective script of a run: defaults < job tags < job control script < run tags <
    run control script (``job_scripts``: the control scripts of jobs, by job OCID)."""
    script: dict[str, Any] = {}
    if job is not None:
        script.update(script_from_tags(job.data.get("freeformTags"), "job.freeformTags"))
        script.update(job_scripts.get(job.id, {}))
    script.update(script_from_tags(run.data.get("freeformTags"), "freeformTags"))
    script.update(run.extra.get("script", {}))
    outcome = script.get("outcome", "SUCCEEDED")
    if outcome not in JOB_RUN_OUTCOMES:
        raise ScriptError(TAG_OUTCOME, f"must be one of {sorted(JOB_RUN_OUTCOMES)}, got {outcome!r}")
    return script


def deployment_script(record: Record) -> dict[str, Any]:
    """The effective script of a model deployment's creation: tags < control script."""
    script = script_from_tags(record.data.get("freeformTags"), "freeformTags")
    failing = fail_actions(record.data.get("freeformTags"), DEPLOYMENT_ACTIONS, "freeformTags")
    if "create" in failing and "outcome" not in script:
        script["outcome"] = "FAILED"
    script.update(record.extra.get("script", {}))
    outcome = script.get("outcome", "ACTIVE")
    if outcome not in DEPLOYMENT_OUTCOMES:
        raise ScriptError(TAG_OUTCOME, f"must be one of {sorted(DEPLOYMENT_OUTCOMES)}, got {outcome!r}")
    return script


def step_tag_suffixes(tags: dict[str, str] | None) -> dict[str, str]:
    """The ``emulator-*.<stepName>`` tags of a pipeline or run: tag name -> step name."""
    return {key: key.split(".", 1)[1] for key in (tags or {}) if key.startswith("emulator-") and "." in key}


def pipeline_step_script(sources: list[tuple[dict[str, str] | None, str]], step: str) -> dict[str, Any]:
    """The effective script of one step of a pipeline run.

    :param sources: ``(freeform tags, where)`` pairs, weakest first (the step's job, the
        pipeline, the run); in each, the plain ``emulator-*`` tags script every step and the
        ``emulator-*.<step>`` tags this step only (and win).
    :raises ScriptError: naming the tag, for a malformed value or an outcome a step cannot have.
    """
    script: dict[str, Any] = {}
    suffix = f".{step}"
    for tags, where in sources:
        tags = tags or {}
        script.update(script_from_tags({k: v for k, v in tags.items() if "." not in k}, where))
        own = {
            k[: -len(suffix)]: v for k, v in tags.items() if k.startswith("emulator-") and k.endswith(suffix)
        }
        try:
            script.update(script_from_tags(own, where))
        except ScriptError as exc:
            raise ScriptError(exc.field + suffix, str(exc).split(": ", 1)[1]) from None
        for name in (TAG_OUTCOME, f"{TAG_OUTCOME}{suffix}"):
            if name in tags and tags[name].strip().upper() not in PIPELINE_STEP_RUN.outcomes:
                raise ScriptError(
                    f"{where}.{name}",
                    f"must be one of {sorted(PIPELINE_STEP_RUN.outcomes)}, got {tags[name]!r}",
                )
    return script
