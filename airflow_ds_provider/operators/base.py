"""The private base every Data Science operator stands on.

It owns the connection id, the region override, the hook, template-field merging, request-body
assembly (the API's own JSON plus first-class keywords that win), deterministic retry tokens,
XCom/console-link publishing, and waiting: synchronously through the hook, or deferred to a
trigger with an absolute deadline. A concrete operator declares its fields and a few lines of
``execute``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_ds_provider._airflow_base import DEFAULT_CONN_ID, XCOM_CONSOLE_URL, DataScienceHookMixin
from airflow_ds_provider._compat import AirflowException, AirflowFailException, conf
from airflow_ds_provider._retry_policy import (
    BAD_INPUT_ERRORS,
    FAIL_AT_ONCE_ATTR,
    apply_default_retry_policy,
    no_retry_on_bad_input,
)
from airflow_ds_provider.client.errors import (
    ConflictError,
    NotFoundError,
    ResourceFailedError,
    WaitTimeoutError,
)
from airflow_ds_provider.client.waiter import (
    check_state,
    explains_with_work_request_errors,
    seconds,
    with_details,
)
from airflow_ds_provider.lifecycle import Lifecycle, Outcome, get_lifecycle
from airflow_ds_provider.operators._body import (
    airflow_identity_tags,
    load_body,
    merge_body,
    require_ocid,
    require_str,
    retry_token_for,
    validate_body,
    validate_fields,
)
from airflow_ds_provider.spec import get_operation

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.client.response import Response

__all__ = [
    "BAD_INPUT_ERRORS",
    "XCOM_CONSOLE_URL",
    "XCOM_RESOURCE_ID",
    "XCOM_WORK_REQUEST_ID",
    "DataScienceBaseOperator",
    "DataScienceWaitingOperator",
    "airflow_identity_tags",
    "ds_template_fields",
    "load_body",
    "merge_body",
    "no_retry_on_bad_input",
    "require_ocid",
    "require_str",
    "retry_token_for",
    "validate_body",
    "validate_fields",
]

#: XCom keys every operator publishes (besides its return value, the resource's JSON), with
#: ``XCOM_CONSOLE_URL``.
XCOM_RESOURCE_ID = "resource_id"
XCOM_WORK_REQUEST_ID = "work_request_id"


def ds_template_fields(*fields: str) -> tuple[str, ...]:
    """Merge the base operator's template fields with a subclass's own, without duplicates."""
    seen: dict[str, None] = dict.fromkeys(DataScienceBaseOperator.template_fields)
    seen.update(dict.fromkeys(fields))
    return tuple(seen)


class DataScienceBaseOperator(DataScienceHookMixin, BaseOperator):
    """Base of all OCI Data Science operators.

    :param oci_conn_id: Airflow connection of type ``oci_data_science``
        (default ``oci_data_science_default``).
    :param region: region override (e.g. ``us-ashburn-1`` or ``iad``); default: the connection's.
    """

    template_fields: Sequence[str] = ("oci_conn_id", "region")
    #: Resource kind this operator acts on (a key of ``lifecycle.LIFECYCLES``), if any.
    resource: str | None = None

    def __init__(
        self, *, oci_conn_id: str = DEFAULT_CONN_ID, region: str | None = None, **kwargs: Any
    ) -> None:
        fail_at_once = apply_default_retry_policy(kwargs)
        super().__init__(**kwargs)
        setattr(self, FAIL_AT_ONCE_ATTR, fail_at_once)
        self.oci_conn_id = oci_conn_id
        self.region = region

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
        if resource_id:
            ti.xcom_push(key=XCOM_RESOURCE_ID, value=resource_id)
            self.publish_console_url(context, resource or self.resource, resource_id)
        if work_request_id:
            ti.xcom_push(key=XCOM_WORK_REQUEST_ID, value=work_request_id)

    def read_resource(
        self, resource_id: str, *, resource: str | None = None, missing_ok: bool = False
    ) -> dict[str, Any] | None:
        """GET one resource's JSON; ``None`` for a 404 when ``missing_ok``."""
        lifecycle = get_lifecycle(self._kind(resource))
        try:
            return self.hook.call(lifecycle.get_operation, **{lifecycle.id_param: resource_id}).data
        except NotFoundError:
            if missing_ok:
                return None
            raise

    def change_compartment(
        self, context: Context, resource_id: str, compartment_id: str, *, resource: str | None = None
    ) -> dict[str, Any]:
        """Move a resource to ``compartment_id`` (nothing is sent when it is already there).

        :returns: the resource's JSON after the move.
        """
        kind = self._kind(resource)
        data = self.read_resource(resource_id, resource=kind) or {}
        if data.get("compartmentId") == compartment_id:
            self.log.info("%s %s is already in compartment %s", kind, resource_id, compartment_id)
            self.publish(context, resource_id, resource=kind)
            return data
        op_name = f"change_{kind}_compartment"
        args: dict[str, Any] = {
            get_lifecycle(kind).id_param: resource_id,
            f"{op_name}_details": {"compartmentId": compartment_id},
        }
        if get_operation(op_name).accepts_retry_token:
            args["opc_retry_token"] = retry_token_for(context)
        response = self.hook.call(op_name, **args)
        self.log.info("Moved %s %s to compartment %s", kind, resource_id, compartment_id)
        self.publish(context, resource_id, work_request_id=response.work_request_id, resource=kind)
        return self.read_resource(resource_id, resource=kind) or {}

    def _kind(self, resource: str | None) -> str:
        kind = resource or self.resource
        if kind is None:
            raise AirflowException(f"{type(self).__name__} has no resource kind")
        return kind


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
        self.poll_interval = seconds("poll_interval", poll_interval)
        self.timeout = seconds("timeout", timeout)
        if not isinstance(wait_for_completion, bool):
            raise ValueError(f"wait_for_completion: expected True or False, got {wait_for_completion!r}")
        self.wait_for_completion = wait_for_completion
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
    ) -> Any:
        """Wait for ``resource_id`` per this operator's settings; return :meth:`on_wait_success`'s value.

        Without ``wait_for_completion`` this returns ``initial`` at once. Otherwise the state is
        read once first (or taken from ``initial`` when that is a fresh read), so a resource that
        has already settled completes inline, without a deferral. A failure state raises
        ``AirflowFailException`` (with ``lifecycleDetails``); a timeout calls
        :meth:`on_wait_timeout` and raises ``AirflowException``, in both modes. In deferrable
        mode this raises ``TaskDeferred``; the task then resumes in :meth:`execute_complete`.

        :param resource_id: OCID to wait for.
        :param resource: resource kind (default: the class's ``resource``).
        :param target_states: success states (default: the class's ``target_states``, else the
            lifecycle table's).
        :param failure_states: failure states (default: the lifecycle table's minus the targets).
        :param not_found_ok: a 404 means done (default: the class's ``not_found_ok``).
        :param cancel_on_kill: passed to the trigger: cancel the remote work if a user kills the
            deferred task.
        :param initial: the resource JSON the caller just read or received, if any.
        """
        if not self.wait_for_completion:
            return initial
        kind = self._kind(resource)
        targets = target_states if target_states is not None else self.target_states
        lifecycle = get_lifecycle(kind).with_states(targets, failure_states)
        gone_ok = self.not_found_ok if not_found_ok is None else not_found_ok
        if not self.deferrable:
            try:
                data = self.wait_sync(context, lifecycle, resource_id, gone_ok)
            except ResourceFailedError as exc:
                raise AirflowFailException(with_details(str(exc), exc.details)) from None
            except WaitTimeoutError as exc:
                event = _event("timeout", str(exc), kind, resource_id, exc.state, None)
                self.on_wait_timeout(context, event)
                raise AirflowException(str(exc)) from None
            return self.on_wait_success(context, data)

        settled = self._settled_event(lifecycle, resource_id, gone_ok, initial)
        if settled is not None:
            return self.execute_complete(context, settled)
        self.defer_to_trigger(
            resource=kind,
            resource_id=resource_id,
            target_states=lifecycle.success,
            failure_states=lifecycle.failure,
            poll_interval=self.poll_interval,
            timeout=self.timeout,
            not_found_ok=gone_ok,
            cancel_on_kill=cancel_on_kill,
        )

    def delete_and_wait(self, context: Context, resource_id: str, delete: Callable[[], Response]) -> Any:
        """Delete ``resource_id`` safely on retries, then wait for it to be gone.

        Already gone (404 or ``DELETED``): logs and returns. ``DELETING``: does not ask again,
        just waits. A 409 from a concurrent change is re-read before it is reported.

        :param delete: sends the delete request (e.g. ``lambda: hook.delete_job(job_id)``).
        :returns: the final resource JSON, or ``None`` once it is gone.
        """
        kind = self._kind(None)
        data = self.read_resource(resource_id, missing_ok=True)
        state = None if data is None else data.get("lifecycleState")
        if data is None or state == "DELETED":
            self.log.info("%s %s is already deleted; nothing to do", kind, resource_id)
            return data
        self.publish(context, resource_id)
        if state != "DELETING":
            try:
                response = delete()
            except NotFoundError:
                self.log.info("%s %s is already deleted; nothing to do", kind, resource_id)
                return None
            except ConflictError:
                data = self.read_resource(resource_id, missing_ok=True)
                if data is not None and data.get("lifecycleState") not in ("DELETING", "DELETED"):
                    raise
            else:
                self.log.info("Deleting %s %s", kind, resource_id)
                self.publish(context, None, work_request_id=response.work_request_id)
        else:
            self.log.info("%s %s is already DELETING; waiting for it", kind, resource_id)
        return self.wait(context, resource_id, target_states=["DELETED"], not_found_ok=True)

    def wait_sync(
        self, context: Context, lifecycle: Lifecycle, resource_id: str, not_found_ok: bool
    ) -> dict[str, Any] | None:
        """The worker-side wait loop (one overridable place, e.g. to stream logs while polling).

        :returns: the final resource JSON (``None`` for a 404 with ``not_found_ok``).
        :raises ResourceFailedError: on a failure state.
        :raises WaitTimeoutError: when ``timeout`` passes first.
        """
        return self.hook.wait_for_state(
            lifecycle.resource,
            resource_id,
            target_states=sorted(lifecycle.success),
            failure_states=sorted(lifecycle.failure),
            poll_interval=self.poll_interval,
            timeout=self.timeout,
            not_found_ok=not_found_ok,
        )

    def _settled_event(
        self,
        lifecycle: Lifecycle,
        resource_id: str,
        not_found_ok: bool,
        initial: dict[str, Any] | None,
    ) -> dict[str, Any] | None:
        """Read the state once; the event ``execute_complete`` expects if it has settled, else None."""
        data = initial
        if data is None or lifecycle.classify(lifecycle.state_of(data)) is not Outcome.PENDING:
            try:
                data = self.hook.call(lifecycle.get_operation, **{lifecycle.id_param: resource_id}).data
            except NotFoundError:
                if not not_found_ok:
                    raise
                return _event(
                    "success",
                    f"{lifecycle.resource} {resource_id} is gone",
                    lifecycle.resource,
                    resource_id,
                    None,
                    None,
                )
        check = check_state(lifecycle, resource_id, data)
        if check.outcome is Outcome.SUCCESS:
            return _event("success", check.message, lifecycle.resource, resource_id, check.state, data)
        if check.outcome is Outcome.FAILURE:
            if explains_with_work_request_errors(lifecycle):
                return None  # the trigger collects the work request's errors
            return _event("failure", check.message, lifecycle.resource, resource_id, check.state, data)
        return None

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume after the trigger fired: return the resource JSON or fail with its reason."""
        status, message = self.event_parts(event, "trigger returned no event")
        if status == "success":
            return self.on_wait_success(context, event.get("data"))
        if status == "timeout":
            self.on_wait_timeout(context, event)
            raise AirflowException(message or f"{self.task_id}: timed out waiting")
        if status == "failure":
            data = event.get("data")
            details = data.get("lifecycleDetails") if isinstance(data, Mapping) else None
            raise AirflowFailException(
                with_details(message or f"{self.task_id}: resource reached a failure state", details)
            )
        raise AirflowException(message or f"{self.task_id}: trigger error")

    def on_wait_success(self, context: Context, data: Any) -> Any:
        """Hook for subclasses: transform the final resource JSON into the task's return value."""
        return data

    def on_wait_timeout(self, context: Context, event: Mapping[str, Any]) -> None:
        """Hook for subclasses: clean up remote work when the deadline passed (e.g. cancel a run).

        Called for the sync wait's timeout and for the trigger's ``timeout`` event alike; the
        event has the trigger's shape (``resource``, ``resource_id``, ``state``...).
        """


def _event(
    status: str, message: str, resource: str, resource_id: str, state: str | None, data: Any
) -> dict[str, Any]:
    """An event of the trigger's shape (DESIGN.md "Triggers"), for the paths that need none."""
    return {
        "status": status,
        "message": message,
        "resource": resource,
        "resource_id": resource_id,
        "state": state,
        "data": data,
    }
