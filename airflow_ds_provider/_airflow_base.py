"""What every Data Science operator and sensor shares (in the spirit of Amazon's ``AwsBaseHookMixin``).

One place for the connection id and region, the hook, console-link publishing, the deferral to
:class:`~airflow_ds_provider.triggers.lifecycle.DataScienceLifecycleTrigger` and the first check of
a trigger event. :class:`DataScienceHookMixin` is mixed into
:class:`~airflow_ds_provider.operators.base.DataScienceBaseOperator` and
:class:`~airflow_ds_provider.sensors.lifecycle.DataScienceLifecycleSensor`, so a fix here (e.g. the
console link of an endpoint-only connection, whose region comes from the OCID) holds for both.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_ds_provider._compat import HAS_RETRY_POLICY, AirflowException, has_trigger_on_kill
from airflow_ds_provider._retry_policy import fails_at_once_on_bad_input
from airflow_ds_provider.hooks.data_science import DataScienceHook
from airflow_ds_provider.links.console import console_url

if TYPE_CHECKING:
    from airflow.sdk import Context
    from airflow.triggers.base import BaseTrigger

#: The default Airflow connection id of operators and sensors.
DEFAULT_CONN_ID = DataScienceHook.default_conn_name
#: XCom key of the OCI Console URL (read by ``DataScienceConsoleLink``).
XCOM_CONSOLE_URL = "console_url"


class DataScienceHookMixin:
    """Connection id, region, hook, console link, deferral and event check of operators and sensors.

    A class using it sets ``self.oci_conn_id`` and ``self.region`` in its constructor and is an
    Airflow ``BaseOperator`` (for ``log``, ``defer`` and ``task_id``).
    """

    oci_conn_id: str
    region: str | None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Without retry policies (Airflow < 3.3), ``execute`` itself fails at once on bad input."""
        super().__init_subclass__(**kwargs)
        if not HAS_RETRY_POLICY and "execute" in cls.__dict__:
            cls.execute = fails_at_once_on_bad_input(cls.__dict__["execute"])  # type: ignore[attr-defined]

    @fails_at_once_on_bad_input
    def resume_execution(self, next_method: str, next_kwargs: dict[str, Any] | None, context: Context) -> Any:
        """Resume after a deferral; without retry policies bad input fails at once here too."""
        return super().resume_execution(next_method, next_kwargs, context)  # type: ignore[misc]

    @cached_property
    def hook(self) -> DataScienceHook:
        """The hook, built once per task execution (one HTTP session)."""
        return DataScienceHook(oci_conn_id=self.oci_conn_id, region=self.region)

    def publish_console_url(self, context: Context, resource: str | None, resource_id: str) -> str | None:
        """Push the OCI Console URL of ``resource_id`` to XCom (the one publishing path).

        The region is the connection's, else the one the OCID names (endpoint-only connections).

        :returns: the URL, or ``None`` when the kind has no console page or no region is known.
        """
        if not resource:
            return None
        url = console_url(resource, resource_id, self.hook.config.region)
        if url:
            context["ti"].xcom_push(key=XCOM_CONSOLE_URL, value=url)
            self.log.info("OCI Console: %s", url)  # type: ignore[attr-defined]
        return url

    def defer_to_trigger(
        self,
        *,
        resource: str,
        resource_id: str,
        target_states: Iterable[str],
        failure_states: Iterable[str],
        poll_interval: float,
        timeout: float,
        deadline: float | None = None,
        method_name: str = "execute_complete",
        **trigger_kwargs: Any,
    ) -> None:
        """Defer to the lifecycle trigger with an absolute deadline (raises ``TaskDeferred``).

        The trigger yields a "timeout" event at the deadline itself; the framework timeout is only
        a backstop a little later, so ``execute_complete`` normally gets to clean up.

        :param deadline: epoch seconds (default: now plus ``timeout``).
        :param trigger_kwargs: further trigger arguments (``not_found_ok``, ``cancel_on_kill``).
        """
        if trigger_kwargs.get("cancel_on_kill") and not has_trigger_on_kill():
            self.log.warning(  # type: ignore[attr-defined]
                "This Airflow does not tell a trigger when a user kills its deferred task (that needs "
                "Airflow 3.3+): marking %s failed, success or cleared while it waits leaves %s %s "
                "running. A new try attaches to it instead of starting another; its timeout still "
                "cancels it.",
                self.task_id,  # type: ignore[attr-defined]
                resource,
                resource_id,
            )
        trigger = self.build_trigger(
            resource=resource,
            resource_id=resource_id,
            oci_conn_id=self.oci_conn_id,
            region=self.region,
            target_states=sorted(target_states),
            failure_states=sorted(failure_states),
            poll_interval=poll_interval,
            deadline=time.time() + timeout if deadline is None else deadline,
            **trigger_kwargs,
        )
        self.defer(  # type: ignore[attr-defined]
            trigger=trigger,
            method_name=method_name,
            timeout=timedelta(seconds=timeout + max(60.0, 2 * poll_interval)),
        )

    def build_trigger(self, **kwargs: Any) -> BaseTrigger:
        """The trigger :meth:`defer_to_trigger` defers to, from its arguments: the lifecycle
        trigger (a task that waits for something else builds its own from the same arguments)."""
        # imported here: the trigger's HTTP stack (httpx) is not needed to parse a DAG file
        from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger

        return DataScienceLifecycleTrigger(**kwargs)

    def event_parts(self, event: Any, no_event: str) -> tuple[Any, str]:
        """``(status, message)`` of a trigger event; raises ``AirflowException`` when it is none.

        :param no_event: the error text's start, e.g. ``"trigger returned no event"``.
        """
        if not isinstance(event, Mapping):
            raise AirflowException(f"{self.task_id}: {no_event} (got {event!r})")  # type: ignore[attr-defined]
        return event.get("status"), str(event.get("message") or "")
