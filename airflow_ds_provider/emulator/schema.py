"""Request-body validation against ``models.json`` (every request model of the API).

A malformed body, a missing required field, an unknown field, a wrong type or a bad enum value
raise :class:`BodyError` naming the field (``jobInfrastructureConfigurationDetails.shapeName``).
Polymorphic models are resolved through their discriminator; a concrete model that
``models.json`` does not describe is checked only for its discriminator. The walk is the one
the operators use too (:func:`airflow_ds_provider.spec.validation.walk`); this module words its
first problem the way the service does.
"""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.emulator.clock import parse_rfc3339
from airflow_ds_provider.spec.validation import Problem, walk

__all__ = ["BodyError", "validate"]


class BodyError(ValueError):
    """A request body does not match its model; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


_TYPE_WORDS = {
    "string": "must be a string",
    "integer": "must be an integer",
    "number": "must be a number",
    "boolean": "must be a boolean",
    "timestamp": "must be an RFC 3339 timestamp",
    "list": "must be a list",
    "object": "must be an object",
}


def validate(model_name: str, value: Any, path: str = "") -> None:
    """Check ``value`` against the model or type ``model_name``.

    :raises BodyError: naming the first bad field.
    """
    for problem in walk(model_name, value, is_timestamp=_is_timestamp).problems:
        message = _message(problem)
        if message is not None:
            sep = "" if problem.path.startswith("[") else "."
            where = f"{path}{sep}{problem.path}" if path and problem.path else path or problem.path
            raise BodyError(where, message)


def _is_timestamp(value: Any) -> bool:
    try:
        parse_rfc3339(value)
    except (ValueError, TypeError):
        return False
    return True


def _message(problem: Problem) -> str | None:
    """The service's wording of one problem; ``None`` for the ones it lets through (an empty
    required string, an enum field holding a non-string, which fails as a type instead)."""
    kind = problem.kind
    if kind == "type":
        return _TYPE_WORDS.get(problem.expected, f"must be a JSON object ({problem.expected})")
    if kind == "unknown":
        return f"is not a field of {problem.model}"
    if kind == "required":
        return "is required"
    if kind == "discriminator" or (kind == "enum" and isinstance(problem.got, str)):
        return f"must be one of {problem.expected}, got {problem.got!r}"
    return None
