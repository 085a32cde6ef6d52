"""OKE workload identity: the pod's service-account token exchanged for a resource principal token.

Protocol (oci_facts.md §2.5): ``POST https://$KUBERNETES_SERVICE_HOST:12250/resourcePrincipalSessionTokens``
(TLS verified against the service-account CA), ``Authorization: Bearer <service-account token>``,
body ``{"podKey": "<session public key>"}``; the answer is base64 of ``{"token": "ST$<rpst>"}``.
The token is refreshed once half its lifetime has passed, and after a 401.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import time
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.client.auth._http import AuthHttp, AuthHttpSettings, error_summary
from airflow_ds_provider.client.auth.base import (
    CredentialsError,
    register_auth_type,
    register_region_resolver,
    shared_credentials,
)
from airflow_ds_provider.client.auth.file_token import Value
from airflow_ds_provider.client.auth.keys import generate_session_key, pem_body, public_key_pem
from airflow_ds_provider.client.auth.masking import mask_secret
from airflow_ds_provider.client.auth.refreshing import RefreshingCredentials, Token, jwt_claims, log, utc_text
from airflow_ds_provider.client.auth.resource_principal import region_from_environment
from airflow_ds_provider.client.endpoints import validate_endpoint
from airflow_ds_provider.client.errors import ConfigurationError
from airflow_ds_provider.client.signing import SigningKey

if TYPE_CHECKING:
    from airflow_ds_provider.client.config import ClientConfig

DEFAULT_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token"  # noqa: S105 - a path
DEFAULT_CA_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
CA_ENV = "OCI_KUBERNETES_SERVICE_ACCOUNT_CERT_PATH"
HOST_ENV = "KUBERNETES_SERVICE_HOST"
PROXYMUX_PORT = 12250


def half_life_refresh_at(now: float, claims: Mapping[str, Any]) -> tuple[float, float | None]:
    """``(refresh_at, expires_at)``: refresh once half the token's lifetime has passed."""
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        return float("inf"), None
    iat = claims.get("iat")
    start = float(iat) if isinstance(iat, int | float) and not isinstance(iat, bool) and iat <= exp else now
    return start + (float(exp) - start) / 2, float(exp)


class WorkloadIdentityCredentials(RefreshingCredentials):
    """The OKE workload identity of this pod (lazy: no I/O until first use).

    :param proxymux_endpoint: ``https://<host>:12250`` (the path is added).
    :param token_file: the service-account token file (re-read on every refresh).
    :param ca_file: the CA bundle that verifies the proxymux certificate.
    :param http_settings: timeouts and retry bounds.
    :param clock: time source.
    """

    kind = "workload identity"

    def __init__(
        self,
        proxymux_endpoint: str,
        token_file: str = DEFAULT_TOKEN_FILE,
        ca_file: str = DEFAULT_CA_FILE,
        *,
        http_settings: AuthHttpSettings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock=clock)
        base = proxymux_endpoint.rstrip("/")
        self.url = (
            base
            if base.endswith("/resourcePrincipalSessionTokens")
            else base + "/resourcePrincipalSessionTokens"
        )
        self.token_file = Value("service_account_token_file", path=token_file)
        self.ca_file = ca_file
        self.http = AuthHttp(http_settings)

    def _fetch(self, current: Token | None, forced: bool) -> Token:
        sa_token = self.token_file.read()
        if not sa_token:
            raise ConfigurationError("service_account_token_file", f"{self.token_file.path!r} is empty")
        mask_secret(sa_token)
        if not os.path.isfile(self.ca_file):
            raise ConfigurationError(
                "service_account_cert_file",
                f"the service-account CA certificate {self.ca_file!r} does not exist",
            )
        session_key = generate_session_key()
        body = json.dumps({"podKey": pem_body(public_key_pem(session_key))}).encode("utf-8")
        headers = {
            "Authorization": f"Bearer {sa_token}",
            "Content-Type": "application/json",
            "opc-request-id": uuid.uuid4().hex.upper(),
        }
        resp = self.http.request(
            "POST",
            self.url,
            source="proxymux_endpoint",
            what="the OKE workload identity proxy",
            headers=headers,
            data=body,
            verify=self.ca_file,
            direct=True,
        )
        if resp.status_code != 200:
            hint = " (workload identity needs an OKE enhanced cluster)" if resp.status_code == 403 else ""
            raise CredentialsError(
                "proxymux_endpoint", f"POST {self.url} failed: {error_summary(resp)}{hint}"
            )
        token = _decode_token(resp.content)
        mask_secret(token)
        now = self._clock()
        refresh_at, expires_at = half_life_refresh_at(now, jwt_claims(token))
        log.info(
            "Obtained an OKE workload identity token (expires %s)",
            utc_text(expires_at) if expires_at else "unknown",
        )
        return Token(SigningKey(f"ST${token}", session_key), refresh_at, expires_at)

    def __repr__(self) -> str:
        return f"WorkloadIdentityCredentials(url={self.url!r})"


def _decode_token(content: bytes) -> str:
    try:
        data = json.loads(base64.b64decode(content, validate=False).decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeError):
        raise CredentialsError(
            "proxymux_endpoint", "the answer of the OKE workload identity proxy is not base64-encoded JSON"
        ) from None
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise CredentialsError(
            "proxymux_endpoint", "the answer of the OKE workload identity proxy has no 'token'"
        )
    return token.removeprefix("ST$")


def proxymux_endpoint(options: Mapping[str, Any]) -> str:
    """``proxymux_endpoint`` extra, else ``https://$KUBERNETES_SERVICE_HOST:12250``."""
    if options.get("proxymux_endpoint"):
        return validate_endpoint(str(options["proxymux_endpoint"]), "proxymux_endpoint")
    host = (os.environ.get(HOST_ENV) or "").strip()
    if not host:
        raise ConfigurationError(
            HOST_ENV,
            "environment variable is not set; workload identity only works inside an OKE pod "
            "(or set the connection extra proxymux_endpoint)",
        )
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"https://{host}:{PROXYMUX_PORT}"


def workload_identity_credentials(options: Mapping[str, Any]) -> WorkloadIdentityCredentials:
    """The (process-wide shared) workload identity credentials for these connection options."""
    endpoint = proxymux_endpoint(options)
    token_file = str(options.get("service_account_token_file") or DEFAULT_TOKEN_FILE)
    ca_file = str(options.get("service_account_cert_file") or os.environ.get(CA_ENV) or DEFAULT_CA_FILE)
    settings = AuthHttpSettings.from_options(options)
    key = ("workload_identity", endpoint, token_file, ca_file, settings)
    return shared_credentials(
        key, lambda: WorkloadIdentityCredentials(endpoint, token_file, ca_file, http_settings=settings)
    )


@register_auth_type("workload_identity")
def _workload_identity_from_config(config: ClientConfig) -> WorkloadIdentityCredentials:
    return workload_identity_credentials(config.options)


@register_region_resolver("workload_identity")
def _workload_identity_region(values: Mapping[str, Any]) -> str:
    return region_from_environment("workload_identity")
