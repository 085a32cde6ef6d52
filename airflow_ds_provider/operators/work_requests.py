"""Operator for Data Science work requests: cancel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.client.errors import ConflictError
from airflow_ds_provider.operators.base import DataScienceWaitingOperator, ds_template_fields, require_str

if TYPE_CHECKING:
    from airflow.sdk import Context

_FINISHED = ("SUCCEEDED", "FAILED")


class DataScienceCancelWorkRequestOperator(DataScienceWaitingOperator):
    """Cancel a work request that has not started yet and (by default) wait until it is ``CANCELED``.

    Safe to retry: one already ``CANCELED`` succeeds with a log line, one ``CANCELING`` is only
    waited for. A work request that already finished, or that the service refuses to cancel
    (it has started), fails the task with its status. Returns the work request's final JSON.

    :param work_request_id: work request OCID (e.g. the ``work_request_id`` XCom of a delete).
    """

    template_fields: Sequence[str] = ds_template_fields("work_request_id")
    resource = "work_request"
    target_states = frozenset({"CANCELED"})

    def __init__(self, *, work_request_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.work_request_id = work_request_id

    def execute(self, context: Context) -> Any:
        work_request_id = require_str(self.work_request_id, "work_request_id")
        work = self.read_resource(work_request_id) or {}
        status = work.get("status")
        self.publish(context, None, work_request_id=work_request_id)
        if status == "CANCELED":
            self.log.info("Work request %s is already CANCELED; nothing to do", work_request_id)
            return work
        if status in _FINISHED:
            raise AirflowFailException(
                f"work request {work_request_id} already {status}; it cannot be cancelled"
            )
        if status == "CANCELING":
            self.log.info("Work request %s is already CANCELING; waiting for it", work_request_id)
        else:
            try:
                self.hook.cancel_work_request(work_request_id)
            except ConflictError as exc:
                work = self.read_resource(work_request_id) or {}
                if work.get("status") not in ("CANCELING", "CANCELED"):
                    raise AirflowFailException(
                        f"work request {work_request_id} could not be cancelled in status "
                        f"{work.get('status')}: {exc.message}"
                    ) from None
            else:
                self.log.info("Cancelling work request %s (was %s)", work_request_id, status)
        return self.wait(context, work_request_id, failure_states=list(_FINISHED))
