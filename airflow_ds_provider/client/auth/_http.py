"""Bounded HTTP calls of the credential providers (metadata service, federation, OKE proxymux)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from airflow_ds_provider.client.auth.base import CredentialsError
from airflow_ds_provider.client.errors import ConfigurationError

#: Statuses worth another attempt (the SDK's federation/metadata retry strategies).
RETRY_STATUSES = frozenset({404, 409, 429, 500, 502, 503, 504})
_NO_PROXY = {"http": None, "https": None}


@dataclass(frozen=True)
class AuthHttpSettings:
    """Bounds of one credential HTTP call.

    :param timeout: (connect, read) seconds per attempt (connection extra ``auth_timeout``).
    :param max_attempts: attempts per call (``auth_max_attempts``).
    :param max_seconds: total time per call, retries included (``auth_max_retry_seconds``).
    """

    timeout: tuple[float, float] = (10.0, 60.0)
    max_attempts: int = 4
    max_seconds: float = 60.0

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> AuthHttpSettings:
        """Read ``auth_timeout``, ``auth_max_attempts`` and ``auth_max_retry_seconds``."""
        kwargs: dict[str, Any] = {}
        if options.get("auth_timeout") is not None:
            seconds = _number("auth_timeout", options["auth_timeout"], 0.001)
            kwargs["timeout"] = (seconds, seconds)
        if options.get("auth_max_attempts") is not None:
            kwargs["max_attempts"] = int(_number("auth_max_attempts", options["auth_max_attempts"], 1))
        if options.get("auth_max_retry_seconds") is not None:
            kwargs["max_seconds"] = _number("auth_max_retry_seconds", options["auth_max_retry_seconds"], 0.0)
        return cls(**kwargs)


def _number(name: str, value: Any, minimum: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigurationError(name, f"must be a number >= {minimum}, got {value!r}") from None
    if isinstance(value, bool) or number != number or number < minimum:
        raise ConfigurationError(name, f"must be a number >= {minimum}, got {value!r}")
    return number


class AuthHttp:
    """A ``requests`` session with bounded retries, raising :class:`CredentialsError` when a
    service cannot be reached. Responses are returned as received (the caller judges the status).

    :param settings: timeouts and retry bounds.
    """

    def __init__(self, settings: AuthHttpSettings | None = None) -> None:
        self.settings = settings or AuthHttpSettings()
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        """One session per thread (``requests.Session`` is not documented as thread-safe)."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def request(
        self,
        method: str,
        url: str,
        *,
        source: str,
        what: str,
        headers: Mapping[str, str] | None = None,
        data: bytes | None = None,
        verify: bool | str = True,
        direct: bool = False,
    ) -> requests.Response:
        """Send with retries on connection errors, timeouts and :data:`RETRY_STATUSES`.

        :param source: the connection key / environment variable named in errors.
        :param what: a short description of the service (``the instance metadata service``).
        :param direct: bypass proxies from the environment (link-local and in-cluster services).
        :raises CredentialsError: when no response arrives within the bounds.
        """
        settings = self.settings
        started = time.monotonic()
        problem = "no attempt made"
        for attempt in range(1, settings.max_attempts + 1):
            last = attempt == settings.max_attempts
            try:
                resp = self.session.request(
                    method,
                    url,
                    headers=dict(headers or {}),
                    data=data,
                    timeout=settings.timeout,
                    verify=verify,
                    allow_redirects=False,
                    proxies=_NO_PROXY if direct else None,
                )
            except requests.Timeout:
                problem = "timed out"
            except requests.exceptions.SSLError:
                problem = "TLS verification failed (SSLError)"
            except requests.RequestException as exc:
                problem = f"connection failed ({type(exc).__name__})"
            else:
                if resp.status_code not in RETRY_STATUSES or last:
                    return resp
                problem = f"HTTP {resp.status_code}"
                resp.close()
            elapsed = time.monotonic() - started
            remaining = settings.max_seconds - elapsed
            if last or remaining <= 0:
                break
            time.sleep(min(0.2 * 2 ** (attempt - 1), 5.0, remaining))
        elapsed = time.monotonic() - started
        raise CredentialsError(
            source,
            f"cannot reach {what} at {url}: {problem} (after {attempt} attempt(s) in {elapsed:.1f}s)",
        )


def error_summary(resp: requests.Response) -> str:
    """``HTTP 401 NotAuthenticated: message`` from an OCI error response (message truncated)."""
    code = message = ""
    try:
        body = json.loads(resp.content or b"{}")
        if isinstance(body, dict):
            code = str(body.get("code") or "")
            message = str(body.get("message") or "")
    except ValueError:
        pass
    text = f"HTTP {resp.status_code}"
    if code:
        text += f" {code}"
    if message:
        text += f": {message[:200]}"
    request_id = resp.headers.get("opc-request-id")
    if request_id:
        text += f" (opc-request-id: {request_id})"
    return text
