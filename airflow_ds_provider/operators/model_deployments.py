"""Operators for OCI Data Science model deployments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.lineage import DataScienceLineageMixin
from airflow_ds_provider.links.console import DataScienceConsoleLink
from airflow_ds_provider.operators._assets import emit_assets
from airflow_ds_provider.operators._resource_actions import (
    UPDATE_FIELDS,
    ChangeCompartmentOperator,
    DeleteResourceOperator,
    LifecycleActionOperator,
    build_create_body,
    build_update_body,
    create_resource,
)
from airflow_ds_provider.operators.base import (
    DataScienceWaitingOperator,
    ds_template_fields,
    load_body,
    require_str,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.client.response import Response

_DEPLOYMENT = "model_deployment"
_CREATE_FIELDS = (
    "compartment_id",
    "project_id",
    "display_name",
    "description",
    "freeform_tags",
    "defined_tags",
)


class DataScienceCreateModelDeploymentOperator(DataScienceLineageMixin, DataScienceWaitingOperator):
    """Create a model deployment and (by default) wait until it is ACTIVE.

    A deployment that ends ``FAILED`` fails the task with its ``lifecycleDetails``. The create
    carries a deterministic ``opc-retry-token``, so an HTTP retry after a lost response returns
    the same deployment instead of a second one.

    :param create_model_deployment_details: ``CreateModelDeploymentDetails`` in wire format
        (camelCase), as a dict, JSON text, or a ``.json`` template file name.
    :param compartment_id: compartment OCID (default: the connection's ``compartment_id``).
    :param project_id: project OCID.
    :param model_id: model OCID to serve; sets
        ``modelDeploymentConfigurationDetails.modelConfigurationDetails.modelId``
        (``deploymentType`` defaults to ``SINGLE_MODEL``).
    :param display_name: display name.
    :param description: description.
    :param freeform_tags: freeform tags (merged over the body's; the Airflow identity tags
        ``airflow-dag-id``... are added).
    :param defined_tags: defined tags (merged over the body's).
    """

    resource = _DEPLOYMENT
    template_fields: Sequence[str] = ds_template_fields(
        "create_model_deployment_details", *_CREATE_FIELDS, "model_id"
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"create_model_deployment_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(
        self,
        *,
        create_model_deployment_details: dict[str, Any] | str | None = None,
        compartment_id: str | None = None,
        project_id: str | None = None,
        model_id: str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.create_model_deployment_details = create_model_deployment_details
        self.compartment_id = compartment_id
        self.project_id = project_id
        self.model_id = model_id
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags

    def execute(self, context: Context) -> Any:
        field = "create_model_deployment_details"
        body = load_body(self.create_model_deployment_details, field)
        if self.model_id is not None:
            config = body.setdefault("modelDeploymentConfigurationDetails", {})
            if not isinstance(config, dict):
                raise ValueError(f"{field}.modelDeploymentConfigurationDetails: expected a JSON object")
            config.setdefault("deploymentType", "SINGLE_MODEL")
            model_config = config.setdefault("modelConfigurationDetails", {})
            if not isinstance(model_config, dict):
                raise ValueError(
                    f"{field}.modelDeploymentConfigurationDetails.modelConfigurationDetails: expected a JSON object"
                )
            model_config["modelId"] = require_str(self.model_id, "model_id")
        body = build_create_body(
            self,
            context,
            body,
            field,
            "CreateModelDeploymentDetails",
            **{name: getattr(self, name) for name in _CREATE_FIELDS},
        )
        data = create_resource(self, context, _DEPLOYMENT, body)
        return self.wait(context, data["id"], initial=data)

    def on_wait_success(self, context: Context, data: Any) -> Any:
        """The ACTIVE deployment's JSON; fills the asset events of the ``outlets`` (docs/assets.md)."""
        if isinstance(data, dict):
            emit_assets(self, context, _DEPLOYMENT, data)
        return data


class DataScienceUpdateModelDeploymentOperator(LifecycleActionOperator):
    """Update a model deployment (configuration, logging, names, tags) and wait for it to settle.

    An ``ACTIVE`` deployment goes through ``UPDATING`` back to ``ACTIVE``; an ``INACTIVE`` one
    stays ``INACTIVE``. A deployment already in a transition is waited for first.

    :param model_deployment_id: OCID of the deployment.
    :param update_model_deployment_details: ``UpdateModelDeploymentDetails`` in wire format, as a
        dict, JSON text or a ``.json`` template file name.
    :param display_name: new display name.
    :param description: new description.
    :param freeform_tags: freeform tags (merged over the body's).
    :param defined_tags: defined tags (merged over the body's).
    """

    resource = _DEPLOYMENT
    action = "update"
    template_fields: Sequence[str] = ds_template_fields(
        "model_deployment_id",
        "update_model_deployment_details",
        "display_name",
        "description",
        "freeform_tags",
        "defined_tags",
        "if_match",
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"update_model_deployment_details": "json"}

    def __init__(
        self,
        *,
        model_deployment_id: str,
        update_model_deployment_details: dict[str, Any] | str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.model_deployment_id = model_deployment_id
        self.update_model_deployment_details = update_model_deployment_details
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags

    def body(self) -> dict[str, Any]:
        """The checked update body."""
        return build_update_body(self, UPDATE_FIELDS, empty_hint="display_name/description/tags")

    def check_inputs(self) -> None:
        self.body()

    def is_done(self, state: str | None) -> bool:
        return False

    def send(self, resource_id: str, data: dict[str, Any]) -> Response:
        return self.hook.update_model_deployment(resource_id, self.body(), if_match=self.if_match)

    def targets_for(self, data: dict[str, Any]) -> list[str]:
        return ["INACTIVE" if data.get("lifecycleState") == "INACTIVE" else "ACTIVE"]


class DataScienceDeleteModelDeploymentOperator(DeleteResourceOperator):
    """Delete a model deployment and (by default) wait until it is gone.

    :param model_deployment_id: OCID of the deployment.
    """

    resource = _DEPLOYMENT
    template_fields: Sequence[str] = ds_template_fields("model_deployment_id", "if_match")

    def __init__(self, *, model_deployment_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_deployment_id = model_deployment_id


class DataScienceActivateModelDeploymentOperator(LifecycleActionOperator):
    """Activate an ``INACTIVE`` model deployment and (by default) wait until it is ACTIVE.

    :param model_deployment_id: OCID of the deployment.
    """

    resource = _DEPLOYMENT
    action = "activate"
    template_fields: Sequence[str] = ds_template_fields("model_deployment_id", "if_match")

    def __init__(self, *, model_deployment_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_deployment_id = model_deployment_id


class DataScienceDeactivateModelDeploymentOperator(LifecycleActionOperator):
    """Deactivate a model deployment and (by default) wait until it is INACTIVE.

    :param model_deployment_id: OCID of the deployment.
    """

    resource = _DEPLOYMENT
    action = "deactivate"
    template_fields: Sequence[str] = ds_template_fields("model_deployment_id", "if_match")

    def __init__(self, *, model_deployment_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_deployment_id = model_deployment_id


class DataScienceChangeModelDeploymentCompartmentOperator(ChangeCompartmentOperator):
    """Move a model deployment to another compartment.

    :param model_deployment_id: OCID of the deployment.
    """

    resource = _DEPLOYMENT
    template_fields: Sequence[str] = ds_template_fields("model_deployment_id", "compartment_id")

    def __init__(self, *, model_deployment_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_deployment_id = model_deployment_id
