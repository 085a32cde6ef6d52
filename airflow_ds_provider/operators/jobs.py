"""Operators for Data Science jobs: create, update, delete, change compartment, upload artifact."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.client.errors import NotFoundError
from airflow_ds_provider.links.console import DataScienceConsoleLink
from airflow_ds_provider.operators._body import file_md5_b64
from airflow_ds_provider.operators._resource_actions import (
    ChangeCompartmentOperator,
    DeleteResourceOperator,
    UpdateResourceOperator,
    build_create_body,
    create_resource,
)
from airflow_ds_provider.operators.base import (
    DataScienceBaseOperator,
    DataScienceWaitingOperator,
    ds_template_fields,
    require_str,
    retry_token_for,
    validate_body,
)

if TYPE_CHECKING:
    from airflow.sdk import Context


class DataScienceCreateJobOperator(DataScienceWaitingOperator):
    """Create a job and (by default) wait until it is ``ACTIVE``; returns its JSON.

    Safe to retry: the request carries a deterministic ``opc-retry-token``.

    :param create_job_details: ``CreateJobDetails`` in wire format (dict, JSON text, or a
        ``.json`` template file), e.g. with ``jobConfigurationDetails`` and
        ``jobInfrastructureConfigurationDetails``.
    :param project_id: project OCID.
    :param compartment_id: compartment OCID (default: the connection's ``compartment_id``).
    :param display_name: job name.
    :param description: job description.
    :param freeform_tags: freeform tags, merged over the body's.
    :param defined_tags: defined tags, merged over the body's.
    """

    template_fields: Sequence[str] = ds_template_fields(
        "create_job_details",
        "project_id",
        "compartment_id",
        "display_name",
        "description",
        "freeform_tags",
        "defined_tags",
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"create_job_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)
    resource = "job"

    def __init__(
        self,
        *,
        create_job_details: dict[str, Any] | str | None = None,
        project_id: str | None = None,
        compartment_id: str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.create_job_details = create_job_details
        self.project_id = project_id
        self.compartment_id = compartment_id
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags

    def execute(self, context: Context) -> Any:
        body = build_create_body(
            self,
            context,
            self.create_job_details,
            "create_job_details",
            "CreateJobDetails",
            check=validate_body,
            compartment_id=self.compartment_id or None,
            project_id=self.project_id,
            display_name=self.display_name,
            description=self.description,
            freeform_tags=self.freeform_tags,
            defined_tags=self.defined_tags,
        )
        data = create_resource(self, context, "job", body)
        return self.wait(context, data["id"], initial=data)


class DataScienceUpdateJobOperator(UpdateResourceOperator):
    """Update a job (name, description, infrastructure, storage mounts, tags); returns its JSON.

    :param job_id: job OCID.
    :param update_job_details: ``UpdateJobDetails`` in wire format.
    """

    template_fields: Sequence[str] = ds_template_fields(
        "job_id", "update_job_details", "display_name", "description", "freeform_tags", "defined_tags"
    )
    template_ext: Sequence[str] = (".json",)
    template_fields_renderers = {"update_job_details": "json"}
    operator_extra_links = (DataScienceConsoleLink(),)
    resource = "job"
    update_check = staticmethod(validate_body)

    def __init__(
        self,
        *,
        job_id: str,
        update_job_details: dict[str, Any] | str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        defined_tags: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.job_id = job_id
        self.update_job_details = update_job_details
        self.display_name = display_name
        self.description = description
        self.freeform_tags = freeform_tags
        self.defined_tags = defined_tags


class DataScienceDeleteJobOperator(DeleteResourceOperator):
    """Delete a job and (by default) wait until it is gone.

    Safe to retry: an already deleted job succeeds with a log line, and one already
    ``DELETING`` is only waited for.

    :param job_id: job OCID.
    :param delete_related_job_runs: also delete the job's runs (required by the service when
        some are still running).
    """

    template_fields: Sequence[str] = ds_template_fields("job_id")
    resource = "job"

    def __init__(self, *, job_id: str, delete_related_job_runs: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job_id = job_id
        self.delete_related_job_runs = delete_related_job_runs

    def delete_options(self) -> dict[str, Any]:
        return {"delete_related_job_runs": bool(self.delete_related_job_runs)}


class DataScienceChangeJobCompartmentOperator(ChangeCompartmentOperator):
    """Move a job to another compartment; returns its JSON (nothing is sent if already there).

    :param job_id: job OCID.
    """

    template_fields: Sequence[str] = ds_template_fields("job_id", "compartment_id")
    resource = "job"

    def __init__(self, *, job_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job_id = job_id


class DataScienceCreateJobArtifactOperator(DataScienceBaseOperator):
    """Upload a job's artifact (a zip or a single script), streamed from a local file.

    The file is never read into memory. Job artifacts are immutable: if the job already has an
    artifact with the same content (a retry after a lost response) the task succeeds without
    uploading; a different artifact fails the task. Returns ``{"jobId", "etag",
    "contentLength", "contentDisposition", "contentMd5"}``.

    :param job_id: job OCID.
    :param artifact_path: local path of the artifact file (templated).
    :param artifact_filename: file name the service records (default: the path's base name).
    """

    template_fields: Sequence[str] = ds_template_fields("job_id", "artifact_path", "artifact_filename")
    operator_extra_links = (DataScienceConsoleLink(),)
    resource = "job"

    def __init__(
        self, *, job_id: str, artifact_path: str, artifact_filename: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.job_id = job_id
        self.artifact_path = artifact_path
        self.artifact_filename = artifact_filename

    def execute(self, context: Context) -> dict[str, Any]:
        job_id = require_str(self.job_id, "job_id")
        path = os.path.expanduser(require_str(os.fspath(self.artifact_path or ""), "artifact_path"))
        if not os.path.isfile(path):
            raise ValueError(f"artifact_path: expected an existing file, got {path!r}")
        filename = self.artifact_filename or os.path.basename(path)
        if not isinstance(filename, str) or not filename or any(c in filename for c in '"\r\n'):
            raise ValueError(f"artifact_filename: expected a plain file name, got {filename!r}")
        size = os.path.getsize(path)
        md5 = file_md5_b64(path)
        result = {
            "jobId": job_id,
            "contentLength": size,
            "contentDisposition": f'attachment; filename="{filename}"',
            "contentMd5": md5,
        }
        self.publish(context, job_id)
        existing = self._existing_artifact(job_id)
        if existing is not None:
            if existing.get("content-md5") == md5 and existing.get("content-length") == str(size):
                self.log.info("Job %s already has this artifact (md5 %s); not uploading again", job_id, md5)
                return {**result, "etag": existing.get("etag")}
            raise AirflowFailException(
                f"job {job_id} already has a different artifact (md5 {existing.get('content-md5')}, "
                f"{existing.get('content-length')} bytes); job artifacts are immutable, create a new job"
            )
        self.log.info("Uploading %s (%d bytes) as the artifact of job %s", path, size, job_id)
        response = self.hook.create_job_artifact(
            job_id,
            path,
            content_disposition=result["contentDisposition"],
            opc_retry_token=retry_token_for(context, salt="artifact"),
        )
        return {**result, "etag": response.etag}

    def _existing_artifact(self, job_id: str) -> Mapping[str, str] | None:
        """Headers of the job's artifact (case-insensitive), or None when it has none."""
        try:
            return self.hook.head_job_artifact(job_id).headers
        except NotFoundError:
            self.hook.get_job(job_id)  # a missing job raises here, naming the job
            return None
