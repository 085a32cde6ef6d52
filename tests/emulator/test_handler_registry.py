"""Handlers register themselves per operation, and the set is checked against the spec at import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from airflow_ds_provider.emulator.resources import HANDLERS
from airflow_ds_provider.emulator.resources.registry import (
    REGISTERED,
    HandlerRegistryError,
    check_handlers,
    handles,
)
from airflow_ds_provider.spec import operations


def _handler(services, request):  # a stand-in with the handler signature
    raise AssertionError("never called")


def test_every_spec_operation_has_exactly_its_registered_handler():
    assert set(HANDLERS) == set(operations())
    for name, func in HANDLERS.items():
        assert func.__name__ == name, f"{name} is served by {func.__module__}.{func.__name__}"


def test_the_registry_is_read_only():
    with pytest.raises(TypeError):
        HANDLERS["get_job_run"] = _handler  # type: ignore[index]


def test_an_operation_without_a_handler_is_named():
    handlers = {name: _handler for name in operations() if name != "get_job_run"}
    with pytest.raises(HandlerRegistryError, match=r"operations without a handler: \['get_job_run'\]"):
        check_handlers(handlers, operations())


def test_a_handler_for_an_unknown_operation_is_named():
    handlers = {**dict.fromkeys(operations(), _handler), "get_pipelines_of_mars": _handler}
    with pytest.raises(HandlerRegistryError, match=r"the spec does not have: \['get_pipelines_of_mars'\]"):
        check_handlers(handlers, operations())


def test_a_matching_set_passes():
    check_handlers(dict.fromkeys(operations(), _handler), operations())


def test_two_handlers_for_one_operation_fail_at_registration():
    registry: dict = {}
    handles("get_job_run", registry)(_handler)
    assert registry == {"get_job_run": _handler}
    with pytest.raises(HandlerRegistryError, match="'get_job_run' has two handlers"):
        handles("get_job_run", registry)(_handler)
    assert "get_job_run" not in REGISTERED or REGISTERED["get_job_run"] is not _handler


def test_a_missing_handler_fails_the_import_of_the_emulator():
    """Importing the handler package (as the emulator does) runs the check."""
    code = (
        "import importlib\n"
        "import airflow_ds_provider.emulator.resources as pkg\n"
        "from airflow_ds_provider.emulator.resources.registry import REGISTERED\n"
        "del REGISTERED['cancel_job_run']\n"
        "importlib.reload(pkg)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "HandlerRegistryError" in proc.stderr
    assert "operations without a handler: ['cancel_job_run']" in proc.stderr
