"""OCI Console extra links for Data Science resources, declared as data.

The pure URL builders live in :mod:`.urls` (re-exported here).

The operator that creates or acts on a resource calls :func:`persist_console_link` before it
finishes or defers; Airflow 3 resolves every link on the worker at ``finalize()`` and stores the
URL as XCom ``_link_<ClassName>``, so the API server needs none of this code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperatorLink
from airflow.sdk.execution_time.xcom import XCom

from airflow_ds_provider.links.urls import (
    CONSOLE_BASE,
    CONSOLE_KINDS,
    console_url,
    log_search_url,
    region_of_ocid,
)

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator
    from airflow.sdk.types import TaskInstanceKey


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


__all__ = [
    "CONSOLE_BASE",
    "CONSOLE_KINDS",
    "DataScienceConsoleLink",
    "DataScienceLogSearchLink",
    "console_url",
    "log_search_url",
    "region_of_ocid",
]
