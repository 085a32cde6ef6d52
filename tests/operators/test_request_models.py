"""The request models (Update*/Change*/Create* details) come from the spec, read by the operators and the
emulator alike: both reject a field the model lacks and require its required fields."""

from __future__ import annotations

import pytest

from airflow_ds_provider.emulator import schema
from airflow_ds_provider.operators._resource_actions import check_body
from airflow_ds_provider.operators.projects import update_project_fields
from airflow_ds_provider.spec import models, operations

#: Every non-polymorphic request body model of the spec (what the operators and the emulator check).
REQUEST_MODELS = sorted(
    {
        op.body_model
        for op in operations().values()
        if op.body_model and op.body_model in models() and not models()[op.body_model].polymorphic
    }
)


def test_the_spec_describes_every_request_body() -> None:
    missing = sorted(
        {op.body_model for op in operations().values() if op.body_model not in (None, "stream")}
        - set(models())
    )
    assert not missing, f"request models the spec lacks: {missing}"
    assert len(REQUEST_MODELS) > 60


def test_the_project_update_fields_are_the_specs() -> None:
    assert set(update_project_fields()) == {"displayName", "description", "freeformTags", "definedTags"}


@pytest.mark.parametrize(
    "name", [n for n in REQUEST_MODELS if not any(f.required for f in models()[n].fields)]
)
def test_operators_and_emulator_reject_a_field_the_model_lacks(name) -> None:
    body = {"notAField": "x"}
    with pytest.raises(ValueError, match=r"notAField"):
        check_body(name, body, "body")
    with pytest.raises(schema.BodyError, match=rf"^notAField: is not a field of {name}$"):
        schema.validate(name, body)


@pytest.mark.parametrize("name", [n for n in REQUEST_MODELS if any(f.required for f in models()[n].fields)])
def test_operators_and_emulator_require_the_models_required_fields(name) -> None:
    first = next(f.wire for f in models()[name].fields if f.required)
    with pytest.raises(ValueError, match=rf"{first}"):
        check_body(name, {}, "body")
    with pytest.raises(schema.BodyError, match=rf"{first}: is required"):
        schema.validate(name, {})
