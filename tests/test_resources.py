"""The resource table is complete and everything derived from it agrees with it.

Every test iterates :data:`airflow_ds_provider.resources.RESOURCES`, so a new resource is covered
(or fails here) without anyone adding it to a list.
"""

from __future__ import annotations

import importlib
import json

import pytest
from compat.airflow_parts import deserialize, serialize

from airflow_ds_provider._compat import import_string
from airflow_ds_provider.get_provider_info import get_provider_info
from airflow_ds_provider.lifecycle import LIFECYCLES, TRANSITIONS
from airflow_ds_provider.links.console import CONSOLE_KINDS, console_url
from airflow_ds_provider.ocids import OCID_TYPES, kind_of, validate_ocid
from airflow_ds_provider.resources import (
    EXPLAIN_DETAILS,
    EXPLAIN_WORK_REQUEST_ERRORS,
    RESOURCES,
    get_resource,
    waitable,
)
from airflow_ds_provider.spec import camel_case, models, operations

ALL = pytest.mark.parametrize("name", sorted(RESOURCES))
WAITABLE = pytest.mark.parametrize("name", sorted(r.name for r in waitable()))
#: Actions the service takes by itself (the emulator schedules them); the others are API operations.
SERVICE_ACTIONS = {"start", "run"}


def _ocid(name: str) -> str:
    return f"ocid1.{RESOURCES[name].ocid_type}.oc1.iad.amaaaaaaexample{name.replace('_', '')}"


def _modules(kind: str) -> set[str]:
    return {m for group in get_provider_info()[kind] for m in group["python-modules"]}


@ALL
def test_the_spec_has_its_operations_and_collection(name: str) -> None:
    resource = RESOURCES[name]
    ops = operations()
    get = ops[resource.get_operation]
    base = f"/{resource.collection}/"
    if resource.parent:  # nested: /<parent collection>/{<parent id>}/<collection>/...
        parent = RESOURCES[resource.parent]
        base = f"/{parent.collection}/{{{camel_case(parent.id_param)}}}{base}"
    assert get.path.startswith(base), (get.path, base)
    assert resource.id_param in get.path_args
    for action in set(resource.actions) - SERVICE_ACTIONS:
        if name == "work_request" and action == "create":
            continue
        assert f"{action}_{name}" in ops, f"{name}.{action}: no operation {action}_{name} in the spec"
    assert resource.work_request_operations <= {n for n, op in ops.items() if op.returns_work_request}


@ALL
def test_its_states_are_the_models_states(name: str) -> None:
    resource = RESOURCES[name]
    model = models().get(name.title().replace("_", ""))
    if model is None:
        pytest.skip(f"models.json has no {name} model")  # every seed resource has one
    [field] = [f for f in model.fields if f.wire == resource.state_field]
    assert set(field.allowed) == set(resource.states)


@ALL
def test_the_wait_table_and_transitions_derive_from_it(name: str) -> None:
    resource, lifecycle = RESOURCES[name], LIFECYCLES[name]
    assert (lifecycle.states, lifecycle.pending, lifecycle.success, lifecycle.failure, lifecycle.final) == (
        resource.states,
        resource.pending,
        resource.success,
        resource.failure,
        resource.final,
    )
    assert (lifecycle.get_operation, lifecycle.id_param, lifecycle.ocid_type) == (
        resource.get_operation,
        resource.id_param,
        resource.ocid_type,
    )
    for action, spec in resource.actions.items():
        assert TRANSITIONS[(name, action)].settled == spec.settled
        assert TRANSITIONS[(name, action)].transient == spec.transient
    assert not (resource.success & resource.failure) and not (resource.success & resource.pending)


@ALL
def test_its_ocids_are_checked_by_kind(name: str) -> None:
    assert OCID_TYPES[name] == RESOURCES[name].ocid_type
    assert kind_of(_ocid(name)) == name
    assert validate_ocid(_ocid(name), f"{name}_id") == _ocid(name)
    other = next(n for n in RESOURCES if n != name)
    with pytest.raises(ValueError, match=rf"^{name}_id: .* is the OCID of a {other}"):
        validate_ocid(_ocid(other), f"{name}_id")


@ALL
def test_console_link_and_failure_explanation(name: str) -> None:
    resource = RESOURCES[name]
    if resource.console is None:
        assert name not in CONSOLE_KINDS and console_url(name, _ocid(name), "us-ashburn-1") is None
    else:
        url = console_url(name, _ocid(name))  # the region comes from the OCID
        assert (
            url
            == f"https://cloud.oracle.com/data-science/{resource.console[0]}/{_ocid(name)}?region=us-ashburn-1"
        )
    assert resource.explain in (EXPLAIN_DETAILS, EXPLAIN_WORK_REQUEST_ERRORS)
    if resource.explain == EXPLAIN_WORK_REQUEST_ERRORS:
        assert resource.details_field is None  # its errors are a list of their own


@ALL
def test_its_operators_module_is_registered(name: str) -> None:
    resource = RESOURCES[name]
    module = f"airflow_ds_provider.operators.{resource.module}"
    assert (module in _modules("operators")) == resource.operators
    if resource.operators:
        operators = importlib.import_module(module)
        kinds = {getattr(obj, "resource", None) for obj in vars(operators).values() if isinstance(obj, type)}
        assert name in kinds


@WAITABLE
def test_a_waitable_resource_has_a_registered_sensor_and_trigger(name: str) -> None:
    resource = RESOURCES[name]
    for kind, suffix in (("sensors", "Sensor"), ("triggers", "Trigger")):
        module = f"airflow_ds_provider.{kind}.{resource.module}"
        assert module in _modules(kind)
        cls = getattr(importlib.import_module(module), f"DataScience{resource.class_stem}{suffix}")
        package = importlib.import_module(f"airflow_ds_provider.{kind}")
        assert getattr(package, cls.__name__) is cls and cls.__name__ in package.__all__
    sensor_cls = import_string(
        f"airflow_ds_provider.sensors.{resource.module}.DataScience{resource.class_stem}Sensor"
    )
    sensor = sensor_cls(task_id="wait", **{resource.id_param: _ocid(name)})
    assert sensor.resource == name and resource.id_param in sensor.template_fields


@WAITABLE
def test_its_trigger_round_trips_through_airflows_serialization(name: str) -> None:
    resource = RESOURCES[name]
    cls = import_string(
        f"airflow_ds_provider.triggers.{resource.module}.DataScience{resource.class_stem}Trigger"
    )
    trigger = cls(
        _ocid(name), poll_interval=5, deadline=1_900_000_000.0, target_states=sorted(resource.success)
    )
    classpath, kwargs = trigger.serialize()
    again = import_string(classpath)(**deserialize(json.loads(json.dumps(serialize(kwargs)))))
    assert type(again) is cls and again.serialize() == (classpath, kwargs)
    assert (again.resource, again.resource_id) == (name, _ocid(name))


def test_unknown_resources_are_named() -> None:
    with pytest.raises(ValueError, match=r"unknown resource 'no_such_kind'; expected one of \[.*'job'"):
        get_resource("no_such_kind")
