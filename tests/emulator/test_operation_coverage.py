"""Together, the "every operation" tests (``test_every_operation*.py``, one per area of the API) cover
every operation of the spec, each exactly once: each module declares the ``OPERATIONS`` it exercises
over real signed HTTP (and asserts each answered 2xx)."""

from __future__ import annotations

import importlib
from pathlib import Path

from airflow_ds_provider.spec import operations


def _area_modules() -> dict[str, frozenset[str]]:
    found = {}
    for path in sorted(Path(__file__).parent.glob("test_every_operation*.py")):
        module = importlib.import_module(f"{__package__}.{path.stem}")
        found[path.stem] = frozenset(module.OPERATIONS)
    return found


def test_the_area_tests_cover_the_spec_once() -> None:
    areas = _area_modules()
    assert "test_every_operation" in areas
    covered: dict[str, str] = {}
    for area, names in areas.items():
        for name in names:
            assert name not in covered, f"{name} is declared by both {covered[name]} and {area}"
            covered[name] = area
    missing = sorted(set(operations()) - set(covered))
    unknown = sorted(set(covered) - set(operations()))
    assert not unknown, f"operations the spec does not have: {unknown}"
    assert not missing, f"operations no area test exercises: {missing}"
