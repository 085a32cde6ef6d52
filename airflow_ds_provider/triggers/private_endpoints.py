"""Trigger that waits for a Data Science private endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from airflow_ds_provider.triggers.lifecycle import LifecycleTriggerOptions


class DataSciencePrivateEndpointTrigger(DataScienceLifecycleTrigger):
    """Wait for a Data Science private endpoint until it is ``ACTIVE`` (failure: ``FAILED``,
    ``NEEDS_ATTENTION``, ``DELETED``).

    :param data_science_private_endpoint_id: OCID of the private endpoint.

    The other parameters (keywords) are those of :class:`DataScienceLifecycleTrigger`.
    """

    resource = "data_science_private_endpoint"
    id_arg = "data_science_private_endpoint_id"

    def __init__(
        self, data_science_private_endpoint_id: str, **options: Unpack[LifecycleTriggerOptions]
    ) -> None:
        super().__init__(self.resource, data_science_private_endpoint_id, **options)
