"""Sensor that waits for a Data Science private endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_ds_provider.sensors.lifecycle import DataScienceLifecycleSensor, sensor_template_fields


class DataSciencePrivateEndpointSensor(DataScienceLifecycleSensor):
    """Wait until a Data Science private endpoint is ``ACTIVE`` (fails on ``FAILED``,
    ``NEEDS_ATTENTION``, ``DELETED``).

    :param data_science_private_endpoint_id: OCID of the private endpoint (templated).

    The other parameters are those of :class:`DataScienceLifecycleSensor`.
    """

    template_fields: Sequence[str] = sensor_template_fields("data_science_private_endpoint_id")
    id_field = "data_science_private_endpoint_id"

    def __init__(self, *, data_science_private_endpoint_id: str, **kwargs: Any) -> None:
        super().__init__(resource="data_science_private_endpoint", **kwargs)
        self.data_science_private_endpoint_id = data_science_private_endpoint_id
