"""Fixtures for the client tests: RSA keys in every PEM flavour, identities, configs."""

from __future__ import annotations

import pytest
from client_testdata import FINGERPRINT, PASS_PHRASE, TENANCY, USER
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def pems(rsa_key: rsa.RSAPrivateKey) -> dict[str, str]:
    """The same key as PKCS#1, PKCS#8, encrypted PKCS#8, encrypted PKCS#1, and its public key."""

    def priv(fmt: serialization.PrivateFormat, enc: serialization.KeySerializationEncryption) -> str:
        return rsa_key.private_bytes(serialization.Encoding.PEM, fmt, enc).decode()

    none = serialization.NoEncryption()
    enc = serialization.BestAvailableEncryption(PASS_PHRASE.encode())
    return {
        "pkcs1": priv(serialization.PrivateFormat.TraditionalOpenSSL, none),
        "pkcs8": priv(serialization.PrivateFormat.PKCS8, none),
        "pkcs8_encrypted": priv(serialization.PrivateFormat.PKCS8, enc),
        "pkcs1_encrypted": priv(serialization.PrivateFormat.TraditionalOpenSSL, enc),
        "public": rsa_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
    }


@pytest.fixture
def api_key_values(pems: dict[str, str]) -> dict[str, str]:
    """Connection extras for API key auth against a local endpoint."""
    return {
        "tenancy": TENANCY,
        "user": USER,
        "fingerprint": FINGERPRINT,
        "key_content": pems["pkcs8"],
        "endpoint": "http://127.0.0.1:9",
        "compartment_id": "ocid1.compartment.oc1..test",
    }
