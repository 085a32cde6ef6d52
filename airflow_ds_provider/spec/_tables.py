"""The spec's tables: :class:`Operation` and :class:`Model` built from the two JSON files.

Loaded on the first call of :func:`airflow_ds_provider.spec.operations` or
:func:`~airflow_ds_provider.spec.models` (or the first use of one of these classes), not when
``airflow_ds_provider.spec`` is imported: a DAG file that only constructs operators never parses
the 580 KB of JSON nor builds these dataclasses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any

from airflow_ds_provider.spec._names import snake_case


@dataclass(frozen=True)
class Operation:
    """One API operation, as described in ``operations.json``."""

    name: str
    method: str
    path: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    query_param_allowed_values: dict[str, tuple[str, ...]]
    header_params: tuple[str, ...]
    required_args: tuple[str, ...]
    body_model: str | None
    body_param: str | None
    response_type: str | None
    enforce_content_headers: bool
    sdk_default_retry: bool
    returns_work_request: bool
    response_headers: tuple[str, ...]
    composite_waiter: dict[str, Any] | None = field(default=None, compare=False)
    api_reference_link: str | None = None

    @property
    def is_list(self) -> bool:
        """True for operations that page with ``limit``/``page``."""
        return "page" in self.query_params

    @property
    def streams_body(self) -> bool:
        """True for artifact uploads, whose body is a byte stream."""
        return self.body_model == "stream"

    @property
    def accepts_retry_token(self) -> bool:
        """True when the operation takes an ``opc-retry-token`` header."""
        return "opc-retry-token" in self.header_params

    @cached_property
    def path_args(self) -> tuple[str, ...]:
        """Python argument names of the path parameters (``jobRunId`` -> ``job_run_id``).

        This and :attr:`query_args` / :attr:`header_args` are computed once per operation (every
        request reads them); treat the results as read-only.
        """
        return tuple(snake_case(p) for p in self.path_params)

    @cached_property
    def query_args(self) -> dict[str, str]:
        """Python argument name -> wire query name."""
        return {snake_case(q): q for q in self.query_params}

    @cached_property
    def header_args(self) -> dict[str, str]:
        """Python argument name -> header name, for the headers a caller may set."""
        skip = {"accept", "content-type", "content-length"}
        return {snake_case(h): h for h in self.header_params if h not in skip}

    def render_path(self, values: dict[str, Any]) -> str:
        """Fill the path template; each value is percent-encoded as one path segment."""
        from urllib.parse import quote

        path = self.path
        for wire, arg in zip(self.path_params, self.path_args, strict=True):
            value = values.get(arg)
            if value is None or value == "":
                raise ValueError(f"{self.name}: {arg} is required (a non-empty string)")
            if not isinstance(value, str):
                raise TypeError(f"{self.name}: {arg} must be a string, got {type(value).__name__}")
            path = path.replace("{" + wire + "}", quote(value, safe=""))
        return path


@dataclass(frozen=True)
class ModelField:
    """One field of a wire model."""

    field: str
    wire: str
    type: str
    required: bool
    allowed: tuple[str, ...] | None


@dataclass(frozen=True)
class Model:
    """One wire model of ``models.json``."""

    name: str
    fields: tuple[ModelField, ...]
    polymorphic: dict[str, Any] | None
    fixed_discriminator: tuple[Any, ...]

    def field_by_wire(self) -> dict[str, ModelField]:
        """Wire name -> field."""
        return {f.wire: f for f in self.fields}


def _read(name: str) -> Any:
    return json.loads(resources.files("airflow_ds_provider.spec").joinpath(name).read_text(encoding="utf-8"))


def load_operations() -> dict[str, Operation]:
    """All operations by name, read from ``operations.json``."""
    result: dict[str, Operation] = {}
    for raw in _read("operations.json"):
        result[raw["name"]] = Operation(
            name=raw["name"],
            method=raw["method"].upper(),
            path=raw["path"],
            path_params=tuple(raw["path_params"]),
            query_params=tuple(raw["query_params"]),
            query_param_allowed_values={k: tuple(v) for k, v in raw["query_param_allowed_values"].items()},
            header_params=tuple(raw["header_params"]),
            required_args=tuple(raw["required_args"]),
            body_model=raw["body_model"],
            body_param=raw["body_param"],
            response_type=raw["response_type"],
            enforce_content_headers=bool(raw["enforce_content_headers"]),
            sdk_default_retry=bool(raw["sdk_default_retry"]),
            returns_work_request=bool(raw["returns_work_request"]),
            response_headers=tuple(raw["response_headers"]),
            composite_waiter=raw.get("composite_waiter"),
            api_reference_link=raw.get("api_reference_link"),
        )
    return result


def load_models() -> dict[str, Model]:
    """All wire models by name, read from ``models.json``."""
    result: dict[str, Model] = {}
    for raw in _read("models.json"):
        result[raw["model"]] = Model(
            name=raw["model"],
            fields=tuple(
                ModelField(
                    field=f["field"],
                    wire=f["wire"],
                    type=f["type"],
                    required=bool(f["required"]),
                    allowed=tuple(f["allowed"]) if f.get("allowed") else None,
                )
                for f in raw["fields"]
            ),
            polymorphic=raw.get("polymorphic"),
            fixed_discriminator=tuple(raw.get("fixed_discriminator") or ()),
        )
    return result
