"""Trigger that waits for a Data Science pipeline run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from airflow_ds_provider.triggers.lifecycle import LifecycleTriggerOptions


class DataSciencePipelineRunTrigger(DataScienceLifecycleTrigger):
    """Wait for a pipeline run until it ``SUCCEEDED`` (failure: ``FAILED``, ``CANCELED``,
    ``DELETED``; the event's ``data`` is the run's JSON, with its ``stepRuns``). With
    ``cancel_on_kill``, killing the deferred task cancels the run.

    :param pipeline_run_id: OCID of the pipeline run.

    The other parameters (keywords) are those of :class:`DataScienceLifecycleTrigger`.
    """

    resource = "pipeline_run"
    id_arg = "pipeline_run_id"

    def __init__(self, pipeline_run_id: str, **options: Unpack[LifecycleTriggerOptions]) -> None:
        super().__init__(self.resource, pipeline_run_id, **options)
