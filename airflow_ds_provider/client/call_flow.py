"""The flow of one logical call, without I/O: send, classify the failure, verify, back off, re-send.

:func:`call_flow` is a generator that yields the steps it needs (:class:`Send` one attempt,
:class:`Sleep`, :class:`Refresh` the credentials after a 401, :class:`Invoke` another operation
to read a resource) and receives each step's result, or the exception it raised. The sync and
async clients drive the same generator with the drivers of :mod:`~.flow_driver`, so their
retry behaviour cannot drift.

The rules, per failed attempt (see :func:`~.retry.classify`):

* **Not processed** (429, 409 ``IncorrectState``/``LockConflict``): re-sent for every operation.
  A 409 to a lifecycle action first reads the resource: if the action has taken effect (an
  earlier answer was lost, or the resource is already in the target state), the call succeeds
  with a :class:`Response` whose ``recovered`` says so.
* **Ambiguous** (5xx, lost connection, timeout): re-sent blindly when the operation is safe to
  repeat (reads, retry tokens, the SDK's default). Otherwise, when the operation is a lifecycle
  action (``completion.py``), the resource is read after the backoff: the call succeeds if the
  action has taken effect, and is re-sent if not. Anything else gives up after one attempt.
* **Final**: raised at once. A 412 after an ambiguous attempt is judged like a 409 (the
  ``if-match`` etag changed because the action went through); a 404 to a delete after an
  ambiguous attempt is success (the resource is gone).

Bounds: ``max_attempts`` sends, ``max_seconds`` in total, ``max_conflict_attempts`` 409s.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any

from airflow_ds_provider.client._base import PreparedCall
from airflow_ds_provider.client.completion import Completion, Verdict, completion_for, newest
from airflow_ds_provider.client.errors import (
    AuthenticationError,
    DataScienceError,
    ServiceError,
    TransportError,
)
from airflow_ds_provider.client.response import Response
from airflow_ds_provider.client.retry import Disposition, RetryPolicy, classify, describe, is_conflict
from airflow_ds_provider.spec import get_operation, operations

log = logging.getLogger("airflow_ds_provider.client")


@dataclass(frozen=True)
class Send:
    """Send one attempt of the call; result: the :class:`Response`."""

    call: PreparedCall


@dataclass(frozen=True)
class Sleep:
    """Wait ``seconds`` before the next step."""

    seconds: float


@dataclass(frozen=True)
class Refresh:
    """Call ``credentials.on_unauthorized()``; result: True when a retry may help."""


@dataclass(frozen=True)
class Invoke:
    """Another logical call (a read, itself retried); result: its :class:`Response`."""

    operation: str
    args: Mapping[str, Any]


Step = Send | Sleep | Refresh | Invoke
Flow = Generator[Step, Any, Response]


def call_flow(call: PreparedCall, policy: RetryPolicy, clock: Callable[[], float] = time.monotonic) -> Flow:
    """The steps of one logical call; returns its :class:`Response` or raises its error."""
    completion = completion_for(call.operation)
    start = clock()
    attempt = conflicts = 0
    refreshed = uncertain = verify_first = False
    while True:
        if verify_first:
            verify_first = False
            recovered = yield from _verify(call, completion, "lost answer")
            if recovered is not None:
                return recovered
        attempt += 1
        try:
            return (yield Send(call))
        except AuthenticationError:
            if refreshed or not (yield Refresh()):
                raise
            refreshed = True  # one credential refresh per logical call, re-sent at once
            attempt -= 1
            continue
        except (ServiceError, TransportError) as exc:
            disposition = classify(exc)
            status = getattr(exc, "status", None)
            if uncertain and call.operation.startswith("delete_") and status == 404:
                return _gone(call, exc)
            if uncertain and status == 409 and call.upload is not None:
                landed = yield from _upload_landed(call, exc)
                if landed is not None:
                    return landed
            judge = is_conflict(exc) or (uncertain and status == 412)
            if judge and completion is not None:
                recovered = yield from _verify(call, completion, describe(exc)[0])
                if recovered is not None:
                    return recovered
            if disposition is Disposition.FINAL or not call.resendable:
                raise
            if disposition is Disposition.AMBIGUOUS:
                uncertain = True
                if not call.retry_allowed:
                    if completion is None:
                        raise
                    verify_first = True
            conflicts += is_conflict(exc)
            elapsed = clock() - start
            if policy.should_stop(attempt, conflicts, elapsed):
                raise
            delay = policy.backoff(attempt, exc, elapsed)
            what, request_id = describe(exc)
            log.warning(
                "Retrying %s after %s (attempt %d of %d, sleeping %.2fs, opc-request-id %s)%s",
                call.operation,
                what,
                attempt,
                policy.max_attempts,
                delay,
                request_id,
                "; reading the resource first" if verify_first else "",
            )
            yield Sleep(delay)


def _upload_landed(call: PreparedCall, exc: DataScienceError) -> Generator[Step, Any, Response | None]:
    """An artifact upload refused (409: the artifact exists) after an attempt whose answer was
    lost: success when the stored artifact is ours (its ``content-md5`` is our body's)."""
    head = "head_" + call.operation.removeprefix("create_")
    if not call.operation.startswith("create_") or head not in operations():
        return None
    ours = call.upload.md5() if call.upload is not None else None
    args = {name: call.args[name] for name in get_operation(head).path_args if name in call.args}
    try:
        stored = (yield Invoke(head, args)).headers.get("content-md5")
    except DataScienceError:
        return None
    if ours is None or stored != ours:
        return None
    note = (
        f"{call.operation} answered {describe(exc)[0]} after a lost answer, but the stored artifact is ours"
    )
    log.warning("%s; reporting success", note)
    return Response.build(None, {"opc-request-id": call.request_id}, 200, recovered=note)


def _gone(call: PreparedCall, exc: DataScienceError) -> Response:
    """A delete answered 404 after an attempt whose answer was lost: the resource is gone (some
    kinds are removed at once, with no DELETED state to read), so the delete has taken effect."""
    note = f"{call.operation} answered {describe(exc)[0]} after a lost answer: the resource is gone"
    log.warning("%s; reporting success", note)
    return Response.build(None, {"opc-request-id": call.request_id}, 204, recovered=note)


def _verify(
    call: PreparedCall, completion: Completion | None, cause: str
) -> Generator[Step, Any, Response | None]:
    """Read the resource; a :class:`Response` if ``call`` has taken effect, else ``None``."""
    if completion is None:
        return None
    resource_id = call.args.get(completion.id_arg)
    read = {name: call.args.get(name) for name in completion.read_args or (completion.id_arg,)}
    if not all(isinstance(value, str) for value in read.values()):
        return None
    try:
        data = (yield Invoke(completion.get_operation, read)).data
    except DataScienceError:
        return None  # cannot tell: the caller goes on as if it had not taken effect
    verdict = completion.verdict(data, call.args)
    if verdict is Verdict.NOT_DONE:
        return None
    work = None
    if completion.work_request_type and isinstance(data.get("compartmentId"), str):
        args: dict[str, Any] = {"compartment_id": data["compartmentId"], "resource_id": resource_id}
        if verdict is Verdict.DONE:
            args["operation_type"] = completion.work_request_type
        try:
            items = (yield Invoke("list_work_requests", {**args, "limit": 100})).data
        except DataScienceError:
            items = None
        work = newest(items if isinstance(items, list) else [])
    if verdict is Verdict.DONE_IF_WORK_REQUEST and not (
        work is not None
        and work.get("operationType") == completion.work_request_type
        and work.get("status") in ("ACCEPTED", "IN_PROGRESS")
    ):
        return None  # the shared state comes from another action
    note = f"{call.operation} answered {cause}, but {completion.describe(data)}: it has taken effect"
    headers = {"opc-request-id": call.request_id}
    if work is not None and isinstance(work.get("id"), str):
        headers["opc-work-request-id"] = work["id"]
        note += f" (work request {work['id']})"
    log.warning("%s; reporting success", note)
    # the body the action itself answers with, when that is the resource (activate_model: Model)
    same_model = call.spec is not None and call.spec.response_type == (
        get_operation(completion.get_operation).response_type
    )
    return Response.build(data if same_model else None, headers, 200, recovered=note)
