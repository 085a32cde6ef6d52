"""Typed errors of the Data Science client.

A service error carries the operation, HTTP status, OCI error code, message and
``opc-request-id`` as attributes; nobody parses a status back out of a string. No error text
ever contains key material, pass phrases, tokens or an ``Authorization`` header.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import time


def parse_retry_after(value: str | None, date: str | None = None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``retry-after`` value: delay-seconds or an HTTP date (RFC 9110).

    An HTTP date is measured against the response's own ``date`` header when there is one (so
    a skewed local clock does not matter), else against ``now`` (default: the local clock).
    Returns ``None`` for a missing or unreadable value, never a negative number.
    """
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    when = _http_date(text)
    if when is None:
        return None
    reference = _http_date(date) if date else None
    if reference is None:
        reference = time.time() if now is None else now
    return max(0.0, when - reference)


def _http_date(text: str) -> float | None:
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:  # "-0000" or no zone: RFC 9110 dates are GMT
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.timestamp()


class DataScienceError(Exception):
    """Base class of every error raised by this provider's client."""


class ConfigurationError(DataScienceError, ValueError):
    """Bad connection or credential configuration; the message names the field and what was expected."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class TransportError(DataScienceError):
    """The request could not be completed (connection refused or dropped, timeout)."""

    def __init__(self, operation: str, message: str, opc_request_id: str | None = None) -> None:
        self.operation = operation
        self.opc_request_id = opc_request_id
        text = f"{operation}: {message}"
        if opc_request_id:
            text += f" (opc-request-id: {opc_request_id})"
        super().__init__(text)


class ServiceError(DataScienceError):
    """The service answered with an error status.

    :param operation: API operation name (e.g. ``get_job_run``) or ``METHOD path`` for raw calls.
    :param status: HTTP status.
    :param code: OCI error code (e.g. ``NotAuthorizedOrNotFound``).
    :param message: the service's message.
    :param opc_request_id: the request id to quote to Oracle support.
    :param headers: response headers (never request headers).
    """

    def __init__(
        self,
        operation: str,
        status: int,
        code: str,
        message: str,
        opc_request_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
        self.opc_request_id = opc_request_id
        self.headers = dict(headers or {})
        text = f"{operation} failed: HTTP {status} {code}: {message}"
        if opc_request_id:
            text += f" (opc-request-id: {opc_request_id})"
        super().__init__(text)

    @property
    def retry_after(self) -> float | None:
        """Seconds from a ``retry-after`` header (delay-seconds or an HTTP date), if one was sent."""
        return parse_retry_after(self.headers.get("retry-after"), self.headers.get("date"))


class BadRequestError(ServiceError):
    """HTTP 400: the request was malformed (``InvalidParameter``, ``MissingParameter``...)."""


class AuthenticationError(ServiceError):
    """HTTP 401 ``NotAuthenticated``: the signature, key or token was rejected."""


class AuthorizationError(ServiceError):
    """HTTP 403: not allowed."""


class NotFoundError(ServiceError):
    """HTTP 404 ``NotAuthorizedOrNotFound``: missing, or not visible to this principal."""


class ConflictError(ServiceError):
    """HTTP 409: ``IncorrectState``, ``Conflict``, ``InvalidatedRetryToken``..."""


class PreconditionFailedError(ServiceError):
    """HTTP 412 ``NoEtagMatch``: the ``if-match`` etag did not match."""


class ThrottledError(ServiceError):
    """HTTP 429 ``TooManyRequests``."""


class ServerError(ServiceError):
    """HTTP 5xx."""


_BY_STATUS: dict[int, type[ServiceError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: AuthorizationError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    429: ThrottledError,
}


def service_error_for(
    operation: str,
    status: int,
    code: str,
    message: str,
    opc_request_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> ServiceError:
    """Build the most specific :class:`ServiceError` subclass for ``status``."""
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ServiceError)
    return cls(operation, status, code, message, opc_request_id, headers)


class InvalidArgumentError(DataScienceError, TypeError, ValueError):
    """A client method was called with a bad argument; the message names it and what is allowed.

    :param operation: the operation name.
    :param argument: the Python argument name.
    :param message: what was wrong and what is expected.
    """

    def __init__(self, operation: str, argument: str, message: str) -> None:
        self.operation = operation
        self.argument = argument
        super().__init__(f"{operation}: argument {argument!r}: {message}")


class WaitError(DataScienceError):
    """Base class of the errors that end a wait for a lifecycle state."""

    def __init__(self, resource: str, resource_id: str, state: str | None, message: str) -> None:
        self.resource = resource
        self.resource_id = resource_id
        self.state = state
        super().__init__(message)


class ResourceFailedError(WaitError):
    """The resource reached a failure state while being waited for.

    :param details: the resource's ``lifecycleDetails`` (if any).
    :param errors: for work requests, the ``{"code","message"}`` entries of
        ``list_work_request_errors``.
    :param data: the resource's last wire JSON.
    """

    def __init__(
        self,
        resource: str,
        resource_id: str,
        state: str | None,
        message: str,
        details: str | None = None,
        errors: list[dict] | None = None,
        data: dict | None = None,
    ) -> None:
        self.details = details
        self.errors = list(errors or [])
        self.data = data
        super().__init__(resource, resource_id, state, message)


class WaitTimeoutError(WaitError, TimeoutError):
    """The resource did not reach a target state before the timeout."""

    def __init__(
        self, resource: str, resource_id: str, state: str | None, message: str, timeout: float
    ) -> None:
        self.timeout = timeout
        super().__init__(resource, resource_id, state, message)
