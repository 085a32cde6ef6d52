"""Sensor that waits for a Data Science model group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_ds_provider.sensors.lifecycle import DataScienceLifecycleSensor, sensor_template_fields


class DataScienceModelGroupSensor(DataScienceLifecycleSensor):
    """Wait until a model group is ``ACTIVE`` (fails on ``FAILED``, ``DELETED``, quoting
    ``lifecycleDetails``).

    :param model_group_id: OCID of the model group (templated).

    The other parameters are those of :class:`DataScienceLifecycleSensor`.
    """

    template_fields: Sequence[str] = sensor_template_fields("model_group_id")
    id_field = "model_group_id"

    def __init__(self, *, model_group_id: str, **kwargs: Any) -> None:
        super().__init__(resource="model_group", **kwargs)
        self.model_group_id = model_group_id
