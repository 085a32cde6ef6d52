"""Every DataScience*Operator of every operator module: template fields exist and render.

Ids render from Jinja, bodies render inside dicts and from ``.json`` template files.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import json
import pkgutil
import re

import pytest
from airflow.sdk import DAG

import airflow_ds_provider.operators as operators_pkg
from airflow_ds_provider.operators.base import DataScienceBaseOperator, load_body
from airflow_ds_provider.operators.projects import DataScienceCreateProjectOperator

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
RESOURCE_MODULES = (
    "projects",
    "jobs",
    "job_runs",
    "work_requests",
    "models",
    "model_deployments",
    "notebook_sessions",
)
MINE = {
    "DataScienceCreateProjectOperator",
    "DataScienceUpdateProjectOperator",
    "DataScienceDeleteProjectOperator",
    "DataScienceChangeProjectCompartmentOperator",
    "DataScienceCreateJobOperator",
    "DataScienceUpdateJobOperator",
    "DataScienceDeleteJobOperator",
    "DataScienceChangeJobCompartmentOperator",
    "DataScienceCreateJobArtifactOperator",
    "DataScienceCreateJobRunOperator",
    "DataScienceUpdateJobRunOperator",
    "DataScienceDeleteJobRunOperator",
    "DataScienceCancelJobRunOperator",
    "DataScienceChangeJobRunCompartmentOperator",
    "DataScienceCancelWorkRequestOperator",
}
_NAME = re.compile(r"^DataScience\w+Operator$")


def _all_operators() -> dict[str, type]:
    found: dict[str, type] = {}
    for info in pkgutil.iter_modules(operators_pkg.__path__):
        module = importlib.import_module(f"{operators_pkg.__name__}.{info.name}")
        for name, cls in vars(module).items():
            if (
                inspect.isclass(cls)
                and _NAME.match(name)
                and cls.__module__ == module.__name__
                and issubclass(cls, DataScienceBaseOperator)
                and "template_fields" in vars(cls)
            ):
                found[name] = cls
    return found


OPERATORS = _all_operators()


def _is_body(field: str) -> bool:
    return field.endswith("_details")


def _build(cls: type, **extra) -> tuple[DataScienceBaseOperator, dict[str, object]]:
    """The operator with every templated argument set to Jinja; and the expected rendering.

    Arguments hidden behind ``**kwargs`` (shared bases) are found from the ``missing keyword
    argument`` errors the constructor raises.
    """
    params = inspect.signature(cls).parameters
    kwargs: dict[str, object] = {}
    expected: dict[str, object] = {}

    def templated(field: str) -> None:
        if _is_body(field):
            kwargs[field] = {"displayName": "{{ params.name }}", "freeformTags": {"k": "{{ params.tag }}"}}
            expected[field] = {"displayName": "rendered-name", "freeformTags": {"k": "rendered-tag"}}
        else:
            kwargs[field] = "{{ params.prefix }}-" + field
            expected[field] = "value-" + field

    for field in cls.template_fields:
        if field in params or field in ("oci_conn_id", "region"):
            templated(field)
    for name, param in params.items():
        if param.kind is param.KEYWORD_ONLY and param.default is param.empty and name not in kwargs:
            kwargs[name] = "required-" + name
    for _ in range(10):
        try:
            op = cls(task_id="t", **{**kwargs, **extra})
        except TypeError as exc:
            missing = re.search(r"missing (?:\d+ required )?keyword(?:-only)? argument:? '(\w+)'", str(exc))
            if not missing:
                raise
            name = missing.group(1)
            if name in cls.template_fields:
                templated(name)
            else:
                kwargs[name] = "required-" + name
            continue
        for field in extra:
            expected.pop(field, None)
        return op, expected
    raise AssertionError(f"could not build {cls.__name__} from {sorted(kwargs)}")


def _context() -> dict[str, object]:
    return {"params": {"name": "rendered-name", "tag": "rendered-tag", "prefix": "value"}, "ds": "2026-01-01"}


def test_every_resource_module_has_operators() -> None:
    modules = {cls.__module__.rsplit(".", 1)[1] for cls in OPERATORS.values()}
    assert set(RESOURCE_MODULES) <= modules, sorted(modules)
    assert set(OPERATORS) >= MINE, sorted(MINE - set(OPERATORS))


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_template_fields_exist_and_render(name: str) -> None:
    cls = OPERATORS[name]
    op, expected = _build(cls)
    for field in cls.template_fields:
        assert hasattr(op, field), f"{name}.{field} is a template field but no attribute"
    assert {"oci_conn_id", "region"} <= set(cls.template_fields)
    op.render_template_fields(_context())
    for field, value in expected.items():
        assert getattr(op, field) == value, f"{name}.{field}"


@pytest.mark.parametrize(
    "name", sorted(n for n, c in OPERATORS.items() if any(map(_is_body, c.template_fields)))
)
def test_bodies_render_from_json_template_files(name: str, tmp_path) -> None:
    cls = OPERATORS[name]
    assert ".json" in cls.template_ext, f"{name}: a body field needs template_ext = ('.json',)"
    (tmp_path / "body.json").write_text(
        '{"displayName": "{{ params.name }}", "freeformTags": {"k": "{{ params.tag }}"}}'
    )
    body_fields = [f for f in cls.template_fields if _is_body(f)]
    with DAG(f"tf_{name}", schedule=None, start_date=START, template_searchpath=[str(tmp_path)]):
        op, _ = _build(cls, **dict.fromkeys(body_fields, "body.json"))
    op.render_template_fields(_context())
    for field in body_fields:
        rendered = getattr(op, field)
        assert load_body(rendered, field) == {
            "displayName": "rendered-name",
            "freeformTags": {"k": "rendered-tag"},
        }


def test_body_from_a_json_file_in_a_dag_run(ds, run_dag, tmp_path) -> None:
    (tmp_path / "project.json").write_text(
        json.dumps({"displayName": "{{ params.team }}-{{ ds_nodash }}", "description": "from a file"})
    )
    with DAG(
        "tf_json_file",
        schedule=None,
        start_date=START,
        template_searchpath=[str(tmp_path)],
        params={"team": "ml"},
    ) as dag:
        DataScienceCreateProjectOperator(task_id="create", create_project_details="project.json")
    result = run_dag(dag)
    assert result.state == "success", result.task_states()
    project = ds.emu.get(result.xcom("create", "resource_id"))
    assert project["displayName"].startswith("ml-20") and project["description"] == "from a file"
