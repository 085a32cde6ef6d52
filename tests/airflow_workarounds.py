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


def parse_the_first_reschedule_date() -> None:
    """A sensor in ``reschedule`` mode gets its first reschedule date as a datetime, as from 3.1.

    Airflow 3.0's API client builds the answer with ``model_construct``, so the date stays the
    JSON string. A real task process re-validates the message it receives and gets a datetime;
    ``dag.test()`` runs the task in process, hands it the string, and ``BaseSensorOperator``'s
    ``timezone.utcnow() - start_date`` fails with ``TypeError`` on the task's second poke.
    Airflow 3.1 validates the model in the client: so does this.
    """
    import inspect

    from airflow.sdk.api import client

    ops = client.TaskInstanceOperations
    if "model_construct(start_date=" not in inspect.getsource(ops.get_reschedule_start_date):
        return  # 3.1+: validated already
    get = ops.get_reschedule_start_date

    @functools.wraps(get)
    def get_validated(self: Any, *args: Any, **kwargs: Any) -> Any:
        answer = get(self, *args, **kwargs)
        return type(answer).model_validate({"start_date": answer.start_date})

    ops.get_reschedule_start_date = get_validated


def keep_secrets_out_of_the_request_debug_line() -> None:
    """``dag.test()`` on Airflow 3.0 logs no secret in its "Sending request" debug line.

    Its in-process supervisor (``InProcessSupervisorComms.send``) logs every request the task sends
    at debug level, ``MaskSecret`` ones included, and 3.0's ``mask_secret`` sends the secret
    before it masks it in the process, so that line prints the connection's private key
    (3.1+ mask first). A real worker's task process does not log its requests. This sends a
    ``MaskSecret`` request without that line; other requests are logged as before.
    """
    import inspect

    from airflow.sdk.execution_time import supervisor
    from airflow.sdk.execution_time.comms import MaskSecret

    try:
        from airflow.sdk.execution_time import secrets_masker  # 3.0 (3.1+: airflow.sdk._shared)
    except ImportError:
        return
    source = inspect.getsource(secrets_masker.mask_secret)
    if source.find("add_mask") < source.find("comms.send"):  # masks first (or has no such request)
        return
    comms = supervisor.InProcessSupervisorComms
    send = comms.send

    @functools.wraps(send)
    def send_without_logging_secrets(self: Any, msg: Any) -> Any:
        if not isinstance(msg, MaskSecret):
            return send(self, msg)
        with supervisor.set_supervisor_comms(None):
            self.supervisor._handle_request(msg, supervisor.log, 0)
        return self._get_response()

    comms.send = send_without_logging_secrets
