"""Python and wire spellings of API names (no other import, so every spec module can use it)."""

from __future__ import annotations

import re

_CAMEL_RE = re.compile(r"(?<!^)(?=[A-Z])")


def snake_case(name: str) -> str:
    """``jobRunId`` -> ``job_run_id``; ``if-match`` -> ``if_match``."""
    return _CAMEL_RE.sub("_", name).replace("-", "_").lower()


def camel_case(name: str) -> str:
    """``job_run_id`` -> ``jobRunId``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
