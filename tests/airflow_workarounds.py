"""Back-ports to the older Airflow versions of fixes that ``dag.test()`` needs (tests only).

Applied by the ``airflow_db`` fixture of ``tests/conftest.py`` (every ``dag.test()`` needs it);
each detects the fix in the running Airflow and is a no-op there.
"""

from __future__ import annotations

import functools
from typing import Any


def share_the_in_process_api() -> None:
    """One in-process execution API for all of a session's ``dag.test()`` tasks, as in Airflow 3.3.

    Airflow 3.0-3.2 build a new in-process execution API (a whole FastAPI app) for every task
    ``dag.test()`` runs and drop it once the task's client is made. That costs CPU, and on 3.2
    with ``svcs`` 26.2+ it fails every task: the dropped API's lifespan exits, and ``svcs`` then
    removes its registry from the app (``KeyError: 'svcs_registry'``; docs/troubleshooting.md).
    Airflow 3.3 caches the API (``functools.lru_cache`` on ``in_process_api_server``): so does this.
    """
    from airflow.sdk.execution_time import supervisor

    if hasattr(supervisor.in_process_api_server, "cache_info"):  # 3.3+: cached already
        return
    supervisor.in_process_api_server = functools.lru_cache(maxsize=1)(supervisor.in_process_api_server)


def give_callbacks_the_exception() -> None:
    """``context["exception"]`` in a ``dag.test()`` task's failure and retry callbacks, as in Airflow 3.3.

    A real worker's task runner (``task_runner.main``) puts the task's error into the context
    before ``finalize`` runs the callbacks, on every version. The in-process supervisor that
    ``dag.test()`` uses on Airflow 3.0-3.2 calls ``finalize`` without it, so a callback sees no
    exception; Airflow 3.3 sets it there too. This does the same, inside ``finalize``.
    """
    import inspect

    from airflow.sdk.execution_time import supervisor, task_runner

    if 'context["exception"] = error' in inspect.getsource(supervisor):  # 3.3+: set already
        return
    finalize = task_runner.finalize

    @functools.wraps(finalize)
    def finalize_with_the_exception(
        ti: Any, state: Any, context: Any, log: Any, error: BaseException | None = None
    ) -> Any:
        if error is not None and context.get("exception") is None:
            context["exception"] = error
        return finalize(ti, state, context, log, error)

    task_runner.finalize = finalize_with_the_exception
