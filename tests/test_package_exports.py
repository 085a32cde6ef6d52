"""Every `DataScience*Sensor` and `DataScience*Trigger` class can be imported from its package,
as the README shows (`from airflow_ds_provider.sensors import ...`)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

PACKAGES = {"airflow_ds_provider.sensors": "Sensor", "airflow_ds_provider.triggers": "Trigger"}


def _defined(package: str, suffix: str) -> set[str]:
    names = set()
    for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
        module = importlib.import_module(f"{package}.{info.name}")
        for name, obj in vars(module).items():
            ours = inspect.isclass(obj) and obj.__module__ == module.__name__
            if ours and name.startswith("DataScience") and name.endswith(suffix):
                names.add(name)
    return names


@pytest.mark.parametrize(("package", "suffix"), sorted(PACKAGES.items()))
def test_every_public_class_is_exported_from_its_package(package: str, suffix: str) -> None:
    exported = set(importlib.import_module(package).__all__)
    assert _defined(package, suffix) - exported == set()
    for name in exported:
        assert getattr(importlib.import_module(package), name).__name__ == name
