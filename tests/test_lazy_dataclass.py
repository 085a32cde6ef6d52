"""``@lazy_dataclass`` builds the same class as ``@dataclass``, only later (no Airflow needed)."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
import subprocess
import sys
import threading

import pytest

from airflow_ds_provider._lazy_dataclass import lazy_dataclass


def _pair(**options):
    """The same record declared with ``@dataclass`` and with ``@lazy_dataclass``."""

    def body():
        class Record:
            """A record."""

            name: str
            size: int = 0
            tags: list = dataclasses.field(default_factory=list)

            def label(self) -> str:
                return f"{self.name}:{self.size}"

        return Record

    return dataclasses.dataclass(**options)(body()), lazy_dataclass(**options)(body())


def test_not_processed_until_first_use():
    _, lazy = _pair(frozen=True)
    assert lazy.__dict__["_lazy_options"] == {"frozen": True}
    assert "__dataclass_fields__" not in lazy.__dict__
    lazy("a")
    assert lazy.__dict__["_lazy_options"] is None
    assert "__dataclass_fields__" in lazy.__dict__


@pytest.mark.parametrize("options", [{}, {"frozen": True}, {"order": True}, {"eq": False}])
def test_same_behaviour_as_dataclass(options):
    eager, lazy = _pair(**options)
    a, b = eager("x", 2, ["t"]), lazy("x", 2, ["t"])
    assert repr(a) == repr(b) and lazy.__qualname__ == eager.__qualname__
    assert b.label() == "x:2" and lazy("y").tags == [] and lazy("y").tags is not lazy("y").tags
    assert (lazy("x", 2, ["t"]) == b) == (eager("x", 2, ["t"]) == a)
    assert (lazy.__hash__ is None) == (eager.__hash__ is None)
    if lazy.__hash__ is not None:
        l1, l2, e1, e2 = lazy("x", 2, ()), lazy("x", 2, ()), eager("x", 2, ()), eager("x", 2, ())
        assert (hash(l1) == hash(l2)) == (hash(e1) == hash(e2))
    assert str(inspect.signature(lazy)) == str(inspect.signature(eager))
    assert [f.name for f in dataclasses.fields(lazy)] == ["name", "size", "tags"]
    assert lazy.__match_args__ == eager.__match_args__
    if options.get("order"):
        assert lazy("a") < lazy("b")
    with pytest.raises(TypeError, match="takes from 2 to 4 positional arguments but 5"):
        lazy("x", 1, [], 4)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        lazy("x", colour=1)
    if options.get("frozen"):
        with pytest.raises(dataclasses.FrozenInstanceError):
            b.size = 3
        assert dataclasses.replace(b, size=3).size == 3
    else:
        b.size = 3
        assert b.size == 3


def test_introspection_before_the_first_call_processes_the_class():
    for probe in (dataclasses.is_dataclass, dataclasses.fields, inspect.signature):
        _, lazy = _pair()
        assert probe(lazy)
        assert lazy.__dict__["_lazy_options"] is None
    _, lazy = _pair()
    with pytest.raises(AttributeError, match="no_such"):
        lazy.no_such  # noqa: B018
    with pytest.raises(AttributeError, match="still_not"):
        lazy.still_not  # noqa: B018 (processed now: ordinary lookup)


def test_provider_records_pickle_and_compare():
    from airflow_ds_provider.client.waiter import StateCheck
    from airflow_ds_provider.lifecycle import Outcome

    check = StateCheck(Outcome.SUCCESS, "SUCCEEDED", None, "done")
    assert pickle.loads(pickle.dumps(check)) == check  # noqa: S301 (our own bytes)
    assert type(check).__module__ == "airflow_ds_provider.client.waiter"


def test_first_calls_from_many_threads():
    _, lazy = _pair(frozen=True)
    made, barrier = [], threading.Barrier(8)

    def make():
        barrier.wait()
        made.append(lazy("t", 1))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert made == [lazy("t", 1)] * 8
    type(lazy)._lazy_process(lazy)  # what a thread that waited on the lock does: nothing
    assert lazy("t", 2) == lazy("t", 2, []) and [f.name for f in dataclasses.fields(lazy)][-1] == "tags"


def test_refuses_what_it_cannot_defer():
    with pytest.raises(ValueError, match="slots"):
        lazy_dataclass(slots=True)

    class WithInit:
        def __init__(self) -> None:
            pass

    with pytest.raises(TypeError, match="defines __init__"):
        lazy_dataclass()(WithInit)

    class WithSuper:
        x: int

        def __repr__(self) -> str:
            return super().__repr__()

    with pytest.raises(TypeError, match="super"):
        lazy_dataclass()(WithSuper)


def test_importing_the_provider_records_builds_no_dataclass():
    code = (
        "import dataclasses\n"
        "built = []\n"
        "orig = dataclasses._process_class\n"
        "def spy(cls, *a, **k):\n"
        "    built.append(cls.__qualname__)\n"
        "    return orig(cls, *a, **k)\n"
        "dataclasses._process_class = spy\n"
        "import airflow_ds_provider.client.waiter, airflow_ds_provider.logs.search\n"
        "import airflow_ds_provider.schedule_runs, airflow_ds_provider.lifecycle\n"
        "print(sorted(b for b in built if b in "
        "('StateCheck', 'StateWaiter', 'LogRecord', 'SearchRequest', 'RunTarget', 'Transition')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
