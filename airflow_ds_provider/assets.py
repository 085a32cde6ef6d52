"""Airflow Asset URIs for Data Science resources (pure: no Airflow import, no I/O).

One resource, one URI: ``oci-datascience://<region>/<ocid>``, e.g.
``oci-datascience://us-ashburn-1/ocid1.datasciencemodelversionset.oc1.iad.x``. The region is the
full region name (a short key such as ``iad`` is normalised to it; a name of the region-name
shape is taken as is) and the path is one OCID whose
kind is in the resource table (:mod:`airflow_ds_provider.kinds`), so the same resource always
gets the same URI, whoever writes it. Airflow normalises every ``oci-datascience`` URI through
:func:`sanitize_uri` (registered under ``asset-uris`` in the provider info), so a malformed URI
fails when the DAG is parsed, naming what is wrong.

:func:`event_extra` is the ``extra`` of the asset events the operators emit (see
:mod:`airflow_ds_provider.operators._assets` and docs/assets.md): the produced resource's
essentials, the same for every operator, the console URL from :mod:`airflow_ds_provider.links`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import SplitResult, urlsplit

from airflow_ds_provider.links.urls import console_url, region_of_ocid
from airflow_ds_provider.ocids import kind_of

SCHEME = "oci-datascience"

#: Wire fields copied into an event's ``extra`` when the resource has them (JSON, small).
_EXTRA_FIELDS = {
    "displayName": "display_name",
    "lifecycleState": "lifecycle_state",
    "compartmentId": "compartment_id",
    "projectId": "project_id",
    "modelVersionSetId": "model_version_set_id",
    "versionId": "version_id",
    "versionLabel": "version_label",
    "timeCreated": "time_created",
}


#: A region name (``us-ashburn-1``): taken as is, so parsing a DAG loads no region table.
_REGION_NAME = re.compile(r"^[a-z]+(-[a-z]+)+-[0-9]+$")


def _region(region: str, uri: str) -> str:
    key = region.strip().lower()
    if _REGION_NAME.match(key):
        return key
    from airflow_ds_provider.client.endpoints import known_regions, short_region_keys

    if key in known_regions():
        return key
    if key in short_region_keys():
        return short_region_keys()[key]
    raise ValueError(f"{uri}: {region!r} is not a known OCI region (the URI is {SCHEME}://<region>/<ocid>)")


def asset_uri(resource_id: str, region: str | None = None) -> str:
    """The asset URI of one resource: ``oci-datascience://<region>/<ocid>``.

    :param resource_id: the resource's OCID (a Data Science kind from the resource table).
    :param region: region name or short key; default: the one the OCID names.
    :raises ValueError: when the OCID's kind is unknown or no region is known.
    """
    region = region or region_of_ocid(resource_id)
    if not region:
        raise ValueError(f"region: {resource_id} names no region; pass the region explicitly")
    return sanitize_uri(urlsplit(f"{SCHEME}://{region}/{resource_id}")).geturl()


def sanitize_uri(uri: SplitResult) -> SplitResult:
    """Normalise an ``oci-datascience`` URI (Airflow's ``asset-uris`` handler).

    :raises ValueError: naming the URI when the region, the OCID or the shape is wrong.
    """
    text = uri.geturl()
    if uri.query or uri.fragment or uri.username or uri.password or uri.port:
        raise ValueError(f"{text}: an {SCHEME} URI has no user, port, query or fragment")
    ocid = uri.path.strip("/")
    if not uri.hostname or not ocid or "/" in ocid:
        raise ValueError(f"{text}: expected {SCHEME}://<region>/<ocid>")
    if kind_of(ocid) is None:
        raise ValueError(f"{text}: {ocid!r} is not the OCID of a Data Science resource")
    return SplitResult(SCHEME, _region(uri.hostname, text), f"/{ocid}", "", "")


def parse_uri(uri: str) -> tuple[str, str] | None:
    """``(region, ocid)`` of an ``oci-datascience`` URI, ``None`` for any other scheme."""
    parts = urlsplit(uri)
    if parts.scheme != SCHEME:
        return None
    clean = sanitize_uri(parts)
    return clean.netloc, clean.path.lstrip("/")


def event_extra(resource: str, data: Mapping[str, Any], region: str) -> dict[str, Any]:
    """The ``extra`` of an asset event about ``data`` (the resource's JSON), JSON-serializable.

    ``id``, ``resource`` (kind), ``region``, ``uri`` of the resource itself, ``console_url`` and
    the fields of :data:`_EXTRA_FIELDS` it has (snake_case).
    """
    ocid = str(data["id"])
    extra: dict[str, Any] = {
        "resource": resource,
        "id": ocid,
        "region": region,
        "uri": asset_uri(ocid, region),
        "console_url": console_url(resource, ocid, region),
    }
    for wire, name in _EXTRA_FIELDS.items():
        if data.get(wire) is not None:
            extra[name] = data[wire]
    return extra
