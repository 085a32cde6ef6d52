"""Append-only marker files shared by the harness test operators and trigger."""

from __future__ import annotations

import os
import time
from pathlib import Path


def append_marker(marker_dir: str, name: str, text: str) -> None:
    """Append one line ``<unix time> <text>`` to ``marker_dir/name`` (O_APPEND, one write)."""
    path = Path(marker_dir) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    line = f"{time.time():.3f} {text}\n".encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
