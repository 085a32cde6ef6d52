"""One module per resource; each handler registers itself with
:func:`~airflow_ds_provider.emulator.resources.registry.handles`, and :data:`HANDLERS` (operation
name -> handler) is checked against the spec here, at import: an operation without a handler, or a
handler for an operation the spec lacks, is an import-time error."""

from __future__ import annotations

from types import MappingProxyType

from airflow_ds_provider.emulator.resources import (  # noqa: F401 - importing registers the handlers
    compute_targets,
    data_science_private_endpoints,
    job_runs,
    jobs,
    ml_application_implementation_versions,
    ml_application_implementations,
    ml_application_instance_views,
    ml_application_instances,
    ml_applications,
    model_artifact_signatures,
    model_artifact_transfers,
    model_deployments,
    model_group_version_histories,
    model_groups,
    model_metadata_artifacts,
    model_version_sets,
    models,
    notebook_sessions,
    pipeline_runs,
    pipelines,
    platform_catalogues,
    projects,
    schedules,
    shapes,
    work_requests,
)
from airflow_ds_provider.emulator.resources.registry import REGISTERED, Handler, check_handlers
from airflow_ds_provider.spec import operations

check_handlers(REGISTERED, operations())

#: Operation name -> handler (read-only).
HANDLERS: MappingProxyType[str, Handler] = MappingProxyType(REGISTERED)

__all__ = ["HANDLERS", "Handler"]
