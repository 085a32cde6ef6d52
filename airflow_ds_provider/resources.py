"""The resource table: every fact about an OCI Data Science resource kind, declared once.

A :class:`Resource` holds a kind's name, OCID type, REST collection, lifecycle (every state, and
which are pending, success, failure and final), its actions (the states each may be requested
from, the transient state it enters and where it settles, the outcomes a script may choose), how
its failures are explained, whether Airflow waits on it (sensor and trigger), its console page
and its log source. Everything else is derived from :data:`RESOURCES`: the wait tables
(:mod:`airflow_ds_provider.lifecycle`), OCID validation (:mod:`airflow_ds_provider.ocids`),
console links, the provider-info module lists, the sensor and trigger registration, the
emulator's routing, transitions and scripting, and the tests' parametrization. Which operations
return a work request is read from the API spec (``spec/operations.json``).

Adding a resource is one entry here plus its spec entries (see docs/DESIGN.md, "Adding a
resource").
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


def _fs(*states: str) -> frozenset[str]:
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
    """

    name: str
    ocid_type: str
    collection: str
    states: frozenset[str]
    pending: frozenset[str]
    success: frozenset[str]
    failure: frozenset[str]
    final: frozenset[str] = _fs("DELETED")
    actions: Mapping[str, Action] = field(default_factory=dict)
    state_field: str = "lifecycleState"
    details_field: str | None = "lifecycleDetails"
    explain: str = EXPLAIN_DETAILS
    waitable: bool = False
    console: tuple[str, str] | None = None
    log_source: str | None = None
    operators: bool = True
    display: str = ""

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
        return f"{self.name}_id"

    @property
    def module(self) -> str:
        """The module name of its operators, sensors and triggers (``job_runs``)."""
        return f"{self.name}s"

    @property
    def class_part(self) -> str:
        """Its part of class names (``JobRun`` in ``DataScienceJobRunSensor``)."""
        return self.name.title().replace("_", "")

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


_DELETE = Action("DELETING", "DELETED")

RESOURCES: Mapping[str, Resource] = MappingProxyType(
    {
        resource.name: resource
        for resource in (
            Resource(
                name="project",
                ocid_type="datascienceproject",
                collection="projects",
                states=_fs("ACTIVE", "DELETING", "DELETED"),
                pending=_fs("DELETING"),
                success=_fs("ACTIVE"),
                failure=_fs("DELETED"),
                details_field=None,
                actions={"create": Action(None, "ACTIVE"), "delete": _DELETE},
                console=("projects", "OCI Data Science Project"),
            ),
            Resource(
                name="job",
                ocid_type="datasciencejob",
                collection="jobs",
                states=_fs("CREATING", "ACTIVE", "DELETING", "FAILED", "DELETED"),
                pending=_fs("CREATING", "DELETING"),
                success=_fs("ACTIVE"),
                failure=_fs("FAILED", "DELETED"),
                final=_fs("FAILED", "DELETED"),
                actions={"create": Action("CREATING", "ACTIVE"), "delete": _DELETE},
                console=("jobs", "OCI Data Science Job"),
            ),
            Resource(
                name="job_run",
                ocid_type="datasciencejobrun",
                collection="jobRuns",
                states=_fs(
                    "ACCEPTED",
                    "IN_PROGRESS",
                    "FAILED",
                    "SUCCEEDED",
                    "CANCELING",
                    "CANCELED",
                    "DELETED",
                    "NEEDS_ATTENTION",
                ),
                pending=_fs("ACCEPTED", "IN_PROGRESS", "CANCELING"),
                success=_fs("SUCCEEDED"),
                failure=_fs("FAILED", "CANCELED", "DELETED", "NEEDS_ATTENTION"),
                final=_fs("SUCCEEDED", "FAILED", "CANCELED", "DELETED"),
                actions={
                    "create": Action(
                        "ACCEPTED",
                        "SUCCEEDED",
                        outcomes=_fs("SUCCEEDED", "FAILED", "NEEDS_ATTENTION", "CANCELED"),
                    ),
                    "start": Action("IN_PROGRESS", "SUCCEEDED"),
                    # OCI docs: a run may be cancelled while ACCEPTED, IN_PROGRESS or NEEDS_ATTENTION.
                    "cancel": Action(
                        "CANCELING", "CANCELED", sources=_fs("ACCEPTED", "IN_PROGRESS", "NEEDS_ATTENTION")
                    ),
                    # only a finished run may be deleted (a running one is cancelled first)
                    "delete": Action(None, "DELETED", sources=_fs("SUCCEEDED", "FAILED", "CANCELED")),
                },
                waitable=True,
                console=("job-runs", "OCI Data Science Job Run"),
                log_source="job_run",
            ),
            Resource(
                name="model",
                ocid_type="datasciencemodel",
                collection="models",
                states=_fs("ACTIVE", "DELETED", "FAILED", "INACTIVE"),
                pending=_fs(),
                success=_fs("ACTIVE"),
                failure=_fs("FAILED", "DELETED"),
                actions={
                    "create": Action(None, "ACTIVE"),
                    "activate": Action(None, "ACTIVE", sources=_fs("INACTIVE")),
                    "deactivate": Action(None, "INACTIVE", sources=_fs("ACTIVE")),
                    "delete": Action(None, "DELETED", sources=_fs("ACTIVE", "INACTIVE", "FAILED")),
                },
                console=("models", "OCI Data Science Model"),
            ),
            Resource(
                name="model_deployment",
                ocid_type="datasciencemodeldeployment",
                collection="modelDeployments",
                states=_fs(
                    "CREATING",
                    "ACTIVE",
                    "DELETING",
                    "FAILED",
                    "INACTIVE",
                    "UPDATING",
                    "DELETED",
                    "NEEDS_ATTENTION",
                ),
                pending=_fs("CREATING", "UPDATING", "DELETING"),
                success=_fs("ACTIVE"),
                failure=_fs("FAILED", "DELETED", "NEEDS_ATTENTION"),
                actions={
                    "create": Action(
                        "CREATING", "ACTIVE", outcomes=_fs("ACTIVE", "FAILED", "NEEDS_ATTENTION", "INACTIVE")
                    ),
                    "update": Action(
                        "UPDATING",
                        "ACTIVE",
                        failed="NEEDS_ATTENTION",
                        sources=_fs("ACTIVE", "INACTIVE", "NEEDS_ATTENTION"),
                        outcomes=_fs("ACTIVE", "INACTIVE", "FAILED", "NEEDS_ATTENTION"),
                    ),
                    "activate": Action(
                        "UPDATING",
                        "ACTIVE",
                        sources=_fs("INACTIVE"),
                        outcomes=_fs("ACTIVE", "FAILED", "NEEDS_ATTENTION"),
                    ),
                    "deactivate": Action(
                        "UPDATING",
                        "INACTIVE",
                        failed="NEEDS_ATTENTION",
                        sources=_fs("ACTIVE", "NEEDS_ATTENTION"),
                        outcomes=_fs("INACTIVE", "FAILED", "NEEDS_ATTENTION"),
                    ),
                    "delete": Action(
                        "DELETING",
                        "DELETED",
                        sources=_fs("ACTIVE", "INACTIVE", "FAILED", "NEEDS_ATTENTION", "DELETING"),
                    ),
                },
                waitable=True,
                console=("model-deployments", "OCI Data Science Model Deployment"),
            ),
            Resource(
                name="notebook_session",
                ocid_type="datasciencenotebooksession",
                collection="notebookSessions",
                states=_fs("CREATING", "ACTIVE", "DELETING", "DELETED", "FAILED", "INACTIVE", "UPDATING"),
                pending=_fs("CREATING", "UPDATING", "DELETING"),
                success=_fs("ACTIVE"),
                failure=_fs("FAILED", "DELETED"),
                actions={
                    "create": Action("CREATING", "ACTIVE", outcomes=_fs("ACTIVE", "FAILED")),
                    "update": Action("UPDATING", "ACTIVE"),
                    "activate": Action(
                        "UPDATING", "ACTIVE", sources=_fs("INACTIVE"), outcomes=_fs("ACTIVE", "FAILED")
                    ),
                    "deactivate": Action(
                        "UPDATING", "INACTIVE", sources=_fs("ACTIVE"), outcomes=_fs("INACTIVE", "FAILED")
                    ),
                    "delete": Action(
                        "DELETING", "DELETED", sources=_fs("ACTIVE", "INACTIVE", "FAILED", "DELETING")
                    ),
                },
                waitable=True,
                console=("notebook-sessions", "OCI Data Science Notebook Session"),
            ),
            Resource(
                name="work_request",
                ocid_type="datascienceworkrequest",
                collection="workRequests",
                states=_fs("ACCEPTED", "IN_PROGRESS", "FAILED", "SUCCEEDED", "CANCELING", "CANCELED"),
                pending=_fs("ACCEPTED", "IN_PROGRESS", "CANCELING"),
                success=_fs("SUCCEEDED"),
                failure=_fs("FAILED", "CANCELED"),
                final=_fs("SUCCEEDED", "FAILED", "CANCELED"),
                actions={
                    "run": Action("IN_PROGRESS", "SUCCEEDED"),
                    "cancel": Action("CANCELING", "CANCELED"),
                },
                state_field="status",
                details_field=None,
                explain=EXPLAIN_WORK_REQUEST_ERRORS,
                waitable=True,
            ),
        )
    }
)


def get_resource(name: str) -> Resource:
    """The resource kind ``name`` (e.g. ``"job_run"``).

    :raises ValueError: naming the known kinds.
    """
    try:
        return RESOURCES[name]
    except KeyError:
        raise ValueError(f"unknown resource {name!r}; expected one of {sorted(RESOURCES)}") from None


def waitable() -> list[Resource]:
    """The kinds Airflow waits on (each has a sensor and a trigger module)."""
    return [r for r in RESOURCES.values() if r.waitable]


def with_operators() -> list[Resource]:
    """The kinds with an operator module."""
    return [r for r in RESOURCES.values() if r.operators]
