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
        if resource.operators  # kinds without operators yet (issue #15) are not asked for one
        for name, action in resource.actions.items()
        if action.sources
    }
    assert wanted <= covered, sorted(wanted - covered)


#: Action operators whose wait ends in more states than the action's settled one (declared in
#: the class): a run that finished on its own while being cancelled has stopped too.
OWN_TARGETS = {
    "DataScienceCancelJobRunOperator": frozenset({"CANCELED", "SUCCEEDED", "FAILED"}),
    # a graceful cancel (terminateGracefully) ends a pipeline run SUCCEEDED
    "DataScienceCancelPipelineRunOperator": frozenset({"CANCELED", "SUCCEEDED", "FAILED"}),
}


@pytest.mark.parametrize("cls", ACTION_OPERATORS, ids=lambda cls: cls.__name__)
def test_sources_and_targets_come_from_the_table(cls) -> None:
    action = RESOURCES[cls.resource].actions[cls.action]
    assert cls.sources == action.sources
    declared = re.findall(r"^    (sources|target_states) = ", inspect.getsource(cls), re.MULTILINE)
    if cls.__name__ in OWN_TARGETS:
        assert action.settled in cls.target_states
        assert cls.target_states == OWN_TARGETS[cls.__name__]
        assert declared == ["target_states"], f"{cls.__name__} declares {declared}"
    else:
        assert cls.target_states == frozenset({action.settled})
        assert declared == [], f"{cls.__name__} re-declares {declared}"


def test_only_the_run_cancels_and_the_pipeline_delete_act_while_pending() -> None:
    """``under_way`` and ``acts_while_pending`` are the run cancels' (and the pipeline delete
    acts on a pipeline stuck CREATING for artifacts that never come); every other action keeps
    the generic path (a pending state is waited out, then the action decided)."""
    special = {cls.__name__: (cls.under_way, cls.acts_while_pending) for cls in ACTION_OPERATORS}
    for kind in ("job_run", "pipeline_run"):
        cancel = RESOURCES[kind].actions["cancel"]
        name = f"DataScienceCancel{RESOURCES[kind].class_part}Operator"
        assert special.pop(name) == (frozenset({cancel.transient}), True)
    assert special.pop("DataScienceDeletePipelineOperator") == (frozenset(), True)
    assert set(special.values()) == {(frozenset(), False)}


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
