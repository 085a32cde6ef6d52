"""``@lazy_dataclass``: a dataclass whose generated methods are built on first use, not at import.

``@dataclass`` compiles each generated method (``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
the frozen ``__setattr__``/``__delattr__``) with ``exec`` when the class is created: ~0.4-0.7 ms
per class on Python 3.11, paid by every DAG parse that imports the provider. For records that
are only built at run time (a state check, a log record, a waiter), this decorator defers exactly
that ``dataclasses.dataclass(cls, **options)`` call to the first time the class is called or an
attribute it lacks is looked up on it (``dataclasses.fields(cls)``, ``is_dataclass(cls)``,
``cls.__dataclass_fields__``, ``__match_args__``, ``inspect.signature(cls)``): from then on it is
the very class ``@dataclass`` would have made, with the same methods, fields and errors.

Not for classes instantiated at import (no gain), with ``slots=True`` (that makes a new class),
or subclassed (a subclass would be created before its base was processed).
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any, TypeVar, dataclass_transform

_T = TypeVar("_T", bound=type)
_LOCK = threading.Lock()
_NO_CODE = (lambda: None).__code__


class _LazyDataclassMeta(type):
    """Turns its class into a dataclass on a missing attribute lookup (the placeholder ``__init__``
    does it on the first call)."""

    _lazy_options: dict[str, Any] | None

    def _lazy_process(cls) -> None:
        with _LOCK:
            options = cls.__dict__.get("_lazy_options")
            if options is not None:
                type.__setattr__(cls, "_lazy_options", None)
                type.__delattr__(cls, "__init__")  # the placeholder below
                dataclasses.dataclass(cls, **options)

    def __getattr__(cls, name: str) -> Any:
        # Only reached when ordinary lookup fails (``__dataclass_fields__`` and the like before
        # the first call): process, then look again (which raises AttributeError if still absent).
        if not name.startswith("_lazy_") and cls.__dict__.get("_lazy_options") is not None:
            cls._lazy_process()
            return type.__getattribute__(cls, name)
        raise AttributeError(f"type object {cls.__name__!r} has no attribute {name!r}")


@dataclass_transform(field_specifiers=(dataclasses.field,))
def lazy_dataclass(**options: Any) -> Any:
    """Like ``@dataclass(**options)``, but the class is processed on its first call or missing
    attribute lookup instead of at import (see the module docstring for when to use it)."""
    if options.get("slots"):
        raise ValueError("lazy_dataclass: slots=True creates a new class; use @dataclass")

    def wrap(cls: _T) -> _T:
        for value in cls.__dict__.values():
            if "__class__" in getattr(getattr(value, "__func__", value), "__code__", _NO_CODE).co_freevars:
                raise TypeError(
                    f"lazy_dataclass: {cls.__qualname__} uses super() or __class__; use @dataclass"
                )
        namespace = {k: v for k, v in cls.__dict__.items() if k not in ("__dict__", "__weakref__")}
        if "__init__" in namespace:
            raise TypeError(f"lazy_dataclass: {cls.__qualname__} defines __init__; use @dataclass")
        namespace["_lazy_options"] = dict(options)
        namespace["__qualname__"] = cls.__qualname__

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # replaced on the first call
            lazy._lazy_process()
            self.__init__(*args, **kwargs)

        namespace["__init__"] = __init__
        lazy = _LazyDataclassMeta(cls.__name__, cls.__bases__, namespace)
        return lazy  # type: ignore[return-value]

    return wrap
