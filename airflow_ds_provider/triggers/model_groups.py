"""Trigger that waits for a Data Science model group."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from airflow_ds_provider.triggers.lifecycle import LifecycleTriggerOptions


class DataScienceModelGroupTrigger(DataScienceLifecycleTrigger):
    """Wait for a model group until it is ``ACTIVE`` (failure: ``FAILED``, ``DELETED``; the event
    message carries ``lifecycleDetails``).

    :param model_group_id: OCID of the model group.

    The other parameters (keywords) are those of :class:`DataScienceLifecycleTrigger`.
    """

    resource = "model_group"
    id_arg = "model_group_id"

    def __init__(self, model_group_id: str, **options: Unpack[LifecycleTriggerOptions]) -> None:
        super().__init__(self.resource, model_group_id, **options)
