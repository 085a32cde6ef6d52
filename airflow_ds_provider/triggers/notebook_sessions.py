"""Trigger that waits for a Data Science notebook session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from airflow_ds_provider.triggers.lifecycle import LifecycleTriggerOptions


class DataScienceNotebookSessionTrigger(DataScienceLifecycleTrigger):
    """Wait for a notebook session until it is ``ACTIVE`` (failure: ``FAILED``, ``DELETED``).

    :param notebook_session_id: OCID of the notebook session.

    The other parameters (keywords) are those of :class:`DataScienceLifecycleTrigger`.
    """

    resource = "notebook_session"
    id_arg = "notebook_session_id"

    def __init__(self, notebook_session_id: str, **options: Unpack[LifecycleTriggerOptions]) -> None:
        super().__init__(self.resource, notebook_session_id, **options)
