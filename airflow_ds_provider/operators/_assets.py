"""Asset events from the operators that produce a model, a model version or an active deployment.

Opt-in the Airflow way: an operator emits nothing unless its ``outlets`` name an asset, and
then it fills in the events Airflow records when the task succeeds:

* an :class:`~airflow.sdk.Asset` whose URI (``oci-datascience://<region>/<ocid>``,
  :mod:`airflow_ds_provider.assets`) is the produced resource **or a container known in
  advance** (its model version set, its project, the deployed model) gets the produced
  resource's essentials in the event's ``extra`` (:func:`~airflow_ds_provider.assets.event_extra`):
  a consumer scheduled on ``Asset("oci-datascience://<region>/<version set OCID>")`` runs for
  every new version and reads the new model's OCID from ``extra["id"]``;
* an :class:`~airflow.sdk.AssetAlias` gets one event on the produced resource's own asset
  (its URI is only known now), so ``schedule=AssetAlias(...)`` or the resolved asset work too.

An ``oci-datascience`` outlet that is none of these is left alone (Airflow still records its
event, with an empty ``extra``) and a warning names it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.assets import event_extra, parse_uri
from airflow_ds_provider.links.urls import region_of_ocid

if TYPE_CHECKING:
    from airflow.sdk import Context

#: Kinds whose event is emitted only once the resource is in this state.
_EMIT_STATES = {"model_deployment": "ACTIVE"}


def related_ids(resource: str, data: Mapping[str, Any]) -> set[str]:
    """The OCIDs an outlet may name to receive an event about ``data``: the resource itself, its
    model version set and project, and for a deployment the model(s) it serves."""
    ids = {str(data[f]) for f in ("id", "modelVersionSetId", "projectId") if data.get(f)}
    if resource == "model_deployment":
        config = data.get("modelDeploymentConfigurationDetails") or {}
        model = (config.get("modelConfigurationDetails") or {}).get("modelId")
        if model:
            ids.add(str(model))
    return ids


def emit_assets(operator: Any, context: Context, resource: str, data: Mapping[str, Any]) -> None:
    """Fill the outlet events of ``operator`` with the produced resource ``data`` (its JSON).

    :param operator: the running Data Science operator (its ``outlets`` and hook are read).
    :param context: the task's context (``outlet_events``).
    :param resource: the produced kind: ``model`` or ``model_deployment``.
    :param data: the resource's JSON, as the operator returns it.
    """
    outlets = list(getattr(operator, "outlets", None) or [])
    if not outlets or not data.get("id"):
        return
    state = _EMIT_STATES.get(resource)
    if state is not None and data.get("lifecycleState") != state:
        operator.log.info("No asset event: %s %s is not %s", resource, data["id"], state)
        return
    from airflow.sdk import Asset, AssetAlias

    region = operator.hook.config.region or region_of_ocid(str(data["id"]))
    extra = event_extra(resource, data, region)
    related = related_ids(resource, data)
    events = context["outlet_events"]
    for outlet in outlets:
        if isinstance(outlet, AssetAlias):
            events[outlet].add(Asset(uri=extra["uri"]), extra=extra)
            operator.log.info("Asset event %s (through alias %r)", extra["uri"], outlet.name)
        elif isinstance(outlet, Asset) and (parsed := parse_uri(outlet.uri)) is not None:
            if parsed[1] in related:
                events[outlet].extra.update(extra)
                operator.log.info("Asset event %s: %s %s", outlet.uri, resource, extra["id"])
            else:
                operator.log.warning(
                    "Outlet %s names none of %s: its event carries no %s details",
                    outlet.uri,
                    sorted(related),
                    resource,
                )
