"""The ```python blocks of ``docs/*.md``: extracted with their page and line, and the
``airflow_ds_provider`` names they import."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from ._links import DOCS

#: The line before a python block that the tests run, not only compile: ``<!-- runnable -->``
#: (a DAG file: parsed and its DAGs run), ``<!-- runnable: script -->`` (executed) or
#: ``<!-- runnable: pytest -->`` (a test module, run by pytest in a new process).
MARKER = re.compile(r"<!-- runnable(?:: (script|pytest))? -->")
_FENCED = re.compile(r"^```python\n(?P<code>.*?)^```", re.S | re.M)


@dataclass(frozen=True)
class Snippet:
    """One python block of a documentation page."""

    page: str
    line: int
    code: str
    #: None (compile only), "dag", "script" or "pytest".
    run_as: str | None

    @property
    def id(self) -> str:
        """``page.md:line``, the test id."""
        return f"{self.page}:{self.line}"


def snippets(docs: Path = DOCS) -> list[Snippet]:
    """Every python block of every page, in page and line order."""
    found = []
    for page in sorted(docs.glob("*.md")):
        text = page.read_text()
        for match in _FENCED.finditer(text):
            line = text.count("\n", 0, match.start("code")) + 1
            previous = text[: match.start()].splitlines()[-1:]  # the line before the fence
            marker = MARKER.fullmatch(previous[0].strip()) if previous else None
            run_as = (marker.group(1) or "dag") if marker else None
            found.append(Snippet(page.name, line, match.group("code"), run_as))
    return found


def provider_imports(code: str) -> list[tuple[str, str | None]]:
    """``(module, name)`` for each ``from airflow_ds_provider... import name`` (``name`` None
    for ``import airflow_ds_provider...``)."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "airflow_ds_provider":
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(a.name, None) for a in node.names if a.name.split(".")[0] == "airflow_ds_provider"]
    return found
