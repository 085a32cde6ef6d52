"""Back-ports to the older Airflow versions of fixes that ``dag.test()`` needs (tests only).

Applied by the ``airflow_db`` fixture of ``tests/conftest.py`` (every ``dag.test()`` needs it);
each detects the fix in the running Airflow and is a no-op there.
"""

from __future__ import annotations

import functools


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
