"""Fixtures for the sensor tests (shared with the trigger tests, see ``tests/lifecycle_world.py``)."""

from lifecycle_world import World, conn, emu, ident, sync_client, world  # noqa: F401
