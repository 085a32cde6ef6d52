"""The one fail-at-once retry policy of every operator and sensor: bad input is never retried.

Another try cannot fix a malformed argument, a bad connection setting, a 400 or 403 answer, or
a resource that an argument names but that does not exist: such errors fail the task on its
first try (``retry_policy``, Airflow 3.3), whatever ``retries`` says. Everything else (5xx,
throttling, connection errors) is retried as usual.
"""

from __future__ import annotations

from airflow.sdk import ExceptionRetryPolicy, RetryAction, RetryRule

__all__ = ["BAD_INPUT_ERRORS", "MissingResourceError", "no_retry_on_bad_input"]


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


def no_retry_on_bad_input() -> ExceptionRetryPolicy:
    """The default ``retry_policy`` of every operator and sensor: fail at once on bad input.

    Pass your own ``retry_policy`` (or ``retry_policy=None``) to change it.
    """
    return ExceptionRetryPolicy(
        rules=[
            RetryRule(
                exception=list(BAD_INPUT_ERRORS),
                action=RetryAction.FAIL,
                reason="bad input or permissions: another try cannot succeed",
            )
        ]
    )
