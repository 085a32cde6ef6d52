"""Resource kinds of this area (issue #14 fills this table)."""

from __future__ import annotations

from airflow_ds_provider.resource_model import Resource

KINDS: tuple[Resource, ...] = ()
