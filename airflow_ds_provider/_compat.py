"""The one place that knows which Airflow 3.x is running: every moving part, feature-detected.

The provider supports Airflow 3.0 to 3.3. What moved or appeared between them is imported here
(try-import / ``hasattr``, never a version string) and everything else in the package imports it
from here. The ``HAS_*`` flags say which optional features the running Airflow has; the
guarantee they back, and what happens without them, is the table in ``docs/COMPATIBILITY.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from types import ModuleType
from typing import Any, TypeVar

T = TypeVar("T")

# --- exceptions: airflow.sdk.exceptions (3.2+), airflow.exceptions before -----------------------
try:
    from airflow.sdk.exceptions import (
        AirflowException,
        AirflowFailException,
        AirflowNotFoundException,
        AirflowSensorTimeout,
        AirflowSkipException,
        TaskDeferred,
    )
except ImportError:  # Airflow 3.0, 3.1
    from airflow.exceptions import (  # type: ignore[no-redef]
        AirflowException,
        AirflowFailException,
        AirflowNotFoundException,
        AirflowSensorTimeout,
        AirflowSkipException,
        TaskDeferred,
    )

# --- configuration: airflow.sdk.conf (3.2+) -------------------------------------------------------
try:
    from airflow.sdk import conf
except ImportError:  # Airflow 3.0, 3.1
    from airflow.configuration import conf  # type: ignore[no-redef]

# --- hooks: airflow.sdk.BaseHook (3.1+) -----------------------------------------------------------
try:
    from airflow.sdk import BaseHook
except ImportError:  # Airflow 3.0
    from airflow.hooks.base import BaseHook  # type: ignore[no-redef,attr-defined]

# --- secrets masking: airflow.sdk.log (3.1+), the SDK's masker module before --------------------
# Loaded on first use: a DAG file that imports an operator does not need the masker.


@cache
def secrets_masker() -> ModuleType:
    """Airflow's secrets-masker module (``airflow.sdk._shared`` in 3.1+, ``execution_time`` in 3.0)."""
    try:
        from airflow.sdk._shared import secrets_masker as masker
    except ImportError:  # Airflow 3.0
        from airflow.sdk.execution_time import secrets_masker as masker  # type: ignore[no-redef]
    return masker


def mask_secret(secret: Any, name: str | None = None) -> None:
    """Register ``secret`` with Airflow's masker (and the task supervisor's): ``airflow.sdk.log.mask_secret``."""
    try:
        from airflow.sdk.log import mask_secret as mask
    except ImportError:  # pragma: no cover - Airflow without airflow.sdk.log
        mask = secrets_masker().mask_secret
    mask(secret, name)


def redact(value: Any, name: str | None = None) -> Any:
    """``value`` with every secret Airflow knows about masked: ``airflow.sdk.log.redact`` (3.1+)."""
    try:
        from airflow.sdk.log import redact as mask
    except ImportError:  # Airflow 3.0
        mask = secrets_masker().redact
    return mask(value, name)


def should_hide_value_for_key(name: str) -> bool:
    """True when Airflow masks the values of keys named ``name`` (``[core] sensitive_var_conn_names``)."""
    return bool(secrets_masker().should_hide_value_for_key(name))


def import_string(path: str) -> Any:
    """Import a dotted ``module.attribute`` path (Airflow's own helper, wherever it lives)."""
    try:
        from airflow.sdk.module_loading import import_string as load
    except ImportError:  # Airflow 3.0 - 3.2
        from airflow.utils.module_loading import import_string as load  # type: ignore[no-redef]
    return load(path)


# --- retry policies (3.3): ``retry_policy=`` on operators -----------------------------------------
try:
    from airflow.sdk import ExceptionRetryPolicy, RetryAction, RetryRule
except ImportError:  # Airflow 3.0 - 3.2: the operators raise AirflowFailException themselves
    ExceptionRetryPolicy = RetryAction = RetryRule = None  # type: ignore[assignment,misc]

#: ``BaseOperator(retry_policy=...)`` exists (Airflow 3.3+).
HAS_RETRY_POLICY: bool = ExceptionRetryPolicy is not None


@cache
def has_trigger_on_kill() -> bool:
    """The triggerer calls ``BaseTrigger.on_kill()`` when a user kills a deferred task (3.3+)."""
    from airflow.triggers.base import BaseTrigger

    return callable(getattr(BaseTrigger, "on_kill", None))


@cache
def has_task_state_store() -> bool:
    """The task context carries ``task_state_store`` (3.3+); without it adoption scans the tags."""
    from airflow.sdk.execution_time import context

    return hasattr(context, "TaskStateStoreAccessor")


@cache
def has_asset_state_store() -> bool:
    """The triggerer gives an event trigger its watched assets' state store (3.3+); without it an
    asset watcher keeps its checkpoint in memory (lost on a triggerer restart)."""
    from airflow.sdk.execution_time import context

    return hasattr(context, "AssetStateStoreAccessors")


@cache
def has_declarative_conn_fields() -> bool:
    """Airflow reads the connection form from the provider info's ``conn-fields`` (3.2+).

    Before, the hook's ``get_connection_form_widgets`` / ``get_ui_field_behaviour`` describe it.
    Detected from Airflow's own provider schema, which declares ``conn-fields`` where it is read.
    """
    try:
        schema = resources.files("airflow").joinpath("provider.yaml.schema.json").read_text()
    except OSError:
        return False
    return '"conn-fields"' in schema


def legacy_connection_form_widgets(conn_fields: Mapping[str, Any]) -> dict[str, Any]:
    """WTForms fields for Airflow 3.0/3.1 (``get_connection_form_widgets``), from the ``conn-fields``.

    Airflow before 3.2 reads the form only from the hook, and only where ``wtforms`` is installed
    (the API server then stands in for FAB's widgets); it accepts string, integer and password
    fields. An ``enum`` becomes an ``any_of`` validator, a ``number`` a string field.
    """
    from wtforms import IntegerField, PasswordField, StringField
    from wtforms.validators import Optional, any_of

    try:
        from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
    except ImportError:  # no FAB: the API server's stand-in fields ignore the widget
        BS3PasswordFieldWidget = BS3TextFieldWidget = None  # type: ignore[assignment,misc]
    try:
        from flask_babel import lazy_gettext
    except ImportError:
        lazy_gettext = str

    widgets: dict[str, Any] = {}
    for name, spec in conn_fields.items():
        schema = spec.get("schema", {})
        types = schema.get("type", "string")
        types = [types] if isinstance(types, str) else list(types)
        validators: list[Any] = [Optional()]
        if "enum" in schema:
            validators.append(any_of(list(schema["enum"])))
        if schema.get("format") == "password":
            field, widget = PasswordField, BS3PasswordFieldWidget
        elif "integer" in types:
            field, widget = IntegerField, BS3TextFieldWidget
        else:
            field, widget = StringField, BS3TextFieldWidget
        widgets[name] = field(
            lazy_gettext(spec.get("label", name)),
            widget=widget() if widget else None,
            validators=validators,
            description=spec.get("description", ""),
            default=schema.get("default"),
        )
    return widgets


def legacy_ui_field_behaviour(behaviour: Mapping[str, Any]) -> dict[str, Any]:
    """The provider info's ``ui-field-behaviour`` in the shape of ``get_ui_field_behaviour`` (3.0/3.1)."""
    return {key.replace("-", "_"): value for key, value in behaviour.items()}


async def aget_connection(conn_id: str) -> Any:
    """Load an Airflow connection without blocking the event loop.

    ``BaseHook.aget_connection`` where it exists (3.1+); else the sync API through :func:`run_sync`.
    """
    aget = getattr(BaseHook, "aget_connection", None)
    if aget is not None:
        return await aget(conn_id)
    return await run_sync(BaseHook.get_connection, conn_id)


async def aextra_dejson(conn: Any) -> Mapping[str, Any]:
    """A connection's extras as a dict, without blocking the event loop.

    ``Connection.aextra_dejson()`` where it exists (3.3+); else the ``extra_dejson`` property
    (which registers secrets with the masker) through :func:`run_sync`.
    """
    aextra = getattr(conn, "aextra_dejson", None)
    if aextra is not None:
        return await aextra()
    return await run_sync(lambda: conn.extra_dejson)


async def run_sync(func: Callable[..., T], /, *args: Any) -> T:
    """Run a sync call that may talk to Airflow (connections, the masker, XCom) off the event loop.

    ``asgiref.sync.sync_to_async`` (a dependency of Airflow itself), not ``asyncio.to_thread``:
    the sync Task SDK sends its request over the process's one channel to the supervisor, and
    in the triggerer of Airflow 3.0 and 3.1 a request from a plain worker thread runs on a
    second event loop beside the runner's own requests. The replies get crossed and the trigger
    runner dies ("Response read out of order!"), taking every trigger with it. From a
    ``sync_to_async`` thread the request goes back to the running loop, behind the channel's
    lock (3.2+ bridge any thread themselves, so this is the same there).
    """
    from asgiref.sync import sync_to_async

    return await sync_to_async(func, thread_sensitive=False)(*args)


__all__ = [
    "HAS_RETRY_POLICY",
    "AirflowException",
    "AirflowFailException",
    "AirflowNotFoundException",
    "AirflowSensorTimeout",
    "AirflowSkipException",
    "BaseHook",
    "ExceptionRetryPolicy",
    "RetryAction",
    "RetryRule",
    "TaskDeferred",
    "aextra_dejson",
    "aget_connection",
    "conf",
    "has_asset_state_store",
    "has_declarative_conn_fields",
    "has_task_state_store",
    "has_trigger_on_kill",
    "import_string",
    "legacy_connection_form_widgets",
    "legacy_ui_field_behaviour",
    "mask_secret",
    "redact",
    "run_sync",
    "secrets_masker",
    "should_hide_value_for_key",
]
