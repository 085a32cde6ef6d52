"""What a task wrote to its log in a ``dag.test()`` run, on every Airflow version.

From Airflow 3.1 the operators' logger is structlog's, which prints each line once to the console
(``message  [airflow.task...]``); on 3.0 it is the stdlib logger ``airflow.task.operators...``,
whose records pytest's ``caplog`` collects (3.0's console shows each of them twice, through two
handlers, in other formats). Tests read both the same way through this.
"""

from __future__ import annotations

from typing import Any


def task_output(capfd: Any, caplog: Any) -> str:
    """The task log lines written since the last call, in the console's format (then cleared)."""
    out = capfd.readouterr().out
    records = [r for r in caplog.records if r.name.startswith("airflow.task")]
    caplog.clear()
    if "[airflow.task" in out or not records:
        return out
    return "".join(f"{r.getMessage()}  [{r.name}]\n" for r in records)
