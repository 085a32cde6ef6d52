"""The lifecycle tables: classification, overrides, and the guarantee that unknown is never success."""

from __future__ import annotations

import pytest

from airflow_ds_provider.lifecycle import (
    JOB_RUN,
    LIFECYCLES,
    MODEL_DEPLOYMENT,
    TRANSITIONS,
    WORK_REQUEST,
    Outcome,
    get_lifecycle,
)
from airflow_ds_provider.spec import models, operations


@pytest.mark.parametrize("lifecycle", list(LIFECYCLES.values()), ids=list(LIFECYCLES))
def test_tables_are_consistent(lifecycle):
    assert lifecycle.pending | lifecycle.success | lifecycle.failure <= lifecycle.states
    assert not lifecycle.success & lifecycle.failure
    assert lifecycle.get_operation in operations()


@pytest.mark.parametrize("lifecycle", list(LIFECYCLES.values()), ids=list(LIFECYCLES))
def test_states_match_the_wire_model_enums(lifecycle):
    model_name = "".join(part.title() for part in lifecycle.resource.split("_"))
    model = models().get(model_name)
    if model is None:
        pytest.skip(f"{model_name} not in models.json")
    field = model.field_by_wire()[lifecycle.state_field]
    assert field.allowed is not None
    assert set(field.allowed) == lifecycle.states


def test_job_run_defaults():
    assert JOB_RUN.classify("ACCEPTED") is Outcome.PENDING
    assert JOB_RUN.classify("in_progress") is Outcome.PENDING
    assert JOB_RUN.classify("SUCCEEDED") is Outcome.SUCCESS
    for state in ("FAILED", "CANCELED", "DELETED", "NEEDS_ATTENTION"):
        assert JOB_RUN.classify(state) is Outcome.FAILURE


@pytest.mark.parametrize("state", ["BRAND_NEW_STATE", "", None, "UNKNOWN_ENUM_VALUE"])
def test_unknown_state_is_never_success(state):
    for lifecycle in LIFECYCLES.values():
        assert lifecycle.classify(state) is Outcome.UNKNOWN


def test_overrides_move_states_between_sets():
    relaxed = JOB_RUN.with_states(failure_states=["FAILED", "CANCELED", "DELETED"])
    assert relaxed.classify("NEEDS_ATTENTION") is Outcome.UNKNOWN
    inactive = MODEL_DEPLOYMENT.with_states(target_states=["INACTIVE"])
    assert inactive.classify("INACTIVE") is Outcome.SUCCESS
    assert inactive.classify("ACTIVE") is Outcome.UNKNOWN
    assert inactive.classify("UPDATING") is Outcome.PENDING
    strict = WORK_REQUEST.with_states(failure_states=["FAILED", "CANCELED", "CANCELING"])
    assert strict.classify("CANCELING") is Outcome.FAILURE


def test_overrides_reject_contradictions():
    with pytest.raises(ValueError, match="both target_states and failure_states"):
        JOB_RUN.with_states(target_states=["SUCCEEDED"], failure_states=["SUCCEEDED"])
    with pytest.raises(ValueError, match="at least one state"):
        JOB_RUN.with_states(target_states=[])


def test_unknown_resource_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown resource 'no_such_kind'"):
        get_lifecycle("no_such_kind")


def test_transitions_only_use_known_states():
    for (resource, _action), transition in TRANSITIONS.items():
        states = LIFECYCLES[resource].states
        assert transition.settled in states
        assert transition.transient is None or transition.transient in states


@pytest.mark.parametrize("lifecycle", list(LIFECYCLES.values()), ids=list(LIFECYCLES))
def test_transient_states_are_pending(lifecycle):
    """Every state the service leaves by itself is pending, so a delete wait sees DELETING quietly."""
    for state in lifecycle.states:
        if state.endswith("ING") or state in ("ACCEPTED", "IN_PROGRESS"):
            assert lifecycle.classify(state) is Outcome.PENDING, state


def test_waiting_for_a_delete():
    gone = MODEL_DEPLOYMENT.with_states(target_states=["DELETED"])
    assert gone.classify("DELETING") is Outcome.PENDING
    assert gone.classify("DELETED") is Outcome.SUCCESS
    assert gone.classify("ACTIVE") is Outcome.UNKNOWN


def test_unknown_states_are_rejected_naming_the_argument() -> None:
    with pytest.raises(
        ValueError, match=r"target_states: unknown job_run state\(s\) \['DONE'\]; expected some of"
    ):
        JOB_RUN.with_states(target_states=["DONE", "SUCCEEDED"])
    with pytest.raises(ValueError, match=r"failure_states: unknown work_request state\(s\) \['DELETED'\]"):
        WORK_REQUEST.with_states(failure_states=["DELETED"])
    with pytest.raises(ValueError, match="failure_states: expected a list of job_run states, got 3"):
        JOB_RUN.with_states(failure_states=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="target_states: expected a list of job_run state names"):
        JOB_RUN.with_states(target_states=["SUCCEEDED", ""])
    assert JOB_RUN.with_states(target_states="succeeded, failed").success == {"SUCCEEDED", "FAILED"}


def test_stranded_states_end_a_wait_only_when_it_cannot_end_well() -> None:
    inactive = MODEL_DEPLOYMENT.with_states(target_states=["INACTIVE"])
    assert not inactive.stranded("ACTIVE")  # seen without a transition: an action may still move it
    assert inactive.stranded("ACTIVE", reached=True)  # came out of CREATING/UPDATING elsewhere
    assert not inactive.stranded("UPDATING", reached=True)  # pending
    assert not inactive.stranded("FAILED", reached=True)  # a failure state, reported as such
    assert not inactive.stranded("INACTIVE", reached=True)  # the target
    assert not inactive.stranded("BRAND_NEW_STATE", reached=True)  # unknown: keep polling
    assert inactive.stranded("DELETED") is False  # DELETED is a failure state here
    done = JOB_RUN.with_states(target_states=["CANCELED"], failure_states=["FAILED"])
    assert done.stranded("SUCCEEDED")  # a finished run never moves on
    assert done.stranded("DELETED")
    assert not done.stranded("NEEDS_ATTENTION")  # may move on after an intervention
    gone = JOB_RUN.with_states(target_states=["DELETED"])
    assert not gone.stranded("SUCCEEDED")  # a delete can still move a finished run to DELETED
    assert get_lifecycle("project").with_states(target_states=["DELETED"]).stranded("ACTIVE") is False


@pytest.mark.parametrize("lifecycle", list(LIFECYCLES.values()), ids=list(LIFECYCLES))
def test_final_states_are_terminal_and_ocid_types_are_unique(lifecycle):
    assert lifecycle.final <= lifecycle.states - lifecycle.pending
    assert lifecycle.ocid_type.startswith("datascience")
    assert [lc.ocid_type for lc in LIFECYCLES.values()].count(lifecycle.ocid_type) == 1
