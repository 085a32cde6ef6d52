"""Sensor that waits for a Data Science model deployment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_ds_provider.sensors.lifecycle import DataScienceLifecycleSensor, sensor_template_fields


class DataScienceModelDeploymentSensor(DataScienceLifecycleSensor):
    """Wait until a model deployment is ``ACTIVE`` (fails on ``FAILED``, ``NEEDS_ATTENTION``, ``DELETED``, quoting
    ``lifecycleDetails``).

    :param model_deployment_id: OCID of the model deployment (templated).

    The other parameters are those of :class:`DataScienceLifecycleSensor`.
    """

    template_fields: Sequence[str] = sensor_template_fields("model_deployment_id")
    id_field = "model_deployment_id"

    def __init__(self, *, model_deployment_id: str, **kwargs: Any) -> None:
        super().__init__(resource="model_deployment", **kwargs)
        self.model_deployment_id = model_deployment_id
