"""Operators for OCI Data Science models: the model itself, its artifact and its provenance."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.lineage import DataScienceLineageMixin
from airflow_ds_provider.links.console import DataScienceConsoleLink
from airflow_ds_provider.operators._assets import emit_assets
from airflow_ds_provider.operators._model_artifact import artifact_file, upload_model_artifact
from airflow_ds_provider.operators._resource_actions import (
    ChangeCompartmentOperator,
    DeleteResourceOperator,
    LifecycleActionOperator,
    UpdateResourceOperator,
    build_create_body,
    check_body,
    create_resource,
)
from airflow_ds_provider.operators.base import (
    DataScienceBaseOperator,
    ds_template_fields,
    load_body,
    merge_body,
    require_str,
    retry_token_for,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

_MODEL = "model"
_CREATE_FIELDS = (
    "compartment_id",
    "project_id",
    "display_name",
    "description",
    "freeform_tags",
    "defined_tags",
)
_PROVENANCE_FIELDS = (
    "repository_url",
    "git_branch",
    "git_commit",
    "script_dir",
    "training_script",
    "training_id",
)


class DataScienceCreateModelOperator(DataScienceLineageMixin, DataScienceBaseOperator):
    """Create a model in the model catalog (it is ACTIVE at once; upload its artifact next).

    The create carries a deterministic ``opc-retry-token``, so an HTTP retry after a lost
    response returns the same model instead of a second one.

    :param create_model_details: ``CreateModelDetails`` in wire format (camelCase), as a dict,
        JSON text, or a ``.json`` template file name.
    :param compartment_id: compartment OCID (default: the connection's ``compartment_id``).
    :param project_id: project OCID.
    :param display_name: display name.
    :param description: description.
    :param freeform_tags: freeform tags (merged over the body's; the Airflow identity tags
        ``airflow-dag-id``... are added).
    :param defined_tags: defined tags (merged over the body's).
    """

    resource = _MODEL
    template_fields: Sequence[str] = ds_template_fields("create_model_details", *_CREATE_FIELDS)
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"create_model_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(
        self,
        *,
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
        self.create_model_details = create_model_details
        self.compartment_id = compartment_id
        self.project_id = project_id
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags

    def execute(self, context: Context) -> dict[str, Any]:
        first_class = {name: getattr(self, name) for name in _CREATE_FIELDS}
        body = build_create_body(
            self,
            context,
            self.create_model_details,
            "create_model_details",
            "CreateModelDetails",
            **first_class,
        )
        model = create_resource(self, context, _MODEL, body)
        emit_assets(self, context, _MODEL, model)
        return model


class DataScienceUpdateModelOperator(UpdateResourceOperator):
    """Update a model's names, metadata, version label or tags.

    :param model_id: OCID of the model.
    :param update_model_details: ``UpdateModelDetails`` in wire format, as a dict, JSON text or a
        ``.json`` template file name.
    :param if_match: update only if the model's etag still matches.
    """

    resource = _MODEL
    empty_hint = "display_name/description/tags"
    template_fields: Sequence[str] = ds_template_fields(
        "model_id",
        "update_model_details",
        "display_name",
        "description",
        "freeform_tags",
        "defined_tags",
        "if_match",
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"update_model_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(
        self,
        *,
        model_id: str,
        update_model_details: dict[str, Any] | str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        if_match: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.model_id = model_id
        self.update_model_details = update_model_details
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags
        self.if_match = if_match


class DataScienceDeleteModelOperator(DeleteResourceOperator):
    """Delete a model (a model still served by a deployment cannot be deleted).

    :param model_id: OCID of the model.
    """

    resource = _MODEL
    template_fields: Sequence[str] = ds_template_fields("model_id", "if_match")

    def __init__(self, *, model_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_id = model_id


class DataScienceActivateModelOperator(LifecycleActionOperator):
    """Activate an ``INACTIVE`` model (nothing is sent if it is already ACTIVE).

    :param model_id: OCID of the model.
    """

    resource = _MODEL
    action = "activate"
    template_fields: Sequence[str] = ds_template_fields("model_id", "if_match")

    def __init__(self, *, model_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_id = model_id


class DataScienceDeactivateModelOperator(LifecycleActionOperator):
    """Deactivate an ``ACTIVE`` model (nothing is sent if it is already INACTIVE).

    :param model_id: OCID of the model.
    """

    resource = _MODEL
    action = "deactivate"
    template_fields: Sequence[str] = ds_template_fields("model_id", "if_match")

    def __init__(self, *, model_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_id = model_id


class DataScienceChangeModelCompartmentOperator(ChangeCompartmentOperator):
    """Move a model to another compartment.

    :param model_id: OCID of the model.
    """

    resource = _MODEL
    template_fields: Sequence[str] = ds_template_fields("model_id", "compartment_id")

    def __init__(self, *, model_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_id = model_id


class DataScienceCreateModelArtifactOperator(DataScienceLineageMixin, DataScienceBaseOperator):
    """Upload a model's artifact (usually a zip), streamed from a file, never read into memory.

    Artifacts are immutable. When the model already has one with the same content (MD5), the
    task succeeds without uploading (a retry after a lost response); a different one fails it.

    :param model_id: OCID of the model.
    :param artifact_path: local path of the artifact file (templated).
    :param content_disposition: ``Content-Disposition`` stored with the artifact
        (default ``attachment; filename=<file name>``).
    :param if_match: upload only if the model's etag still matches.
    :returns: the artifact's metadata: ``modelId``, ``etag``, ``contentLength``, ``contentMd5``,
        ``contentDisposition``.
    """

    resource = _MODEL
    template_fields: Sequence[str] = ds_template_fields(
        "model_id", "artifact_path", "content_disposition", "if_match"
    )
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(
        self,
        *,
        model_id: str,
        artifact_path: str | os.PathLike[str],
        content_disposition: str | None = None,
        if_match: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.model_id = model_id
        self.artifact_path = artifact_path
        self.content_disposition = content_disposition
        self.if_match = if_match

    def execute(self, context: Context) -> dict[str, Any]:
        model_id = require_str(self.model_id, "model_id")
        path = artifact_file(self.artifact_path)
        self.publish(context, model_id)
        result = upload_model_artifact(
            self,
            context,
            model_id,
            path,
            content_disposition=self.content_disposition,
            if_match=self.if_match,
        )
        if self.outlets:  # the event describes the model, read after the upload
            emit_assets(self, context, _MODEL, self.read_resource(model_id, resource=_MODEL) or {})
        return result


class _ProvenanceOperator(DataScienceBaseOperator):
    """Shared arguments of the provenance operators.

    :param model_id: OCID of the model.
    :param repository_url: URL of the training code repository.
    :param git_branch: git branch.
    :param git_commit: git commit.
    :param script_dir: directory of the training script in the repository.
    :param training_script: the training script.
    :param training_id: OCID of the job run or notebook session that trained the model.
    """

    resource = _MODEL
    body_field = ""
    template_ext: Sequence[str] = (".json",)
    operator_extra_links = (DataScienceConsoleLink(),)

    def __init__(
        self,
        *,
        model_id: str,
        repository_url: str | None = None,
        git_branch: str | None = None,
        git_commit: str | None = None,
        script_dir: str | None = None,
        training_script: str | None = None,
        training_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.model_id = model_id
        self.repository_url = repository_url
        self.git_branch = git_branch
        self.git_commit = git_commit
        self.script_dir = script_dir
        self.training_script = training_script
        self.training_id = training_id

    def provenance_body(self, model_name: str) -> dict[str, Any]:
        """The checked provenance body (at least one field)."""
        field = self.body_field
        first_class = {name: getattr(self, name) for name in _PROVENANCE_FIELDS}
        body = merge_body(load_body(getattr(self, field), field), **first_class)
        if not body:
            raise ValueError(f"{field}: no provenance given; give a body or repository_url/git_commit/...")
        check_body(model_name, body, field)
        return body


class DataScienceCreateModelProvenanceOperator(_ProvenanceOperator):
    """Record where a model came from (code repository, commit, training run).

    :param create_model_provenance_details: ``CreateModelProvenanceDetails`` in wire format, as a
        dict, JSON text or a ``.json`` template file name.
    """

    body_field = "create_model_provenance_details"
    template_fields: Sequence[str] = ds_template_fields("model_id", body_field, *_PROVENANCE_FIELDS)
    template_fields_renderers = {body_field: "json"}

    def __init__(
        self, *, create_model_provenance_details: dict[str, Any] | str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.create_model_provenance_details = create_model_provenance_details

    def execute(self, context: Context) -> dict[str, Any]:
        model_id = require_str(self.model_id, "model_id")
        body = self.provenance_body("CreateModelProvenanceDetails")
        data = self.hook.create_model_provenance(
            model_id, body, opc_retry_token=retry_token_for(context, "model-provenance")
        ).data
        self.log.info("Recorded the provenance of model %s", model_id)
        self.publish(context, model_id)
        return data


class DataScienceUpdateModelProvenanceOperator(_ProvenanceOperator):
    """Update the provenance of a model.

    :param update_model_provenance_details: ``UpdateModelProvenanceDetails`` in wire format, as a
        dict, JSON text or a ``.json`` template file name.
    :param if_match: update only if the provenance's etag still matches.
    """

    body_field = "update_model_provenance_details"
    template_fields: Sequence[str] = ds_template_fields(
        "model_id", body_field, *_PROVENANCE_FIELDS, "if_match"
    )
    template_fields_renderers = {body_field: "json"}

    def __init__(
        self,
        *,
        update_model_provenance_details: dict[str, Any] | str | None = None,
        if_match: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.update_model_provenance_details = update_model_provenance_details
        self.if_match = if_match

    def execute(self, context: Context) -> dict[str, Any]:
        model_id = require_str(self.model_id, "model_id")
        body = self.provenance_body("UpdateModelProvenanceDetails")
        data = self.hook.update_model_provenance(model_id, body, if_match=self.if_match).data
        self.log.info("Updated the provenance of model %s", model_id)
        self.publish(context, model_id)
        return data
