"""Ready to publish: license, project URLs, classifiers, the provider info's documentation-url,
README links that work on the package index, ``links/`` a regular package."""

from __future__ import annotations

import importlib.util
import re

import pytest

from airflow_ds_provider.get_provider_info import DOCUMENTATION_URL, get_provider_info

from ._links import ROOT, anchors, links

tomllib = pytest.importorskip("tomllib")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
REPOSITORY = PROJECT["urls"]["Repository"]


def _local_path(url: str) -> str:
    """``docs/AUTH.md#x`` of ``<repository>/blob/main/docs/AUTH.md#x``."""
    match = re.fullmatch(re.escape(REPOSITORY) + r"/(?:blob|tree)/main/(.+)", url)
    assert match, f"{url} is not a link into {REPOSITORY} at main"
    return match.group(1)


def test_license_file_matches_the_declared_license() -> None:
    assert PROJECT["license"] == "Apache-2.0" and PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.split()[:4] == ["Apache", "License", "Version", "2.0,"]
    assert "END OF TERMS AND CONDITIONS" in text


def test_classifiers_keywords_and_python_versions() -> None:
    classifiers = PROJECT["classifiers"]
    assert {"Framework :: Apache Airflow", "Framework :: Apache Airflow :: Provider"} <= set(classifiers)
    assert not [c for c in classifiers if c.startswith("License ::")]  # the license expression says it
    floor = tuple(int(p) for p in PROJECT["requires-python"].removeprefix(">=").split("."))
    versions = [
        tuple(int(p) for p in c.rsplit(" ", 1)[1].split("."))
        for c in classifiers
        if re.search(r":: 3\.\d+$", c)
    ]
    assert versions and min(versions) == floor
    assert {"airflow", "airflow-provider", "oci"} <= set(PROJECT["keywords"])


def test_documentation_url_is_one_fact() -> None:
    """Airflow 3.3 reads ``documentation-url`` from the Project-URL ``Documentation``; older
    Airflow versions read the provider info: both say the same, and the page exists."""
    assert get_provider_info()["documentation-url"] == DOCUMENTATION_URL == PROJECT["urls"]["Documentation"]
    assert (ROOT / _local_path(DOCUMENTATION_URL)).is_file()
    assert all(url.startswith(REPOSITORY) for url in PROJECT["urls"].values())


def test_readme_links_are_absolute_and_resolve() -> None:
    targets = links((ROOT / "README.md").read_text())
    assert len(targets) > 10  # the extraction is real
    relative = [t for t in targets if not re.match(r"https?://|#", t)]
    assert relative == [], "relative links break on the package index"
    for target in targets:
        if not target.startswith(REPOSITORY):
            continue
        path, _, anchor = _local_path(target).partition("#")
        assert (ROOT / path).exists(), target
        if anchor:
            assert anchor in anchors(ROOT / path), target


def test_readme_links_every_documentation_page() -> None:
    linked = {_local_path(t) for t in links((ROOT / "README.md").read_text()) if t.startswith(REPOSITORY)}
    pages = {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")}
    assert "docs/README.md" in linked
    # every page is reachable from the README or from the docs index
    index = {
        f"docs/{t}" for t in links((ROOT / "docs" / "README.md").read_text()) if not re.match(r"\w+://|#", t)
    }
    assert pages <= linked | {t.partition("#")[0] for t in index}


def test_links_is_a_regular_package() -> None:
    spec = importlib.util.find_spec("airflow_ds_provider.links")
    assert spec is not None and spec.origin and spec.origin.endswith("__init__.py")
