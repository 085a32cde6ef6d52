"""``DataScienceLifecycleSensor``: wait for a Data Science resource to reach a state.

Works in ``poke``, ``reschedule`` and deferrable mode. Every mode reads the state through the
same lifecycle table and words it through :mod:`airflow_ds_provider.client.waiter`, so the
messages match the hook's sync wait and the triggers. A failure state raises
``AirflowFailException`` (from ``poke()`` and from ``execute_complete()``), so ``soft_fail``
turns it into a skip in every mode; an unknown state is never success, and a stranded one
(see :meth:`~airflow_ds_provider.lifecycle.Lifecycle.stranded`) ends the wait as a failure.

Bad input never costs a retry: the sensors share the operators' default ``retry_policy``
(:mod:`airflow_ds_provider._retry_policy`), so a malformed or wrong-kind OCID, an unknown state,
a bad connection or a 404 of the sensed resource fails the task on its first try, naming the
argument.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseSensorOperator, PokeReturnValue

from airflow_ds_provider._airflow_base import DEFAULT_CONN_ID, DataScienceHookMixin
from airflow_ds_provider._compat import (
    AirflowException,
    AirflowFailException,
    AirflowSensorTimeout,
    AirflowSkipException,
    conf,
)
from airflow_ds_provider._retry_policy import (
    FAIL_AT_ONCE_ATTR,
    MissingResourceError,
    apply_default_retry_policy,
)
from airflow_ds_provider.client.errors import NotFoundError
from airflow_ds_provider.client.waiter import (
    check_state,
    explains_with_work_request_errors,
    failure_error,
    seconds,
)
from airflow_ds_provider.lifecycle import Lifecycle, Outcome, get_lifecycle
from airflow_ds_provider.links.console import DataScienceConsoleLink
from airflow_ds_provider.ocids import validate_ocid as _validate_ocid

if TYPE_CHECKING:
    from airflow.sdk import Context

_COMMON_TEMPLATE_FIELDS = ("oci_conn_id", "region", "target_states", "failure_states")


def sensor_template_fields(id_field: str) -> tuple[str, ...]:
    """Template fields of a lifecycle sensor whose OCID argument is ``id_field``."""
    return (id_field, *_COMMON_TEMPLATE_FIELDS)


def validate_ocid(value: Any, field: str, resource: str) -> str:
    """Return the OCID in ``value`` (stripped), of kind ``resource``, or raise ``ValueError`` naming ``field``."""
    return _validate_ocid(value, field, (resource,))


def validate_states(value: Any, field: str, lifecycle: Lifecycle) -> list[str] | None:
    """Rendered ``target_states``/``failure_states``: a list (or comma-separated text) of known states."""
    states = lifecycle.known_states(value, field)
    if states is not None and not states and field == "target_states":
        raise ValueError(f"{field}: expected at least one of {sorted(lifecycle.states)}")
    return states


def _check_seconds(kwargs: dict[str, Any], poll_interval: Any) -> None:
    """Name the argument when ``poll_interval``/``poke_interval``/``timeout`` is not a number of seconds."""
    if poll_interval is not None:
        seconds("poll_interval", poll_interval)
    for name in ("poke_interval", "timeout"):
        value = kwargs.get(name)
        if value is not None and not isinstance(value, timedelta):
            seconds(name, value, allow_zero=True)


class DataScienceLifecycleSensor(DataScienceHookMixin, BaseSensorOperator):
    """Wait until a Data Science resource reaches a target state; fail on a failure state.

    Returns (pushes to XCom) the resource's JSON, and pushes its OCI Console URL as XCom
    ``console_url``. Standard sensor arguments apply: ``timeout`` (a deadline for all modes,
    absolute in deferrable mode), ``soft_fail`` (a failure state or the timeout becomes a
    skip), ``mode`` (``poke`` or ``reschedule``).

    :param resource: resource kind: ``job_run``, ``model_deployment``, ``work_request``,
        ``notebook_session``, ``job``, ``model`` or ``project``.
    :param resource_id: OCID of the resource (templated).
    :param oci_conn_id: Airflow connection of type ``oci_data_science`` (templated).
    :param region: region override (templated; default: the connection's).
    :param target_states: states that count as success (templated; default: the lifecycle's).
    :param failure_states: states that count as failure (templated; default: the lifecycle's).
    :param poll_interval: seconds between reads (sets ``poke_interval``; default 60).
    :param deferrable: wait in the triggerer (default ``[operators] default_deferrable``).
    """

    template_fields: Sequence[str] = sensor_template_fields("resource_id")
    operator_extra_links = (DataScienceConsoleLink(),)
    ui_color = "#e8f4f8"
    #: Attribute (and constructor argument) holding the OCID.
    id_field: ClassVar[str] = "resource_id"

    def __init__(
        self,
        *,
        resource: str,
        resource_id: str | None = None,
        oci_conn_id: str = DEFAULT_CONN_ID,
        region: str | None = None,
        target_states: list[str] | str | None = None,
        failure_states: list[str] | str | None = None,
        poll_interval: float | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Any,
    ) -> None:
        _check_seconds(kwargs, poll_interval)
        fail_at_once = apply_default_retry_policy(kwargs)
        if poll_interval is not None:
            if "poke_interval" in kwargs and kwargs["poke_interval"] != poll_interval:
                raise ValueError("poll_interval and poke_interval are the same setting: pass only one")
            kwargs["poke_interval"] = poll_interval
        super().__init__(**kwargs)
        setattr(self, FAIL_AT_ONCE_ATTR, fail_at_once)
        self.resource = resource
        if self.id_field == "resource_id":
            self.resource_id = resource_id
        self.oci_conn_id = oci_conn_id
        self.region = region
        self.target_states = target_states
        self.failure_states = failure_states
        if not isinstance(deferrable, bool):
            raise ValueError(f"deferrable: expected True or False, got {deferrable!r}")
        self.deferrable = deferrable
        self._seen_pending = False

    # --- validation (after rendering) ----------------------------------------------------------

    def _settings(self) -> tuple[Lifecycle, str]:
        """The validated lifecycle (with state overrides) and OCID; raises naming the field."""
        cached = getattr(self, "_validated", None)
        if cached is not None:
            return cached
        lifecycle = get_lifecycle(self.resource)
        ocid = validate_ocid(getattr(self, self.id_field), self.id_field, self.resource)
        targets = validate_states(self.target_states, "target_states", lifecycle)
        failures = validate_states(self.failure_states, "failure_states", lifecycle)
        try:
            lifecycle = lifecycle.with_states(targets, failures)
        except ValueError as exc:
            raise ValueError(f"target_states/failure_states: {exc}") from None
        if not isinstance(self.oci_conn_id, str) or not self.oci_conn_id.strip():
            raise ValueError(f"oci_conn_id: expected an Airflow connection id, got {self.oci_conn_id!r}")
        self._validated = (lifecycle, ocid)
        return self._validated

    # --- execution -------------------------------------------------------------------------------

    def execute(self, context: Context) -> Any:
        """Validate, publish the console URL, then wait in the chosen mode."""
        lifecycle, ocid = self._settings()
        self.publish_console_url(context, self.resource, ocid)
        if not self.deferrable:
            return super().execute(context)
        deadline = time.time() + self.timeout
        try:
            first = self.poke(context)  # cheap first check: no deferral if already settled
        except (AirflowFailException, AirflowSensorTimeout) as exc:  # as BaseSensorOperator.execute
            if self.soft_fail:
                raise AirflowSkipException("Skipping due to soft_fail is set to True.") from exc
            if self.never_fail:
                raise AirflowSkipException("Skipping due to never_fail is set to True.") from exc
            raise
        if isinstance(first, PokeReturnValue) and first.is_done:
            return first.xcom_value
        self.defer_to_trigger(
            resource=lifecycle.resource,
            resource_id=ocid,
            target_states=lifecycle.success,
            failure_states=lifecycle.failure,
            poll_interval=self.poke_interval,
            timeout=self.timeout,
            deadline=deadline,
        )

    def poke(self, context: Context) -> PokeReturnValue:
        """Read the resource once: done with its JSON, not yet, or raise for a failure state."""
        lifecycle, ocid = self._settings()
        try:
            data = self.hook.call(lifecycle.get_operation, **{lifecycle.id_param: ocid}).data
        except NotFoundError as exc:
            # another poke or try cannot make it appear: fail at once (a ValueError), naming the field
            raise MissingResourceError(self.id_field, lifecycle.resource, ocid, str(exc)) from None
        check = check_state(lifecycle, ocid, data, reached=self._seen_pending)
        if check.outcome is Outcome.PENDING:
            self._seen_pending = True
        extra = self.observed(data, check.outcome)
        if check.outcome is Outcome.SUCCESS:
            self.log.info("%s", check.message)
            return PokeReturnValue(is_done=True, xcom_value=data)
        if check.outcome is Outcome.FAILURE:
            errors = None
            if explains_with_work_request_errors(lifecycle):
                errors = list(self.hook.paginate("list_work_request_errors", work_request_id=ocid))
            message = str(failure_error(lifecycle, ocid, data, errors, reached=self._seen_pending))
            raise AirflowFailException(f"{message}\n{extra}" if extra else message)
        if check.outcome is Outcome.UNKNOWN:
            self.log.warning("%s", check.message)
        else:
            self.log.info("%s", check.message)
        return PokeReturnValue(is_done=False)

    def observed(self, data: dict[str, Any], outcome: Outcome) -> str | None:
        """Hook for subclasses, called with every read; may return text for a failure message."""
        return None

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume after the trigger fired: return the resource JSON or raise for its status."""
        status, message = self.event_parts(event, "the trigger returned no event")
        if status == "success":
            self.log.info("%s", message)
            return event.get("data")
        if status == "failure":
            raise AirflowFailException(message)
        if status == "timeout":
            raise AirflowSensorTimeout(message)
        if status == "error":
            raise AirflowException(message)
        raise AirflowException(f"{self.task_id}: unexpected trigger event status {status!r}: {message}")
