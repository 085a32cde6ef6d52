"""The lifecycle-action operators take their source and target states from the resource table."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

from airflow_ds_provider import operators as operators_pkg
from airflow_ds_provider.operators._resource_actions import LifecycleActionOperator
from airflow_ds_provider.resources import RESOURCES


def _action_operators() -> list[type]:
    for module in pkgutil.iter_modules(operators_pkg.__path__):
        importlib.import_module(f"{operators_pkg.__name__}.{module.name}")
    found, todo = [], [LifecycleActionOperator]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.resource and sub.action:
                found.append(sub)
    return sorted(found, key=lambda cls: cls.__name__)


ACTION_OPERATORS = _action_operators()


def test_every_resource_action_with_sources_has_an_operator() -> None:
    covered = {(cls.resource, cls.action) for cls in ACTION_OPERATORS}
    wanted = {
        (resource.name, name)
        for resource in RESOURCES.values()
        for name, action in resource.actions.items()
        if action.sources and name != "cancel"
    }
    assert wanted <= covered, sorted(wanted - covered)


@pytest.mark.parametrize("cls", ACTION_OPERATORS, ids=lambda cls: cls.__name__)
def test_sources_and_targets_come_from_the_table(cls) -> None:
    action = RESOURCES[cls.resource].actions[cls.action]
    assert cls.sources == action.sources
    assert cls.target_states == frozenset({action.settled})
    declared = re.findall(r"^    (sources|target_states) = ", inspect.getsource(cls), re.MULTILINE)
    assert declared == [], f"{cls.__name__} re-declares {declared}"


def test_an_action_the_table_lacks_is_a_class_definition_error() -> None:
    with pytest.raises(TypeError, match=r"^Bogus: model has no action 'explode' in the resource table$"):
        type("Bogus", (LifecycleActionOperator,), {"resource": "model", "action": "explode"})


#: Delete operators with a path of their own (none).
OWN_DELETE_PATH: set[str] = set()


def test_every_delete_operator_goes_through_the_one_delete_path() -> None:
    from airflow_ds_provider.operators._resource_actions import DeleteResourceOperator
    from airflow_ds_provider.operators.base import DataScienceBaseOperator

    deletes = {
        cls
        for module in pkgutil.iter_modules(operators_pkg.__path__)
        for cls in vars(importlib.import_module(f"{operators_pkg.__name__}.{module.name}")).values()
        if isinstance(cls, type)
        and issubclass(cls, DataScienceBaseOperator)
        and cls.__name__.startswith("DataScienceDelete")
    }
    assert len(deletes) >= 6
    own = {cls.__name__ for cls in deletes if not issubclass(cls, DeleteResourceOperator)}
    assert own == OWN_DELETE_PATH
    for cls in deletes - {c for c in deletes if c.__name__ in OWN_DELETE_PATH}:
        assert "execute" not in vars(cls) and "act" not in vars(cls), f"{cls.__name__} has its own delete"
