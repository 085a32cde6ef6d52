"""The documentation pages link to each other and to the repository with links that resolve."""

from __future__ import annotations

import re

import pytest

from ._links import DOCS, anchors, links

PAGES = sorted(DOCS.glob("*.md"))
#: Written on another branch (h16-compat); its links are checked as soon as the file exists.
PENDING = {"COMPATIBILITY.md"}


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_relative_links_resolve(page) -> None:
    for target in links(page.read_text()):
        if re.match(r"[a-z]+://|mailto:", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if path in PENDING and not resolved.exists():
            continue
        assert resolved.exists(), f"{page.name}: {target}"
        if anchor:
            assert anchor in anchors(resolved), f"{page.name}: {target} (no such heading)"


def test_the_index_links_every_page() -> None:
    linked = {t.partition("#")[0] for t in links((DOCS / "README.md").read_text())}
    assert {p.name for p in PAGES if p.name != "README.md"} <= linked


def test_a_broken_link_is_seen() -> None:
    assert links("see [x](nope.md) and `[y](code.md)`\n```\n[z](fenced.md)\n```\n") == ["nope.md"]
