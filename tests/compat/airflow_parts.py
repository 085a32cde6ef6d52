"""Airflow parts the tests use that moved between 3.0 and 3.3 (the package's own are in ``_compat``).

Tests import these from here, so every test module imports on every supported version.
"""

from __future__ import annotations

try:
    from airflow.sdk.serde import deserialize, serialize
except ImportError:  # Airflow 3.0, 3.1
    from airflow.serialization.serde import deserialize, serialize  # type: ignore[no-redef]

__all__ = ["deserialize", "serialize"]
