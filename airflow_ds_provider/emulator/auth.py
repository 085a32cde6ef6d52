"""Strict verification of OCI request signatures, as the service does it (oci_facts.md §1).

Every failure raises :class:`~airflow_ds_provider.client.signing.SignatureError` whose message
says which check failed; the HTTP layer turns it into ``401 NotAuthenticated``.
"""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from airflow_ds_provider.client.signing import (
    SignatureError,
    build_signing_string,
    headers_to_sign,
    parse_authorization,
    verify_signature,
)

#: Largest accepted difference between the ``date`` header and the server's clock.
MAX_SKEW_SECONDS = 300.0


@dataclass(frozen=True)
class Principal:
    """Who signed a request: the key id and the user (or session principal) OCID."""

    key_id: str
    user: str
    tenancy: str | None


def load_public_key(public_key_pem: str | bytes) -> rsa.RSAPublicKey:
    """Parse a PEM public key (SubjectPublicKeyInfo or PKCS#1); only RSA keys are accepted."""
    data = public_key_pem.encode("ascii") if isinstance(public_key_pem, str) else public_key_pem
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("only RSA public keys are supported")
    return key


class KeyRegistry:
    """Public keys the emulator trusts, by ``keyId`` (``tenancy/user/fingerprint`` or ``ST$<token>``)."""

    def __init__(self) -> None:
        self._keys: dict[str, tuple[rsa.RSAPublicKey, Principal]] = {}
        self._lock = threading.Lock()

    def register_key(self, key_id: str, public_key_pem: str | bytes) -> Principal:
        """Trust ``public_key_pem`` for API-key ``key_id`` (``<tenancy>/<user>/<fingerprint>``)."""
        parts = key_id.split("/")
        if len(parts) != 3 or not all(parts):
            raise ValueError("an API key id must be '<tenancy OCID>/<user OCID>/<fingerprint>'")
        principal = Principal(key_id=key_id, user=parts[1], tenancy=parts[0])
        with self._lock:
            self._keys[key_id] = (load_public_key(public_key_pem), principal)
        return principal

    def register_session_token(self, token: str, public_key_pem: str | bytes) -> Principal:
        """Trust ``public_key_pem`` for requests signed with key id ``ST$<token>``."""
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()[:52]
        principal = Principal(key_id=f"ST${token}", user=f"ocid1.user.oc1..session{digest}", tenancy=None)
        with self._lock:
            self._keys[principal.key_id] = (load_public_key(public_key_pem), principal)
        return principal

    def lookup(self, key_id: str) -> tuple[rsa.RSAPublicKey, Principal]:
        """The key and principal of ``key_id``.

        :raises SignatureError: when the key id is not registered.
        """
        found = self._keys.get(key_id)
        if found is None:
            kind = "session token" if key_id.startswith("ST$") else "API key"
            raise SignatureError(f"keyId is not a registered {kind}")
        return found


def verify_request(
    registry: KeyRegistry,
    method: str,
    target: str,
    headers: Mapping[str, str],
    *,
    body_sha256: str | None,
    include_body_headers: bool = True,
    now: float | None = None,
) -> Principal:
    """Verify one request's signature and return who signed it.

    :param registry: trusted keys.
    :param method: HTTP method.
    :param target: the path and query exactly as received.
    :param headers: request headers, lowercase names.
    :param body_sha256: base64 SHA-256 of the received body, or None when the body is not
        read yet (streamed uploads; then a signed ``x-content-sha256`` is checked later).
    :param include_body_headers: False for operations signed without body headers.
    :param now: the server's time (real time; never the emulator's manual clock).
    :raises SignatureError: naming the failed check.
    """
    params = parse_authorization(headers.get("authorization", ""))
    signed = params["headers"].lower().split()
    for name in headers_to_sign(method, include_body_headers=include_body_headers):
        if name not in signed:
            raise SignatureError(f"the signature does not cover the required header {name!r}")
    for name in signed:
        if name != "(request-target)" and name not in headers:
            raise SignatureError(f"signed header {name!r} is missing from the request")
    _check_date(headers["date"], time.time() if now is None else now)
    if (
        "x-content-sha256" in signed
        and body_sha256 is not None
        and headers["x-content-sha256"] != body_sha256
    ):
        raise SignatureError("x-content-sha256 does not match the SHA-256 of the request body")
    public_key, principal = registry.lookup(params["keyId"])
    signing_string = build_signing_string(signed, method, target, headers)
    try:
        verify_signature(public_key, signing_string, params["signature"])
    except UnicodeEncodeError:
        raise SignatureError("a signed header holds non-ASCII characters") from None
    return principal


def _check_date(value: str, now: float) -> None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise SignatureError("the date header is not an HTTP date") from None
    if parsed is None or parsed.tzinfo is None:
        raise SignatureError("the date header is not an HTTP date")
    skew = abs(parsed.timestamp() - now)
    if skew > MAX_SKEW_SECONDS:
        raise SignatureError(f"the date header is {skew:.0f} s off the server clock (more than 5 minutes)")
