"""What the resource operators share: one create path (:mod:`._create_path`, re-exported here),
one update path, the delete and change-compartment bases.

Building and checking a create body and sending it with a deterministic retry token
(:func:`build_create_body`, :func:`create_resource`); building and sending an update
(:func:`build_update_body`, :class:`UpdateResourceOperator`); and the lifecycle-action bases:
:class:`LifecycleActionOperator` moves one resource through its lifecycle safely on retries
(read the state first, return if already there, wait out a transition in flight instead of
asking again), :class:`DeleteResourceOperator` (every delete) and :class:`ChangeCompartmentOperator`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider._compat import AirflowFailException, TaskDeferred
from airflow_ds_provider.client.errors import ConflictError, NotFoundError
from airflow_ds_provider.lifecycle import get_lifecycle
from airflow_ds_provider.links.console import DataScienceConsoleLink
from airflow_ds_provider.operators._create_path import (
    BodyCheck,
    build_create_body,
    check_body,
    create_resource,
    missing_reference,
)
from airflow_ds_provider.operators.base import (
    DataScienceBaseOperator,
    DataScienceWaitingOperator,
    load_body,
    merge_body,
    require_str,
)
from airflow_ds_provider.resources import get_resource

#: First-class arguments of the update operators (those a resource lacks are left out).
UPDATE_FIELDS = ("display_name", "description", "freeform_tags", "defined_tags")

__all__ = [
    "UPDATE_FIELDS",
    "BodyCheck",
    "ChangeCompartmentOperator",
    "DeleteResourceOperator",
    "LifecycleActionOperator",
    "UpdateResourceOperator",
    "build_create_body",
    "build_update_body",
    "cancel_run_quietly",
    "check_body",
    "create_resource",
    "missing_reference",
    "resource_id_arg",
]

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.client.response import Response


def resource_id_arg(operator: DataScienceBaseOperator) -> str:
    """The rendered resource OCID argument (``model_id``...), checked; errors name the argument."""
    id_field = get_lifecycle(operator._kind(None)).id_param
    return require_str(getattr(operator, id_field), id_field)


def build_update_body(
    operator: DataScienceBaseOperator,
    fields: Sequence[str],
    *,
    check: BodyCheck = check_body,
    empty_hint: str | None = None,
) -> dict[str, Any]:
    """Assemble and check an update body from ``update_<kind>_details`` and first-class arguments.

    :param operator: the operator, with the attributes ``update_<kind>_details`` and ``fields``.
    :param fields: snake_case first-class arguments that win over the body (``display_name``...).
    :param check: the body check, called with ``Update<Kind>Details``.
    :param empty_hint: when given, an empty body fails, naming these alternatives.
    """
    kind = operator._kind(None)
    field = f"update_{kind}_details"
    body = merge_body(load_body(getattr(operator, field), field), **{n: getattr(operator, n) for n in fields})
    if not body and empty_hint:
        raise ValueError(f"{field}: nothing to update; give a body or {empty_hint}")
    check(f"Update{kind.title().replace('_', '')}Details", body, field)
    return body


def cancel_run_quietly(
    operator: DataScienceBaseOperator, kind: str, run_id: str, reason: str, **options: Any
) -> None:
    """Best-effort cancel of a run (``cancel_<kind>``): one that is gone or already finished is
    only logged.

    :param kind: ``job_run`` or ``pipeline_run``.
    :param options: further arguments of the cancel request.
    """
    what = get_resource(kind).display
    try:
        operator.hook.call(f"cancel_{kind}", **{get_lifecycle(kind).id_param: run_id}, **options)
    except NotFoundError:
        operator.log.info("%s %s no longer exists; nothing to cancel", what.capitalize(), run_id)
    except ConflictError as exc:
        operator.log.info(
            "%s %s was not cancelled (%s): %s", what.capitalize(), run_id, exc.code, exc.message
        )
    else:
        operator.log.warning("Cancelling %s %s because %s", what, run_id, reason)


class UpdateResourceOperator(DataScienceBaseOperator):
    """Base of the update operators that return at once (the update is synchronous); returns the
    resource's JSON. A concrete class has the attributes ``<kind>_id`` and ``update_<kind>_details``.

    :param display_name: new name.
    :param description: new description (where the resource has one).
    :param freeform_tags: freeform tags (replace the resource's; the body's are merged under them).
    :param defined_tags: defined tags (as ``freeform_tags``).
    """

    #: first-class arguments laid over the body
    update_fields: tuple[str, ...] = UPDATE_FIELDS
    #: the body check (see :func:`build_update_body`)
    update_check: BodyCheck = staticmethod(check_body)
    #: when set, an empty update fails naming these alternatives
    empty_hint: str | None = None

    def execute(self, context: Context) -> dict[str, Any]:
        resource_id = resource_id_arg(self)
        body = build_update_body(
            self, self.update_fields, check=self.update_check, empty_hint=self.empty_hint
        )
        kind = self._kind(None)
        options = {"if_match": self.if_match} if getattr(self, "if_match", None) is not None else {}
        lifecycle = get_lifecycle(kind)
        data = self.hook.call(
            f"update_{kind}", **{lifecycle.id_param: resource_id, f"update_{kind}_details": body}, **options
        ).data
        self.log.info("Updated %s %s: %s", kind.replace("_", " "), resource_id, sorted(body))
        self.publish(context, resource_id)
        return data


class LifecycleActionOperator(DataScienceWaitingOperator):
    """Base of operators that move one resource through its lifecycle, safe to retry.

    The resource is read first: at the target already, nothing is sent; in a transition
    (``CREATING``/``UPDATING``), the operator waits for it to settle rather than asking again,
    then decides; in a state the action cannot start from, the task fails naming the state.
    A pending state listed in ``under_way`` is the action itself in flight: it is only waited for.
    A concrete class sets ``resource`` and ``action`` and has an attribute named after the
    resource's id (``model_deployment_id``...); ``sources`` and ``target_states`` (the action's
    settled state) are derived from the resource table (:data:`~airflow_ds_provider.resources.RESOURCES`)
    unless the class declares them.

    :param if_match: send the request only if the resource's etag still matches.
    """

    #: the API action: ``activate``, ``deactivate``, ``cancel``, ``delete`` or ``update``
    action: str = ""
    #: states the action may be requested from
    sources: frozenset[str] = frozenset()
    #: pending states meaning this action is already under way: waited for (to its targets),
    #: neither waited out first nor requested again (e.g. a run already ``CANCELING``)
    under_way: frozenset[str] = frozenset()
    #: when true, a pending state among ``sources`` is acted on at once instead of waited out
    #: (a run is cancelled while it runs)
    acts_while_pending: bool = False
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not (cls.resource and cls.action):
            return
        spec = get_resource(cls.resource).actions.get(cls.action)
        if spec is None:
            raise TypeError(
                f"{cls.__name__}: {cls.resource} has no action {cls.action!r} in the resource table"
            )
        if "sources" not in vars(cls):
            cls.sources = spec.sources
        if "target_states" not in vars(cls):
            cls.target_states = frozenset({spec.settled})

    def __init__(self, *, if_match: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.if_match = if_match

    @property
    def id_field(self) -> str:
        """Name of the argument holding the resource OCID (``model_deployment_id``...)."""
        return get_lifecycle(self._kind(None)).id_param

    def execute(self, context: Context) -> Any:
        resource_id = resource_id_arg(self)
        self.check_inputs()
        data = self.read_resource(resource_id, missing_ok=True)
        return self.proceed(context, resource_id, data)

    def execute_settled(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume after waiting out a transition that was in flight; then request the action."""
        data = self.execute_complete(context, event)
        resource_id = resource_id_arg(self)
        return self.proceed(context, resource_id, data)

    def check_inputs(self) -> None:
        """Validate the rendered arguments before any request (subclasses with a body)."""

    def is_done(self, state: str | None) -> bool:
        """True when the resource is already where the action would take it."""
        return state in (self.target_states or ())

    def proceed(
        self, context: Context, resource_id: str, data: dict[str, Any] | None, retried: bool = False
    ) -> Any:
        """Decide from the observed resource what to do: nothing, wait, or send the action."""
        kind = self._kind(None)
        lifecycle = get_lifecycle(kind)
        if data is None:
            if self.not_found_ok:
                self.log.info("%s %s does not exist (any more); nothing to do", kind, resource_id)
                return None
            raise AirflowFailException(f"{self.id_field}: {kind} {resource_id} does not exist")
        state = lifecycle.state_of(data)
        self.publish(context, resource_id)
        if self.is_done(state):
            self.log.info("%s %s is already %s; nothing to do", kind, resource_id, state)
            return data
        if state in self.under_way:
            self.log.info(
                "%s %s is already %s; waiting for the %s to end", kind, resource_id, state, self.action
            )
            return self.finish(context, resource_id, None, self.targets_for(data))
        if state in lifecycle.pending and not (self.acts_while_pending and state in self.sources):
            self.log.info(
                "%s %s is %s; waiting for that transition to end before the %s",
                kind,
                resource_id,
                state,
                self.action,
            )
            return self.proceed(context, resource_id, self._settle(context, resource_id, data))
        if state not in self.sources:
            details = lifecycle.details_of(data)
            raise AirflowFailException(
                f"{self.id_field}: cannot {self.action} {kind} {resource_id} in state {state}"
                f"{f' ({details})' if details else ''}; it must be one of {sorted(self.sources)}"
            )
        try:
            return self.act(context, resource_id, data)
        except ConflictError:
            fresh = self.read_resource(resource_id, missing_ok=self.not_found_ok)
            if retried or (fresh or {}).get("lifecycleState") == state:
                raise
            self.log.info(
                "%s %s changed state while the %s was sent; reading it again", kind, resource_id, self.action
            )
            return self.proceed(context, resource_id, fresh, retried=True)

    def act(self, context: Context, resource_id: str, data: dict[str, Any]) -> Any:
        """Send the action and wait for its target state (per ``wait_for_completion``)."""
        kind = self._kind(None)
        response = self.send(resource_id, data)
        self.log.info("Requested %s of %s %s", self.action, kind.replace("_", " "), resource_id)
        self.publish(context, resource_id, work_request_id=response.work_request_id)
        return self.finish(context, resource_id, response, self.targets_for(data))

    def targets_for(self, data: dict[str, Any]) -> Sequence[str] | frozenset[str] | None:
        """The states the action ends in, given the resource as read before it."""
        return self.target_states

    def send(self, resource_id: str, data: dict[str, Any]) -> Response:
        """The action request itself (``<action>_<resource>``)."""
        kind = self._kind(None)
        return self.hook.call(f"{self.action}_{kind}", **{self.id_field: resource_id}, if_match=self.if_match)

    def finish(
        self,
        context: Context,
        resource_id: str,
        response: Response | None,
        targets: Sequence[str] | frozenset[str] | None,
    ) -> Any:
        """Wait for ``targets`` after the action (``response`` is ``None`` when it was found under
        way); without waiting, return the resource as it is now."""
        initial = response.data if response is not None and isinstance(response.data, dict) else None
        result = self.wait(context, resource_id, target_states=targets, initial=initial)
        if result is None and not self.wait_for_completion:
            result = self.read_resource(resource_id, missing_ok=True)
        return result

    def _settle(self, context: Context, resource_id: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """Wait (always: the action cannot start before) until the resource leaves a transition.

        Deferred, the task resumes in :meth:`execute_settled`, which then requests the action.
        """
        lifecycle = get_lifecycle(self._kind(None))
        settled = sorted(lifecycle.states - lifecycle.pending - {"DELETING"})
        wanted, self.wait_for_completion = self.wait_for_completion, True
        try:
            return self.wait(
                context,
                resource_id,
                target_states=settled,
                failure_states=[],
                not_found_ok=True,
                initial=data,
            )
        except TaskDeferred as deferred:
            deferred.method_name = "execute_settled"
            raise
        finally:
            self.wait_for_completion = wanted


class DeleteResourceOperator(LifecycleActionOperator):
    """The one delete path: already gone (404 or ``DELETED``) succeeds with a log line;
    ``DELETING`` is waited for, not asked again; a 409 from a concurrent change is re-read.

    When the resource table lists the states a delete may start from (``Action.sources``), the
    state is checked first and a transition in flight is waited out (see
    :class:`LifecycleActionOperator`). When it lists none, the delete is sent from any state
    (the service decides). Returns the final JSON (``None`` once it is not found).
    """

    action = "delete"
    not_found_ok = True
    #: only a resource in one of ``sources`` may be deleted: any other state fails at once, not
    #: waited out (a run still going must be cancelled first)
    only_from_sources: bool = False

    def execute(self, context: Context) -> Any:
        if self.sources:
            return super().execute(context)
        resource_id = resource_id_arg(self)
        self.check_inputs()
        return self.delete_and_wait(context, resource_id, lambda: self.send(resource_id, {}))

    def proceed(
        self, context: Context, resource_id: str, data: dict[str, Any] | None, retried: bool = False
    ) -> Any:
        state = None if data is None else data.get("lifecycleState")
        if self.only_from_sources and state is not None and state not in self.sources | self.target_states:
            what = get_resource(self._kind(None)).display
            raise AirflowFailException(
                f"{self.id_field}: {what} {resource_id} is {state}; only a finished run can be deleted, "
                "cancel it first"
            )
        return super().proceed(context, resource_id, data, retried)

    def act(self, context: Context, resource_id: str, data: dict[str, Any]) -> Any:
        return self.delete_and_wait(context, resource_id, lambda: self.send(resource_id, data))

    def delete_options(self) -> dict[str, Any]:
        """Extra arguments of the delete request (e.g. ``delete_related_job_runs``)."""
        return {}

    def send(self, resource_id: str, data: dict[str, Any]) -> Response:
        kind = self._kind(None)
        return self.hook.call(
            f"delete_{kind}", **{self.id_field: resource_id}, if_match=self.if_match, **self.delete_options()
        )


class ChangeCompartmentOperator(DataScienceBaseOperator):
    """Base of the change-compartment operators; returns the resource's JSON (nothing is sent if
    it is already there).

    :param compartment_id: OCID of the compartment to move the resource to (required; the
        connection's default compartment is not used, a move must be explicit).
    """

    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(self, *, compartment_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.compartment_id = compartment_id

    def execute(self, context: Context) -> dict[str, Any]:
        resource_id = resource_id_arg(self)
        target = require_str(self.compartment_id, "compartment_id")
        return self.change_compartment(context, resource_id, target)
