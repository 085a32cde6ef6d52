"""What shows that a lifecycle action has taken effect, derived from the spec and the lifecycle tables.

A lifecycle action (``activate_*``, ``deactivate_*``, ``cancel_*``, ``delete_*``, ``update_*`` of a
resource with a transition, ``change_*_compartment``) whose answer was lost may still have been
carried out. Re-sending it blindly is either unsafe (the SDK does not retry it) or pointless (the
service answers 409 ``IncorrectState`` because the resource is already on its way). The client
instead reads the resource and asks :meth:`Completion.verdict` whether the action has taken effect.

Everything here is derived: the operation's name and path argument from ``spec/operations.json``,
the transient and settled states from :data:`airflow_ds_provider.lifecycle.TRANSITIONS`, the
work-request ``operationType`` from the spec's allowed values. A new resource or action in those
tables is covered without a line here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from airflow_ds_provider.lifecycle import LIFECYCLES, TRANSITIONS
from airflow_ds_provider.resources import RESOURCES
from airflow_ds_provider.spec import get_operation, operations

#: Actions whose completion can be judged from the resource's state.
STATE_ACTIONS = ("activate", "deactivate", "cancel", "delete", "update")
#: Work-request statuses of a work request still running.
RUNNING = frozenset({"ACCEPTED", "IN_PROGRESS"})


class Verdict(str, enum.Enum):
    """What a read of the resource says about the action."""

    NOT_DONE = "not_done"
    DONE = "done"
    #: The state is shared by several actions (``UPDATING``): done only if the resource's newest
    #: work request is of this action and still running.
    DONE_IF_WORK_REQUEST = "done_if_work_request"


@dataclass(frozen=True)
class Completion:
    """How to tell that ``operation`` has taken effect.

    :param operation: the action, e.g. ``activate_model_deployment``.
    :param resource: the lifecycle resource it acts on, e.g. ``model_deployment``.
    :param get_operation: the operation that reads the resource.
    :param id_arg: the argument holding the resource's OCID (the same in both operations).
    :param read_args: every argument the read needs (a nested resource's parent OCID too); the
        action has the same ones.
    :param state_field: the wire field holding the state.
    :param done_states: states that show the action has taken effect (its transient and, unless
        the settled state is also where the resource was before, its settled state).
    :param shared_states: the subset of ``done_states`` other actions of the resource enter too.
    :param work_request_type: the ``operationType`` of the work request the action starts.
    :param compartment_body: for ``change_*_compartment``: the body argument whose
        ``compartmentId`` the resource must be in (then the states are not used).
    :param by_work_request: an action that changes no state (``import_model_artifact``): it has
        taken effect when the resource's newest work request is of its type and still running.
    """

    operation: str
    resource: str
    get_operation: str
    id_arg: str
    state_field: str
    read_args: tuple[str, ...] = ()
    done_states: frozenset[str] = frozenset()
    shared_states: frozenset[str] = frozenset()
    work_request_type: str | None = None
    compartment_body: str | None = None
    by_work_request: bool = False

    def verdict(self, data: Any, args: Mapping[str, Any]) -> Verdict:
        """Judge one read of the resource (its wire JSON) against the call's arguments."""
        if not isinstance(data, Mapping):
            return Verdict.NOT_DONE
        if self.by_work_request:
            return Verdict.DONE_IF_WORK_REQUEST
        if self.compartment_body is not None:
            body = args.get(self.compartment_body)
            target = body.get("compartmentId") if isinstance(body, Mapping) else None
            done = target is not None and data.get("compartmentId") == target
            return Verdict.DONE if done else Verdict.NOT_DONE
        state = data.get(self.state_field)
        if not isinstance(state, str) or state.upper() not in self.done_states:
            return Verdict.NOT_DONE
        if state.upper() in self.shared_states:
            return Verdict.DONE_IF_WORK_REQUEST if self.work_request_type else Verdict.NOT_DONE
        return Verdict.DONE

    def describe(self, data: Mapping[str, Any]) -> str:
        """``model_deployment <ocid> is UPDATING`` (or ``... is in compartment <ocid>``)."""
        what = f"{self.resource} {data.get('id', '')}".rstrip()
        if self.compartment_body is not None:
            return f"{what} is in compartment {data.get('compartmentId')}"
        if self.by_work_request:
            return f"{what} has a running {self.work_request_type} work request"
        return f"{what} is {data.get(self.state_field)}"


def _reading(lifecycle: Any) -> dict[str, Any]:
    """The fields of a :class:`Completion` that say how to read the resource of ``lifecycle``."""
    return {
        "resource": lifecycle.resource,
        "get_operation": lifecycle.get_operation,
        "id_arg": lifecycle.id_param,
        "state_field": lifecycle.state_field,
        "read_args": get_operation(lifecycle.get_operation).path_args,
    }


def _same_target(action_args: tuple[str, ...], read_operation: str) -> bool:
    """Whether the action's path arguments name exactly what the read needs."""
    return set(action_args) == set(get_operation(read_operation).path_args)


def _work_request_types() -> frozenset[str]:
    allowed = get_operation("list_work_requests").query_param_allowed_values.get("operationType", ())
    return frozenset(allowed)


def _state_completion(name: str, action: str, resource: str) -> Completion | None:
    transition = TRANSITIONS.get((resource, action))
    lifecycle = LIFECYCLES.get(resource)
    if lifecycle is None:
        return None
    if transition is None:
        return _vanishing_delete(name, action, lifecycle)
    op = get_operation(name)
    if not _same_target(op.path_args, lifecycle.get_operation):
        return None
    done = {s for s in (transition.transient, transition.settled) if s}
    if action == "update":
        done.discard(transition.settled)  # ACTIVE before and after: says nothing
    shared = {
        t.transient for (r, a), t in TRANSITIONS.items() if r == resource and a != action and t.transient
    } & done
    work_type = RESOURCES[resource].work_request_type(action) if resource in RESOURCES else None
    if not op.returns_work_request or work_type not in _work_request_types():
        work_type = None
        done -= shared  # nothing could tell this action from the others that share the state
    if not done:
        return None
    return Completion(
        operation=name,
        **_reading(lifecycle),
        done_states=frozenset(done),
        shared_states=frozenset(shared),
        work_request_type=work_type,
    )


def _vanishing_delete(name: str, action: str, lifecycle: Any) -> Completion | None:
    """A delete of a kind that is forgotten once deleted (no ``DELETED`` state: ML applications,
    implementations): ``DELETING`` shows it has taken effect (a read after that answers 404,
    which the call flow also takes as success)."""
    if action != "delete" or "DELETING" not in lifecycle.states or "DELETED" in lifecycle.states:
        return None
    if not _same_target(get_operation(name).path_args, lifecycle.get_operation):
        return None
    return Completion(
        operation=name,
        **_reading(lifecycle),
        done_states=frozenset({"DELETING"}),
    )


def _compartment_completion(name: str, resource: str) -> Completion | None:
    lifecycle = LIFECYCLES.get(resource)
    op = get_operation(name)
    if lifecycle is None or op.body_param is None or not _same_target(op.path_args, lifecycle.get_operation):
        return None
    return Completion(
        operation=name,
        **_reading(lifecycle),
        compartment_body=op.body_param,
    )


@cache
def completion_for(operation: str) -> Completion | None:
    """The completion check of ``operation``, or ``None`` when it is not a lifecycle action."""
    if operation not in operations():
        return None
    if operation.startswith("change_") and operation.endswith("_compartment"):
        return _compartment_completion(operation, operation[len("change_") : -len("_compartment")])
    action, _, resource = operation.partition("_")
    if action not in STATE_ACTIONS:
        return _work_request_completion(operation)
    return _state_completion(operation, action, resource)


def _work_request_completion(name: str) -> Completion | None:
    """For an action that starts a work request named after it (``IMPORT_MODEL_ARTIFACT``) on
    the resource its one path argument names, and changes no state."""
    op = get_operation(name)
    work_type = name.upper()
    if name.startswith("create_") or len(op.path_args) != 1:
        return None
    if not op.returns_work_request or work_type not in _work_request_types():
        return None
    lifecycle = next((lc for lc in LIFECYCLES.values() if lc.id_param == op.path_args[0]), None)
    if lifecycle is None:
        return None
    return Completion(
        operation=name,
        **_reading(lifecycle),
        work_request_type=work_type,
        by_work_request=True,
    )


def lifecycle_actions() -> dict[str, Completion]:
    """Every operation of the spec that has a completion check, by name."""
    return {name: c for name in operations() if (c := completion_for(name)) is not None}


def newest(work_requests: list[Any]) -> dict[str, Any] | None:
    """The work request accepted last (``timeAccepted`` is RFC 3339 in one format: sortable)."""
    items = [w for w in work_requests if isinstance(w, Mapping)]
    return max(items, key=lambda w: str(w.get("timeAccepted") or ""), default=None)
