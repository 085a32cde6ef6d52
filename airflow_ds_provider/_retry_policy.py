"""The one fail-at-once retry policy of every operator and sensor: bad input is never retried.

Another try cannot fix a malformed argument, a bad connection setting, a 400 or 403 answer, or
a resource that an argument names but that does not exist: such errors fail the task on its
first try, whatever ``retries`` says. Everything else (5xx, throttling, connection errors) is
retried as usual.

On Airflow 3.3+ this is the operator's ``retry_policy``. Older Airflow has no retry policies: there
the operator itself re-raises such an error as an ``AirflowFailException`` (which Airflow never
retries) that is still an instance of the original class, with the same message
(:func:`fail_at_once`). ``retry_policy=None`` opts out on every version.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import import_module
from typing import Any, TypeVar

from airflow_ds_provider._compat import (
    HAS_RETRY_POLICY,
    AirflowFailException,
    ExceptionRetryPolicy,
    RetryAction,
    RetryRule,
)

__all__ = [
    "BAD_INPUT_ERRORS",
    "MissingResourceError",
    "apply_default_retry_policy",
    "fail_at_once",
    "fails_at_once_on_bad_input",
    "no_retry_on_bad_input",
]

F = TypeVar("F", bound=Callable[..., Any])


class MissingResourceError(ValueError):
    """A resource named by an argument does not exist (or is not visible): an HTTP 404.

    A ``ValueError``, so the fail-at-once policy covers it; the message names the argument.

    :param field: the argument that holds the OCID (``job_run_id``).
    :param resource: the resource kind (``job_run``).
    :param ocid: the OCID that was not found.
    :param detail: the service's answer (status, code, ``opc-request-id``).
    """

    def __init__(self, field: str, resource: str, ocid: str, detail: str = "") -> None:
        self.field = field
        self.resource = resource
        self.ocid = ocid
        text = f"{field}: {resource} {ocid} was not found or is not visible to this principal"
        super().__init__(f"{text} ({detail})" if detail else text)


#: Errors that another try cannot fix: bad arguments, bad connection settings (or a connection
#: that is not defined), a 400 or 403.
BAD_INPUT_ERRORS = [
    "builtins.ValueError",
    "airflow.sdk.exceptions.AirflowNotFoundException",
    "builtins.TypeError",
    "airflow_ds_provider.client.errors.ConfigurationError",
    "airflow_ds_provider.client.errors.BadRequestError",
    "airflow_ds_provider.client.errors.AuthorizationError",
]


def no_retry_on_bad_input() -> Any:
    """The default ``retry_policy`` of every operator and sensor: fail at once on bad input.

    Pass your own ``retry_policy`` (or ``retry_policy=None``) to change it. Airflow 3.3+ only
    (an ``ExceptionRetryPolicy``); raises ``RuntimeError`` on older Airflow.
    """
    if not HAS_RETRY_POLICY:
        raise RuntimeError("retry policies need Airflow 3.3 or newer")
    return ExceptionRetryPolicy(
        rules=[
            RetryRule(
                exception=list(BAD_INPUT_ERRORS),
                action=RetryAction.FAIL,
                reason="bad input or permissions: another try cannot succeed",
            )
        ]
    )


#: Attribute of an operator whose own methods turn bad input into ``AirflowFailException``.
FAIL_AT_ONCE_ATTR = "_ds_fail_at_once_on_bad_input"


def apply_default_retry_policy(kwargs: dict[str, Any]) -> bool:
    """Give an operator's ``kwargs`` the fail-at-once default; True when the operator must do it itself.

    With retry policies (Airflow 3.3+) ``retry_policy`` defaults to :func:`no_retry_on_bad_input`.
    Without them ``retry_policy`` is taken out of ``kwargs`` (``BaseOperator`` does not know it):
    absent means the operator itself fails at once on bad input, ``None`` opts out, and anything
    else raises ``TypeError`` naming the argument.
    """
    if HAS_RETRY_POLICY:
        kwargs.setdefault("retry_policy", no_retry_on_bad_input())
        return False
    if "retry_policy" not in kwargs:
        return True
    if kwargs.pop("retry_policy") is None:
        return False
    raise TypeError(
        "retry_policy: this Airflow has no retry policies (they need Airflow 3.3+); "
        "expected None (bad input is then retried like any error) or no retry_policy argument"
    )


@functools.cache
def _bad_input_types() -> tuple[type[BaseException], ...]:
    found = []
    for path in BAD_INPUT_ERRORS:
        module, _, name = path.rpartition(".")
        try:
            found.append(getattr(import_module(module), name))
        except (ImportError, AttributeError):  # e.g. AirflowNotFoundException lives elsewhere
            continue
    from airflow_ds_provider._compat import AirflowNotFoundException

    return (*found, AirflowNotFoundException)


@functools.cache
def _failing(cls: type[BaseException]) -> type[BaseException]:
    """``cls`` that is also an ``AirflowFailException`` (same name, module and message)."""
    return type(cls.__name__, (AirflowFailException, cls), {"__module__": cls.__module__})


def fail_at_once(exc: BaseException) -> BaseException | None:
    """The ``AirflowFailException`` to raise instead of ``exc`` when it is bad input, else None.

    The new exception is an instance of ``exc``'s class too and carries its arguments and
    attributes, so ``except ValueError`` and the message stay the same.
    """
    if isinstance(exc, AirflowFailException) or not isinstance(exc, _bad_input_types()):
        return None
    try:
        failing = _failing(type(exc))
        new = failing.__new__(failing, *exc.args)
    except TypeError:  # a class that cannot be combined: a plain AirflowFailException
        new = AirflowFailException(str(exc))
    new.__dict__.update(getattr(exc, "__dict__", {}))
    new.args = exc.args
    return new


def fails_at_once_on_bad_input(method: F) -> F:
    """Wrap an operator method: on old Airflow, bad input it raises becomes an ``AirflowFailException``.

    Active only on operators whose :func:`apply_default_retry_policy` returned True.
    """

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            new = fail_at_once(exc) if getattr(self, FAIL_AT_ONCE_ATTR, False) else None
            if new is None:
                raise
            raise new.with_traceback(exc.__traceback__) from None

    return wrapper  # type: ignore[return-value]
