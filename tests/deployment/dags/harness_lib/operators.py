"""Operators for the harness test DAGs: one that defers, one that blocks on its first try."""

from __future__ import annotations

import os
import time
from typing import Any

from airflow.sdk import BaseOperator

from airflow_ds_provider._compat import AirflowException  # airflow.sdk.exceptions from 3.2
from harness_lib.markers import append_marker
from harness_lib.triggers import FileWaitTrigger


class FileWaitOperator(BaseOperator):
    """Defer on :class:`FileWaitTrigger` until ``path`` exists; return the file's content.

    :param path: file to wait for (templated).
    :param marker_dir: directory for marker files (templated).
    :param wait_seconds: the trigger's deadline, counted from ``execute()``.
    """

    template_fields = ("path", "marker_dir")

    def __init__(self, *, path: str, marker_dir: str, wait_seconds: float = 300, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = path
        self.marker_dir = marker_dir
        self.wait_seconds = wait_seconds

    def execute(self, context: Any) -> None:
        try_number = context["ti"].try_number
        append_marker(self.marker_dir, "execute.log", f"try={try_number} pid={os.getpid()}")
        deadline = time.time() + float(self.wait_seconds)
        self.defer(
            trigger=FileWaitTrigger(path=self.path, marker_dir=self.marker_dir, deadline=deadline),
            method_name="execute_complete",
            kwargs={"deadline": deadline},
        )

    def execute_complete(self, context: Any, event: dict[str, Any], deadline: float | None = None) -> str:
        append_marker(self.marker_dir, "complete.log", f"status={event.get('status')} pid={os.getpid()}")
        if event.get("status") != "success":
            raise AirflowException(f"wait failed: {event}")
        return event["content"]


class SleepOnFirstTryOperator(BaseOperator):
    """On try 1, record the worker pid and block; on later tries, return at once.

    :param marker_dir: directory for marker files (templated).
    :param sleep_seconds: how long try 1 blocks before failing on its own.
    """

    template_fields = ("marker_dir",)

    def __init__(self, *, marker_dir: str, sleep_seconds: float = 300, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.marker_dir = marker_dir
        self.sleep_seconds = sleep_seconds

    def execute(self, context: Any) -> str:
        try_number = context["ti"].try_number
        append_marker(self.marker_dir, "execute.log", f"try={try_number} pid={os.getpid()}")
        if try_number > 1:
            return f"done on try {try_number}"
        append_marker(self.marker_dir, "worker.pid", str(os.getpid()))
        end = time.monotonic() + float(self.sleep_seconds)
        while time.monotonic() < end:
            time.sleep(0.5)
        raise AirflowException("try 1 was expected to be killed, but it ran to the end")
