"""Sensor that waits for a Data Science work request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_ds_provider.sensors.lifecycle import DataScienceLifecycleSensor, sensor_template_fields


class DataScienceWorkRequestSensor(DataScienceLifecycleSensor):
    """Wait until a work request is ``SUCCEEDED`` (fails on ``FAILED``, ``CANCELED``, quoting the entries of
    ``list_work_request_errors``).

    :param work_request_id: OCID of the work request (templated).

    The other parameters are those of :class:`DataScienceLifecycleSensor`.
    """

    template_fields: Sequence[str] = sensor_template_fields("work_request_id")
    id_field = "work_request_id"
    #: work requests have no OCI Console page of their own
    operator_extra_links = ()

    def __init__(self, *, work_request_id: str, **kwargs: Any) -> None:
        super().__init__(resource="work_request", **kwargs)
        self.work_request_id = work_request_id
