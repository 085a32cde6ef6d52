"""Operators for Data Science projects: create, update, delete, change compartment."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.links.console import DataScienceConsoleLink
from airflow_ds_provider.operators._resource_actions import (
    ChangeCompartmentOperator,
    DeleteResourceOperator,
    UpdateResourceOperator,
    build_create_body,
    create_resource,
)
from airflow_ds_provider.operators.base import (
    DataScienceBaseOperator,
    ds_template_fields,
    validate_body,
    validate_fields,
)
from airflow_ds_provider.spec import models

if TYPE_CHECKING:
    from airflow.sdk import Context


@cache
def update_project_fields() -> tuple[str, ...]:
    """Wire fields ``UpdateProject`` accepts (the reference has no model for its body); read
    from the spec on first use, so that importing this module parses no JSON."""
    return tuple(models()["UpdateProjectDetails"].field_by_wire())


class DataScienceCreateProjectOperator(DataScienceBaseOperator):
    """Create a project; returns its JSON (XCom ``resource_id``: the project OCID).

    Safe to retry: the request carries a deterministic ``opc-retry-token``, so a lost response
    returns the project the first attempt made.

    :param create_project_details: ``CreateProjectDetails`` in wire format (dict, JSON text, or a
        ``.json`` template file).
    :param compartment_id: compartment OCID (default: the connection's ``compartment_id``).
    :param display_name: project name.
    :param description: project description.
    :param freeform_tags: freeform tags, merged over the body's.
    :param defined_tags: defined tags, merged over the body's.
    """

    template_fields: Sequence[str] = ds_template_fields(
        "create_project_details",
        "compartment_id",
        "display_name",
        "description",
        "freeform_tags",
        "defined_tags",
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"create_project_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)
    resource = "project"

    def __init__(
        self,
        *,
        create_project_details: dict[str, Any] | str | None = None,
        compartment_id: str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.create_project_details = create_project_details
        self.compartment_id = compartment_id
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags

    def execute(self, context: Context) -> dict[str, Any]:
        body = build_create_body(
            self,
            context,
            self.create_project_details,
            "create_project_details",
            "CreateProjectDetails",
            check=validate_body,
            compartment_id=self.compartment_id or None,
            display_name=self.display_name,
            description=self.description,
            freeform_tags=self.freeform_tags,
            defined_tags=self.defined_tags,
        )
        return create_resource(self, context, "project", body)


def _check_project_update(model_name: str, body: Any, field: str) -> None:
    """The reference has no ``UpdateProjectDetails`` model: check the wire field names only."""
    validate_fields(body, update_project_fields(), field)


class DataScienceUpdateProjectOperator(UpdateResourceOperator):
    """Update a project's name, description or tags; returns its JSON.

    :param project_id: project OCID.
    :param update_project_details: ``UpdateProjectDetails`` in wire format (``displayName``,
        ``description``, ``freeformTags``, ``definedTags``).
    """

    template_fields: Sequence[str] = ds_template_fields(
        "project_id", "update_project_details", "display_name", "description", "freeform_tags", "defined_tags"
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"update_project_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)
    resource = "project"
    update_check = staticmethod(_check_project_update)

    def __init__(
        self,
        *,
        project_id: str,
        update_project_details: dict[str, Any] | str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.project_id = project_id
        self.update_project_details = update_project_details
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags


class DataScienceDeleteProjectOperator(DeleteResourceOperator):
    """Delete a project and (by default) wait until it is gone.

    Safe to retry: an already deleted project succeeds with a log line, and one already
    ``DELETING`` is only waited for. Returns the final JSON (``None`` once it is not found).

    :param project_id: project OCID.
    """

    template_fields: Sequence[str] = ds_template_fields("project_id")
    resource = "project"

    def __init__(self, *, project_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.project_id = project_id


class DataScienceChangeProjectCompartmentOperator(ChangeCompartmentOperator):
    """Move a project to another compartment; returns its JSON (nothing is sent if already there).

    :param project_id: project OCID.
    """

    template_fields: Sequence[str] = ds_template_fields("project_id", "compartment_id")
    resource = "project"

    def __init__(self, *, project_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.project_id = project_id
