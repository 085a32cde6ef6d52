"""The shape of a resource-table entry: :class:`Resource` and its :class:`Action` values.

The entries themselves live in :mod:`airflow_ds_provider.kinds` (one module per area) and are
gathered into :data:`airflow_ds_provider.resources.RESOURCES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

#: How a failure of a resource is explained: its ``lifecycleDetails``, or the entries of
#: ``list_work_request_errors`` (work requests have no details field).
EXPLAIN_DETAILS = "details"
EXPLAIN_WORK_REQUEST_ERRORS = "work_request_errors"


def fs(*states: str) -> frozenset[str]:
    """A frozenset of states (shorthand for the tables)."""
    return frozenset(states)


@dataclass(frozen=True)
class Action:
    """One action on a resource (``create``, ``activate``, ``delete``...).

    :param transient: the state the resource enters at once (``None``: it settles at once).
    :param settled: the state it settles in by default.
    :param failed: the state a failed action ends in by default (``None``: ``FAILED``).
    :param sources: states the action may be requested from (empty: the operators do not
        check; the service decides).
    :param outcomes: final states an emulator script may choose for the action (empty: not
        scriptable).
    """

    transient: str | None
    settled: str
    failed: str | None = None
    sources: frozenset[str] = frozenset()
    outcomes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Resource:
    """Every fact about one resource kind (see the module docstring).

    :param name: snake_case kind, e.g. ``job_run``; operations are ``get_<name>``,
        ``create_<name>``..., the id argument ``<name>_id``, the modules ``<name>s.py``.
    :param ocid_type: the type segment of its OCIDs (``datasciencejobrun``).
    :param collection: the REST collection (``jobRuns``).
    :param states: every state the API documents.
    :param pending: states from which it still moves on by itself.
    :param success: states that end a default wait successfully.
    :param failure: states that end a default wait with a failure.
    :param final: states it never leaves again except by being deleted.
    :param actions: its actions by name.
    :param state_field: wire field holding the state.
    :param details_field: wire field with a human readable reason, if any.
    :param explain: how a failure is explained (:data:`EXPLAIN_DETAILS` or
        :data:`EXPLAIN_WORK_REQUEST_ERRORS`).
    :param waitable: Airflow waits on it: it has a sensor and a trigger.
    :param console: ``(console path segment, link name)`` of its OCI Console page, if it has one.
    :param log_source: the kind of log it writes to OCI Logging (``job_run``), if any.
    :param operators: it has an operator module (``operators/<name>s.py``).
    :param display: its name in messages (``model deployment``).
    :param id_arg: the argument holding its OCID when it is not ``<name>_id`` (a nested resource:
        ``artifact_signature_id`` of ``get_model_artifact_signature(model_id, ...)``).
    :param parent: the kind whose OCID the path also needs (``model`` for an artifact signature).
    :param work_request_kind: the resource's part of its work requests' ``operationType`` when it
        is not its upper-cased name (``PRIVATE_ENDPOINT`` in ``PRIVATE_ENDPOINT_CREATE``).
    :param short: the name its Airflow modules and classes use when ``name`` is clumsy
        (``private_endpoint``: ``sensors/private_endpoints.py``, ``DataSciencePrivateEndpointSensor``).
    """

    name: str
    ocid_type: str
    collection: str
    states: frozenset[str]
    pending: frozenset[str]
    success: frozenset[str]
    failure: frozenset[str]
    final: frozenset[str] = fs("DELETED")
    actions: Mapping[str, Action] = field(default_factory=dict)
    state_field: str = "lifecycleState"
    details_field: str | None = "lifecycleDetails"
    explain: str = EXPLAIN_DETAILS
    waitable: bool = False
    console: tuple[str, str] | None = None
    log_source: str | None = None
    operators: bool = True
    display: str = ""
    id_arg: str | None = None
    parent: str | None = None
    work_request_kind: str | None = None
    short: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "actions", MappingProxyType(dict(self.actions)))
        if not self.display:
            object.__setattr__(self, "display", self.name.replace("_", " "))
        for label, subset in (
            ("pending", self.pending),
            ("success", self.success),
            ("failure", self.failure),
        ):
            if not subset <= self.states:
                raise ValueError(f"{self.name}: {label} states {sorted(subset - self.states)} are not states")
        for action, spec in self.actions.items():
            used = {spec.settled, *spec.sources, *spec.outcomes}
            used |= {state for state in (spec.transient, spec.failed) if state}
            if not used <= self.states:
                raise ValueError(f"{self.name}.{action}: states {sorted(used - self.states)} are not states")

    @property
    def get_operation(self) -> str:
        """The operation that reads one resource (``get_job_run``)."""
        return f"get_{self.name}"

    @property
    def id_param(self) -> str:
        """The argument holding its OCID (``job_run_id``)."""
        return self.id_arg or f"{self.name}_id"

    @property
    def module(self) -> str:
        """The module name of its operators, sensors and triggers (``job_runs``)."""
        return f"{self.short or self.name}s"

    @property
    def class_part(self) -> str:
        """Its name in the service's own terms (``JobRun``; work-request entity types)."""
        return self.name.title().replace("_", "")

    @property
    def class_stem(self) -> str:
        """Its part of Airflow class names (``JobRun`` in ``DataScienceJobRunSensor``)."""
        return (self.short or self.name).title().replace("_", "")

    def work_request_type(self, action: str) -> str:
        """The ``operationType`` of the work request an action starts (``MODEL_DEPLOYMENT_CREATE``;
        a compartment change is a ``..._MOVE``)."""
        verb = "MOVE" if action == "change_compartment" else action.upper()
        return f"{self.work_request_kind or self.name.upper()}_{verb}"

    @cached_property
    def work_request_operations(self) -> frozenset[str]:
        """Its operations that return a work request (``opc-work-request-id``), from the spec."""
        from airflow_ds_provider.spec import operations

        suffixes = (f"_{self.name}", f"_{self.name}_compartment")
        return frozenset(
            name
            for name, op in operations().items()
            if op.returns_work_request and name.endswith(suffixes) and not name.startswith(("get_", "list_"))
        )


#: The plain delete: DELETING, then DELETED.
DELETE = Action("DELETING", "DELETED")
