"""Local stand-ins for OCI's identity endpoints, served over real HTTP(S) on 127.0.0.1.

* :class:`Pki`: a test CA, intermediate, instance leaf certificate (tenancy OCID in the
  subject, as Oracle issues them) and a TLS server certificate for 127.0.0.1.
* :class:`FakeServer`: a threaded ``http.server`` calling a handler function.
* :class:`IdentityService`: instance metadata service v2 + federation (``/v1/x509``), resource
  principal token endpoints, and the OKE proxymux; every token it issues is a JWT registered
  with the emulator (``emu.register_session_token``), and every signed call is verified.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import ipaddress
import json
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from airflow_ds_provider.client.signing import (
    body_sha256,
    build_signing_string,
    parse_authorization,
    verify_signature,
)

TENANCY = "ocid1.tenancy.oc1..aaaaaaaafaketenancyforinstanceprincipaltests"
INSTANCE_ID = "ocid1.instance.oc1.iad.aaaaaaaafakeinstance"
Handler = Callable[[str, str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def make_jwt(claims: dict[str, Any]) -> str:
    """An (unsigned-looking) JWT with these claims, like OCI's UPST/RPST."""
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "asw"}).encode())
    payload = b64url(json.dumps(claims).encode())
    return f"{header}.{payload}.{b64url(hashlib.sha256(payload.encode()).digest())}"


def pem_from_body(body: str, kind: str = "PUBLIC KEY") -> str:
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----\n"


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _cert(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    *,
    ca: bool,
    san: list[x509.GeneralName] | None = None,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=2))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


class Pki:
    """CA -> intermediate -> instance leaf (``OU=opc-tenant:<tenancy>``), and a 127.0.0.1 TLS cert."""

    def __init__(self, tenancy: str = TENANCY, directory: Path | None = None) -> None:
        self.tenancy = tenancy
        self.ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Root CA")])
        self.ca = _cert(ca_name, self.ca_key, ca_name, self.ca_key, ca=True)
        self.intermediate_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        inter_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "PKISVC Identity Intermediate")])
        self.intermediate = _cert(inter_name, self.intermediate_key, ca_name, self.ca_key, ca=True)
        self.leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        leaf_name = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, INSTANCE_ID),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "opc-certtype:instance"),
                x509.NameAttribute(
                    NameOID.ORGANIZATIONAL_UNIT_NAME, "opc-compartment:ocid1.compartment.oc1..c"
                ),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"opc-tenant:{tenancy}"),
            ]
        )
        self.leaf = _cert(leaf_name, self.leaf_key, inter_name, self.intermediate_key, ca=False)
        self.server_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        server_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        self.server = _cert(
            server_name,
            self.server_key,
            ca_name,
            self.ca_key,
            ca=False,
            san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")],
        )
        self.dir = directory or Path(tempfile.mkdtemp(prefix="oci-pki-"))
        self.ca_file = self.dir / "ca.crt"
        self.ca_file.write_text(cert_pem(self.ca))

    def server_context(self) -> ssl.SSLContext:
        chain = self.dir / "server-chain.pem"
        chain.write_text(cert_pem(self.server))
        key = self.dir / "server-key.pem"
        key.write_text(private_pem(self.server_key))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain, key)
        return context

    def leaf_fingerprint(self) -> str:
        digest = self.leaf.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303
        return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


class FakeServer:
    """A threaded HTTP(S) server on 127.0.0.1 calling ``handler(method, path, headers, body)``."""

    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, out_headers, payload = handler(self.command, self.path, headers, body)
                self.send_response(status)
                for name, value in out_headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:  # silence stderr
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        outer.port = self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _json(status: int, data: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"content-type": "application/json"}, json.dumps(data).encode()


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    return _json(status, {"code": code, "message": message})


def verify_signed(
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    public_key: Any,
    key_id: str,
    names: tuple[str, ...],
) -> str | None:
    """None when the request is signed by ``key_id`` over exactly ``names``; else the reason."""
    try:
        params = parse_authorization(headers.get("authorization", ""))
    except ValueError as exc:
        return str(exc)
    if params["keyId"] != key_id:
        return "unexpected keyId"
    if tuple(params["headers"].split()) != names:
        return f"signed headers {params['headers']!r}, expected {' '.join(names)!r}"
    if "x-content-sha256" in names and headers.get("x-content-sha256") != body_sha256(body):
        return "x-content-sha256 mismatch"
    try:
        verify_signature(public_key, build_signing_string(names, method, path, headers), params["signature"])
    except ValueError as exc:
        return str(exc)
    return None


@dataclass
class IdentityService:
    """Fake metadata service, federation, resource principal endpoints and OKE proxymux.

    :param emulator: where issued tokens are registered (``register_session_token``).
    :param pki: the certificates served by the metadata service.
    """

    emulator: Any
    pki: Pki
    region: str = "iad"
    lifetime: float = 1200.0
    skip_register: int = 0  # the next N issued tokens stay unknown to the emulator ("revoked")
    delay: float = 0.0  # seconds each token issue takes (to overlap concurrent refreshes)
    fail_federation: list[int] = field(default_factory=list)  # statuses to answer first
    sa_token: str = "sa-token-value-9f8e7d6c5b4a"
    resource_key: rsa.RSAPrivateKey | None = None
    resource_id: str = "ocid1.datasciencejobrun.oc1.iad.aaaaaaaafakerun"
    issued: list[str] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    rejections: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.http = FakeServer(self.handle)
        self.https = FakeServer(self.handle, tls=self.pki.server_context())

    @property
    def metadata_url(self) -> str:
        return f"{self.http.url}/opc/v2"

    def stop(self) -> None:
        self.http.stop()
        self.https.stop()

    def count(self, name: str) -> int:
        return self.calls.get(name, 0)

    def issue(self, public_key_pem: str, **claims: Any) -> str:
        if self.delay:
            time.sleep(self.delay)
        now = int(time.time())
        token = make_jwt(
            {
                "sub": "ocid1.instance.oc1..x",
                "iat": now,
                "exp": now + int(self.lifetime),
                "jti": uuid.uuid4().hex,
                **claims,
            }
        )
        with self.lock:
            self.issued.append(token)
            skip = self.skip_register > 0
            self.skip_register -= 1 if skip else 0
        if not skip:
            self.emulator.register_session_token(token, public_key_pem)
        return token

    def handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        route = path.split("?")[0]
        with self.lock:
            self.calls[route] = self.calls.get(route, 0) + 1
        if route.startswith("/opc/v2/"):
            return self._metadata(route.removeprefix("/opc/v2/"), headers)
        if route == "/v1/x509":
            return self._federation(method, path, headers, body)
        if route.startswith("/20180711/resourcePrincipalToken"):
            return self._rpt(method, path, headers)
        if route == "/v1/resourcePrincipalSessionToken":
            return self._rpst(method, path, headers, body)
        if route == "/resourcePrincipalSessionTokens":
            return self._proxymux(headers, body)
        return _error(404, "NotFound", f"no route {route}")

    def _metadata(self, what: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if headers.get("authorization") != "Bearer Oracle":
            return _error(401, "NotAuthenticated", "metadata v2 needs 'Authorization: Bearer Oracle'")
        texts = {
            "instance/region": self.region,
            "instance/id": INSTANCE_ID,
            "identity/cert.pem": cert_pem(self.pki.leaf),
            "identity/key.pem": private_pem(self.pki.leaf_key),
            "identity/intermediate.pem": cert_pem(self.pki.intermediate),
        }
        if what not in texts:
            return _error(404, "NotFound", what)
        return 200, {"content-type": "text/plain"}, texts[what].encode()

    def _federation(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            status = self.fail_federation.pop(0) if self.fail_federation else None
        if status is not None:
            return _error(
                status, "NotAuthenticated" if status == 401 else "InternalError", "scripted failure"
            )
        names = ("date", "(request-target)", "content-length", "content-type", "x-content-sha256")
        key_id = f"{self.pki.tenancy}/fed-x509/{self.pki.leaf_fingerprint()}"
        reason = verify_signed(method, path, headers, body, self.pki.leaf.public_key(), key_id, names)
        data = json.loads(body)
        leaf_body = "".join(cert_pem(self.pki.leaf).splitlines()[1:-1])
        inter_body = "".join(cert_pem(self.pki.intermediate).splitlines()[1:-1])
        if reason is None and data.get("certificate") != leaf_body:
            reason = "certificate is not the leaf"
        if reason is None and data.get("intermediateCertificates") != [inter_body]:
            reason = "intermediateCertificates mismatch"
        if reason is not None:
            self.rejections.append(reason)
            return _error(401, "NotAuthenticated", reason)
        return _json(
            200, {"token": self.issue(pem_from_body(data["publicKey"]), res_tenant=self.pki.tenancy)}
        )

    def _rpt(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if self.resource_key is not None:
            key_id = f"resource/v2.1/{self.resource_id}"
            reason = verify_signed(
                method,
                path,
                headers,
                b"",
                self.resource_key.public_key(),
                key_id,
                ("date", "(request-target)", "host"),
            )
            if reason is not None:
                self.rejections.append(reason)
                return _error(401, "NotAuthenticated", reason)
        else:
            reason = self._verify_session(method, path, headers, b"", ("date", "(request-target)", "host"))
            if reason is not None:
                self.rejections.append(reason)
                return _error(401, "NotAuthenticated", reason)
        return _json(
            200, {"resourcePrincipalToken": "rpt-" + uuid.uuid4().hex, "servicePrincipalSessionToken": "spst"}
        )

    def _rpst(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        data = json.loads(body)
        if not str(data.get("resourcePrincipalToken", "")).startswith("rpt-"):
            return _error(400, "InvalidParameter", "resourcePrincipalToken")
        names = ("date", "(request-target)", "host", "content-length", "content-type", "x-content-sha256")
        if self.resource_key is not None:
            key_id = f"resource/v2.1/{self.resource_id}"
            reason = verify_signed(method, path, headers, body, self.resource_key.public_key(), key_id, names)
        else:
            reason = self._verify_session(method, path, headers, body, names)
        if reason is not None:
            self.rejections.append(reason)
            return _error(401, "NotAuthenticated", reason)
        token = self.issue(pem_from_body(data["sessionPublicKey"]), res_type="datasciencejobrun")
        return _json(200, {"token": token})

    def _verify_session(
        self, method: str, path: str, headers: dict[str, str], body: bytes, names: tuple[str, ...]
    ) -> str | None:
        """Verify an ``ST$<token>`` signature against the key the emulator holds for the token."""
        try:
            key_id = parse_authorization(headers.get("authorization", ""))["keyId"]
            public_key, _ = self.emulator.keys.lookup(key_id)
        except ValueError as exc:
            return str(exc)
        return verify_signed(method, path, headers, body, public_key, key_id, names)

    def _proxymux(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if headers.get("authorization") != f"Bearer {self.sa_token}":
            return _error(401, "NotAuthenticated", "bad service account token")
        with self.lock:
            status = self.fail_federation.pop(0) if self.fail_federation else None
        if status is not None:
            return _error(status, "Forbidden", "scripted failure")
        token = self.issue(pem_from_body(json.loads(body)["podKey"]), res_type="workload")
        payload = base64.b64encode(json.dumps({"token": "ST$" + token}).encode())
        return 200, {"content-type": "application/octet-stream"}, payload


#: Tight bounds so that unreachable services fail fast.
FAST = {"auth_timeout": 1.0, "auth_max_attempts": 2, "auth_max_retry_seconds": 3.0}


class FakeClock:
    """A settable clock for the credentials (the emulator and the date header keep real time)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
