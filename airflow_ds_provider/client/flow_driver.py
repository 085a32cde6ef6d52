"""The two ~10-line drivers of the client's sans-I/O flows (the call flow and the wait flow).

A flow is a generator that yields the steps it needs and receives each step's result, or has the
exception the step raised thrown into it; its return value is the flow's result. The sync driver
performs steps with a blocking function, the async one with a coroutine function.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

Result = TypeVar("Result")


def drive_sync(flow: Generator[Any, Any, Result], perform: Callable[[Any], Any]) -> Result:
    """Drive ``flow``, performing each step with ``perform`` (blocking)."""
    value: Any = None
    error: Exception | None = None
    while True:
        try:
            step = flow.throw(error) if error is not None else flow.send(value)
        except StopIteration as stop:
            return stop.value
        value, error = None, None
        try:
            value = perform(step)
        except Exception as exc:
            error = exc


async def drive_async(flow: Generator[Any, Any, Result], perform: Callable[[Any], Awaitable[Any]]) -> Result:
    """Drive ``flow``, performing each step with the coroutine function ``perform``."""
    value: Any = None
    error: Exception | None = None
    while True:
        try:
            step = flow.throw(error) if error is not None else flow.send(value)
        except StopIteration as stop:
            return stop.value
        value, error = None, None
        try:
            value = await perform(step)
        except Exception as exc:
            error = exc
