"""Operators and triggers used only by the deployment-harness test DAGs.

Every step appends one line to a file in ``marker_dir`` so a test can see, from outside
Airflow, which process did what and how many times:

- ``execute.log``: one line per ``execute()`` call on a worker (``try=<n> pid=<pid>``).
- ``trigger_started.log``: one line per ``FileWaitTrigger.run()`` start (``pid=<pid>``).
- ``complete.log``: one line per ``execute_complete()`` call (the event status).
- ``on_kill``: written by ``FileWaitTrigger.on_kill()``.
- ``cleanup.log``: one line per ``FileWaitTrigger.cleanup()`` call.
- ``worker.pid`` / ``retry.log``: written by ``SleepOnFirstTryOperator``.

The marker directory is passed in the DAG-run conf, so each test run gets its own files.
This package lives in the DAGs folder (listed in ``.airflowignore``); the harness puts the
DAGs folder on ``PYTHONPATH`` so the triggerer can import the trigger by its classpath.
"""

from __future__ import annotations

from harness_lib.operators import FileWaitOperator, SleepOnFirstTryOperator
from harness_lib.triggers import FileWaitTrigger

__all__ = ["FileWaitOperator", "FileWaitTrigger", "SleepOnFirstTryOperator"]
