"""The one upload path of model artifacts, shared by the artifact and register-version operators.

An artifact is uploaded streamed, once: the same content (MD5) already stored is not sent again
(a retry after a lost answer or a crash); a different one fails the task (artifacts are immutable).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.client.errors import NotFoundError
from airflow_ds_provider.operators._body import file_md5_b64, retry_token_for

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.operators.base import DataScienceBaseOperator

__all__ = ["artifact_file", "model_artifact_metadata", "upload_model_artifact"]


def artifact_file(value: Any, field: str = "artifact_path") -> str:
    """The rendered artifact path, checked to be a readable file; errors name ``field``."""
    if not isinstance(value, str | os.PathLike) or not os.fspath(value):
        raise ValueError(f"{field}: expected a file path, got {value!r}")
    path = os.fspath(value)
    if not os.path.isfile(path):
        raise ValueError(f"{field}: {path!r} is not a readable file")
    return path


def upload_model_artifact(
    operator: DataScienceBaseOperator,
    context: Context,
    model_id: str,
    path: str,
    *,
    content_disposition: str | None = None,
    if_match: str | None = None,
) -> dict[str, Any]:
    """Upload ``path`` as the artifact of ``model_id`` (streamed), once: the one upload path.

    When the model already has an artifact with the same MD5 nothing is sent (a retry after a
    lost answer or a crash); a different one fails the task (artifacts are immutable).

    :returns: the artifact's metadata (``modelId``, ``etag``, ``contentLength``, ``contentMd5``,
        ``contentDisposition``).
    """
    local_md5 = file_md5_b64(path)
    existing = model_artifact_metadata(operator.hook, model_id)
    if existing is not None:
        if existing["contentMd5"] == local_md5:
            operator.log.info(
                "Model %s already has this artifact (MD5 %s); nothing to upload", model_id, local_md5
            )
            return existing
        raise AirflowFailException(
            f"model_id: model {model_id} already has a different artifact (MD5 {existing['contentMd5']}, "
            f"{path!r} has {local_md5}); artifacts are immutable: create a new model"
        )
    disposition = content_disposition or f"attachment; filename={os.path.basename(path)}"
    operator.log.info(
        "Uploading %s (%d bytes) as the artifact of model %s", path, os.path.getsize(path), model_id
    )
    operator.hook.create_model_artifact(
        model_id,
        path,
        content_disposition=disposition,
        if_match=if_match,
        opc_retry_token=retry_token_for(context, "model-artifact"),
    )
    uploaded = model_artifact_metadata(operator.hook, model_id)
    if uploaded is None or uploaded["contentMd5"] != local_md5:
        raise AirflowFailException(
            f"model_id: the artifact stored for model {model_id} does not match {path!r}"
        )
    return uploaded


def model_artifact_metadata(hook: Any, model_id: str) -> dict[str, Any] | None:
    """The metadata of a model's artifact (from ``head_model_artifact``), ``None`` without one."""
    try:
        headers = hook.head_model_artifact(model_id).headers
    except NotFoundError:
        return None
    length = headers.get("content-length")
    return {
        "modelId": model_id,
        "etag": headers.get("etag"),
        "contentLength": int(length) if length and length.isdigit() else None,
        "contentMd5": headers.get("content-md5"),
        "contentDisposition": headers.get("content-disposition"),
    }
