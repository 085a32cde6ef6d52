"""Every ```python block of ``docs/*.md`` compiles and its ``airflow_ds_provider`` imports
resolve. The blocks marked runnable run: a DAG file (``<!-- runnable -->``) is parsed by a
DagBag, with no import errors, and each of its DAGs run through ``dag.test()`` against the
emulator, to success; a script is executed; a test module is run by pytest in a new process,
with the provider's pytest plugin loaded from its entry point as in a user's project."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest

from ._links import DOCS, ROOT
from .snippets import Snippet, provider_imports, snippets

ALL = snippets()


def _of(kind: str) -> list[Snippet]:
    return [s for s in ALL if s.run_as == kind]


def test_the_extraction_is_real() -> None:
    assert len(ALL) >= 10
    dag_pages = {s.page for s in _of("dag")}
    resource_pages = [
        "projects",
        "jobs",
        "job-runs",
        "pipelines",
        "models",
        "model-deployments",
        "notebook-sessions",
    ]
    for page in [*resource_pages, "work-requests", "connection"]:
        assert f"{page}.md" in dag_pages, f"{page}.md has no runnable DAG snippet"
    assert (
        {s.page for s in _of("script")} == {s.page for s in _of("pytest")} == {"testing-with-the-emulator.md"}
    )


def test_every_code_fence_is_closed() -> None:
    """An unclosed fence would hide the blocks after it from these tests."""
    for page in sorted(DOCS.glob("*.md")):
        fences = [line for line in page.read_text().splitlines() if line.startswith("```")]
        assert len(fences) % 2 == 0, f"{page.name} has an unclosed code fence"


@pytest.mark.parametrize("snippet", ALL, ids=[s.id for s in ALL])
def test_snippet_compiles_and_its_imports_resolve(snippet: Snippet) -> None:
    compile(snippet.code, snippet.id, "exec")
    for module, name in provider_imports(snippet.code):
        imported = importlib.import_module(module)
        if name is not None and not hasattr(imported, name):
            importlib.import_module(f"{module}.{name}")  # a submodule, or the name is missing


def test_a_missing_name_is_caught() -> None:
    code = "from airflow_ds_provider.operators.jobs import NoSuchOperator\n"
    with pytest.raises(ModuleNotFoundError):
        test_snippet_compiles_and_its_imports_resolve(Snippet("x.md", 1, code, None))


@pytest.mark.parametrize("snippet", _of("dag"), ids=[s.id for s in _of("dag")])
def test_dag_snippet_parses_and_runs(snippet: Snippet, tmp_path, run_dag, emu) -> None:
    from airflow.dag_processing.dagbag import DagBag

    (tmp_path / "snippet_dag.py").write_text(snippet.code)
    bag = DagBag(dag_folder=str(tmp_path))
    assert bag.import_errors == {}
    assert bag.dags, f"{snippet.id} defines no DAG"
    for dag in bag.dags.values():
        result = run_dag(dag)
        assert result.state == "success", (dag.dag_id, result.task_states())
        assert set(result.task_states().values()) == {"success"}, result.task_states()
    assert emu.requests, "the DAG talked to the emulator"


@pytest.mark.parametrize("snippet", _of("script"), ids=[s.id for s in _of("script")])
def test_script_snippet_runs(snippet: Snippet) -> None:
    exec(compile(snippet.code, snippet.id, "exec"), {"__name__": "__snippet__"})  # noqa: S102


@pytest.mark.parametrize("snippet", _of("pytest"), ids=[s.id for s in _of("pytest")])
def test_pytest_snippet_passes(snippet: Snippet, tmp_path) -> None:
    (tmp_path / "test_snippet.py").write_text(snippet.code)
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    env.pop("AIRFLOW_CONN_OCI_DATA_SCIENCE_DEFAULT", None)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "test_snippet.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert " passed" in out.stdout.splitlines()[-1], out.stdout[-500:]
