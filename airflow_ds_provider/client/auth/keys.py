"""Loading PEM private keys with precise, secret-free error messages."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from airflow_ds_provider.client.auth.masking import mask_private_key
from airflow_ds_provider.client.errors import ConfigurationError

#: The default names of the PEM and its pass phrase in error messages (the connection's keys).
KEY_FIELD = "private_key"
PASS_FIELD = "private_key_passphrase"  # noqa: S105 (a key name)
_PRIVATE_BLOCK = re.compile(rb"-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY)-----(.*?)-----END \1-----", re.S)
_PEM_HEADER = re.compile(rb"(Proc-Type|DEK-Info):[ \t]*([^\s]+)")


def read_key_file(path: str, field: str = "key_file") -> bytes:
    """Read a key file (``~`` expanded); errors name the field and the path, never the content."""
    full = os.path.expanduser(path)
    try:
        with open(full, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise ConfigurationError(field, f"private key file {full!r} does not exist") from None
    except IsADirectoryError:
        raise ConfigurationError(field, f"{full!r} is a directory, expected a PEM private key file") from None
    except OSError as exc:
        raise ConfigurationError(field, f"cannot read private key file {full!r}: {exc.strerror}") from None


#: Parsed keys by a digest of (PEM, pass phrase): parsing validates the RSA key, ~0.1-0.2 s of
#: CPU that holds the GIL, so a triggerer building one client per trigger parses each key once.
_PARSED: OrderedDict[bytes, rsa.RSAPrivateKey] = OrderedDict()
_PARSED_LOCK = threading.Lock()
_PARSED_MAX = 64


def normalize_pem(data: bytes) -> bytes:
    """The private-key block of ``data`` rebuilt with canonical line breaks.

    A PEM pasted into a single-line input has spaces where its newlines were. PKCS#8 survives
    that, but the ``Proc-Type``/``DEK-Info`` headers of an encrypted traditional (PKCS#1) key
    must each sit on their own line, followed by a blank line. Text without a private-key block
    is returned unchanged (the parser then says what is wrong).
    """
    match = _PRIVATE_BLOCK.search(data)
    if match is None:
        return data
    label, inner = match.group(1), match.group(2)
    headers: list[bytes] = []

    def take(header: re.Match[bytes]) -> bytes:
        headers.append(header.group(1) + b": " + header.group(2))
        return b" "

    body = b"".join(_PEM_HEADER.sub(take, inner).split())
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    armour = [b"-----BEGIN " + label + b"-----", *headers, *([b""] if headers else [])]
    return b"\n".join([*armour, *lines, b"-----END " + label + b"-----", b""])


def load_private_key(
    pem: bytes | str,
    pass_phrase: str | None,
    field: str = KEY_FIELD,
    pass_field: str = PASS_FIELD,
) -> rsa.RSAPrivateKey:
    """Parse an RSA private key (see :func:`parse_private_key`), once per process per key.

    The PEM and the pass phrase are registered with the log masker first
    (:mod:`~airflow_ds_provider.client.auth.masking`). The cache is keyed by a SHA-256 digest of
    the PEM and pass phrase (never the secrets themselves); failures are not cached.
    """
    mask_private_key(pem, pass_phrase)
    data = pem.encode("utf-8") if isinstance(pem, str) else bytes(pem)
    digest = hashlib.sha256(data + b"\x00" + (pass_phrase or "").encode("utf-8")).digest()
    with _PARSED_LOCK:
        key = _PARSED.get(digest)
        if key is not None:
            _PARSED.move_to_end(digest)
            return key
    key = parse_private_key(data, pass_phrase, field, pass_field)
    with _PARSED_LOCK:
        _PARSED[digest] = key
        while len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    return key


def parse_private_key(
    pem: bytes | str,
    pass_phrase: str | None,
    field: str = KEY_FIELD,
    pass_field: str = PASS_FIELD,
) -> rsa.RSAPrivateKey:
    """Parse an RSA private key in PEM form (PKCS#1 or PKCS#8, optionally encrypted).

    As in the OCI SDK, a pass phrase given for an unencrypted key is ignored (it is often
    inherited from ``[DEFAULT]``). Newlines flattened to spaces are restored first
    (:func:`normalize_pem`).

    :param pem: the PEM text.
    :param pass_phrase: pass phrase of an encrypted key.
    :param field: the configuration field the key came from (for error messages).
    :param pass_field: the configuration field of the pass phrase (for error messages).
    :raises ConfigurationError: naming the field and what was expected; never containing key text.
    """
    data = pem.encode("utf-8") if isinstance(pem, str) else bytes(pem)
    data = normalize_pem(data.strip())
    if b"-----BEGIN" not in data:
        raise ConfigurationError(
            field, "is not a PEM private key (expected '-----BEGIN ... PRIVATE KEY-----')"
        )
    if b"PUBLIC KEY-----" in data and b"PRIVATE KEY-----" not in data:
        raise ConfigurationError(
            field, "Authentication requires a private key, but a public key was provided"
        )
    if b"CERTIFICATE-----" in data and b"PRIVATE KEY-----" not in data:
        raise ConfigurationError(field, "is a certificate; authentication requires the PEM private key")
    password = pass_phrase.encode("utf-8") if pass_phrase else None
    try:
        key = load_pem_private_key(data, password=password)
    except TypeError:
        if password is None:
            raise ConfigurationError(
                pass_field, f"the private key in {field} is encrypted; set {pass_field} to decrypt it"
            ) from None
        # A pass phrase for an unencrypted key: retry without it, like the SDK.
        try:
            key = load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            raise ConfigurationError(field, "is not a valid PEM private key (PKCS#1 or PKCS#8)") from None
    except ValueError:
        if password is not None and b"ENCRYPTED" in data:
            raise ConfigurationError(
                pass_field, f"does not decrypt the private key in {field} (wrong pass phrase?)"
            ) from None
        raise ConfigurationError(field, "is not a valid PEM private key (PKCS#1 or PKCS#8)") from None
    except Exception:  # unsupported algorithms etc.: never echo the library message
        raise ConfigurationError(field, "could not be parsed as a PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigurationError(field, f"must be an RSA private key, got {type(key).__name__}")
    return key


def generate_session_key() -> rsa.RSAPrivateKey:
    """A fresh RSA-2048 session key (e=65537), as OCI's SDKs create on every token refresh."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_key_pem(key: rsa.RSAPrivateKey) -> str:
    """The SubjectPublicKeyInfo PEM of ``key``'s public half."""
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def pem_body(pem: str | bytes) -> str:
    """A PEM with its ``-----BEGIN/END-----`` lines and all newlines removed (OCI's wire form)."""
    text = pem.decode("ascii") if isinstance(pem, bytes) else pem
    lines = [line.strip() for line in text.strip().splitlines()]
    return "".join(line for line in lines if line and not line.startswith("-----"))
