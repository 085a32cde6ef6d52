"""Operators for OCI Data Science private endpoints (``DataSciencePrivateEndpoint``: the private
network access of notebook sessions and model deployments).

The class names say ``PrivateEndpoint`` where the API says ``DataSciencePrivateEndpoint``
(``DataScienceCreatePrivateEndpointOperator``, not ``DataScienceCreateDataSciencePrivateEndpointOperator``).
The API has no activate or deactivate for private endpoints, so there are no such operators.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.links.console import DataScienceConsoleLink
from airflow_ds_provider.operators._resource_actions import (
    ChangeCompartmentOperator,
    DeleteResourceOperator,
    LifecycleActionOperator,
    build_create_body,
    build_update_body,
    create_resource,
)
from airflow_ds_provider.operators.base import DataScienceWaitingOperator, ds_template_fields

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.client.response import Response

_ENDPOINT = "data_science_private_endpoint"
_CREATE_FIELDS = (
    "compartment_id",
    "subnet_id",
    "data_science_resource_type",
    "sub_domain",
    "nsg_ids",
    "display_name",
    "description",
    "freeform_tags",
    "defined_tags",
)
_UPDATE_FIELDS = ("display_name", "description", "nsg_ids", "freeform_tags", "defined_tags")


class DataScienceCreatePrivateEndpointOperator(DataScienceWaitingOperator):
    """Create a Data Science private endpoint and (by default) wait until it is ACTIVE.

    An endpoint that ends ``FAILED`` or ``NEEDS_ATTENTION`` fails the task with its
    ``lifecycleDetails``. The create carries a deterministic ``opc-retry-token`` and the task
    instance's identity tags, so a retry adopts the endpoint an earlier try created.

    :param create_data_science_private_endpoint_details: ``CreateDataSciencePrivateEndpointDetails``
        in wire format (camelCase), as a dict, JSON text, or a ``.json`` template file name.
    :param compartment_id: compartment OCID (default: the connection's ``compartment_id``).
    :param subnet_id: OCID of the subnet the endpoint is in.
    :param data_science_resource_type: what uses it: ``NOTEBOOK_SESSION`` or ``MODEL_DEPLOYMENT``.
    :param sub_domain: its DNS label (default: the service chooses one).
    :param nsg_ids: OCIDs of its network security groups.
    :param display_name: display name.
    :param description: description.
    :param freeform_tags: freeform tags (merged over the body's; the Airflow identity tags are added).
    :param defined_tags: defined tags (merged over the body's).
    """

    resource = _ENDPOINT
    template_fields: Sequence[str] = ds_template_fields(
        "create_data_science_private_endpoint_details", *_CREATE_FIELDS
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"create_data_science_private_endpoint_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(
        self,
        *,
        create_data_science_private_endpoint_details: dict[str, Any] | str | None = None,
        compartment_id: str | None = None,
        subnet_id: str | None = None,
        data_science_resource_type: str | None = None,
        sub_domain: str | None = None,
        nsg_ids: list[str] | None = None,
        display_name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.create_data_science_private_endpoint_details = create_data_science_private_endpoint_details
        self.compartment_id = compartment_id
        self.subnet_id = subnet_id
        self.data_science_resource_type = data_science_resource_type
        self.sub_domain = sub_domain
        self.nsg_ids = nsg_ids
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags

    def execute(self, context: Context) -> Any:
        body = build_create_body(
            self,
            context,
            self.create_data_science_private_endpoint_details,
            "create_data_science_private_endpoint_details",
            "CreateDataSciencePrivateEndpointDetails",
            **{name: getattr(self, name) for name in _CREATE_FIELDS},
        )
        data = create_resource(self, context, _ENDPOINT, body)
        return self.wait(context, data["id"], initial=data)


class DataScienceUpdatePrivateEndpointOperator(LifecycleActionOperator):
    """Update a private endpoint (names, network security groups, tags) and wait until it is
    ACTIVE again (``UPDATING`` -> ``ACTIVE``; a failed update ends ``NEEDS_ATTENTION`` and fails
    the task with its ``lifecycleDetails``).

    :param data_science_private_endpoint_id: OCID of the private endpoint.
    :param update_data_science_private_endpoint_details: ``UpdateDataSciencePrivateEndpointDetails``
        in wire format, as a dict, JSON text or a ``.json`` template file name.
    :param display_name: new display name.
    :param description: new description.
    :param nsg_ids: new network security group OCIDs.
    :param freeform_tags: freeform tags (merged over the body's).
    :param defined_tags: defined tags (merged over the body's).
    """

    resource = _ENDPOINT
    action = "update"
    template_fields: Sequence[str] = ds_template_fields(
        "data_science_private_endpoint_id",
        "update_data_science_private_endpoint_details",
        *_UPDATE_FIELDS,
        "if_match",
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"update_data_science_private_endpoint_details": "json"}

    def __init__(
        self,
        *,
        data_science_private_endpoint_id: str,
        update_data_science_private_endpoint_details: dict[str, Any] | str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        nsg_ids: list[str] | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.data_science_private_endpoint_id = data_science_private_endpoint_id
        self.update_data_science_private_endpoint_details = update_data_science_private_endpoint_details
        self.display_name = display_name
        self.description = description
        self.nsg_ids = nsg_ids
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags

    def body(self) -> dict[str, Any]:
        """The checked update body."""
        return build_update_body(self, _UPDATE_FIELDS, empty_hint="display_name/description/nsg_ids/tags")

    def check_inputs(self) -> None:
        self.body()

    def is_done(self, state: str | None) -> bool:
        return False

    def send(self, resource_id: str, data: dict[str, Any]) -> Response:
        return self.hook.update_data_science_private_endpoint(
            resource_id, self.body(), if_match=self.if_match
        )


class DataScienceDeletePrivateEndpointOperator(DeleteResourceOperator):
    """Delete a private endpoint and (by default) wait until it is gone.

    :param data_science_private_endpoint_id: OCID of the private endpoint.
    """

    resource = _ENDPOINT
    template_fields: Sequence[str] = ds_template_fields("data_science_private_endpoint_id", "if_match")

    def __init__(self, *, data_science_private_endpoint_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_science_private_endpoint_id = data_science_private_endpoint_id


class DataScienceChangePrivateEndpointCompartmentOperator(ChangeCompartmentOperator):
    """Move a private endpoint to another compartment.

    :param data_science_private_endpoint_id: OCID of the private endpoint.
    """

    resource = _ENDPOINT
    template_fields: Sequence[str] = ds_template_fields("data_science_private_endpoint_id", "compartment_id")

    def __init__(self, *, data_science_private_endpoint_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_science_private_endpoint_id = data_science_private_endpoint_id
