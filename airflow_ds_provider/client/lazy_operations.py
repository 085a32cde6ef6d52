"""``LazySyncOperations``: the generated sync operation methods, loaded on first use.

``client/_operations.py`` (generated, one typed method per operation, ~10,000 lines) costs a
couple of milliseconds to load even from byte code. The hook inherits its methods, and every DAG
file that imports an operator imports the hook, so the hook derives from this class instead: the
first lookup of a name the class lacks (on the class or on an instance, e.g. ``hook.get_job_run``)
copies every method of :class:`~airflow_ds_provider.client._operations.SyncOperations` onto it,
and from then on they are ordinary methods. Type checkers and IDEs see ``SyncOperations`` itself
(the hook imports it under ``TYPE_CHECKING``), so completion and signatures are unchanged.
"""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()


class _LoadOnMiss(type):
    """Metaclass: a missing class attribute loads the operations first (``Hook.get_job_run``)."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__") or not _load():
            raise AttributeError(f"type object {cls.__name__!r} has no attribute {name!r}")
        return type.__getattribute__(cls, name)

    def __dir__(cls) -> list[str]:
        _load()
        return list(type.__dir__(cls))


class LazySyncOperations(metaclass=_LoadOnMiss):
    """One sync method per operation, as ``SyncOperations``, copied in on first attribute miss."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or not _load():
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return object.__getattribute__(self, name)

    def __dir__(self) -> list[str]:
        _load()
        return list(object.__dir__(self))


def _load() -> bool:
    """Copy the generated methods onto :class:`LazySyncOperations`; False when already done."""
    if "_operations_loaded" in LazySyncOperations.__dict__:
        return False
    with _lock:
        if "_operations_loaded" in LazySyncOperations.__dict__:
            return True  # another thread finished it meanwhile: retry the lookup
        from airflow_ds_provider.client._operations import SyncOperations

        for name, value in vars(SyncOperations).items():
            if not name.startswith("__"):
                setattr(LazySyncOperations, name, value)
        LazySyncOperations._operations_loaded = True  # type: ignore[attr-defined]
    return True
