"""Trigger that waits for a Data Science work request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from airflow_ds_provider.triggers.lifecycle import LifecycleTriggerOptions


class DataScienceWorkRequestTrigger(DataScienceLifecycleTrigger):
    """Wait for a work request until it ``SUCCEEDED`` (failure: ``FAILED``, ``CANCELED``; the event message
    carries the entries of ``list_work_request_errors``).

    :param work_request_id: OCID of the work request.

    The other parameters (keywords) are those of :class:`DataScienceLifecycleTrigger`.
    """

    resource = "work_request"
    id_arg = "work_request_id"

    def __init__(self, work_request_id: str, **options: Unpack[LifecycleTriggerOptions]) -> None:
        super().__init__(self.resource, work_request_id, **options)
