"""The package's modules import each other without a cycle (TYPE_CHECKING and function-level
imports included): built from the source with ``ast``, never by importing it."""

from __future__ import annotations

import ast
from pathlib import Path

import airflow_ds_provider

PACKAGE = Path(airflow_ds_provider.__file__).parent
ROOT = PACKAGE.name


def module_files(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__.py``)."""
    found = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported_names(name: str, path: Path) -> set[str]:
    """Dotted names ``path`` imports anywhere in its body (``from m import x`` gives ``m`` and ``m.x``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports."""
    files = module_files()
    return {
        name: {dep for dep in imported_names(name, path) if dep in files and dep != name}
        for name, path in files.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_the_graph_sees_every_kind_of_import() -> None:
    graph = import_graph()
    # a TYPE_CHECKING import, a function-level import and a relative-free package import
    assert f"{ROOT}.client.config" in graph[f"{ROOT}.client.auth.base"]
    assert f"{ROOT}.client.endpoints" in graph[f"{ROOT}.links.urls"]
    assert f"{ROOT}.resources" in graph[f"{ROOT}.lifecycle"]


def test_cycles_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]


def test_the_package_has_no_import_cycle() -> None:
    found = sorted(sorted(c) for c in cycles(import_graph()))
    assert not found, f"import cycles: {found}"


def external_imports(module: str) -> set[str]:
    """Top-level names of the non-package modules importing ``module`` may import (transitively,
    parent packages included, function-level imports included)."""
    files = module_files()
    graph = import_graph()
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen or name not in files:  # a folder without __init__.py is no module
            continue
        seen.add(name)
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        todo.extend(graph[name])
    outside: set[str] = set()
    for name in seen:
        outside |= {
            dep.split(".")[0] for dep in imported_names(name, files[name]) if dep.split(".")[0] != ROOT
        }
    return outside


def test_console_url_builders_import_no_airflow() -> None:
    assert "airflow" in external_imports(f"{ROOT}.links.console")
    assert "airflow" not in external_imports(f"{ROOT}.links.urls")
