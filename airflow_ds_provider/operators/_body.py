"""Request-body and task-identity helpers of the operators (re-exported by ``operators.base``).

Bodies are dicts in the API's wire format (camelCase); first-class keyword arguments are laid
over them; validation names the operator argument and what was expected.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import string
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.ocids import argument_kinds, is_ocid_argument, validate_ocid
from airflow_ds_provider.spec import camel_case, models, snake_case

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.spec.validation import Node, Report

_RETRY_TOKEN_ALPHABET = string.ascii_uppercase + string.ascii_lowercase + string.digits
_CHUNK = 1024 * 1024


def file_md5_b64(path: str) -> str:
    """Base64 MD5 of a file, read in 1 MiB blocks, never whole (the form of ``content-md5``)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode()


def retry_token_for(context: Context, salt: str = "") -> str:
    """A deterministic ``opc-retry-token`` for this task instance try (30 alphanumerics).

    Derived from dag id, task id, run id, map index and try number, so an HTTP retry of a create
    whose response was lost returns the resource the first attempt made instead of a duplicate.

    :param context: the task context.
    :param salt: distinguishes several creates made by one task.
    """
    ti = context["ti"]
    parts = (ti.dag_id, ti.task_id, ti.run_id, str(ti.map_index), str(ti.try_number), salt)
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return "".join(_RETRY_TOKEN_ALPHABET[b % len(_RETRY_TOKEN_ALPHABET)] for b in digest[:30])


#: Freeform tag values are limited to 256 characters by OCI.
MAX_TAG_VALUE = 256


def tag_value(value: str) -> str:
    """A freeform tag value within OCI's 256-character limit (long ones hashed, stable)."""
    if len(value) <= MAX_TAG_VALUE:
        return value
    suffix = f"...sha256:{hashlib.sha256(value.encode()).hexdigest()}"
    return value[: MAX_TAG_VALUE - len(suffix)] + suffix


def airflow_identity_tags(context: Context) -> dict[str, str]:
    """Freeform tags that tie a resource to the Airflow task instance that made it (no try)."""
    ti = context["ti"]
    return {
        "airflow-dag-id": tag_value(ti.dag_id),
        "airflow-task-id": tag_value(ti.task_id),
        "airflow-run-id": tag_value(ti.run_id),
        "airflow-map-index": str(ti.map_index),
    }


def load_body(value: Any, field: str) -> dict[str, Any]:
    """Turn a rendered body argument (dict, JSON text, or None) into a fresh dict.

    A ``.json`` file named in a templated body field has already been read and rendered by
    Airflow (``template_ext``), so it arrives here as JSON text.

    :raises ValueError: naming ``field`` when the value is not a JSON object.
    """
    if value is None:
        return {}
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"{field}: expected a JSON object (dict or JSON text), got invalid JSON: {exc}"
            ) from None
    if not isinstance(value, Mapping):
        raise ValueError(f"{field}: expected a JSON object (dict), got {type(value).__name__}")
    return copy.deepcopy(dict(value))


def merge_body(body: dict[str, Any], **first_class: Any) -> dict[str, Any]:
    """Lay first-class keyword arguments (snake_case) over a wire-format body; ``None`` is skipped.

    ``freeform_tags`` and ``defined_tags`` are merged with the body's own tags, the keyword's
    entries winning; every other keyword replaces the body's value.
    """
    for name, value in first_class.items():
        if value is None:
            continue
        wire = camel_case(name)
        if name in ("freeform_tags", "defined_tags") and isinstance(body.get(wire), Mapping):
            body[wire] = {**body[wire], **value}
        else:
            body[wire] = value
    return body


def validate_body(model_name: str, body: Mapping[str, Any], field: str) -> None:
    """Check a request body against its wire model: known fields, required fields, enum values,
    and the shape and kind of its top-level OCIDs (:func:`check_body_ocids`); the top level
    only (:func:`airflow_ds_provider.operators._create_path.check_body` goes deeper).

    :raises ValueError: naming the offending field and what was expected.
    """
    check_body_ocids(body, field)
    if model_name not in models():
        return
    from airflow_ds_provider.spec.validation import walk  # on first check, not on import

    report = walk(model_name, body)
    raise_own_problems(report, report.nodes[0], field)


def raise_own_problems(report: Report, node: Node, field: str, *, with_type: bool = True) -> None:
    """Raise the first problem the shared walk found at ``node`` itself, in the operators' words.

    Unknown fields are named all at once; then, field by field, a required field absent or
    empty, or a value outside the allowed ones. Type problems are left to the service.

    :param field: the operator argument (or path in it) naming ``node``.
    :param with_type: name a required field's type (``models.json``'s models do).
    :raises ValueError: ``create_x_details: unknown field(s) [...] for Model; expected some of [...]``,
        ``...: Model.field is required (type)`` or ``...: Model.field must be one of [...], got 'x'``.
    """
    own = report.own(node)
    unknown = [p for p in own if p.kind == "unknown"]
    if unknown:
        names = sorted(str(p.field) for p in unknown)
        raise ValueError(
            f"{field}: unknown field(s) {names} for {unknown[0].model}; expected some of {unknown[0].expected}"
        )
    for problem in own:
        name = f"{problem.model}.{problem.field}"
        if problem.kind in ("required", "empty"):
            raise ValueError(f"{field}: {name} is required" + (f" ({problem.expected})" if with_type else ""))
        allowed = problem.expected
        if problem.kind == "discriminator":  # worded from the base model's own field
            spec = models()[str(problem.model)].field_by_wire().get(str(problem.field))
            allowed = list(spec.allowed) if spec and spec.allowed else None
            if allowed is None or problem.got in allowed:
                continue
        if problem.kind in ("enum", "discriminator"):
            raise ValueError(f"{field}: {name} must be one of {allowed}, got {problem.got!r}")


def validate_fields(body: Mapping[str, Any], allowed: Iterable[str], field: str) -> None:
    """Check a body whose model the reference lacks: only ``allowed`` wire fields, well-formed OCIDs.

    :raises ValueError: naming the unknown fields and the allowed ones.
    """
    check_body_ocids(body, field)
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise ValueError(f"{field}: unknown field(s) {unknown}; expected some of {sorted(allowed)}")


def require_str(value: Any, field: str) -> str:
    """Return ``value`` stripped if it is a non-empty string, else raise naming ``field``.

    An OCID argument (a name ending in ``_id``) is also checked for shape and kind, the kind
    inferred from the name (see :func:`require_ocid`).
    """
    if is_ocid_argument(field):
        return require_ocid(value, field)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field}: expected a non-empty string, got {value!r}")
    return value.strip()


def require_ocid(value: Any, field: str, kinds: Iterable[str] | None = None) -> str:
    """Return the OCID in ``value``, checked for shape (``ocid1.<type>.<realm>.[region].<unique>``) and kind.

    :param field: the argument's name; names the error and, without ``kinds``, gives the kind
        (``project_id`` -> a project, ``compartment_id`` -> a compartment or tenancy).
    :param kinds: resource kinds accepted instead (keys of :data:`airflow_ds_provider.ocids.OCID_TYPES`).
    :raises ValueError: naming ``field`` and the expected OCID kind.
    """
    return validate_ocid(value, field, kinds)


def check_body_ocids(body: Mapping[str, Any], field: str) -> None:
    """Check the top-level OCIDs of a wire body (``projectId``, ``jobId``, ``compartmentId``...).

    Only string values of fields whose name says which kind they hold are checked; a value
    that is not a string is left to :func:`validate_body` and the service.

    :raises ValueError: naming the argument (``project_id (create_job_details.projectId)``, as
        a first-class keyword may have set it) and the expected OCID kind.
    """
    for wire, value in body.items():
        if isinstance(value, str) and value and wire.endswith("Id") and argument_kinds(wire):
            validate_ocid(value, f"{snake_case(wire)} ({field}.{wire})", argument_kinds(wire))
