"""What each supported Airflow minor version has, from Airflow's release notes.

An oracle independent of :mod:`airflow_ds_provider._compat` (which detects the features): the
tests compare the two, and pick the behaviour each version must show from this table. The
package itself never compares version strings.
"""

from __future__ import annotations

import airflow

#: minor version -> feature -> present (``crashed_task_retried``: the Task SDK supervisor reports a
#: task runner that died with retries left UP_FOR_RETRY; 3.0 reports it FAILED; tests only)
FEATURES: dict[tuple[int, int], dict[str, bool]] = {
    (3, 0): {
        "retry_policy": False,
        "trigger_on_kill": False,
        "task_state_store": False,
        "conn_fields": False,
        "aget_connection": False,
        "aextra_dejson": False,
        "crashed_task_retried": False,
        "asset_state_store": False,
    },
    (3, 1): {
        "retry_policy": False,
        "trigger_on_kill": False,
        "task_state_store": False,
        "conn_fields": False,
        "aget_connection": True,
        "aextra_dejson": False,
        "crashed_task_retried": True,
        "asset_state_store": False,
    },
    (3, 2): {
        "retry_policy": False,
        "trigger_on_kill": False,
        "task_state_store": False,
        "conn_fields": True,
        "aget_connection": True,
        "aextra_dejson": False,
        "crashed_task_retried": True,
        "asset_state_store": False,
    },
    (3, 3): {
        "retry_policy": True,
        "trigger_on_kill": True,
        "task_state_store": True,
        "conn_fields": True,
        "aget_connection": True,
        "aextra_dejson": True,
        "crashed_task_retried": True,
        "asset_state_store": True,
    },
}

MINOR: tuple[int, int] = tuple(int(part) for part in airflow.__version__.split(".")[:2])  # type: ignore[assignment]


def has(feature: str) -> bool:
    """Whether the running Airflow has ``feature`` (newer minors than the table: like the newest)."""
    return FEATURES[min(MINOR, max(FEATURES))][feature]
