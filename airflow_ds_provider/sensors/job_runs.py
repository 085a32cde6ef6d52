"""Sensor that waits for a Data Science job run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_ds_provider.sensors.lifecycle import DataScienceLifecycleSensor, sensor_template_fields


class DataScienceJobRunSensor(DataScienceLifecycleSensor):
    """Wait until a job run is ``SUCCEEDED`` (fails on ``FAILED``, ``CANCELED``, ``NEEDS_ATTENTION``, ``DELETED``,
    quoting ``lifecycleDetails``).

    :param job_run_id: OCID of the job run (templated).

    The other parameters are those of :class:`DataScienceLifecycleSensor`.
    """

    template_fields: Sequence[str] = sensor_template_fields("job_run_id")
    id_field = "job_run_id"

    def __init__(self, *, job_run_id: str, **kwargs: Any) -> None:
        super().__init__(resource="job_run", **kwargs)
        self.job_run_id = job_run_id
