"""Handlers register themselves for an operation with :func:`handles`; :func:`check_handlers`
compares the registered set with the API spec (run at import by the package ``__init__``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from airflow_ds_provider.emulator.resources.base import Reply, Request, Services

Handler = Callable[[Services, Request], Reply]

#: Operation name -> handler, filled by :func:`handles` as the resource modules are imported.
REGISTERED: dict[str, Handler] = {}


class HandlerRegistryError(ImportError):
    """The registered handlers do not match the operations of the spec."""


def handles(operation: str, registry: dict[str, Handler] | None = None) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of ``operation`` (a spec operation name).

    :param registry: where to register (default :data:`REGISTERED`).
    :raises HandlerRegistryError: when ``operation`` already has a handler.
    """
    target = REGISTERED if registry is None else registry

    def register(func: Handler) -> Handler:
        if operation in target:
            raise HandlerRegistryError(
                f"operation {operation!r} has two handlers: {_name(target[operation])} and {_name(func)}"
            )
        target[operation] = func
        return func

    return register


def check_handlers(handlers: Mapping[str, Handler], operations: Iterable[str]) -> None:
    """Raise :class:`HandlerRegistryError` unless every operation has exactly one handler and
    every handler is for an operation of the spec."""
    expected = set(operations)
    missing = sorted(expected - set(handlers))
    unknown = sorted(set(handlers) - expected)
    problems = []
    if missing:
        problems.append(f"operations without a handler: {missing}")
    if unknown:
        problems.append(f"handlers for operations the spec does not have: {unknown}")
    if problems:
        raise HandlerRegistryError("emulator handlers do not match the spec: " + "; ".join(problems))


def _name(func: Handler) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', func)}"
