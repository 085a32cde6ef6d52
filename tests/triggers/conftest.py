"""Fixtures for the trigger tests (shared with the sensor tests, see ``tests/lifecycle_world.py``)."""

from lifecycle_world import World, conn, emu, ident, sync_client, world  # noqa: F401
