"""OCI Console extra links for Data Science resources, declared as data.

The operator that creates or acts on a resource calls :func:`persist_console_link` before it
finishes or defers; Airflow 3 resolves every link on the worker at ``finalize()`` and stores the
URL as XCom ``_link_<ClassName>``, so the API server needs none of this code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from airflow.sdk import BaseOperatorLink
from airflow.sdk.execution_time.xcom import XCom

from airflow_ds_provider.resources import RESOURCES

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator
    from airflow.sdk.types import TaskInstanceKey

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


class _XComLink(BaseOperatorLink):
    """A link whose URL the operator pushed to XCom under ``key``."""

    name = "OCI Console"
    key = "console_url"

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        """Return the URL pushed by the task, or an empty string when there is none."""
        value: Any = XCom.get_value(key=self.key, ti_key=ti_key)
        return value if isinstance(value, str) else ""


class DataScienceConsoleLink(_XComLink):
    """Link to the OCI Console page of the resource the task created or acted on."""

    name = "OCI Console"
    key = "console_url"


class DataScienceLogSearchLink(_XComLink):
    """Link to OCI Logging search for the job run's log records."""

    name = "OCI Job Run Logs"
    key = "log_search_url"
