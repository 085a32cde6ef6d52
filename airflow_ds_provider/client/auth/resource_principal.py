"""Resource principal credentials from the ``OCI_RESOURCE_PRINCIPAL_*`` environment (oci_facts.md §2.4).

* ``2.2``: ``OCI_RESOURCE_PRINCIPAL_RPST`` and ``..._PRIVATE_PEM`` (+ ``..._PASSPHRASE``), each the
  value itself or an absolute file path (re-read when the file changes and after a 401).
* ``2.1`` / ``2.1.1`` / ``2.1.2``: a resource principal token from ``..._RPT_ENDPOINT`` and a session
  token from ``..._RPST_ENDPOINT``, both calls signed with ``..._PRIVATE_PEM`` (key id
  ``resource/v2.1/<resource id>`` or ``resource/v2.1.x/<tenancy>/<resource id>``).
* ``1.1``: the same two calls signed as the instance principal; a fresh session key.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric import rsa

from airflow_ds_provider.client.auth._http import AuthHttp, AuthHttpSettings, error_summary
from airflow_ds_provider.client.auth.base import (
    Credentials,
    CredentialsError,
    register_auth_type,
    register_region_resolver,
    shared_credentials,
)
from airflow_ds_provider.client.auth.file_token import FileTokenCredentials, Value
from airflow_ds_provider.client.auth.instance_principal import (
    InstancePrincipalCredentials,
    _token_from_json,
    metadata_base_url,
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
    token_expiry,
    utc_text,
)
from airflow_ds_provider.client.endpoints import canonical_region
from airflow_ds_provider.client.errors import ConfigurationError
from airflow_ds_provider.client.signing import SigningKey, sign_request

if TYPE_CHECKING:
    from airflow_ds_provider.client.config import ClientConfig

PREFIX = "OCI_RESOURCE_PRINCIPAL_"
VERSION = PREFIX + "VERSION"
RPST = PREFIX + "RPST"
PRIVATE_PEM = PREFIX + "PRIVATE_PEM"
PASSPHRASE = PREFIX + "PRIVATE_PEM_PASSPHRASE"
REGION = PREFIX + "REGION"
RPT_ENDPOINT = PREFIX + "RPT_ENDPOINT"
RPST_ENDPOINT = PREFIX + "RPST_ENDPOINT"
RESOURCE_ID = PREFIX + "RESOURCE_ID"
TENANCY_ID = PREFIX + "TENANCY_ID"
SECURITY_CONTEXT = PREFIX + "SECURITY_CONTEXT"
RPT_PATH = PREFIX + "RPT_PATH"
RPT_ID = PREFIX + "RPT_ID"
SUPPORTED_VERSIONS = ("2.2", "2.1", "2.1.1", "2.1.2", "1.1")
_CONTEXT = (
    "resource principals are available inside OCI Data Science jobs and notebook sessions, "
    "Functions and other OCI services, which set the OCI_RESOURCE_PRINCIPAL_* variables"
)


def _require(env: Mapping[str, str], name: str, purpose: str) -> str:
    value = (env.get(name) or "").strip()
    if not value:
        raise ConfigurationError(
            name, f"environment variable is not set; it is required for {purpose} ({_CONTEXT})"
        )
    return value


class ResourcePrincipalV22Credentials(FileTokenCredentials):
    """Resource principal v2.2: the session token and key from the environment (values or paths)."""

    kind = "resource principal"

    def expired_error(self, expired_at: float) -> CredentialsError:
        """The RPST expired and nothing replaced it."""
        where = f"the file {self._token_value.path!r}" if self._token_value.path else "the variable's value"
        return CredentialsError(
            RPST,
            f"the resource principal session token in {where} expired at {utc_text(expired_at)} and was "
            "not renewed; when the token is given literally it cannot be refreshed (long-running "
            "programs need the file-path form, which the service keeps current)",
        )


class _FederatedResourcePrincipal(RefreshingCredentials):
    """The two-step RPT -> RPST flow shared by versions 2.1.x and 1.1."""

    kind = "resource principal"

    def __init__(self, http: AuthHttp, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock=clock)
        self.http = http
        self.rpt_url = ""
        self.rpst_url = ""

    def _set_urls(self, rpt_url: str, rpst_endpoint: str) -> None:
        self.rpt_url = rpt_url
        self.rpst_url = rpst_endpoint.rstrip("/") + "/v1/resourcePrincipalSessionToken"

    def _resolve_urls(self) -> None:
        """Work out the endpoints (may do I/O; runs on the first fetch)."""

    def _call_key(self) -> SigningKey:
        raise NotImplementedError

    def _session_key(self) -> rsa.RSAPrivateKey:
        raise NotImplementedError

    def _rpt_headers(self) -> dict[str, str]:
        return {}

    def _signed(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> dict[str, str]:
        return {**headers, **sign_request(self._call_key(), method, url, headers, body)}

    def _fetch(self, current: Token | None, forced: bool) -> Token:
        if not self.rpt_url:
            self._resolve_urls()
        session_key = self._session_key()  # first: v2.1 signs both calls with it (re-read here)
        headers = self._signed(
            "GET", self.rpt_url, {"accept": "application/json", **self._rpt_headers()}, None
        )
        resp = self.http.request(
            "GET",
            self.rpt_url,
            source=RPT_ENDPOINT,
            what="the resource principal token endpoint",
            headers=headers,
        )
        if resp.status_code != 200:
            raise CredentialsError(RPT_ENDPOINT, f"GET {self.rpt_url} failed: {error_summary(resp)}")
        try:
            data = json.loads(resp.content)
            rpt, spst = data["resourcePrincipalToken"], data["servicePrincipalSessionToken"]
        except (ValueError, KeyError, TypeError):
            raise CredentialsError(
                RPT_ENDPOINT, "the answer has no resourcePrincipalToken/servicePrincipalSessionToken"
            ) from None
        mask_secret(*(t for t in (rpt, spst) if isinstance(t, str)))
        body = json.dumps(
            {
                "resourcePrincipalToken": rpt,
                "servicePrincipalSessionToken": spst,
                "sessionPublicKey": pem_body(public_key_pem(session_key)),
            }
        ).encode("utf-8")
        headers = self._signed("POST", self.rpst_url, {"content-type": "application/json"}, body)
        resp = self.http.request(
            "POST",
            self.rpst_url,
            source=RPST_ENDPOINT,
            what="the resource principal session token endpoint",
            headers=headers,
            data=body,
        )
        if resp.status_code != 200:
            raise CredentialsError(RPST_ENDPOINT, f"POST {self.rpst_url} failed: {error_summary(resp)}")
        token = _token_from_json(resp.content, RPST_ENDPOINT, "the session token endpoint")
        now = self._clock()
        expires_at = token_expiry(token)
        return Token(
            SigningKey(f"ST${token}", session_key), federated_refresh_at(now, expires_at), expires_at
        )


class ResourcePrincipalV21Credentials(_FederatedResourcePrincipal):
    """Resource principal v2.1 / 2.1.1 / 2.1.2: both calls signed with the resource's own key.

    :param version: ``2.1``, ``2.1.1`` or ``2.1.2``.
    :param rpt_endpoint: ``OCI_RESOURCE_PRINCIPAL_RPT_ENDPOINT``.
    :param rpst_endpoint: ``OCI_RESOURCE_PRINCIPAL_RPST_ENDPOINT``.
    :param resource_id: ``OCI_RESOURCE_PRINCIPAL_RESOURCE_ID``.
    :param tenancy_id: ``OCI_RESOURCE_PRINCIPAL_TENANCY_ID`` (2.1.1 and 2.1.2).
    :param private_key: the PEM (value or absolute path, re-read on refresh).
    :param pass_phrase: its pass phrase (value or absolute path).
    """

    def __init__(
        self,
        version: str,
        rpt_endpoint: str,
        rpst_endpoint: str,
        resource_id: str,
        private_key: Value,
        *,
        tenancy_id: str | None = None,
        pass_phrase: Value | None = None,
        rpt_path: str | None = None,
        security_context: str | None = None,
        http: AuthHttp,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if version == "2.1.2":
            path = rpt_path or "/20180711/resourcePrincipalTokenV212/{}"
            path = (
                path.replace("{}", resource_id)
                if path.endswith("{}")
                else path.rstrip("/") + "/" + resource_id
            )
        else:
            path = f"/20180711/resourcePrincipalTokenV2/{resource_id}"
        super().__init__(http, clock=clock)
        self._set_urls(rpt_endpoint.rstrip("/") + path, rpst_endpoint)
        self.version = version
        if version in ("2.1.1", "2.1.2"):
            self.key_id = f"resource/v{version}/{tenancy_id}/{resource_id}"
        else:
            self.key_id = f"resource/v2.1/{resource_id}"
        self._pem = private_key
        self._pass = pass_phrase
        self._security_context = security_context if version == "2.1.2" else None
        self._key: rsa.RSAPrivateKey | None = None

    def _session_key(self) -> rsa.RSAPrivateKey:
        pass_phrase = self._pass.read() if self._pass else None
        pem = self._pem.read().replace("\\n", "\n")
        self._key = load_private_key(pem, pass_phrase or None, PRIVATE_PEM, PASSPHRASE)
        return self._key

    def _call_key(self) -> SigningKey:
        return SigningKey(self.key_id, self._key or self._session_key())

    def _rpt_headers(self) -> dict[str, str]:
        return {"security-context": self._security_context} if self._security_context else {}


class ResourcePrincipalV11Credentials(_FederatedResourcePrincipal):
    """Resource principal v1.1: both calls signed as the instance principal; a fresh session key."""

    def __init__(
        self,
        env: Mapping[str, str],
        instance: InstancePrincipalCredentials,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(instance.http, clock=clock)
        self.instance = instance
        self._env = dict(env)

    def _resolve_urls(self) -> None:
        env = self._env
        rpt_endpoint = _require(env, RPT_ENDPOINT, "resource principal version 1.1").rstrip("/")
        resource_id = (env.get(RPT_ID) or "").strip() or self.instance.metadata.get("instance/id").strip()
        template = (env.get(RPT_PATH) or "").strip() or "/20180711/resourcePrincipalToken/{id}"
        rpst_endpoint = (env.get(RPST_ENDPOINT) or "").strip()
        if not rpst_endpoint:
            rpst_endpoint = self.instance.federation_url().rsplit("/v1/", 1)[0]
        self._set_urls(rpt_endpoint + template.replace("{id}", resource_id), rpst_endpoint)

    def _call_key(self) -> SigningKey:
        return self.instance.signing_key()

    def _session_key(self) -> rsa.RSAPrivateKey:
        return generate_session_key()


def _value(env: Mapping[str, str], name: str) -> Value | None:
    raw = (env.get(name) or "").strip()
    return Value.literal_or_path(name, raw) if raw else None


def _v11(env: Mapping[str, str], options: Mapping[str, Any], settings: AuthHttpSettings) -> Credentials:
    _require(env, RPT_ENDPOINT, "resource principal version 1.1")
    federation = options.get("federation_endpoint") or None
    instance = InstancePrincipalCredentials(metadata_base_url(options), federation, http_settings=settings)
    return ResourcePrincipalV11Credentials(env, instance)


def resource_principal_credentials(
    env: Mapping[str, str] | None = None, options: Mapping[str, Any] | None = None
) -> Credentials:
    """The resource principal credentials the environment describes (shared per environment).

    :param env: the environment (default ``os.environ``).
    :param options: connection options (``auth_timeout``... and, for 1.1, ``metadata_url``).
    :raises ConfigurationError: naming the missing or unsupported environment variable.
    """
    env = os.environ if env is None else env
    options = options or {}
    version = (env.get(VERSION) or "").strip()
    if not version:
        raise ConfigurationError(VERSION, f"environment variable is not set ({_CONTEXT})")
    if version not in SUPPORTED_VERSIONS:
        raise ConfigurationError(
            VERSION, f"version {version!r} is not supported; expected one of {list(SUPPORTED_VERSIONS)}"
        )
    settings = AuthHttpSettings.from_options(options)
    relevant = sorted((k, v) for k, v in env.items() if k.startswith(PREFIX))
    key = ("resource_principal", hashlib.sha256(repr(relevant).encode()).hexdigest(), settings)
    if version == "2.2":
        rpst = _value(env, RPST) or Value(RPST, literal=_require(env, RPST, "resource principal version 2.2"))
        pem = _value(env, PRIVATE_PEM) or Value(
            PRIVATE_PEM, literal=_require(env, PRIVATE_PEM, "version 2.2")
        )
        return shared_credentials(
            key, lambda: ResourcePrincipalV22Credentials(rpst, pem, _value(env, PASSPHRASE))
        )
    if version == "1.1":
        return shared_credentials(key, lambda: _v11(dict(env), options, settings))
    purpose = f"resource principal version {version}"
    rpt_endpoint = _require(env, RPT_ENDPOINT, purpose)
    rpst_endpoint = _require(env, RPST_ENDPOINT, purpose)
    resource_id = _require(env, RESOURCE_ID, purpose)
    tenancy_id = _require(env, TENANCY_ID, purpose) if version != "2.1" else None
    pem = _value(env, PRIVATE_PEM) or Value(PRIVATE_PEM, literal=_require(env, PRIVATE_PEM, purpose))
    return shared_credentials(
        key,
        lambda: ResourcePrincipalV21Credentials(
            version,
            rpt_endpoint,
            rpst_endpoint,
            resource_id,
            pem,
            tenancy_id=tenancy_id,
            pass_phrase=_value(env, PASSPHRASE),
            rpt_path=(env.get(RPT_PATH) or "").strip() or None,
            security_context=(env.get(SECURITY_CONTEXT) or "").strip() or None,
            http=AuthHttp(settings),
        ),
    )


@register_auth_type("resource_principal")
def _resource_principal_from_config(config: ClientConfig) -> Credentials:
    return resource_principal_credentials(os.environ, config.options)


def region_from_environment(auth_type: str) -> str:
    """``$OCI_RESOURCE_PRINCIPAL_REGION`` (canonical name), or a clear error."""
    value = (os.environ.get(REGION) or "").strip()
    if not value:
        raise ConfigurationError(
            "region",
            f"is not set in the connection and the {REGION} environment variable is empty; "
            f"set one of them for auth_type {auth_type}",
        )
    return canonical_region(value)


@register_region_resolver("resource_principal")
def _resource_principal_region(values: Mapping[str, Any]) -> str:
    return region_from_environment("resource_principal")
