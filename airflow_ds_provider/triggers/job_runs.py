"""Trigger that waits for a Data Science job run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from airflow_ds_provider.triggers.lifecycle import LifecycleTriggerOptions


class DataScienceJobRunTrigger(DataScienceLifecycleTrigger):
    """Wait for a job run until it ``SUCCEEDED`` (failure: ``FAILED``, ``CANCELED``, ``NEEDS_ATTENTION``,
    ``DELETED``; the event message carries ``lifecycleDetails``).

    :param job_run_id: OCID of the job run.

    The other parameters (keywords) are those of :class:`DataScienceLifecycleTrigger`.
    """

    resource = "job_run"
    id_arg = "job_run_id"

    def __init__(self, job_run_id: str, **options: Unpack[LifecycleTriggerOptions]) -> None:
        super().__init__(self.resource, job_run_id, **options)
