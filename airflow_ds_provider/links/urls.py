"""Pure URL builders for the OCI Console pages of Data Science resources (no Airflow import).

The link classes that publish them in the Airflow UI are in :mod:`.console`.
"""

from __future__ import annotations

from urllib.parse import quote

from airflow_ds_provider.resources import RESOURCES

CONSOLE_BASE = "https://cloud.oracle.com"

#: resource -> (console path segment, link name shown in the Airflow UI), from the resource table.
CONSOLE_KINDS: dict[str, tuple[str, str]] = {
    name: resource.console for name, resource in RESOURCES.items() if resource.console is not None
}


def region_of_ocid(resource_id: str) -> str | None:
    """The region an OCID names (``ocid1.<type>.<realm>.<region>.<unique>``), or ``None``.

    Regional OCIDs carry the region's short key (``iad``) or, in older ones, its name; realm-wide
    OCIDs (``ocid1.compartment.oc1..x``) and unknown keys give ``None``.
    """
    from airflow_ds_provider.client.endpoints import known_regions, short_region_keys

    parts = resource_id.split(".") if isinstance(resource_id, str) else []
    if len(parts) < 5 or not parts[3]:
        return None
    key = parts[3].lower()
    if key in known_regions():
        return key
    return short_region_keys().get(key)


def console_url(resource: str, resource_id: str, region: str | None = None) -> str | None:
    """The OCI Console page of one Data Science resource, or ``None`` when no region is known.

    :param resource: resource kind, e.g. ``job_run``.
    :param resource_id: its OCID.
    :param region: region identifier, e.g. ``us-ashburn-1`` (default: the region the OCID names,
        so an endpoint-only connection still gets a link).
    """
    region = region or region_of_ocid(resource_id)
    if resource not in CONSOLE_KINDS or not region:
        return None
    segment, _ = CONSOLE_KINDS[resource]
    return f"{CONSOLE_BASE}/data-science/{segment}/{quote(resource_id, safe='.')}?region={quote(region)}"


def log_search_url(compartment_id: str, log_group_id: str, log_id: str, source_id: str, region: str) -> str:
    """The OCI Logging search page filtered to one resource's log records (oci_facts.md §9)."""
    query = (
        f"search \"{compartment_id}/{log_group_id}/{log_id}\" | source='{source_id}' | sort by datetime desc"
    )
    return f"{CONSOLE_BASE}/logging/search?searchQuery={quote(query, safe='')}&regions={quote(region)}"
