"""Process and polling helpers for the deployment harness (no Airflow imports)."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import psutil

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """A wait-for-condition gave up; the message carries the last observed value."""


def wait_for(
    probe: Callable[[], T],
    *,
    timeout: float,
    interval: float = 0.5,
    desc: str = "condition",
    diagnostics: Callable[[], str] | None = None,
) -> T:
    """Call ``probe`` until it returns a truthy value or ``timeout`` seconds pass.

    Exceptions raised by ``probe`` count as "not yet" and are reported on timeout.
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = probe()
            if last:
                return last
        except Exception as exc:  # the condition is re-checked until the deadline
            last = exc
        if time.monotonic() >= deadline:
            extra = f"\n{diagnostics()}" if diagnostics else ""
            raise WaitTimeout(f"timed out after {timeout:.0f}s waiting for {desc}; last: {last!r}{extra}")
        time.sleep(interval)


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signal_group(pgid: int, sig: int) -> None:
    """Send ``sig`` to process group ``pgid``; a group that is gone is not an error."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def kill_quietly(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def group_alive(pgid: int) -> bool:
    """True while a non-zombie process is left in process group ``pgid``."""
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                return True
        except (OSError, psutil.Error):
            continue
    return False


def pids_in(home: str, env_marker: bytes) -> list[int]:
    """Pids of live processes whose working directory is under ``home`` or whose environment has
    the ``NAME=value`` entry ``env_marker``.

    Both are checked because ``setproctitle`` (used by Airflow to rename the API server, the
    LocalExecutor workers and task runners) overwrites ``/proc/<pid>/environ``, while the working
    directory is inherited by every child that does not ``chdir``.
    """
    me = os.getpid()
    pids = []
    for proc in psutil.process_iter(["pid"]):
        if proc.pid == me:
            continue
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                continue
            cwd = os.readlink(f"/proc/{proc.pid}/cwd")
            if cwd == home or cwd.startswith(home + os.sep):
                pids.append(proc.pid)
                continue
            with open(f"/proc/{proc.pid}/environ", "rb") as fh:
                if env_marker in fh.read().split(b"\0"):
                    pids.append(proc.pid)
        except (OSError, psutil.Error):
            continue
    return pids


def listening_addresses(pids: Iterable[int]) -> set[tuple[str, int]]:
    """(ip, port) of every TCP socket in LISTEN state held by ``pids``."""
    found = set()
    for pid in pids:
        try:
            for conn in psutil.Process(pid).net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN:
                    found.add((conn.laddr.ip, conn.laddr.port))
        except psutil.Error:
            continue
    return found


def find_by_title(pids: Iterable[int], title: str) -> psutil.Process | None:
    """The first of ``pids`` whose process title (command line) contains ``title``."""
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            if title in " ".join(proc.cmdline()):
                return proc
        except psutil.Error:
            continue
    return None
