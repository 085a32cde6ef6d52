"""Operators for OCI Data Science model groups: several models served as one (homogeneous,
heterogeneous or stacked), created from member models or cloned from another group.

A group is CREATING (a work request) until ACTIVE; activate and deactivate settle at once; the
delete goes through DELETING. The create and clone operators wait for ACTIVE by default (sync or
deferred, see :class:`~airflow_ds_provider.operators.base.DataScienceWaitingOperator`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.links.console import DataScienceConsoleLink
from airflow_ds_provider.operators._adoption import creation_tags
from airflow_ds_provider.operators._resource_actions import (
    UPDATE_FIELDS,
    ChangeCompartmentOperator,
    DeleteResourceOperator,
    LifecycleActionOperator,
    UpdateResourceOperator,
    build_create_body,
    check_body,
    create_resource,
)
from airflow_ds_provider.operators.base import (
    DataScienceWaitingOperator,
    ds_template_fields,
    load_body,
    merge_body,
    require_ocid,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

_GROUP = "model_group"
_BODY_MODEL = "CreateBaseModelGroupDetails"
_CREATE_FIELDS = (
    "compartment_id",
    "project_id",
    "display_name",
    "description",
    "freeform_tags",
    "defined_tags",
    "version_label",
    "model_group_version_history_id",
)
_MODIFY_FIELDS = _CREATE_FIELDS[2:]


def _member_list(value: Any, field: str) -> list[dict[str, str]] | None:
    """``[{"modelId": ...}]`` from a list of model OCIDs (``None`` stays ``None``)."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError(f"{field}: expected a list of model OCIDs, got {type(value).__name__}")
    return [
        {"modelId": require_ocid(item, f"{field}[{index}]", ["model"])} for index, item in enumerate(value)
    ]


class DataScienceCreateModelGroupOperator(DataScienceWaitingOperator):
    """Create a model group from its member models and (by default) wait until it is ACTIVE.

    :param create_model_group_details: ``CreateModelGroupDetails`` in wire format, as a dict,
        JSON text or a ``.json`` template file name (``createType`` is set to ``CREATE``;
        ``modelGroupDetails`` defaults to ``{"type": "HOMOGENEOUS"}``).
    :param member_model_ids: OCIDs of the member models (each ACTIVE); set
        ``memberModelEntries.memberModelDetails``.
    :param compartment_id: compartment OCID (default: the connection's ``compartment_id``).
    :param project_id: project OCID.
    :param display_name: display name.
    :param description: description.
    :param freeform_tags: freeform tags (the Airflow identity tags are added).
    :param defined_tags: defined tags.
    :param version_label: label of the group in its version history.
    :param model_group_version_history_id: version history the group joins (its next version).
    """

    resource = _GROUP
    template_fields: Sequence[str] = ds_template_fields(
        "create_model_group_details", "member_model_ids", *_CREATE_FIELDS
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"create_model_group_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(
        self,
        *,
        create_model_group_details: dict[str, Any] | str | None = None,
        member_model_ids: list[str] | None = None,
        compartment_id: str | None = None,
        project_id: str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        version_label: str | None = None,
        model_group_version_history_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.create_model_group_details = create_model_group_details
        self.member_model_ids = member_model_ids
        self.compartment_id = compartment_id
        self.project_id = project_id
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags
        self.version_label = version_label
        self.model_group_version_history_id = model_group_version_history_id

    def execute(self, context: Context) -> Any:
        field = "create_model_group_details"
        body = load_body(self.create_model_group_details, field)
        kind = body.setdefault("createType", "CREATE")
        if kind != "CREATE":
            raise ValueError(
                f"{field}.createType: expected 'CREATE', got {kind!r}; clone with DataScienceCloneModelGroupOperator"
            )
        body.setdefault("modelGroupDetails", {"type": "HOMOGENEOUS"})
        members = _member_list(self.member_model_ids, "member_model_ids")
        if members is not None:
            self._check_members(members, "member_model_ids")
            body["memberModelEntries"] = {"memberModelDetails": members}
        body = build_create_body(
            self, context, body, field, _BODY_MODEL, **{name: getattr(self, name) for name in _CREATE_FIELDS}
        )
        data = create_resource(self, context, _GROUP, body)
        return self.wait(context, data["id"], initial=data)

    def _check_members(self, members: list[dict[str, str]], field: str) -> None:
        """Each member model exists and is ACTIVE (what the service requires), named by index."""
        for index, member in enumerate(members):
            model = self.read_resource(member["modelId"], resource="model", missing_ok=True)
            if model is None:
                raise ValueError(
                    f"{field}[{index}]: model {member['modelId']} does not exist or is not visible to this connection"
                )
            if model["lifecycleState"] != "ACTIVE":
                raise ValueError(
                    f"{field}[{index}]: model {member['modelId']} is {model['lifecycleState']}, not ACTIVE"
                )


class DataScienceCloneModelGroupOperator(DataScienceWaitingOperator):
    """Create a model group as a copy of another group (or of the latest group of a version
    history), with its members patched, and (by default) wait until it is ACTIVE.

    :param source_model_group_id: OCID of the group to copy (or give
        ``source_model_group_version_history_id``).
    :param source_model_group_version_history_id: OCID of a version history: its latest group is
        copied.
    :param insert_model_ids: OCIDs of models to add to the copy's members.
    :param remove_model_ids: OCIDs of members to leave out of the copy.
    :param compartment_id: compartment OCID (default: the connection's ``compartment_id``).
    :param project_id: project OCID (default: the source's).
    :param display_name: the copy's display name (default: the source's).
    :param description: the copy's description.
    :param freeform_tags: the copy's freeform tags (the Airflow identity tags are added).
    :param defined_tags: the copy's defined tags.
    :param version_label: the copy's label in its version history.
    :param model_group_version_history_id: version history the copy joins.
    """

    resource = _GROUP
    template_fields: Sequence[str] = ds_template_fields(
        "source_model_group_id",
        "source_model_group_version_history_id",
        "insert_model_ids",
        "remove_model_ids",
        *_CREATE_FIELDS,
    )
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(
        self,
        *,
        source_model_group_id: str | None = None,
        source_model_group_version_history_id: str | None = None,
        insert_model_ids: list[str] | None = None,
        remove_model_ids: list[str] | None = None,
        compartment_id: str | None = None,
        project_id: str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        version_label: str | None = None,
        model_group_version_history_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source_model_group_id = source_model_group_id
        self.source_model_group_version_history_id = source_model_group_version_history_id
        self.insert_model_ids = insert_model_ids
        self.remove_model_ids = remove_model_ids
        self.compartment_id = compartment_id
        self.project_id = project_id
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags
        self.version_label = version_label
        self.model_group_version_history_id = model_group_version_history_id

    def body(self, context: Context) -> dict[str, Any]:
        """The checked ``CloneModelGroupDetails`` (identity tags in ``modifyModelGroupDetails``)."""
        group, history = (
            self.source_model_group_id or None,
            self.source_model_group_version_history_id or None,
        )
        if (group is None) == (history is None):
            raise ValueError(
                "source_model_group_id / source_model_group_version_history_id: give exactly one, "
                f"got {group!r} and {history!r}"
            )
        source: dict[str, Any] = {
            "modelGroupCloneSourceType": "MODEL_GROUP" if group else "MODEL_GROUP_VERSION_HISTORY",
            "sourceId": require_ocid(group, "source_model_group_id", [_GROUP])
            if group
            else require_ocid(
                history, "source_model_group_version_history_id", ["model_group_version_history"]
            ),
        }
        modify = merge_body({}, **{name: getattr(self, name) for name in _MODIFY_FIELDS})
        tags = modify.get("freeformTags") or {}
        if not isinstance(tags, dict):
            raise ValueError(f"freeform_tags: expected a dict of strings, got {type(tags).__name__}")
        modify["freeformTags"] = {**tags, **creation_tags(context)}
        source["modifyModelGroupDetails"] = modify
        patch = [
            {"operation": operation, "values": values}
            for operation, values in (
                ("INSERT", _member_list(self.insert_model_ids, "insert_model_ids")),
                ("REMOVE", _member_list(self.remove_model_ids, "remove_model_ids")),
            )
            if values
        ]
        if patch:
            source["patchModelGroupMemberModelDetails"] = {"items": patch}
        project = self.project_id
        if project is None:  # the source's project by default
            kind = _GROUP if group else "model_group_version_history"
            project = self.read_resource(source["sourceId"], resource=kind)["projectId"]
        body = merge_body({"createType": "CLONE", "modelGroupCloneSourceDetails": source}, project_id=project)
        body["compartmentId"] = self.default_compartment(self.compartment_id)
        check_body(_BODY_MODEL, body, "clone")
        return body

    def execute(self, context: Context) -> Any:
        data = create_resource(self, context, _GROUP, self.body(context))
        return self.wait(context, data["id"], initial=data)


class DataScienceUpdateModelGroupOperator(UpdateResourceOperator):
    """Update a model group's names, tags, label or version history (synchronous).

    :param model_group_id: OCID of the group.
    :param update_model_group_details: ``UpdateModelGroupDetails`` in wire format, as a dict, JSON
        text or a ``.json`` template file name.
    :param version_label: new label in its version history.
    :param model_group_version_history_id: version history to move the group into.
    :param if_match: update only if the group's etag still matches.
    """

    resource = _GROUP
    update_fields = (*UPDATE_FIELDS, "version_label", "model_group_version_history_id")
    empty_hint = "display_name/description/tags/version_label"
    template_fields: Sequence[str] = ds_template_fields(
        "model_group_id", "update_model_group_details", *update_fields, "if_match"
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"update_model_group_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(
        self,
        *,
        model_group_id: str,
        update_model_group_details: dict[str, Any] | str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        version_label: str | None = None,
        model_group_version_history_id: str | None = None,
        if_match: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.model_group_id = model_group_id
        self.update_model_group_details = update_model_group_details
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags
        self.version_label = version_label
        self.model_group_version_history_id = model_group_version_history_id
        self.if_match = if_match


class DataScienceDeleteModelGroupOperator(DeleteResourceOperator):
    """Delete a model group and (by default) wait until it is gone (a group still served by a
    model deployment cannot be deleted; a CREATING one is waited out first).

    :param model_group_id: OCID of the group.
    """

    resource = _GROUP
    template_fields: Sequence[str] = ds_template_fields("model_group_id", "if_match")

    def __init__(self, *, model_group_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_group_id = model_group_id


class DataScienceActivateModelGroupOperator(LifecycleActionOperator):
    """Activate an ``INACTIVE`` model group (nothing is sent if it is already ACTIVE).

    :param model_group_id: OCID of the group.
    """

    resource = _GROUP
    action = "activate"
    template_fields: Sequence[str] = ds_template_fields("model_group_id", "if_match")

    def __init__(self, *, model_group_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_group_id = model_group_id


class DataScienceDeactivateModelGroupOperator(LifecycleActionOperator):
    """Deactivate an ``ACTIVE`` model group (nothing is sent if it is already INACTIVE).

    :param model_group_id: OCID of the group.
    """

    resource = _GROUP
    action = "deactivate"
    template_fields: Sequence[str] = ds_template_fields("model_group_id", "if_match")

    def __init__(self, *, model_group_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_group_id = model_group_id


class DataScienceChangeModelGroupCompartmentOperator(ChangeCompartmentOperator):
    """Move a model group to another compartment.

    :param model_group_id: OCID of the group.
    """

    resource = _GROUP
    template_fields: Sequence[str] = ds_template_fields("model_group_id", "compartment_id")

    def __init__(self, *, model_group_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_group_id = model_group_id
