"""Instance principal credentials: the instance's certificate, exchanged for a session token.

Protocol (oci_facts.md §2.3): the instance metadata service v2 (``Authorization: Bearer
Oracle``) gives the region, the leaf certificate, its private key and the intermediate
certificate; the tenancy is in the leaf certificate's subject (``opc-tenant:<ocid>``); a fresh
RSA session key is generated and ``POST https://auth.<region>.<domain>/v1/x509`` (signed with
the leaf key, key id ``<tenancy>/fed-x509/<SHA1 fingerprint>``, no ``host`` header) returns the
token. Requests are then signed with ``ST$<token>`` and the session key.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from airflow_ds_provider.client.auth._http import AuthHttp, AuthHttpSettings, error_summary
from airflow_ds_provider.client.auth.base import (
    CredentialsError,
    register_auth_type,
    register_region_resolver,
    shared_credentials,
)
from airflow_ds_provider.client.auth.keys import (
    generate_session_key,
    load_private_key,
    pem_body,
    public_key_pem,
)
from airflow_ds_provider.client.auth.masking import mask_secret
from airflow_ds_provider.client.auth.refreshing import (
    RefreshingCredentials,
    Token,
    federated_refresh_at,
    log,
    token_expiry,
    utc_text,
)
from airflow_ds_provider.client.endpoints import canonical_region, second_level_domain, validate_endpoint
from airflow_ds_provider.client.errors import ConfigurationError
from airflow_ds_provider.client.signing import (
    SigningKey,
    authorization_header,
    body_sha256,
    build_signing_string,
    http_date,
    path_url,
    sign_string,
)

if TYPE_CHECKING:
    from airflow_ds_provider.client.config import ClientConfig

DEFAULT_METADATA_URL = "http://169.254.169.254/opc/v2"
METADATA_ENV = "OCI_METADATA_BASE_URL"
METADATA_HEADERS = {"Authorization": "Bearer Oracle"}
#: Headers signed on the federation call (no ``host``: oci/auth/federation_client.py).
FEDERATION_HEADERS = ("date", "(request-target)", "content-length", "content-type", "x-content-sha256")
TENANT_PREFIXES = ("opc-tenant:", "opc-identity:")


def tenancy_from_certificate(cert: x509.Certificate) -> str | None:
    """The tenancy OCID in the certificate subject (``OU=opc-tenant:<ocid>`` or ``opc-identity:``)."""
    for attribute in cert.subject:
        value = attribute.value if isinstance(attribute.value, str) else ""
        for prefix in TENANT_PREFIXES:
            if value.startswith(prefix):
                return value[len(prefix) :]
    return None


def certificate_fingerprint(cert: x509.Certificate) -> str:
    """SHA-1 fingerprint of the certificate, uppercase hex pairs joined by colons."""
    digest = cert.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303 - OCI's key id format
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def sign_federation_request(
    tenancy: str, cert: x509.Certificate, leaf_key: rsa.RSAPrivateKey, url: str, body: bytes
) -> dict[str, str]:
    """Headers for the federation ``POST``: signed with the leaf key, without ``host``."""
    headers = {
        "date": http_date(),
        "content-type": "application/json",
        "content-length": str(len(body)),
        "x-content-sha256": body_sha256(body),
    }
    signing_string = build_signing_string(FEDERATION_HEADERS, "POST", path_url(url), headers)
    key_id = f"{tenancy}/fed-x509/{certificate_fingerprint(cert)}"
    headers["authorization"] = authorization_header(
        key_id, FEDERATION_HEADERS, sign_string(leaf_key, signing_string)
    )
    return headers


def metadata_base_url(options: Mapping[str, Any]) -> str:
    """``metadata_url`` extra > ``$OCI_METADATA_BASE_URL`` > ``http://169.254.169.254/opc/v2``."""
    if options.get("metadata_url"):
        return validate_endpoint(str(options["metadata_url"]), "metadata_url")
    if os.environ.get(METADATA_ENV):
        return validate_endpoint(os.environ[METADATA_ENV], METADATA_ENV)
    return DEFAULT_METADATA_URL


class MetadataService:
    """The instance metadata service v2.

    :param base_url: e.g. ``http://169.254.169.254/opc/v2``.
    :param http: the bounded HTTP helper.
    """

    def __init__(self, base_url: str, http: AuthHttp) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http

    def get(self, path: str) -> str:
        """The text at ``{base}/{path}``; :class:`CredentialsError` when unreachable or not 200."""
        url = f"{self.base_url}/{path}"
        resp = self.http.request(
            "GET",
            url,
            source="metadata_url",
            what="the instance metadata service",
            headers=METADATA_HEADERS,
            direct=True,
        )
        if resp.status_code != 200:
            raise CredentialsError(
                "metadata_url",
                f"the instance metadata service returned {error_summary(resp)} for {url}; "
                "instance principals only work on an OCI compute instance",
            )
        return resp.text

    def region(self) -> str:
        """The instance's region (``/instance/region``), canonical name."""
        return canonical_region(self.get("instance/region").strip())


class InstancePrincipalCredentials(RefreshingCredentials):
    """Credentials of the compute instance this code runs on (lazy: no I/O until first use).

    :param metadata_url: metadata service base URL (default ``$OCI_METADATA_BASE_URL`` or
        ``http://169.254.169.254/opc/v2``).
    :param federation_endpoint: base URL of the auth service (default
        ``https://auth.<region>.<domain>`` for the instance's region).
    :param http_settings: timeouts and retry bounds of the metadata and federation calls.
    :param clock: time source.
    """

    kind = "instance principal"

    def __init__(
        self,
        metadata_url: str = DEFAULT_METADATA_URL,
        federation_endpoint: str | None = None,
        *,
        http_settings: AuthHttpSettings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock=clock)
        self.http = AuthHttp(http_settings)
        self.metadata = MetadataService(metadata_url, self.http)
        self._federation_endpoint = federation_endpoint
        self._region: str | None = None
        self._region_lock = threading.Lock()
        self.tenancy: str | None = None

    def region(self) -> str:
        """The instance's region (fetched once from the metadata service)."""
        with self._region_lock:
            if self._region is None:
                self._region = self.metadata.region()
            return self._region

    def federation_url(self) -> str:
        """``<federation endpoint>/v1/x509``."""
        base = self._federation_endpoint
        if not base:
            region = self.region()
            base = f"https://auth.{region}.{second_level_domain(region)}"
        if not urlsplit(base).path.strip("/"):
            base = base.rstrip("/") + "/v1/x509"
        return base

    def _fetch(self, current: Token | None, forced: bool) -> Token:
        cert_pem = self.metadata.get("identity/cert.pem")
        key_pem = self.metadata.get("identity/key.pem")
        intermediate_pem = self.metadata.get("identity/intermediate.pem")
        try:
            cert = x509.load_pem_x509_certificate(cert_pem.encode("ascii"))
        except (ValueError, UnicodeError):
            raise CredentialsError(
                "metadata_url", "identity/cert.pem from the metadata service is not a PEM certificate"
            ) from None
        tenancy = tenancy_from_certificate(cert)
        if not tenancy:
            raise CredentialsError(
                "metadata_url",
                "the instance certificate's subject has no 'opc-tenant:<tenancy OCID>' attribute",
            )
        if self.tenancy is not None and tenancy != self.tenancy:
            raise CredentialsError(
                "metadata_url",
                f"the instance certificate's tenancy changed from {self.tenancy} to {tenancy}",
            )
        leaf_key = load_private_key(key_pem, None, "metadata_url (identity/key.pem)")
        session_key = generate_session_key()
        body = json.dumps(
            {
                "certificate": pem_body(cert_pem),
                "publicKey": pem_body(public_key_pem(session_key)),
                "intermediateCertificates": [pem_body(intermediate_pem)],
            }
        ).encode("utf-8")
        url = self.federation_url()
        token = self._federate(url, sign_federation_request(tenancy, cert, leaf_key, url, body), body)
        self.tenancy = tenancy
        now = self._clock()
        expires_at = token_expiry(token)
        log_expiry = utc_text(expires_at) if expires_at else "unknown"
        log.info(
            "Obtained an instance principal session token for tenancy %s (expires %s)", tenancy, log_expiry
        )
        return Token(
            SigningKey(f"ST${token}", session_key), federated_refresh_at(now, expires_at), expires_at
        )

    def _federate(self, url: str, headers: dict[str, str], body: bytes) -> str:
        resp = self.http.request(
            "POST",
            url,
            source="federation_endpoint",
            what="the federation service",
            headers=headers,
            data=body,
        )
        if resp.status_code != 200:
            hint = ""
            if resp.status_code == 401:
                hint = (
                    "; the service rejected the instance certificate (check the instance clock "
                    "and that the certificate from the metadata service is current)"
                )
            raise CredentialsError(
                "federation_endpoint", f"federation at {url} failed: {error_summary(resp)}{hint}"
            )
        return _token_from_json(resp.content, "federation_endpoint", "the federation service")

    def __repr__(self) -> str:
        return f"InstancePrincipalCredentials(metadata_url={self.metadata.base_url!r})"


def _token_from_json(content: bytes, source: str, what: str) -> str:
    try:
        data = json.loads(content)
    except ValueError:
        raise CredentialsError(source, f"{what} did not answer with JSON") from None
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise CredentialsError(source, f"the answer of {what} has no 'token'")
    mask_secret(token)
    return token


def instance_principal_credentials(options: Mapping[str, Any]) -> InstancePrincipalCredentials:
    """The (process-wide shared) instance principal credentials for these connection options."""
    metadata_url = metadata_base_url(options)
    federation = options.get("federation_endpoint")
    federation = validate_endpoint(str(federation), "federation_endpoint") if federation else None
    settings = AuthHttpSettings.from_options(options)
    key = ("instance_principal", metadata_url, federation, settings)
    return shared_credentials(
        key, lambda: InstancePrincipalCredentials(metadata_url, federation, http_settings=settings)
    )


@register_auth_type("instance_principal")
def _instance_principal_from_config(config: ClientConfig) -> InstancePrincipalCredentials:
    return instance_principal_credentials(config.options)


@register_region_resolver("instance_principal")
def _instance_region(values: Mapping[str, Any]) -> str:
    try:
        return instance_principal_credentials(values).region()
    except CredentialsError as exc:
        raise ConfigurationError(
            "region", f"is not set and could not be read from the instance metadata service ({exc})"
        ) from None
