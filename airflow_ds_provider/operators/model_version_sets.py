"""Operators for OCI Data Science model version sets, and registering a model as a new version.

A model version set groups the versions of one model: each model created in it gets the set's
next ``versionId`` and a ``versionLabel`` unique in the set. The set is ACTIVE at once; its delete
goes through DELETING with a work request and is refused while it holds models unless
``is_delete_related_models`` deletes them with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.client.errors import NotFoundError
from airflow_ds_provider.lineage import DataScienceLineageMixin
from airflow_ds_provider.links.console import DataScienceConsoleLink
from airflow_ds_provider.operators._adoption import (
    Adopter,
    creating_try,
    creation_tags,
    first_try_of_budget,
    made_by,
)
from airflow_ds_provider.operators._assets import emit_assets
from airflow_ds_provider.operators._body import airflow_identity_tags
from airflow_ds_provider.operators._model_artifact import artifact_file, upload_model_artifact
from airflow_ds_provider.operators._resource_actions import (
    ChangeCompartmentOperator,
    DeleteResourceOperator,
    UpdateResourceOperator,
    build_create_body,
    create_resource,
)
from airflow_ds_provider.operators.base import DataScienceBaseOperator, ds_template_fields, require_str

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.client.response import Response

_SET = "model_version_set"
_CREATE_FIELDS = ("compartment_id", "project_id", "name", "description", "freeform_tags", "defined_tags")
_MODEL_FIELDS = (
    "compartment_id",
    "project_id",
    "display_name",
    "description",
    "freeform_tags",
    "defined_tags",
)
#: XCom keys the register operator pushes besides ``resource_id`` / ``console_url``.
XCOM_VERSION_KEYS = {
    "version_id": "versionId",
    "version_label": "versionLabel",
    "model_version_set_id": "modelVersionSetId",
}


def _live(items: Any) -> list[dict[str, Any]]:
    return [item for item in items if item.get("lifecycleState") not in ("DELETED", "DELETING")]


def sets_named(hook: Any, compartment_id: str, name: str) -> list[dict[str, Any]]:
    """The model version sets of ``compartment_id`` called ``name`` that are not deleted (at most
    one: names are unique per compartment)."""
    return _live(hook.paginate("list_model_version_sets", compartment_id=compartment_id, name=name))


class DataScienceCreateModelVersionSetOperator(DataScienceBaseOperator):
    """Create a model version set (ACTIVE at once); returns its JSON.

    A set of the same ``name`` already in the compartment (not made by this task instance) fails
    the task before anything is sent, naming ``name``.

    :param create_model_version_set_details: ``CreateModelVersionSetDetails`` in wire format, as
        a dict, JSON text or a ``.json`` template file name.
    :param compartment_id: compartment OCID (default: the connection's ``compartment_id``).
    :param project_id: project OCID.
    :param name: the set's name (unique in the compartment).
    :param description: description.
    :param freeform_tags: freeform tags (the Airflow identity tags are added).
    :param defined_tags: defined tags.
    """

    resource = _SET
    template_fields: Sequence[str] = ds_template_fields("create_model_version_set_details", *_CREATE_FIELDS)
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"create_model_version_set_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(
        self,
        *,
        create_model_version_set_details: dict[str, Any] | str | None = None,
        compartment_id: str | None = None,
        project_id: str | None = None,
        name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.create_model_version_set_details = create_model_version_set_details
        self.compartment_id = compartment_id
        self.project_id = project_id
        self.name = name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags

    def execute(self, context: Context) -> dict[str, Any]:
        body = build_create_body(
            self,
            context,
            self.create_model_version_set_details,
            "create_model_version_set_details",
            "CreateModelVersionSetDetails",
            **{name: getattr(self, name) for name in _CREATE_FIELDS},
        )
        identity = airflow_identity_tags(context)
        for other in sets_named(self.hook, body["compartmentId"], body["name"]):
            if not made_by(other, identity):
                raise ValueError(
                    f"name: a model version set named {body['name']!r} already exists in compartment "
                    f"{body['compartmentId']} ({other['id']}); choose another name"
                )
        return create_resource(self, context, _SET, body)


class DataScienceUpdateModelVersionSetOperator(UpdateResourceOperator):
    """Update a model version set's description or tags (its name cannot change).

    :param model_version_set_id: OCID of the set.
    :param update_model_version_set_details: ``UpdateModelVersionSetDetails`` in wire format, as
        a dict, JSON text or a ``.json`` template file name.
    :param if_match: update only if the set's etag still matches.
    """

    resource = _SET
    update_fields = ("description", "freeform_tags", "defined_tags")
    empty_hint = "description/tags"
    template_fields: Sequence[str] = ds_template_fields(
        "model_version_set_id", "update_model_version_set_details", *update_fields, "if_match"
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"update_model_version_set_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(
        self,
        *,
        model_version_set_id: str,
        update_model_version_set_details: dict[str, Any] | str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        if_match: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.model_version_set_id = model_version_set_id
        self.update_model_version_set_details = update_model_version_set_details
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags
        self.if_match = if_match


class DataScienceDeleteModelVersionSetOperator(DeleteResourceOperator):
    """Delete a model version set and (by default) wait until it is gone.

    A set that still holds models fails the task, naming them, unless
    ``is_delete_related_models`` deletes them with it (a model still served by a deployment
    cannot be deleted either way).

    :param model_version_set_id: OCID of the set.
    :param is_delete_related_models: also delete the set's models.
    """

    resource = _SET
    template_fields: Sequence[str] = ds_template_fields("model_version_set_id", "if_match")

    def __init__(
        self, *, model_version_set_id: str, is_delete_related_models: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.model_version_set_id = model_version_set_id
        self.is_delete_related_models = is_delete_related_models

    def delete_options(self) -> dict[str, Any]:
        return {"is_delete_related_models": bool(self.is_delete_related_models)}

    def send(self, resource_id: str, data: dict[str, Any]) -> Response:
        if not self.is_delete_related_models:
            held = _live(
                self.hook.paginate(
                    "list_models", compartment_id=data["compartmentId"], model_version_set_name=data["name"]
                )
            )
            held = [m for m in held if m.get("modelVersionSetId") == resource_id]
            if held:
                raise AirflowFailException(
                    f"is_delete_related_models: model version set {resource_id} still holds "
                    f"{len(held)} model(s) ({', '.join(m['id'] for m in held)}); delete them first or "
                    "set is_delete_related_models=True"
                )
        return super().send(resource_id, data)


class DataScienceChangeModelVersionSetCompartmentOperator(ChangeCompartmentOperator):
    """Move a model version set to another compartment.

    :param model_version_set_id: OCID of the set.
    """

    resource = _SET
    template_fields: Sequence[str] = ds_template_fields("model_version_set_id", "compartment_id")

    def __init__(self, *, model_version_set_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_version_set_id = model_version_set_id


class DataScienceRegisterModelVersionOperator(DataScienceLineageMixin, DataScienceBaseOperator):
    """Register a model as a new version of a model version set: create the model in the set with
    ``version_label``, upload its artifact, then leave it ACTIVE (or INACTIVE, staged).

    The set is named by ``model_version_set_id``, or by ``model_version_set_name`` in the
    compartment (created in ``project_id`` when ``create_version_set_if_missing``). Everything is
    checked before anything is created: the body, the artifact file, the set (ACTIVE, in the
    model's project and compartment) and the label (unused in the set). Safe to retry: a later
    try adopts the model an earlier try created (per :mod:`~airflow_ds_provider.operators._adoption`)
    and finishes its upload instead of registering a second version.

    Returns the model's JSON (``versionId``, ``versionLabel``, ``modelVersionSetId``...) and pushes
    XCom ``version_id``, ``version_label``, ``model_version_set_id`` besides ``resource_id``.

    :param version_label: the version's label (unique in the set).
    :param artifact_path: local path of the model artifact (a zip), uploaded streamed.
    :param model_version_set_id: OCID of the set (or give ``model_version_set_name``).
    :param model_version_set_name: name of the set in the compartment.
    :param create_version_set_if_missing: create the set named ``model_version_set_name`` when the
        compartment has none.
    :param activate: leave the new version ACTIVE (``False``: INACTIVE, registered but staged).
    :param create_model_details: ``CreateModelDetails`` in wire format (metadata, schemas...).
    :param compartment_id: compartment OCID (default: the connection's, or the set's when named by
        id).
    :param project_id: project OCID (default: the set's when named by id).
    :param display_name: the model's display name.
    :param description: the model's description.
    :param freeform_tags: the model's freeform tags (the Airflow identity tags are added).
    :param defined_tags: the model's defined tags.
    """

    resource = "model"
    template_fields: Sequence[str] = ds_template_fields(
        "version_label",
        "artifact_path",
        "model_version_set_id",
        "model_version_set_name",
        "create_model_details",
        *_MODEL_FIELDS,
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"create_model_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(
        self,
        *,
        version_label: str,
        artifact_path: str,
        model_version_set_id: str | None = None,
        model_version_set_name: str | None = None,
        create_version_set_if_missing: bool = False,
        activate: bool = True,
        create_model_details: dict[str, Any] | str | None = None,
        compartment_id: str | None = None,
        project_id: str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.version_label = version_label
        self.artifact_path = artifact_path
        self.model_version_set_id = model_version_set_id
        self.model_version_set_name = model_version_set_name
        self.create_version_set_if_missing = create_version_set_if_missing
        self.activate = activate
        self.create_model_details = create_model_details
        self.compartment_id = compartment_id
        self.project_id = project_id
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags

    def execute(self, context: Context) -> dict[str, Any]:
        label = require_str(self.version_label, "version_label")
        path = artifact_file(self.artifact_path)
        by_id, by_name = self.model_version_set_id or None, self.model_version_set_name or None
        if (by_id is None) == (by_name is None):
            raise ValueError(
                "model_version_set_id / model_version_set_name: give exactly one, "
                f"got {self.model_version_set_id!r} and {self.model_version_set_name!r}"
            )
        version_set = self._set_by_id(require_str(by_id, "model_version_set_id")) if by_id else None
        first_class = {name: getattr(self, name) for name in _MODEL_FIELDS}
        if version_set is not None:  # the set's project and compartment by default
            first_class["compartment_id"] = first_class["compartment_id"] or version_set["compartmentId"]
            first_class["project_id"] = first_class["project_id"] or version_set["projectId"]
        body = build_create_body(
            self,
            context,
            self.create_model_details,
            "create_model_details",
            "CreateModelDetails",
            **first_class,
            version_label=label,
        )
        model = Adopter(self, context, "model").find(body)
        if model is None:
            if by_name is not None:
                version_set = self._set_by_name(require_str(by_name, "model_version_set_name"), body)
            if version_set is not None:
                model = self._check_set(context, version_set, body, label)
            else:
                version_set = self._create_set(context, by_name or "", body)
            if model is None:
                body["modelVersionSetId"] = version_set["id"]
                model = create_resource(self, context, "model", body, adopt=False)
        model_id = model["id"]
        self.publish(context, model_id)
        upload_model_artifact(self, context, model_id, path)
        model = self._settle(model_id)
        ti = context["ti"]
        for key, wire in XCOM_VERSION_KEYS.items():
            ti.xcom_push(key=key, value=model.get(wire))
        self.log.info(
            "Registered model %s as version %s (%r) of model version set %s (%s)",
            model_id,
            model.get("versionId"),
            model.get("versionLabel"),
            model.get("modelVersionSetId"),
            model.get("lifecycleState"),
        )
        emit_assets(self, context, "model", model)
        return model

    def _set_by_id(self, set_id: str) -> dict[str, Any]:
        try:
            return self.hook.get_model_version_set(set_id).data
        except NotFoundError:
            raise ValueError(
                f"model_version_set_id: model version set {set_id} does not exist or is not visible "
                "to this connection"
            ) from None

    def _set_by_name(self, name: str, body: dict[str, Any]) -> dict[str, Any] | None:
        found = sets_named(self.hook, body["compartmentId"], name)
        if found:
            return self.hook.get_model_version_set(found[0]["id"]).data
        if not self.create_version_set_if_missing:
            raise ValueError(
                f"model_version_set_name: compartment {body['compartmentId']} has no model version set "
                f"named {name!r}; create it first or set create_version_set_if_missing=True"
            )
        return None

    def _check_set(
        self, context: Context, version_set: dict[str, Any], body: dict[str, Any], label: str
    ) -> dict[str, Any] | None:
        """The set must be ACTIVE, in the model's project and compartment, without ``label``;
        returns the version an earlier try of this task instance registered with ``label`` (an
        INACTIVE, staged one too), to finish instead of failing on its label."""
        field = "model_version_set_id" if self.model_version_set_id else "model_version_set_name"
        where = f"model version set {version_set['id']} ({version_set['name']!r})"
        if version_set["lifecycleState"] != "ACTIVE":
            raise ValueError(f"{field}: {where} is {version_set['lifecycleState']}, not ACTIVE")
        for wire, arg in (("projectId", "project_id"), ("compartmentId", "compartment_id")):
            if version_set[wire] != body[wire]:
                raise ValueError(
                    f"{arg}: the model would be in {body[wire]}, but {where} is in {version_set[wire]}"
                )
        taken = _live(
            self.hook.paginate(
                "list_models",
                compartment_id=version_set["compartmentId"],
                model_version_set_name=version_set["name"],
                version_label=label,
            )
        )
        if not taken:
            return None
        later_try = int(getattr(context["ti"], "try_number", 1) or 1) > 1
        if later_try and made_by(taken[0], airflow_identity_tags(context)):
            made = creating_try(taken[0])
            if made is not None and made >= first_try_of_budget(context, self.retries):
                self.log.info(
                    "Adopting model %s, version %r made by try %s of this task instance",
                    taken[0]["id"],
                    label,
                    made,
                )
                return self.hook.get_model(taken[0]["id"]).data
        raise ValueError(f"version_label: {label!r} is already used by model {taken[0]['id']} in {where}")

    def _create_set(self, context: Context, name: str, body: dict[str, Any]) -> dict[str, Any]:
        set_body = {
            "compartmentId": body["compartmentId"],
            "projectId": body["projectId"],
            "name": name,
            "description": f"Versions of {self.display_name or name}; created by Airflow",
            "freeformTags": creation_tags(context),
        }
        self.log.info("Creating model version set %r in project %s", name, body["projectId"])
        return create_resource(self, context, _SET, set_body, adopt=False, salt="version-set")

    def _settle(self, model_id: str) -> dict[str, Any]:
        """Leave the model ACTIVE (``activate``) or INACTIVE; returns its JSON."""
        model = self.hook.get_model(model_id).data
        state = model["lifecycleState"]
        if self.activate and state == "INACTIVE":
            self.hook.activate_model(model_id)
        elif not self.activate and state == "ACTIVE":
            self.hook.deactivate_model(model_id)
        else:
            return model
        return self.hook.get_model(model_id).data
