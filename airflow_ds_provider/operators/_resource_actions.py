"""What the model, model-deployment and notebook-session operators share.

Building and checking a create body, sending a create with a deterministic retry token, and
the lifecycle-action bases: :class:`LifecycleActionOperator` moves one resource through its
lifecycle safely on retries (read the state first, return if already there, wait out a
transition in flight instead of asking again), :class:`DeleteResourceOperator` and
:class:`ChangeCompartmentOperator`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowFailException, TaskDeferred

from airflow_ds_provider.client.errors import ConflictError
from airflow_ds_provider.lifecycle import get_lifecycle
from airflow_ds_provider.operators.base import (
    DataScienceBaseOperator,
    DataScienceWaitingOperator,
    airflow_identity_tags,
    load_body,
    merge_body,
    require_str,
    retry_token_for,
    validate_body,
)
from airflow_ds_provider.spec import models

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.client.response import Response

_TAGS = {"freeformTags": False, "definedTags": False}
#: Request models the operators send that ``models.json`` lacks: wire field -> required.
EXTRA_MODELS: dict[str, dict[str, bool]] = {
    "UpdateModelDetails": {
        "displayName": False,
        "description": False,
        "customMetadataList": False,
        "definedMetadataList": False,
        "modelVersionSetId": False,
        "versionLabel": False,
        "retentionSetting": False,
        "backupSetting": False,
        **_TAGS,
    },
    "UpdateModelProvenanceDetails": dict.fromkeys(
        ("repositoryUrl", "gitBranch", "gitCommit", "scriptDir", "trainingScript", "trainingId"), False
    ),
    "CreateNotebookSessionDetails": {
        "displayName": False,
        "projectId": True,
        "compartmentId": True,
        "notebookSessionConfigurationDetails": False,
        "notebookSessionConfigDetails": False,
        "notebookSessionRuntimeConfigDetails": False,
        "notebookSessionStorageMountConfigurationDetailsList": False,
        **_TAGS,
    },
    "UpdateNotebookSessionDetails": {
        "displayName": False,
        "notebookSessionConfigurationDetails": False,
        "notebookSessionRuntimeConfigDetails": False,
        "notebookSessionStorageMountConfigurationDetailsList": False,
        **_TAGS,
    },
}


def check_body(model_name: str, body: Any, field: str) -> None:
    """Check a wire-format body against its model, nested models included.

    Known fields, required fields and enum values at every level of ``models.json``
    (polymorphic models resolved through their discriminator); for the request models the
    reference lacks, :data:`EXTRA_MODELS`.

    :param model_name: e.g. ``CreateModelDeploymentDetails``.
    :param body: the body (or a nested value) to check.
    :param field: the operator argument or path it came from, used in error messages.
    :raises ValueError: naming the offending field and what was expected.
    """
    if not isinstance(body, Mapping):
        raise ValueError(f"{field}: expected a JSON object ({model_name}), got {type(body).__name__}")
    extra = EXTRA_MODELS.get(model_name)
    if extra is not None:
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
    **first_class: Any,
) -> dict[str, Any]:
    """Assemble a create body: the rendered wire-format body, first-class keywords over it,
    the connection's compartment as fallback, and the Airflow identity tags; then check it.

    :param operator: the operator (for its connection's default compartment).
    :param value: the rendered body argument (dict, JSON text or None).
    :param field: the body argument's name, for error messages.
    :param model_name: the request model, e.g. ``CreateModelDeploymentDetails``.
    :param first_class: snake_case keyword arguments that win over the body.
    """
    body = merge_body(load_body(value, field), **first_class)
    body["compartmentId"] = operator.default_compartment(body.get("compartmentId"))
    tags = body.get("freeformTags")
    if tags is not None and not isinstance(tags, Mapping):
        raise ValueError(f"freeform_tags: expected a dict of strings, got {type(tags).__name__}")
    body["freeformTags"] = {**airflow_identity_tags(context), **(tags or {})}
    check_body(model_name, body, field)
    return body


def create_resource(
    operator: DataScienceBaseOperator, context: Context, kind: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Send ``create_<kind>`` with a deterministic retry token and publish the new OCID.

    :returns: the created resource's JSON.
    """
    operation = f"create_{kind}"
    response = operator.hook.call(
        operation, **{f"{operation}_details": body}, opc_retry_token=retry_token_for(context)
    )
    data = response.data
    operator.log.info("Created %s %s (%s)", kind, data["id"], data.get("lifecycleState"))
    operator.publish(context, data["id"], work_request_id=response.work_request_id, resource=kind)
    return data


class LifecycleActionOperator(DataScienceWaitingOperator):
    """Base of operators that move one resource through its lifecycle, safe to retry.

    The resource is read first: at the target already, nothing is sent; in a transition
    (``CREATING``/``UPDATING``), the operator waits for it to settle rather than asking again,
    then decides; in a state the action cannot start from, the task fails naming the state.
    A concrete class sets ``resource``, ``action``, ``target_states`` and ``sources`` and has
    an attribute named after the resource's id (``model_deployment_id``...).

    :param if_match: send the request only if the resource's etag still matches.
    """

    #: the API action: ``activate``, ``deactivate``, ``delete`` or ``update``
    action: str = ""
    #: states the action may be requested from
    sources: frozenset[str] = frozenset()

    def __init__(self, *, if_match: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.if_match = if_match

    @property
    def id_field(self) -> str:
        """Name of the argument holding the resource OCID (``model_deployment_id``...)."""
        return get_lifecycle(self._kind(None)).id_param

    def execute(self, context: Context) -> Any:
        resource_id = require_str(getattr(self, self.id_field), self.id_field)
        self.check_inputs()
        data = self.read_resource(resource_id, missing_ok=True)
        return self.proceed(context, resource_id, data)

    def execute_settled(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume after waiting out a transition that was in flight; then request the action."""
        data = self.execute_complete(context, event)
        resource_id = require_str(getattr(self, self.id_field), self.id_field)
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
        self.log.info("Requested %s of %s %s", self.action, kind, resource_id)
        self.publish(context, resource_id, work_request_id=response.work_request_id)
        return self.finish(context, resource_id, response, self.target_states)

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
    """Base of the delete operators: already gone (404 or ``DELETED``) succeeds with a log line;
    ``DELETING`` is waited for, not asked again; a transition in flight is waited out first."""

    action = "delete"
    target_states = frozenset({"DELETED"})
    not_found_ok = True

    def act(self, context: Context, resource_id: str, data: dict[str, Any]) -> Any:
        return self.delete_and_wait(context, resource_id, lambda: self.send(resource_id, data))


class ChangeCompartmentOperator(DataScienceBaseOperator):
    """Base of the change-compartment operators (nothing is sent if already there).

    :param compartment_id: OCID of the compartment to move the resource to (required; the
        connection's default compartment is not used, a move must be explicit).
    """

    def __init__(self, *, compartment_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.compartment_id = compartment_id

    def execute(self, context: Context) -> dict[str, Any]:
        id_field = get_lifecycle(self._kind(None)).id_param
        resource_id = require_str(getattr(self, id_field), id_field)
        target = require_str(self.compartment_id, "compartment_id")
        return self.change_compartment(context, resource_id, target)
