"""Sensor that waits for a Data Science notebook session."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_ds_provider.sensors.lifecycle import DataScienceLifecycleSensor, sensor_template_fields


class DataScienceNotebookSessionSensor(DataScienceLifecycleSensor):
    """Wait until a notebook session is ``ACTIVE`` (fails on ``FAILED``, ``DELETED``).

    :param notebook_session_id: OCID of the notebook session (templated).

    The other parameters are those of :class:`DataScienceLifecycleSensor`.
    """

    template_fields: Sequence[str] = sensor_template_fields("notebook_session_id")
    id_field = "notebook_session_id"

    def __init__(self, *, notebook_session_id: str, **kwargs: Any) -> None:
        super().__init__(resource="notebook_session", **kwargs)
        self.notebook_session_id = notebook_session_id
