"""Lifecycle tables of OCI Data Science resources, as data.

One module is the single source of truth for which states a resource can be in and which of
them mean "still going", "done" or "failed". The hook's synchronous wait, the sensors, the
triggers and the emulator all read these tables, so they cannot disagree.

A state that is not listed for a resource is *unknown*: it is never treated as success. The
waiters keep polling through an unknown state (logging it) until the deadline, because OCI adds
states over time and an SDK must not crash on one it has not seen.

A *known* state that is neither a target, a failure nor pending is *stranded* (see
:meth:`Lifecycle.stranded`) when the wait can no longer end well: the resource reached it from a
pending state during the wait, or it is a final state the resource never leaves. Every waiter
ends such a wait at once with a failure that says so, instead of polling until the deadline.

The tables are derived from the resource table (:mod:`airflow_ds_provider.resources`), which
also holds each resource's OCID type, actions and transitions.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from airflow_ds_provider._lazy_dataclass import lazy_dataclass
from airflow_ds_provider.resources import RESOURCES, Resource


class Outcome(str, enum.Enum):
    """How a waiter should read one observed state."""

    PENDING = "pending"
    SUCCESS = "success"
    FAILURE = "failure"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Lifecycle:
    """Pending, success and failure states of one resource kind.

    :param resource: snake_case resource name, e.g. ``job_run``.
    :param get_operation: the API operation that reads the resource, e.g. ``get_job_run``.
    :param id_param: the argument name of that operation's id, e.g. ``job_run_id``.
    :param state_field: wire field that holds the state (``lifecycleState``, or ``status`` for
        work requests).
    :param states: every state the API documents for the resource.
    :param pending: states from which the resource still moves on by itself.
    :param success: states that end a wait successfully.
    :param failure: states that end a wait with a failure.
    :param ocid_type: the type segment of the resource's OCIDs (``datasciencejobrun``).
    :param details_field: wire field with a human readable reason, if the resource has one.
    :param final: states the resource never leaves again except by being deleted.
    """

    resource: str
    get_operation: str
    id_param: str
    state_field: str
    states: frozenset[str]
    pending: frozenset[str]
    success: frozenset[str]
    failure: frozenset[str]
    ocid_type: str
    details_field: str | None = "lifecycleDetails"
    final: frozenset[str] = frozenset({"DELETED"})

    def __post_init__(self) -> None:
        if self.success & self.failure:
            raise ValueError(
                f"{self.resource}: states {sorted(self.success & self.failure)} are both success and failure"
            )
        if self.success & self.pending:
            raise ValueError(
                f"{self.resource}: states {sorted(self.success & self.pending)} are both success and pending"
            )
        if not self.final <= self.states - self.pending:
            raise ValueError(f"{self.resource}: final states {sorted(self.final)} must be terminal states")

    @property
    def terminal(self) -> frozenset[str]:
        """States in which the resource does not move on by itself."""
        return self.states - self.pending

    def with_states(
        self,
        target_states: Iterable[str] | None = None,
        failure_states: Iterable[str] | None = None,
    ) -> Lifecycle:
        """Return a copy with other success and/or failure states.

        A state moved into the success set leaves the pending and failure sets; a state named as
        a failure leaves the pending set (so a caller may, for example, fail on ``CANCELING``).

        :param target_states: states that count as success instead of the defaults.
        :param failure_states: states that count as failure instead of the defaults.
        :raises ValueError: naming ``target_states``/``failure_states`` for a state the resource
            does not have, an empty target list or a state in both lists.
        """
        targets = self.known_states(target_states, "target_states")
        failures = self.known_states(failure_states, "failure_states")
        success = frozenset(targets) if targets is not None else self.success
        if not success:
            raise ValueError(
                f"target_states: {self.resource} target_states must name at least one state "
                f"of {sorted(self.states)}"
            )
        overlap = success & frozenset(failures or ())
        if overlap:
            raise ValueError(
                f"states {sorted(overlap)} of {self.resource} are in both target_states and failure_states"
            )
        failure = (frozenset(failures) if failures is not None else self.failure) - success
        pending = self.pending - success - failure
        return replace(self, success=success, failure=failure, pending=pending)

    def known_states(self, values: Iterable[str] | str | None, field: str) -> list[str] | None:
        """Upper-cased ``values`` (a list, or comma-separated text), all states of this resource.

        :raises ValueError: naming ``field`` and the resource's states.
        """
        if values is None:
            return None
        if isinstance(values, str):
            values = [part for part in values.split(",") if part.strip()]
        if isinstance(values, Mapping) or not isinstance(values, Iterable):
            raise ValueError(f"{field}: expected a list of {self.resource} states, got {values!r}")
        values = list(values)
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise ValueError(f"{field}: expected a list of {self.resource} state names, got {values!r}")
        states = [v.strip().upper() for v in values]
        unknown = sorted(set(states) - self.states)
        if unknown:
            raise ValueError(
                f"{field}: unknown {self.resource} state(s) {unknown}; expected some of {sorted(self.states)}"
            )
        return sorted(set(states))

    def classify(self, state: str | None) -> Outcome:
        """Read one observed state: pending, success, failure, or unknown (never success)."""
        if state is None:
            return Outcome.UNKNOWN
        state = state.upper()
        if state in self.success:
            return Outcome.SUCCESS
        if state in self.failure:
            return Outcome.FAILURE
        if state in self.pending:
            return Outcome.PENDING
        return Outcome.UNKNOWN

    def stranded(self, state: str | None, reached: bool = False) -> bool:
        """Whether a wait in ``state`` can no longer end well (then it ends as a failure).

        ``state`` must be a known state that is neither success, failure nor pending, and either
        ``reached`` (the waiter saw the resource pending earlier in this wait, so the transition
        it waited for ended elsewhere) or a final state the resource never leaves (a finished job
        run, ``DELETED``; a final state short of ``DELETED`` still counts as movable while
        ``DELETED`` is a target, since a delete can move it). A terminal state seen without a
        transition (an ``ACTIVE`` deployment a sensor waits to see ``INACTIVE``) is not stranded:
        an action may still move it.
        """
        if state is None:
            return False
        state = state.upper()
        if state not in self.states or state in self.success | self.failure | self.pending:
            return False
        if reached:
            return True
        return state in self.final and (state == "DELETED" or "DELETED" not in self.success)

    def state_of(self, data: dict) -> str | None:
        """The state held by a resource's wire JSON."""
        value = data.get(self.state_field)
        return value if isinstance(value, str) else None

    def details_of(self, data: dict) -> str | None:
        """The human readable reason held by a resource's wire JSON, if any."""
        if self.details_field is None:
            return None
        value = data.get(self.details_field)
        return value if isinstance(value, str) and value else None


def of_resource(resource: Resource) -> Lifecycle:
    """The default wait table of one entry of the resource table."""
    return Lifecycle(
        resource=resource.name,
        get_operation=resource.get_operation,
        id_param=resource.id_param,
        state_field=resource.state_field,
        states=resource.states,
        pending=resource.pending,
        success=resource.success,
        failure=resource.failure,
        ocid_type=resource.ocid_type,
        details_field=resource.details_field,
        final=resource.final,
    )


# --- default wait tables, derived from the resource table ------------------------------------

LIFECYCLES: dict[str, Lifecycle] = {name: of_resource(resource) for name, resource in RESOURCES.items()}

PROJECT = LIFECYCLES["project"]
JOB = LIFECYCLES["job"]
JOB_RUN = LIFECYCLES["job_run"]
MODEL = LIFECYCLES["model"]
MODEL_DEPLOYMENT = LIFECYCLES["model_deployment"]
NOTEBOOK_SESSION = LIFECYCLES["notebook_session"]
WORK_REQUEST = LIFECYCLES["work_request"]

#: Job runs that may be cancelled (OCI docs: ACCEPTED, IN_PROGRESS or NEEDS_ATTENTION).
JOB_RUN_CANCELLABLE = RESOURCES["job_run"].actions["cancel"].sources


def get_lifecycle(resource: str) -> Lifecycle:
    """Return the default lifecycle table of ``resource`` (e.g. ``"job_run"``)."""
    try:
        return LIFECYCLES[resource]
    except KeyError:
        raise ValueError(f"unknown resource {resource!r}; expected one of {sorted(LIFECYCLES)}") from None


# Targets for waiting on the outcome of an action on a resource, beyond plain "ACTIVE".
DEACTIVATED = frozenset({"INACTIVE"})
DELETED = frozenset({"DELETED"})


# --- transitions the service makes by itself (used by the emulator) -------------------------------


@lazy_dataclass(frozen=True)
class Transition:
    """One action's path: the transient state entered at once and the default settled state."""

    transient: str | None
    settled: str
    failed: str = "FAILED"


#: (resource, action) -> its path, from the resource table's actions. Built on first use (PEP 562
#: ``__getattr__`` below): only the emulator and the client's completion checks read it, never a
#: DAG parse.
TRANSITIONS: dict[tuple[str, str], Transition]


def __getattr__(name: str) -> Any:
    if name == "TRANSITIONS":
        table = {
            (resource.name, action_name): Transition(
                action.transient, action.settled, action.failed or "FAILED"
            )
            for resource in RESOURCES.values()
            for action_name, action in resource.actions.items()
        }
        return globals().setdefault("TRANSITIONS", table)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
