"""Sensor that waits for a Data Science pipeline run, writing its steps' changes and log lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_ds_provider.logs.pipeline_runs import PipelineRunLogsMixin
from airflow_ds_provider.sensors.job_runs import RunLogsSensor
from airflow_ds_provider.sensors.lifecycle import sensor_template_fields


class DataSciencePipelineRunSensor(PipelineRunLogsMixin, RunLogsSensor):
    """Wait until a pipeline run is ``SUCCEEDED`` (fails on ``FAILED``, ``CANCELED``, ``DELETED``,
    naming each failed step with its ``lifecycleDetails`` and last log lines).

    Each step's state changes, and with logging enabled the step runs' log lines, are copied
    into the task log (when, see :class:`~airflow_ds_provider.sensors.job_runs.RunLogsSensor`).

    :param pipeline_run_id: OCID of the pipeline run (templated).

    The other parameters are those of :class:`~airflow_ds_provider.sensors.job_runs.RunLogsSensor`.
    """

    template_fields: Sequence[str] = sensor_template_fields("pipeline_run_id")
    id_field = "pipeline_run_id"

    def __init__(self, *, pipeline_run_id: str, **kwargs: Any) -> None:
        super().__init__(resource="pipeline_run", **kwargs)
        self.pipeline_run_id = pipeline_run_id
