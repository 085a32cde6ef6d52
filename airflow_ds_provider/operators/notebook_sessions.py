"""Operators for OCI Data Science notebook sessions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.links.console import DataScienceConsoleLink
from airflow_ds_provider.operators._resource_actions import (
    ChangeCompartmentOperator,
    DeleteResourceOperator,
    LifecycleActionOperator,
    UpdateResourceOperator,
    build_create_body,
    create_resource,
)
from airflow_ds_provider.operators.base import (
    DataScienceWaitingOperator,
    ds_template_fields,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

_SESSION = "notebook_session"
_CREATE_FIELDS = ("compartment_id", "project_id", "display_name", "freeform_tags", "defined_tags")


class DataScienceCreateNotebookSessionOperator(DataScienceWaitingOperator):
    """Create a notebook session and (by default) wait until it is ACTIVE.

    The create carries a deterministic ``opc-retry-token``, so an HTTP retry after a lost
    response returns the same session instead of a second one.

    :param create_notebook_session_details: ``CreateNotebookSessionDetails`` in wire format
        (camelCase), as a dict, JSON text, or a ``.json`` template file name.
    :param compartment_id: compartment OCID (default: the connection's ``compartment_id``).
    :param project_id: project OCID.
    :param display_name: display name.
    :param freeform_tags: freeform tags (merged over the body's; the Airflow identity tags
        ``airflow-dag-id``... are added).
    :param defined_tags: defined tags (merged over the body's).
    """

    resource = _SESSION
    template_fields: Sequence[str] = ds_template_fields("create_notebook_session_details", *_CREATE_FIELDS)
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"create_notebook_session_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(
        self,
        *,
        create_notebook_session_details: dict[str, Any] | str | None = None,
        compartment_id: str | None = None,
        project_id: str | None = None,
        display_name: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.create_notebook_session_details = create_notebook_session_details
        self.compartment_id = compartment_id
        self.project_id = project_id
        self.display_name = display_name
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags

    def execute(self, context: Context) -> Any:
        body = build_create_body(
            self,
            context,
            self.create_notebook_session_details,
            "create_notebook_session_details",
            "CreateNotebookSessionDetails",
            **{name: getattr(self, name) for name in _CREATE_FIELDS},
        )
        data = create_resource(self, context, _SESSION, body)
        return self.wait(context, data["id"], initial=data)


class DataScienceUpdateNotebookSessionOperator(UpdateResourceOperator):
    """Update a notebook session's name, tags or (while INACTIVE) configuration.

    Configuration changes take effect the next time the session is activated.

    :param notebook_session_id: OCID of the session.
    :param update_notebook_session_details: ``UpdateNotebookSessionDetails`` in wire format, as a
        dict, JSON text or a ``.json`` template file name.
    :param if_match: update only if the session's etag still matches.
    """

    resource = _SESSION
    update_fields = ("display_name", "freeform_tags", "defined_tags")
    empty_hint = "display_name/tags"
    template_fields: Sequence[str] = ds_template_fields(
        "notebook_session_id",
        "update_notebook_session_details",
        "display_name",
        "freeform_tags",
        "defined_tags",
        "if_match",
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"update_notebook_session_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(
        self,
        *,
        notebook_session_id: str,
        update_notebook_session_details: dict[str, Any] | str | None = None,
        display_name: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        if_match: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.notebook_session_id = notebook_session_id
        self.update_notebook_session_details = update_notebook_session_details
        self.display_name = display_name
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags
        self.if_match = if_match


class DataScienceDeleteNotebookSessionOperator(DeleteResourceOperator):
    """Delete a notebook session and (by default) wait until it is gone.

    :param notebook_session_id: OCID of the session.
    """

    resource = _SESSION
    template_fields: Sequence[str] = ds_template_fields("notebook_session_id", "if_match")

    def __init__(self, *, notebook_session_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.notebook_session_id = notebook_session_id


class DataScienceActivateNotebookSessionOperator(LifecycleActionOperator):
    """Activate an ``INACTIVE`` notebook session and (by default) wait until it is ACTIVE.

    :param notebook_session_id: OCID of the session.
    """

    resource = _SESSION
    action = "activate"
    template_fields: Sequence[str] = ds_template_fields("notebook_session_id", "if_match")

    def __init__(self, *, notebook_session_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.notebook_session_id = notebook_session_id


class DataScienceDeactivateNotebookSessionOperator(LifecycleActionOperator):
    """Deactivate an ``ACTIVE`` notebook session and (by default) wait until it is INACTIVE.

    :param notebook_session_id: OCID of the session.
    """

    resource = _SESSION
    action = "deactivate"
    template_fields: Sequence[str] = ds_template_fields("notebook_session_id", "if_match")

    def __init__(self, *, notebook_session_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.notebook_session_id = notebook_session_id


class DataScienceChangeNotebookSessionCompartmentOperator(ChangeCompartmentOperator):
    """Move a notebook session to another compartment.

    :param notebook_session_id: OCID of the session.
    """

    resource = _SESSION
    template_fields: Sequence[str] = ds_template_fields("notebook_session_id", "compartment_id")

    def __init__(self, *, notebook_session_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.notebook_session_id = notebook_session_id
