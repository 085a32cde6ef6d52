"""Operators for Data Science projects: create, update, delete, change compartment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.links.console import DataScienceConsoleLink
from airflow_ds_provider.operators.base import (
    DataScienceBaseOperator,
    DataScienceWaitingOperator,
    ds_template_fields,
    load_body,
    merge_body,
    require_str,
    retry_token_for,
    validate_body,
    validate_fields,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

#: Wire fields ``UpdateProject`` accepts (the reference has no model for its body).
UPDATE_PROJECT_FIELDS = ("displayName", "description", "freeformTags", "definedTags")


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
        body = merge_body(
            load_body(self.create_project_details, "create_project_details"),
            display_name=self.display_name,
            description=self.description,
            freeform_tags=self.freeform_tags,
            defined_tags=self.defined_tags,
        )
        body["compartmentId"] = self.default_compartment(self.compartment_id or body.get("compartmentId"))
        validate_body("CreateProjectDetails", body, "create_project_details")
        data = self.hook.create_project(body, opc_retry_token=retry_token_for(context)).data
        self.log.info("Created project %s (%s)", data["id"], data.get("displayName"))
        self.publish(context, data["id"])
        return data


class DataScienceUpdateProjectOperator(DataScienceBaseOperator):
    """Update a project's name, description or tags; returns its JSON.

    :param project_id: project OCID.
    :param update_project_details: ``UpdateProjectDetails`` in wire format (``displayName``,
        ``description``, ``freeformTags``, ``definedTags``).
    :param display_name: new name.
    :param description: new description.
    :param freeform_tags: freeform tags (replace the project's; the body's are merged under them).
    :param defined_tags: defined tags (as ``freeform_tags``).
    """

    template_fields: Sequence[str] = ds_template_fields(
        "project_id", "update_project_details", "display_name", "description", "freeform_tags", "defined_tags"
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"update_project_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)
    resource = "project"

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

    def execute(self, context: Context) -> dict[str, Any]:
        project_id = require_str(self.project_id, "project_id")
        body = merge_body(
            load_body(self.update_project_details, "update_project_details"),
            display_name=self.display_name,
            description=self.description,
            freeform_tags=self.freeform_tags,
            defined_tags=self.defined_tags,
        )
        validate_fields(body, UPDATE_PROJECT_FIELDS, "update_project_details")
        data = self.hook.update_project(project_id, body).data
        self.log.info("Updated project %s: %s", project_id, sorted(body))
        self.publish(context, project_id)
        return data


class DataScienceDeleteProjectOperator(DataScienceWaitingOperator):
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

    def execute(self, context: Context) -> dict[str, Any] | None:
        project_id = require_str(self.project_id, "project_id")
        return self.delete_and_wait(context, project_id, lambda: self.hook.delete_project(project_id))


class DataScienceChangeProjectCompartmentOperator(DataScienceBaseOperator):
    """Move a project to another compartment; returns its JSON (nothing is sent if already there).

    :param project_id: project OCID.
    :param compartment_id: OCID of the destination compartment.
    """

    template_fields: Sequence[str] = ds_template_fields("project_id", "compartment_id")
    operator_extra_links = (DataScienceConsoleLink(),)
    resource = "project"

    def __init__(self, *, project_id: str, compartment_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.project_id = project_id
        self.compartment_id = compartment_id

    def execute(self, context: Context) -> dict[str, Any]:
        project_id = require_str(self.project_id, "project_id")
        target = require_str(self.compartment_id, "compartment_id")
        return self.change_compartment(context, project_id, target)
