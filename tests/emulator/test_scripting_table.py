"""The emulator's scripting and routing tables are read from the resource table, for every resource."""

from __future__ import annotations

import re

import pytest

from airflow_ds_provider.emulator import scripting
from airflow_ds_provider.emulator.core import KINDS
from airflow_ds_provider.emulator.transitions import _ENTITY_TYPES
from airflow_ds_provider.resources import RESOURCES

_SCRIPTED = [
    (resource.name, name, action)
    for resource in RESOURCES.values()
    for name, action in resource.actions.items()
    if action.outcomes and (resource.name, name) in scripting.ACTION_OUTCOMES
]


def test_some_actions_are_scripted():
    assert {"model_deployment", "notebook_session", "ml_application_instance"} <= {
        kind for kind, _, _ in _SCRIPTED
    }


@pytest.mark.parametrize(("kind", "name", "action"), _SCRIPTED, ids=[f"{k}.{n}" for k, n, _ in _SCRIPTED])
def test_scriptable_outcomes_and_failure_state_come_from_the_table(kind, name, action):
    outcomes, failed = scripting.ACTION_OUTCOMES[(kind, name)]
    assert outcomes == action.outcomes
    assert failed == (action.failed or "FAILED")
    for outcome in sorted(action.outcomes):
        assert scripting.check_script(kind, name, outcome.lower()) == outcome
    outside = sorted(RESOURCES[kind].states - action.outcomes)
    assert outside
    with pytest.raises(scripting.ScriptError, match=re.escape(f"must be one of {sorted(action.outcomes)}")):
        scripting.check_script(kind, name, outside[0])


@pytest.mark.parametrize("kind", sorted(scripting._ALLOWED))
def test_an_action_without_outcomes_is_not_scriptable(kind):
    unscripted = [n for n, a in RESOURCES[kind].actions.items() if not a.outcomes]
    if not unscripted:
        pytest.skip(f"every action of {kind} is scriptable")
    for name in unscripted:
        with pytest.raises(ValueError, match="action must be one of"):
            scripting.check_script(kind, name, None)


def test_job_run_and_deployment_outcomes_are_the_create_outcomes():
    assert RESOURCES["job_run"].actions["create"].outcomes == scripting.JOB_RUN_OUTCOMES
    assert RESOURCES["model_deployment"].actions["create"].outcomes == scripting.DEPLOYMENT_OUTCOMES


@pytest.mark.parametrize("kind", sorted(RESOURCES))
def test_every_resource_is_an_emulator_kind(emu, kind):
    assert kind in KINDS
    assert emu.list(kind) == []
    entity_type, base = _ENTITY_TYPES[kind]
    assert base == f"/{RESOURCES[kind].collection}"
    assert entity_type.lower() == kind.replace("_", "")


def test_an_unknown_kind_is_named(emu):
    with pytest.raises(ValueError, match="unknown kind 'no_such_kind'"):
        emu.list("no_such_kind")
