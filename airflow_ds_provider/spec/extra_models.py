"""The request models the Data Science API uses that ``models.json`` lacks: one table for all.

The operators check bodies of these models before sending them (field names, required fields),
and the emulator validates requests against them (types too). :func:`all_models` is
``models.json`` plus these.
"""

from __future__ import annotations

from functools import cache

from airflow_ds_provider.spec import Model, ModelField, models

_TAGS = [("freeformTags", "dict(str, str)"), ("definedTags", "dict(str, dict(str, object))")]


def _fields(*specs: tuple[str, str] | tuple[str, str, bool]) -> tuple[ModelField, ...]:
    out = []
    for spec in specs:
        wire, typ, *req = spec
        out.append(ModelField(field=wire, wire=wire, type=typ, required=bool(req and req[0]), allowed=None))
    return tuple(out)


def _model(name: str, *specs: tuple[str, str] | tuple[str, str, bool]) -> Model:
    return Model(name=name, fields=_fields(*specs), polymorphic=None, fixed_discriminator=())


_CHANGE = [("compartmentId", "str", True)]
#: Request models the operations use that ``models.json`` does not describe.
EXTRA_MODELS: dict[str, Model] = {
    **{
        f"Change{res}CompartmentDetails": _model(f"Change{res}CompartmentDetails", *_CHANGE)
        for res in ("Job", "JobRun", "Model", "ModelDeployment", "NotebookSession", "Project")
    },
    "UpdateProjectDetails": _model(
        "UpdateProjectDetails", ("displayName", "str"), ("description", "str"), *_TAGS
    ),
    "UpdateModelDetails": _model(
        "UpdateModelDetails",
        ("displayName", "str"),
        ("description", "str"),
        ("customMetadataList", "list[Metadata]"),
        ("definedMetadataList", "list[Metadata]"),
        ("modelVersionSetId", "str"),
        ("versionLabel", "str"),
        ("retentionSetting", "RetentionSetting"),
        ("backupSetting", "BackupSetting"),
        *_TAGS,
    ),
    "UpdateModelProvenanceDetails": Model(
        name="UpdateModelProvenanceDetails",
        fields=_fields(
            *[
                (w, "str")
                for w in (
                    "repositoryUrl",
                    "gitBranch",
                    "gitCommit",
                    "scriptDir",
                    "trainingScript",
                    "trainingId",
                )
            ]
        ),
        polymorphic=None,
        fixed_discriminator=(),
    ),
    "CreateNotebookSessionDetails": _model(
        "CreateNotebookSessionDetails",
        ("displayName", "str"),
        ("projectId", "str", True),
        ("compartmentId", "str", True),
        ("notebookSessionConfigurationDetails", "NotebookSessionConfigurationDetails"),
        ("notebookSessionConfigDetails", "NotebookSessionConfigDetails"),
        ("notebookSessionRuntimeConfigDetails", "NotebookSessionRuntimeConfigDetails"),
        ("notebookSessionStorageMountConfigurationDetailsList", "list[StorageMountConfigurationDetails]"),
        *_TAGS,
    ),
    "UpdateNotebookSessionDetails": _model(
        "UpdateNotebookSessionDetails",
        ("displayName", "str"),
        ("notebookSessionConfigurationDetails", "NotebookSessionConfigurationDetails"),
        ("notebookSessionRuntimeConfigDetails", "NotebookSessionRuntimeConfigDetails"),
        ("notebookSessionStorageMountConfigurationDetailsList", "list[StorageMountConfigurationDetails]"),
        *_TAGS,
    ),
}


@cache
def all_models() -> dict[str, Model]:
    """``models.json`` plus :data:`EXTRA_MODELS`."""
    return {**EXTRA_MODELS, **models()}


def field_names(model_name: str) -> dict[str, bool]:
    """Wire field -> required of one of :data:`EXTRA_MODELS`, in declaration order."""
    return {spec.wire: spec.required for spec in EXTRA_MODELS[model_name].fields}
