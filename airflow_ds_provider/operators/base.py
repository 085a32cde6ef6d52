"""The private base every Data Science operator stands on.

It owns the connection id, the region override, the hook, template-field merging, request-body
assembly (the API's own JSON plus first-class keywords that win), deterministic retry tokens,
XCom/console-link publishing, and waiting: synchronously through the hook, or deferred to a
trigger with an absolute deadline. A concrete operator declares its fields and a few lines of
``execute``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator, conf
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from airflow_ds_provider.hooks.data_science import DataScienceHook
from airflow_ds_provider.lifecycle import get_lifecycle
from airflow_ds_provider.links.console import CONSOLE_KINDS, console_url
from airflow_ds_provider.spec import camel_case, models

if TYPE_CHECKING:
    from airflow.sdk import Context

DEFAULT_CONN_ID = "oci_data_science_default"
#: XCom keys every operator publishes (besides its return value, the resource's JSON).
XCOM_RESOURCE_ID = "resource_id"
XCOM_WORK_REQUEST_ID = "work_request_id"
XCOM_CONSOLE_URL = "console_url"

_RETRY_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def ds_template_fields(*fields: str) -> tuple[str, ...]:
    """Merge the base operator's template fields with a subclass's own, without duplicates."""
    seen: dict[str, None] = dict.fromkeys(DataScienceBaseOperator.template_fields)
    seen.update(dict.fromkeys(fields))
    return tuple(seen)


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


def airflow_identity_tags(context: Context) -> dict[str, str]:
    """Freeform tags that tie a created resource to the Airflow task instance that made it."""
    ti = context["ti"]
    return {
        "airflow-dag-id": ti.dag_id,
        "airflow-task-id": ti.task_id,
        "airflow-run-id": ti.run_id,
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
            raise ValueError(f"{field}: expected a JSON object (dict or JSON text), got invalid JSON: {exc}") from None
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
    """Check a request body against its wire model: known fields, required fields, enum values.

    :raises ValueError: naming the offending field and what was expected.
    """
    model = models().get(model_name)
    if model is None:
        return
    wires = model.field_by_wire()
    unknown = sorted(set(body) - set(wires))
    if unknown:
        raise ValueError(
            f"{field}: unknown field(s) {unknown} for {model_name}; expected some of {sorted(wires)}"
        )
    for wire, spec in wires.items():
        value = body.get(wire)
        if spec.required and (value is None or value == ""):
            raise ValueError(f"{field}: {model_name}.{wire} is required ({spec.type})")
        if value is not None and spec.allowed and value not in spec.allowed:
            raise ValueError(f"{field}: {model_name}.{wire} must be one of {list(spec.allowed)}, got {value!r}")


def require_str(value: Any, field: str) -> str:
    """Return ``value`` if it is a non-empty string, else raise naming ``field``."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field}: expected a non-empty OCID string, got {value!r}")
    return value.strip()


class DataScienceBaseOperator(BaseOperator):
    """Base of all OCI Data Science operators.

    :param oci_conn_id: Airflow connection of type ``oci_data_science``
        (default ``oci_data_science_default``).
    :param region: region override (e.g. ``us-ashburn-1`` or ``iad``); default: the connection's.
    """

    template_fields: Sequence[str] = ("oci_conn_id", "region")
    #: Resource kind this operator acts on (a key of ``lifecycle.LIFECYCLES``), if any.
    resource: str | None = None

    def __init__(self, *, oci_conn_id: str = DEFAULT_CONN_ID, region: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.oci_conn_id = oci_conn_id
        self.region = region

    @cached_property
    def hook(self) -> DataScienceHook:
        """The hook, built once per task execution (one HTTP session)."""
        return DataScienceHook(oci_conn_id=self.oci_conn_id, region=self.region)

    # --- helpers for subclasses ---------------------------------------------------------------

    def default_compartment(self, value: str | None, field: str = "compartment_id") -> str:
        """``value`` or the connection's default compartment; raises naming ``field`` when neither."""
        if value:
            return require_str(value, field)
        fallback = self.hook.compartment_id
        if not fallback:
            raise ValueError(
                f"{field}: no compartment given and the connection {self.oci_conn_id!r} has no compartment_id extra"
            )
        return fallback

    def publish(
        self,
        context: Context,
        resource_id: str | None,
        *,
        work_request_id: str | None = None,
        resource: str | None = None,
    ) -> None:
        """Push the resource OCID, work request id and console URL to XCom under stable keys."""
        ti = context["ti"]
        kind = resource or self.resource
        if resource_id:
            ti.xcom_push(key=XCOM_RESOURCE_ID, value=resource_id)
            if kind in CONSOLE_KINDS:
                ti.xcom_push(key=XCOM_CONSOLE_URL, value=console_url(kind, resource_id, self.hook.region))
        if work_request_id:
            ti.xcom_push(key=XCOM_WORK_REQUEST_ID, value=work_request_id)


class DataScienceWaitingOperator(DataScienceBaseOperator):
    """Base of operators whose action takes time: wait for it in the worker or deferred.

    :param wait_for_completion: wait until the resource reaches the action's target state.
    :param poll_interval: seconds between state reads.
    :param timeout: seconds to wait at most (an absolute deadline is computed when waiting
        starts, so a triggerer restart does not reset it).
    :param deferrable: wait in the triggerer instead of holding a worker slot
        (default: ``[operators] default_deferrable``).
    """

    #: target states of this operator's action (None: the lifecycle's success states)
    target_states: frozenset[str] | None = None
    #: a 404 while waiting means done (deletes)
    not_found_ok: bool = False

    def __init__(
        self,
        *,
        wait_for_completion: bool = True,
        poll_interval: float = 30.0,
        timeout: float = 3600.0,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if poll_interval <= 0:
            raise ValueError(f"poll_interval: expected a positive number of seconds, got {poll_interval!r}")
        if timeout <= 0:
            raise ValueError(f"timeout: expected a positive number of seconds, got {timeout!r}")
        self.wait_for_completion = wait_for_completion
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.deferrable = deferrable

    def wait(
        self,
        context: Context,
        resource_id: str,
        *,
        resource: str | None = None,
        target_states: Iterable[str] | None = None,
        failure_states: Iterable[str] | None = None,
        not_found_ok: bool | None = None,
        cancel_on_kill: bool = False,
        initial: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Wait for ``resource_id`` per this operator's settings and return its final JSON.

        In deferrable mode this raises ``TaskDeferred`` unless the resource is already settled;
        the task then resumes in :meth:`execute_complete`.
        """
        kind = resource or self.resource
        if kind is None:
            raise AirflowException(f"{type(self).__name__} has no resource to wait on")
        targets = target_states if target_states is not None else self.target_states
        lifecycle = get_lifecycle(kind).with_states(targets, failure_states)
        gone_ok = self.not_found_ok if not_found_ok is None else not_found_ok
        if not self.wait_for_completion:
            return initial
        deadline = time.time() + self.timeout
        if not self.deferrable:
            return self.hook.wait_for_state(
                kind,
                resource_id,
                target_states=sorted(lifecycle.success),
                failure_states=sorted(lifecycle.failure),
                poll_interval=self.poll_interval,
                timeout=self.timeout,
                not_found_ok=gone_ok,
            )
        from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger

        trigger = DataScienceLifecycleTrigger(
            resource=kind,
            resource_id=resource_id,
            oci_conn_id=self.oci_conn_id,
            region=self.region,
            target_states=sorted(lifecycle.success),
            failure_states=sorted(lifecycle.failure),
            poll_interval=self.poll_interval,
            deadline=deadline,
            not_found_ok=gone_ok,
            cancel_on_kill=cancel_on_kill,
        )
        # The trigger yields a "timeout" event at the deadline itself; the framework timeout is
        # only a backstop a little later, so execute_complete normally gets to clean up.
        self.defer(
            trigger=trigger,
            method_name="execute_complete",
            timeout=timedelta(seconds=self.timeout + max(60.0, 2 * self.poll_interval)),
        )

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume after the trigger fired: return the resource JSON or fail with its reason."""
        if not isinstance(event, Mapping):
            raise AirflowException(f"{self.task_id}: trigger returned no event (got {event!r})")
        status = event.get("status")
        message = event.get("message") or ""
        if status == "success":
            return self.on_wait_success(context, event.get("data"))
        if status == "timeout":
            self.on_wait_timeout(context, event)
            raise AirflowException(message or f"{self.task_id}: timed out waiting")
        if status == "failure":
            raise AirflowFailException(message or f"{self.task_id}: resource reached a failure state")
        raise AirflowException(message or f"{self.task_id}: trigger error")

    def on_wait_success(self, context: Context, data: Any) -> Any:
        """Hook for subclasses: transform the final resource JSON into the task's return value."""
        return data

    def on_wait_timeout(self, context: Context, event: Mapping[str, Any]) -> None:
        """Hook for subclasses: clean up remote work when the deadline passed (e.g. cancel a run)."""
