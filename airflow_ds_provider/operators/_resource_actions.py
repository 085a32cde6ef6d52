"""What the resource operators share: one create path, one update path, the delete and
change-compartment bases.

Building and checking a create body and sending it with a deterministic retry token
(:func:`build_create_body`, :func:`create_resource`); building and sending an update
(:func:`build_update_body`, :class:`UpdateResourceOperator`); and the lifecycle-action bases:
:class:`LifecycleActionOperator` moves one resource through its lifecycle safely on retries
(read the state first, return if already there, wait out a transition in flight instead of
asking again), :class:`DeleteResourceOperator` (every delete) and :class:`ChangeCompartmentOperator`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowFailException, TaskDeferred

from airflow_ds_provider.client.errors import ConflictError, NotFoundError
from airflow_ds_provider.lifecycle import LIFECYCLES, get_lifecycle
from airflow_ds_provider.links.console import DataScienceConsoleLink
from airflow_ds_provider.ocids import kind_of
from airflow_ds_provider.operators._adoption import Adopter, creation_tags
from airflow_ds_provider.operators._body import check_body_ocids
from airflow_ds_provider.operators.base import (
    DataScienceBaseOperator,
    DataScienceWaitingOperator,
    load_body,
    merge_body,
    require_str,
    retry_token_for,
    validate_body,
)
from airflow_ds_provider.resources import get_resource
from airflow_ds_provider.spec import models, snake_case
from airflow_ds_provider.spec.extra_models import EXTRA_MODELS, field_names

#: A body check: ``(model_name, body, field)``, raising ``ValueError`` naming the field.
BodyCheck = Callable[[str, Any, str], None]
#: First-class arguments of the update operators (those a resource lacks are left out).
UPDATE_FIELDS = ("display_name", "description", "freeform_tags", "defined_tags")

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.client.response import Response


def check_body(model_name: str, body: Any, field: str) -> None:
    """Check a wire-format body against its model, nested models included.

    Known fields, required fields and enum values at every level of ``models.json``
    (polymorphic models resolved through their discriminator); for the request models the
    reference lacks, their field names and required fields from
    :data:`airflow_ds_provider.spec.extra_models.EXTRA_MODELS` (the emulator's table too).

    :param model_name: e.g. ``CreateModelDeploymentDetails``.
    :param body: the body (or a nested value) to check.
    :param field: the operator argument or path it came from, used in error messages.
    :raises ValueError: naming the offending field and what was expected.
    """
    if not isinstance(body, Mapping):
        raise ValueError(f"{field}: expected a JSON object ({model_name}), got {type(body).__name__}")
    if model_name in EXTRA_MODELS:
        extra = field_names(model_name)
        check_body_ocids(body, field)
        unknown = sorted(set(body) - set(extra))
        if unknown:
            raise ValueError(
                f"{field}: unknown field(s) {unknown} for {model_name}; expected some of {sorted(extra)}"
            )
        for wire, required in extra.items():
            if required and body.get(wire) in (None, ""):
                raise ValueError(f"{field}: {model_name}.{wire} is required")
        return
    model = models().get(model_name)
    if model is None:
        return
    if model.polymorphic and not model.fixed_discriminator:
        disc = model.polymorphic["discriminator"]
        concrete = model.polymorphic["mapping"].get(body.get(disc))
        if concrete not in models():
            validate_body(model_name, {disc: body.get(disc)}, field)  # the discriminator only
            return
        model_name, model = concrete, models()[concrete]
    validate_body(model_name, body, field)
    for spec in model.fields:
        value = body.get(spec.wire)
        if value is None:
            continue
        inner = spec.type[5:-1] if spec.type.startswith("list[") else spec.type
        if inner not in models():
            continue
        if spec.type.startswith("list["):
            if not isinstance(value, list):
                raise ValueError(f"{field}.{spec.wire}: expected a list of {inner}")
            for index, item in enumerate(value):
                check_body(inner, item, f"{field}.{spec.wire}[{index}]")
        else:
            check_body(inner, value, f"{field}.{spec.wire}")


def build_create_body(
    operator: DataScienceBaseOperator,
    context: Context,
    value: Any,
    field: str,
    model_name: str,
    *,
    check: BodyCheck = check_body,
    **first_class: Any,
) -> dict[str, Any]:
    """Assemble a create body: the rendered wire-format body, first-class keywords over it,
    the connection's compartment as fallback, and the task instance's identity tags (which win
    over the body's own, so a later try can find what this one made); then check it.

    :param operator: the operator (for its connection's default compartment).
    :param value: the rendered body argument (dict, JSON text or None).
    :param field: the body argument's name, for error messages.
    :param model_name: the request model, e.g. ``CreateModelDeploymentDetails``.
    :param check: the body check (default :func:`check_body`, nested models included).
    :param first_class: snake_case keyword arguments that win over the body.
    """
    body = merge_body(load_body(value, field), **first_class)
    body["compartmentId"] = operator.default_compartment(body.get("compartmentId"))
    tags = body.get("freeformTags")
    if tags is not None and not isinstance(tags, Mapping):
        raise ValueError(f"freeform_tags: expected a dict of strings, got {type(tags).__name__}")
    body["freeformTags"] = {**(tags or {}), **creation_tags(context)}
    check(model_name, body, field)
    return body


def create_resource(
    operator: DataScienceBaseOperator,
    context: Context,
    kind: str,
    body: dict[str, Any],
    *,
    adopt: bool = True,
    salt: str = "",
) -> dict[str, Any]:
    """Create one ``kind`` resource for this task instance, or adopt the one an earlier try made.

    On a later try the resource an earlier try created (found in ``task_state_store``, else by
    its identity tags) is returned instead of a new one, per :mod:`._adoption`'s rules. A new
    create carries a deterministic retry token, and its OCID is recorded in
    ``task_state_store`` before anything else can fail the try. A 404 names the referenced OCID
    that does not exist.

    :param adopt: look for an earlier try's resource first (``False``: always create).
    :param salt: distinguishes several creates of one kind made by one task.
    :returns: the created (or adopted) resource's JSON.
    """
    adopter = Adopter(operator, context, kind, salt)
    data = adopter.find(body) if adopt else None
    if data is not None:
        operator.publish(context, data["id"], resource=kind)
        return data
    operation = f"create_{kind}"
    try:
        response = operator.hook.call(
            operation, **{f"{operation}_details": body}, opc_retry_token=retry_token_for(context, salt)
        )
    except NotFoundError as exc:
        raise missing_reference(operator, operation, body, exc) from None
    data = response.data
    adopter.record(data["id"])
    operator.log.info(
        "Created %s %s (%s), %s", kind, data["id"], data.get("displayName"), data.get("lifecycleState")
    )
    operator.publish(context, data["id"], work_request_id=response.work_request_id, resource=kind)
    return data


def missing_reference(
    operator: DataScienceBaseOperator, operation: str, body: Mapping[str, Any], exc: NotFoundError
) -> AirflowFailException:
    """The error for a create answered 404: names the referenced OCID argument that is missing.

    Each top-level ``...Id`` field of the body naming a Data Science resource is read once; the
    first one that is not found is named (``job_id: job ocid1... does not exist``).
    """
    checked: list[str] = []
    for wire, value in _referenced_ocids(body):
        kind = kind_of(value)
        if kind not in LIFECYCLES or kind == "work_request":
            continue
        lifecycle = get_lifecycle(kind)
        arg = snake_case(wire)
        checked.append(arg)
        try:
            operator.hook.call(lifecycle.get_operation, **{lifecycle.id_param: value})
        except NotFoundError:
            return AirflowFailException(
                f"{arg}: {kind.replace('_', ' ')} {value} does not exist or is not visible to this "
                f"connection ({operation} answered {exc.status} {exc.code})"
            )
    named = ", ".join(checked) or "the OCIDs in the request body"
    return AirflowFailException(f"{operation} answered {exc.status} {exc.code}: {exc.message}; check {named}")


def _referenced_ocids(value: Any) -> list[tuple[str, str]]:
    """``(wire name, OCID)`` of every ``...Id`` string field of a body, nested ones included."""
    found: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(item, str) and str(key).endswith("Id"):
                found.append((str(key), item))
            else:
                found.extend(_referenced_ocids(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_referenced_ocids(item))
    return found


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
    A concrete class sets ``resource`` and ``action`` and has an attribute named after the
    resource's id (``model_deployment_id``...); ``sources`` and ``target_states`` (the action's
    settled state) are derived from the resource table (:data:`~airflow_ds_provider.resources.RESOURCES`)
    unless the class declares them.

    :param if_match: send the request only if the resource's etag still matches.
    """

    #: the API action: ``activate``, ``deactivate``, ``delete`` or ``update``
    action: str = ""
    #: states the action may be requested from
    sources: frozenset[str] = frozenset()
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
        if state in lifecycle.pending:
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
        response: Response,
        targets: Sequence[str] | frozenset[str] | None,
    ) -> Any:
        """Wait for ``targets`` after the action; without waiting, return the resource as it is now."""
        initial = response.data if isinstance(response.data, dict) else None
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

    def execute(self, context: Context) -> Any:
        if self.sources:
            return super().execute(context)
        resource_id = resource_id_arg(self)
        self.check_inputs()
        return self.delete_and_wait(context, resource_id, lambda: self.send(resource_id, {}))

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
