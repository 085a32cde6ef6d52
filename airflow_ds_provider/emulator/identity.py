"""API-key identities: a fresh RSA key pair plus tenancy, user and compartment OCIDs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from airflow_ds_provider.emulator.ids import global_ocid


def fingerprint(public_key: rsa.RSAPublicKey) -> str:
    """OCI key fingerprint: MD5 of the DER SubjectPublicKeyInfo, lowercase colon-separated hex."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.md5(der).hexdigest()  # noqa: S324 - the OCI fingerprint is MD5 by definition
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def generate_key_pair() -> tuple[str, str, str]:
    """A new RSA 2048 key pair: ``(private PKCS#8 PEM, public PEM, fingerprint)``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return private_pem, public_pem, fingerprint(key.public_key())


@dataclass(frozen=True)
class Identity:
    """An API-key principal the emulator trusts, with a compartment to work in."""

    tenancy: str
    user: str
    fingerprint: str
    private_key_pem: str = field(repr=False)
    public_key_pem: str = field(repr=False)
    compartment_id: str
    compartment_name: str | None = None

    @property
    def key_id(self) -> str:
        """``<tenancy>/<user>/<fingerprint>``."""
        return f"{self.tenancy}/{self.user}/{self.fingerprint}"

    def to_dict(self) -> dict[str, str | None]:
        """JSON form (includes the private key: this is a local test identity)."""
        return {
            "tenancy": self.tenancy,
            "user": self.user,
            "fingerprint": self.fingerprint,
            "keyId": self.key_id,
            "privateKeyPem": self.private_key_pem,
            "publicKeyPem": self.public_key_pem,
            "compartmentId": self.compartment_id,
            "compartmentName": self.compartment_name,
        }


def new_identity(compartment_name: str | None = None) -> Identity:
    """A new identity with its own tenancy, user, compartment and key pair."""
    private_pem, public_pem, fp = generate_key_pair()
    return Identity(
        tenancy=global_ocid("tenancy"),
        user=global_ocid("user"),
        fingerprint=fp,
        private_key_pem=private_pem,
        public_key_pem=public_pem,
        compartment_id=global_ocid("compartment"),
        compartment_name=compartment_name,
    )
