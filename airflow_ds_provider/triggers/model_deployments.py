"""Trigger that waits for a Data Science model deployment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from airflow_ds_provider.triggers.lifecycle import LifecycleTriggerOptions


class DataScienceModelDeploymentTrigger(DataScienceLifecycleTrigger):
    """Wait for a model deployment until it is ``ACTIVE`` (failure: ``FAILED``, ``NEEDS_ATTENTION``, ``DELETED``;
    the event message carries ``lifecycleDetails``).

    :param model_deployment_id: OCID of the model deployment.

    The other parameters (keywords) are those of :class:`DataScienceLifecycleTrigger`.
    """

    resource = "model_deployment"
    id_arg = "model_deployment_id"

    def __init__(self, model_deployment_id: str, **options: Unpack[LifecycleTriggerOptions]) -> None:
        super().__init__(self.resource, model_deployment_id, **options)
