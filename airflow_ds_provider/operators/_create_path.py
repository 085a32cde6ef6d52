"""The create path of the resource operators: check a body, build it, send it once per task instance.

:func:`check_body` checks a wire-format body against its model (nested models and
discriminators included; the request models the spec lacks from ``spec/extra_models.py``);
:func:`build_create_body` assembles a create body; :func:`create_resource` creates one resource
for a task instance (or adopts the one an earlier try made); :func:`missing_reference` words a
create answered 404.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.client.errors import NotFoundError
from airflow_ds_provider.lifecycle import LIFECYCLES, get_lifecycle
from airflow_ds_provider.ocids import kind_of
from airflow_ds_provider.operators._adoption import Adopter, creation_tags
from airflow_ds_provider.operators._body import check_body_ocids, raise_own_problems
from airflow_ds_provider.operators.base import (
    DataScienceBaseOperator,
    load_body,
    merge_body,
    retry_token_for,
)
from airflow_ds_provider.spec import get_operation, models, snake_case

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.spec.validation import Node, Report

#: A body check: ``(model_name, body, field)``, raising ``ValueError`` naming the field.
BodyCheck = Callable[[str, Any, str], None]


def check_body(model_name: str, body: Any, field: str) -> None:
    """Check a wire-format body against its model, nested models included.

    Known fields, required fields and enum values at every level of ``models.json``
    (polymorphic models resolved through their discriminator; fields and list items of its
    models, not dict values). The walk is the shared one
    (:func:`airflow_ds_provider.spec.validation.walk`); the first problem, object by object
    (each one's own, then the ones inside it), is raised in the operators' words.

    :param model_name: e.g. ``CreateModelDeploymentDetails``.
    :param body: the body (or a nested value) to check.
    :param field: the operator argument or path it came from, used in error messages.
    :raises ValueError: naming the offending field and what was expected.
    """
    if not isinstance(body, Mapping):
        raise ValueError(f"{field}: expected a JSON object ({model_name}), got {type(body).__name__}")
    if model_name not in models():
        return
    from airflow_ds_provider.spec.validation import walk  # on first check, not on import

    report = walk(model_name, body)
    for node in _checked_nodes(report):
        where = f"{field}{'' if node.path.startswith('[') else '.'}{node.path}" if node.path else field
        if node.type.startswith("list["):
            if report.own(node):
                raise ValueError(f"{where}: expected a list of {node.type[5:-1]}")
            continue
        if not isinstance(node.value, Mapping):
            raise ValueError(
                f"{where}: expected a JSON object ({node.type}), got {type(node.value).__name__}"
            )
        base = models()[node.type]
        if node.model != node.type or not base.polymorphic or base.fixed_discriminator:
            check_body_ocids(node.value, where)  # (an unresolved discriminator's object: only that)
        raise_own_problems(report, node, where)


def _checked_nodes(report: Report) -> list[Node]:
    """The walk's nodes the operators check: the body, and the ``models.json`` models (and lists
    of them) in the fields and list items of checked ``models.json`` models."""
    checked: dict[str, Node] = {}
    for node in report.nodes:
        parent = checked.get(node.parent) if node.parent is not None else None
        inner = node.type[5:-1] if node.type.startswith("list[") else node.type
        if (
            node.via == "root"
            or (node.via == "item" and parent is not None)
            or (node.via == "field" and parent is not None and parent.model in models() and inner in models())
        ):
            checked[node.path] = node
    return list(checked.values())


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
    body_param = (
        get_operation(operation).body_param or f"{operation}_details"
    )  # create_base_model_group_details
    try:
        response = operator.hook.call(
            operation, **{body_param: body}, opc_retry_token=retry_token_for(context, salt)
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
