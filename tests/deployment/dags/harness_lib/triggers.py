"""A trigger that waits for a file to appear, with an absolute deadline and an ``on_kill`` marker."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from harness_lib.markers import append_marker


class FileWaitTrigger(BaseTrigger):
    """Poll for ``path``; yield ``success`` with its content, or ``timeout`` at ``deadline``.

    :param path: file whose appearance completes the wait.
    :param marker_dir: directory for the marker files (see the package docstring).
    :param deadline: absolute unix time after which the trigger yields a ``timeout`` event.
    :param poll_interval: seconds between checks.
    """

    def __init__(self, path: str, marker_dir: str, deadline: float, poll_interval: float = 0.5) -> None:
        super().__init__()
        self.path = path
        self.marker_dir = marker_dir
        self.deadline = float(deadline)
        self.poll_interval = float(poll_interval)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "path": self.path,
                "marker_dir": self.marker_dir,
                "deadline": self.deadline,
                "poll_interval": self.poll_interval,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        append_marker(self.marker_dir, "trigger_started.log", f"pid={os.getpid()}")
        path = Path(self.path)
        while True:
            if path.exists():
                yield TriggerEvent(
                    {"status": "success", "content": path.read_text(), "trigger_pid": os.getpid()}
                )
                return
            if time.time() >= self.deadline:
                yield TriggerEvent({"status": "timeout", "message": f"{path} did not appear by deadline"})
                return
            await asyncio.sleep(self.poll_interval)

    async def on_kill(self) -> None:
        append_marker(self.marker_dir, "on_kill", f"pid={os.getpid()}")

    async def cleanup(self) -> None:
        append_marker(self.marker_dir, "cleanup.log", f"pid={os.getpid()}")
