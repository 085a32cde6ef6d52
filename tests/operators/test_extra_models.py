"""One table of the request models the spec lacks, read by the operators and the emulator alike."""

from __future__ import annotations

import pytest

from airflow_ds_provider.emulator import schema
from airflow_ds_provider.operators._resource_actions import check_body
from airflow_ds_provider.operators.projects import UPDATE_PROJECT_FIELDS
from airflow_ds_provider.spec import models
from airflow_ds_provider.spec.extra_models import EXTRA_MODELS, all_models, field_names


def test_the_emulator_validates_against_the_same_table() -> None:
    assert schema.EXTRA_MODELS is EXTRA_MODELS
    assert schema.all_models() == all_models() == {**EXTRA_MODELS, **models()}
    assert not set(EXTRA_MODELS) & set(models()), "an extra model the spec has after all"


def test_the_project_update_fields_are_the_tables() -> None:
    assert UPDATE_PROJECT_FIELDS == ("displayName", "description", "freeformTags", "definedTags")
    assert tuple(field_names("UpdateProjectDetails")) == UPDATE_PROJECT_FIELDS


@pytest.mark.parametrize("name", sorted(EXTRA_MODELS))
def test_operators_and_emulator_reject_a_field_the_table_lacks(name) -> None:
    body = {"notAField": "x"}
    with pytest.raises(ValueError, match=rf"^body: unknown field\(s\) \['notAField'\] for {name}; "):
        check_body(name, body, "body")
    with pytest.raises(schema.BodyError, match=rf"^notAField: is not a field of {name}$"):
        schema.validate(name, body)


@pytest.mark.parametrize(
    "name", sorted(n for n, m in EXTRA_MODELS.items() if any(f.required for f in m.fields))
)
def test_operators_and_emulator_require_the_tables_required_fields(name) -> None:
    first = next(f.wire for f in EXTRA_MODELS[name].fields if f.required)
    with pytest.raises(ValueError, match=rf"^body: {name}\.{first} is required$"):
        check_body(name, {}, "body")
    with pytest.raises(schema.BodyError, match=rf"^{first}: is required$"):
        schema.validate(name, {})
