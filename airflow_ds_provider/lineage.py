"""OpenLineage for the job-run, pipeline-run, model and model-deployment operators (optional).

Nothing here imports OpenLineage at module level: ``apache-airflow-providers-openlineage`` is
optional, and a DAG file that imports the operators never pays for it. Its classes are imported
inside the functions the OpenLineage listener calls (``get_openlineage_facets_on_complete`` /
``_on_failure``) and inside :func:`parent_run_env`, which answers ``{}`` when the provider is
missing or disabled (then no create body is changed).

Naming (``docs/openlineage.md``):

- a Data Science resource is the dataset ``namespace = oci-datascience://<region>``,
  ``name = <its OCID>``;
- an Object Storage object or prefix ``oci://<bucket>@<namespace>/<path>`` is the dataset
  ``namespace = oci://<bucket>@<namespace>``, ``name = <path>`` (``/`` for the bucket itself);
- a job or pipeline declares its inputs and outputs with such URIs in environment variables named
  ``INPUT_URI`` / ``OUTPUT_URI`` or ending ``_INPUT_URI(S)`` / ``_OUTPUT_URI(S)``, or in
  command-line flags ``--input-uri`` / ``--output-uri`` or ending ``-input-uri(s)`` /
  ``-output-uri(s)`` (``_`` works as well as ``-``); a value may hold several URIs separated by
  commas or spaces.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.links.urls import console_url, region_of_ocid

if TYPE_CHECKING:
    from airflow.sdk import Context

#: the dataset namespace scheme of Data Science resources
NAMESPACE_SCHEME = "oci-datascience"
#: the parent-run environment variables (OpenLineage's ``<namespace>/<job name>/<run id>`` form)
PARENT_ID_ENV = "OPENLINEAGE_PARENT_ID"
ROOT_PARENT_ID_ENV = "OPENLINEAGE_ROOT_PARENT_ID"
#: the custom run facet's key in ``run.facets``
RUN_FACET = "ociDataScience"

_URI = re.compile(r"^oci://(?P<bucket>[^@/\s]+)@(?P<ns>[^/\s]+)(?:/(?P<path>\S*))?$")
_ENV_NAME = re.compile(r"(?:^|_)(?P<way>INPUT|OUTPUT)_URIS?$", re.IGNORECASE)
_FLAG = re.compile(r"^--(?:[A-Za-z0-9]+[-_])*(?P<way>input|output)[-_]uris?$", re.IGNORECASE)


def resource_namespace(region: str) -> str:
    """The dataset namespace of a Data Science resource in ``region``."""
    return f"{NAMESPACE_SCHEME}://{region}"


def object_storage_dataset(uri: str) -> tuple[str, str] | None:
    """``(namespace, name)`` of an ``oci://bucket@namespace/path`` URI, or ``None`` for anything else."""
    match = _URI.match(uri.strip())
    if match is None:
        return None
    path = (match["path"] or "").strip("/")
    return f"oci://{match['bucket']}@{match['ns']}", path or "/"


def _uris(value: str) -> list[str]:
    return [part for part in re.split(r"[,\s]+", value) if object_storage_dataset(part)]


def declared_uris(env: Mapping[str, Any] | None, arguments: str | None) -> dict[str, list[str]]:
    """The Object Storage URIs a configuration declares: ``{"inputs": [...], "outputs": [...]}``.

    :param env: environment variables (names per the module docstring).
    :param arguments: the command line (``--x-input-uri oci://...`` or ``--x-input-uri=oci://...``).
    """
    found: dict[str, list[str]] = {"inputs": [], "outputs": []}
    for name, value in (env or {}).items():
        match = _ENV_NAME.search(str(name))
        if match and isinstance(value, str):
            found[f"{match['way'].lower()}s"].extend(_uris(value))
    try:
        words = shlex.split(arguments or "")
    except ValueError:  # unbalanced quotes: read it word by word
        words = (arguments or "").split()
    for index, word in enumerate(words):
        flag, eq, inline = word.partition("=")
        match = _FLAG.match(flag)
        if match is None:
            continue
        value = inline if eq else (words[index + 1] if index + 1 < len(words) else "")
        found[f"{match['way'].lower()}s"].extend(_uris(value))
    return {way: list(dict.fromkeys(uris)) for way, uris in found.items()}


def effective_config(base: Mapping[str, Any] | None, override: Mapping[str, Any] | None) -> tuple[dict, str]:
    """The environment and command line a run sees: the override's over the base configuration's."""
    base, override = base or {}, override or {}
    env = {**(base.get("environmentVariables") or {}), **(override.get("environmentVariables") or {})}
    args = override.get("commandLineArguments") or base.get("commandLineArguments") or ""
    return env, args


# --- the parent run passed into a job or pipeline run ------------------------------------------


def parent_run_env(operator: Any, context: Context) -> dict[str, str]:
    """The OpenLineage parent-run variables for the run this task starts; ``{}`` when the
    OpenLineage provider is not installed, disabled, or lineage is off for this task.

    The values are deterministic for a task instance try (the provider derives its run id from
    dag, task, logical date, try and map index), so every HTTP retry sends the same body.
    """
    try:
        from airflow.providers.openlineage import conf as ol_conf
    except ImportError:
        return {}
    if ol_conf.is_disabled():
        return {}
    from airflow.providers.openlineage.plugins.macros import lineage_parent_id, lineage_root_parent_id
    from airflow.providers.openlineage.utils.utils import is_operator_disabled, is_selective_lineage_enabled

    if is_operator_disabled(operator) or not is_selective_lineage_enabled(operator):
        return {}
    ti = context["ti"]
    return {PARENT_ID_ENV: lineage_parent_id(ti), ROOT_PARENT_ID_ENV: lineage_root_parent_id(ti)}


def inject_parent_env(
    body: dict[str, Any],
    field: str,
    env: Mapping[str, str],
    base: Mapping[str, Any] | None,
    discriminator: str = "jobType",
) -> None:
    """Add ``env`` to ``body[field].environmentVariables`` (in place; nothing when ``env`` is empty).

    Without an override in the body, the override starts as a copy of ``base`` (the job's or
    pipeline's own configuration), so the run keeps the job's variables, arguments and runtime
    whether the service merges an override or replaces the configuration with it. Variables the
    configuration already sets (a user's own parent) are left alone.

    :param discriminator: the configuration's type field (``jobType``; ``type`` for pipelines).
    """
    if not env:
        return
    override = body.get(field)
    if not isinstance(override, dict):
        override = dict(base or {}) if (base or {}).get(discriminator, "DEFAULT") == "DEFAULT" else {}
        override[discriminator] = override.get(discriminator) or "DEFAULT"
        body[field] = override
    current = override.get("environmentVariables", (base or {}).get("environmentVariables"))
    if current is None or isinstance(current, Mapping):  # a copy: the job's JSON stays as it was
        current = override["environmentVariables"] = dict(current or {})
    if not isinstance(current, dict):
        return  # the body check names the bad field
    for name, value in env.items():
        current.setdefault(name, value)


def add_parent_run(
    operator: Any,
    context: Context,
    body: dict[str, Any],
    field: str,
    base: Callable[[], Mapping[str, Any] | None],
    discriminator: str = "jobType",
) -> None:
    """Pass the task's OpenLineage run into the run ``body`` creates (:func:`parent_run_env`,
    :func:`inject_parent_env`); ``base`` reads the job's or pipeline's configuration, only then."""
    env = parent_run_env(operator, context)
    if env:
        inject_parent_env(body, field, env, base(), discriminator)


# --- the facets ---------------------------------------------------------------------------------


@cache
def _run_facet_class() -> type:
    import attr
    from openlineage.client.facet_v2 import RunFacet

    @attr.define
    class OciDataScienceRunFacet(RunFacet):
        """The OCI Data Science resource a task ran or made."""

        resource: str
        ocid: str
        region: str | None = None
        consoleUrl: str | None = None
        lifecycleState: str | None = None

        @staticmethod
        def _get_schema() -> str:
            from airflow_ds_provider.get_provider_info import DOCUMENTATION_URL

            return DOCUMENTATION_URL.replace("README.md", "openlineage.md#run-facets")

    return OciDataScienceRunFacet


def _dataset(namespace: str, name: str, facets: Mapping[str, Any] | None = None) -> Any:
    from openlineage.client.event_v2 import Dataset

    return Dataset(namespace=namespace, name=name, facets=dict(facets or {}))


def _storage(uris: Iterable[str]) -> list[Any]:
    return [_dataset(*object_storage_dataset(uri)) for uri in uris]  # type: ignore[misc]


def _model_ids(value: Any) -> list[str]:
    """The ``modelId`` / ``modelGroupId`` values anywhere in a deployment's configuration."""
    from airflow_ds_provider.operators._create_path import _referenced_ocids

    return [ocid for key, ocid in _referenced_ocids(value) if key in ("modelId", "modelGroupId")]


def resource_lineage(hook: Any, kind: str, data: Mapping[str, Any], region: str) -> tuple[list, list]:
    """``(inputs, outputs)`` of one resource's JSON (``kind``: its resource kind); reads its job or
    pipeline through ``hook``."""
    ns = resource_namespace(region)
    if kind == "job_run":
        job = hook.get_job(data["jobId"]).data
        env, args = effective_config(
            job.get("jobConfigurationDetails"), data.get("jobConfigurationOverrideDetails")
        )
        uris = declared_uris(env, args)
        return [_dataset(ns, data["jobId"]), *_storage(uris["inputs"])], _storage(uris["outputs"])
    if kind == "pipeline_run":
        pipeline = hook.get_pipeline(data["pipelineId"]).data
        uris: dict[str, list[str]] = {"inputs": [], "outputs": []}
        configs = [
            effective_config(pipeline.get("configurationDetails"), data.get("configurationOverrideDetails"))
        ]
        overrides = {
            o.get("stepName"): o.get("stepConfigurationDetails")
            for o in data.get("stepOverrideDetails") or []
        }
        for step in pipeline.get("stepDetails") or []:
            configs.append(
                effective_config(step.get("stepConfigurationDetails"), overrides.get(step.get("stepName")))
            )
        for env, args in configs:
            for way, found in declared_uris(env, args).items():
                uris[way].extend(u for u in found if u not in uris[way])
        return [_dataset(ns, data["pipelineId"]), *_storage(uris["inputs"])], _storage(uris["outputs"])
    if kind == "model_deployment":
        models = list(dict.fromkeys(_model_ids(data.get("modelDeploymentConfigurationDetails"))))
        return [_dataset(ns, m) for m in models], [_dataset(ns, data["id"])]
    facets: dict[str, Any] = {}
    if kind == "model" and data.get("versionId") is not None:
        from openlineage.client.facet_v2 import dataset_version_dataset

        facets["version"] = dataset_version_dataset.DatasetVersionDatasetFacet(
            datasetVersion=str(data["versionId"])
        )
    return [], [_dataset(ns, data["id"], facets)]


class DataScienceLineageMixin:
    """``get_openlineage_facets_on_complete`` / ``_on_failure`` for an operator with a ``resource``.

    The resource's OCID is the one the operator published (or the trigger's event named, when a
    deferred task resumed in a new operator object), else its ``<resource>_id`` attribute, else
    its XCom ``resource_id``; its JSON is read once.
    A run (job or pipeline) is an input-output step: its job or pipeline and its declared
    Object Storage URIs; a model or deployment is the output.
    """

    resource: str | None
    #: the OCID of this task's resource, recorded when it is published or the trigger fires
    _lineage_ocid: str | None = None

    def publish(self, context: Context, resource_id: str | None, **kwargs: Any) -> None:
        """Publish as the base does, and remember the OCID of this operator's own resource kind."""
        if resource_id and kwargs.get("resource", self.resource) == self.resource:
            self._remember(resource_id)
        super().publish(context, resource_id, **kwargs)  # type: ignore[misc]

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume as the base does, remembering the OCID the trigger's event names."""
        if isinstance(event, Mapping) and event.get("resource") == self.resource and event.get("resource_id"):
            self._remember(event["resource_id"])
        return super().execute_complete(context, event)  # type: ignore[misc]

    def _remember(self, ocid: str) -> None:
        # Build the hook now, in the task's own process: the listener may call the methods below
        # in a forked child, which should not have to resolve the connection.
        self._lineage_ocid = ocid
        _ = self.hook  # type: ignore[attr-defined]

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """The lineage of a task that succeeded (called by the OpenLineage listener)."""
        return self._openlineage(task_instance)

    def get_openlineage_facets_on_failure(self, task_instance: Any) -> Any:
        """The lineage of a task that failed: the same datasets, with the run's final state."""
        return self._openlineage(task_instance)

    def _openlineage(self, task_instance: Any) -> Any:
        from airflow.providers.openlineage.extractors import OperatorLineage
        from openlineage.client.facet_v2 import external_query_run

        kind = self.resource or ""
        ocid = self._lineage_ocid or getattr(self, f"{kind}_id", None)
        if not isinstance(ocid, str) or not ocid.startswith("ocid1."):
            ocid = task_instance.xcom_pull(task_ids=task_instance.task_id, key="resource_id")
        if not isinstance(ocid, str) or not ocid:
            return OperatorLineage()  # nothing was created or found
        hook = self.hook  # type: ignore[attr-defined]
        region = hook.config.region or region_of_ocid(ocid) or "unknown"
        data = self.read_resource(ocid, resource=kind, missing_ok=True)  # type: ignore[attr-defined]
        inputs, outputs = resource_lineage(hook, kind, data, region) if data else ([], [])
        data = data or {}
        run_facets = {
            "externalQuery": external_query_run.ExternalQueryRunFacet(
                externalQueryId=ocid, source=resource_namespace(region)
            ),
            RUN_FACET: _run_facet_class()(
                resource=kind,
                ocid=ocid,
                region=region,
                consoleUrl=console_url(kind, ocid, None if region == "unknown" else region),
                lifecycleState=data.get("lifecycleState"),
            ),
        }
        return OperatorLineage(inputs=inputs, outputs=outputs, run_facets=run_facets)
