"""OCI HTTP request signing (draft-cavage-08, ``version="1"``), independent of any HTTP library.

The core takes a method, the exact URL that goes on the wire, the headers and the body bytes,
and returns the headers to add. Thin adapters for ``requests`` and ``httpx`` (see
``transport.py``) call it on the *prepared* request, so ``(request-target)`` is exactly the path
and query that are sent. The same signing-string builder is used by the emulator to verify.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

#: Headers signed on every request.
BASE_HEADERS: tuple[str, ...] = ("date", "(request-target)", "host")
#: Headers signed in addition on POST/PUT/PATCH (unless the operation is signed without them).
BODY_HEADERS: tuple[str, ...] = ("content-length", "content-type", "x-content-sha256")
#: Methods whose body is signed.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
SIGNABLE_METHODS = frozenset({"GET", "HEAD", "DELETE", "POST", "PUT", "PATCH"})
#: SHA-256 of the empty body, base64.
EMPTY_BODY_SHA256 = base64.b64encode(hashlib.sha256(b"").digest()).decode("ascii")


@dataclass(frozen=True)
class SigningKey:
    """A key id and its parsed RSA private key. The key never appears in ``repr``."""

    key_id: str
    private_key: rsa.RSAPrivateKey = field(repr=False)

    def __repr__(self) -> str:
        return f"SigningKey(key_id={redact_key_id(self.key_id)!r}, private_key=<hidden>)"


def redact_key_id(key_id: str) -> str:
    """A key id safe to show: session-token key ids (``ST$<token>``) keep only a short prefix."""
    if key_id.startswith("ST$"):
        return "ST$" + key_id[3:11] + "...<redacted>"
    return key_id


def headers_to_sign(method: str, *, include_body_headers: bool = True) -> tuple[str, ...]:
    """The ordered header list OCI signs for ``method``.

    :param method: HTTP method.
    :param include_body_headers: False for operations signed without body headers (artifact uploads).
    """
    verb = method.upper()
    if verb not in SIGNABLE_METHODS:
        raise ValueError(f"cannot sign HTTP method {method!r}; expected one of {sorted(SIGNABLE_METHODS)}")
    if verb in BODY_METHODS and include_body_headers:
        return BASE_HEADERS + BODY_HEADERS
    return BASE_HEADERS


def body_sha256(body: bytes | None) -> str:
    """Base64 SHA-256 of the body, as sent in ``x-content-sha256``."""
    return base64.b64encode(hashlib.sha256(body or b"").digest()).decode("ascii")


def path_url(url: str) -> str:
    """The path and query of ``url`` exactly as written (percent-encoding kept)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def build_signing_string(
    header_names: Sequence[str], method: str, target: str, headers: Mapping[str, str]
) -> str:
    """The string that is signed: one ``name: value`` line per signed header, no trailing newline.

    :param header_names: the signed headers in order (lowercase; ``(request-target)`` allowed).
    :param method: the HTTP method.
    :param target: the path and query as sent.
    :param headers: header values, looked up by lowercase name.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    lines = []
    for name in header_names:
        name = name.lower()
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
            continue
        if name not in lower:
            raise KeyError(name)
        lines.append(f"{name}: {lower[name]}")
    return "\n".join(lines)


def sign_string(private_key: rsa.RSAPrivateKey, signing_string: str) -> str:
    """RSA PKCS#1 v1.5 SHA-256 signature of ``signing_string``, base64."""
    signature = private_key.sign(signing_string.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def authorization_header(key_id: str, header_names: Sequence[str], signature: str) -> str:
    """The ``Authorization`` header value."""
    return (
        f'Signature version="1",headers="{" ".join(header_names)}",keyId="{key_id}",'
        f'algorithm="rsa-sha256",signature="{signature}"'
    )


def http_date() -> str:
    """The current time in the ``date`` header format."""
    return email.utils.formatdate(usegmt=True)


def sign_request(
    key: SigningKey,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    include_body_headers: bool = True,
    date: str | None = None,
) -> dict[str, str]:
    """Sign one request and return the headers to set on it.

    The result holds ``date``, ``host``, the ``authorization`` header and, when the body is
    signed, ``x-content-sha256``, ``content-length`` and ``content-type`` (defaulting to
    ``application/json`` unless the request already has one). Headers already in ``headers``
    (except ``authorization``) are kept and signed with the given value.

    :param key: the key id and private key.
    :param method: HTTP method.
    :param url: the exact URL sent (scheme, host, path and query).
    :param headers: headers the request already has.
    :param body: the body bytes; ``None`` for no body, or for a streamed body whose
        ``x-content-sha256`` and ``content-length`` are already in ``headers``. Ignored when body
        headers are not signed.
    :param include_body_headers: False for operations signed without body headers.
    :param date: override for the ``date`` header (test vectors).
    """
    names = headers_to_sign(method, include_body_headers=include_body_headers)
    lower = {k.lower(): v for k, v in headers.items() if k.lower() != "authorization"}
    out: dict[str, str] = {}
    out["date"] = lower.get("date") or date or http_date()
    out["host"] = lower.get("host") or urlsplit(url).netloc
    if "x-content-sha256" in names:
        if body is None and "x-content-sha256" in lower and "content-length" in lower:
            # a streamed body hashed in advance (transport.Upload.sha256)
            out["x-content-sha256"] = lower["x-content-sha256"]
            out["content-length"] = lower["content-length"]
        else:
            data = body or b""
            out["x-content-sha256"] = body_sha256(data)
            out["content-length"] = str(len(data))
        out["content-type"] = lower.get("content-type") or "application/json"
    values = {**lower, **out}
    signing_string = build_signing_string(names, method, path_url(url), values)
    out["authorization"] = authorization_header(
        key.key_id, names, sign_string(key.private_key, signing_string)
    )
    return out


# --- verification (used by the emulator and by tests) ----------------------------------------

_PARAM_RE = re.compile(r'\s*([a-zA-Z]+)\s*=\s*"([^"]*)"\s*(?:,|$)')


class SignatureError(ValueError):
    """A request signature failed a check; the message says which one."""


def parse_authorization(value: str) -> dict[str, str]:
    """Parse ``Signature k="v",...`` in any parameter order into a dict.

    :raises SignatureError: when the header is not an OCI signature header.
    """
    if not value:
        raise SignatureError("missing Authorization header")
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "signature" or not rest:
        raise SignatureError("Authorization header is not of the form 'Signature key=\"value\",...'")
    params: dict[str, str] = {}
    pos = 0
    while pos < len(rest):
        match = _PARAM_RE.match(rest, pos)
        if not match:
            raise SignatureError("Authorization header has a malformed parameter list")
        params[match.group(1)] = match.group(2)
        pos = match.end()
    for required in ("keyId", "signature", "headers", "algorithm"):
        if required not in params:
            raise SignatureError(f"Authorization header lacks the {required} parameter")
    if params["algorithm"].lower() != "rsa-sha256":
        raise SignatureError(f"unsupported signature algorithm {params['algorithm']!r}; expected rsa-sha256")
    if params.get("version", "1") != "1":
        raise SignatureError(f"unsupported signature version {params['version']!r}; expected 1")
    return params


def verify_signature(public_key: rsa.RSAPublicKey, signing_string: str, signature_b64: str) -> None:
    """Check an RSA-SHA256 signature.

    :raises SignatureError: when it does not verify.
    """
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (ValueError, TypeError) as exc:
        raise SignatureError("signature is not valid base64") from exc
    try:
        public_key.verify(signature, signing_string.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureError(
            "signature does not verify against the registered public key for keyId"
        ) from None
