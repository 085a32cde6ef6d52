"""The emulator's modules never import each other in a circle (imports under TYPE_CHECKING count),
and the control API is a route table."""

from __future__ import annotations

import ast
from pathlib import Path

import requests

import airflow_ds_provider.emulator as emulator_pkg
from airflow_ds_provider.emulator.control import ROUTES

_ROOT = Path(emulator_pkg.__file__).parent
_PREFIX = "airflow_ds_provider.emulator"


def _module_name(path: Path) -> str:
    parts = path.relative_to(_ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((_PREFIX, *parts))


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in _ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):  # walks into `if TYPE_CHECKING:` too
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                deps.add(node.module)  # `from pkg import mod` runs pkg/__init__ first
                deps.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                deps.update(alias.name for alias in node.names)
        graph[name] = {d for d in deps if d in modules and d != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_checker_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_emulator_layers_import_no_circle():
    graph = _graph()
    assert f"{_PREFIX}.server" in graph[f"{_PREFIX}.core"]  # the graph is real
    assert f"{_PREFIX}.control" in graph[f"{_PREFIX}.core"]
    assert _cycles(graph) == []


def test_every_control_route_is_served(emu):
    for method, name in ROUTES:
        reply = requests.request(method, f"{emu.url}/_emulator/{name}", timeout=30)
        assert "no control operation" not in reply.text, (method, name)
        assert reply.status_code in (200, 400, 404), (method, name, reply.text)


def test_an_unknown_control_route_is_named(emu):
    reply = requests.post(f"{emu.url}/_emulator/rewind", json={}, timeout=30)
    assert reply.status_code == 404
    assert reply.json() == {"code": "NotFound", "message": "no control operation POST /_emulator/rewind"}
    reply = requests.get(f"{emu.url}/_emulator/reset", timeout=30)
    assert reply.status_code == 404
