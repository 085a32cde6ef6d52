"""Oracle's published signing test vectors (oci_facts.md §1.3), byte for byte, through both adapters."""

from __future__ import annotations

import json

import httpx
import pytest
import requests
from client_testdata import FINGERPRINT, TENANCY, USER

from airflow_ds_provider.client.signing import SigningKey, build_signing_string, parse_authorization
from airflow_ds_provider.client.transport import HttpxSigner, RequestsSigner

PEM = """-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----
"""
DATE = "Thu, 05 Jan 2014 21:31:40 GMT"
GET_URL = (
    "https://iaas.us-phoenix-1.oraclecloud.com/20160918/instances?availabilityDomain=Pjwf%3A%20PHX-AD-1"
    "&compartmentId=ocid1.compartment.oc1..aaaaaaaam3we6vgnherjq5q2idnccdflvjsnog7mlr6rtdb25gilchfeyjxa"
    "&displayName=TeamXInstances"
    "&volumeId=ocid1.volume.oc1.phx.abyhqljrgvttnlx73nmrwfaux7kcvzfs3s66izvxf2h4lgvyndsdsnoiwr5q"
)
GET_SIGNING_STRING = (
    "date: Thu, 05 Jan 2014 21:31:40 GMT\n"
    "(request-target): get /20160918/instances?availabilityDomain=Pjwf%3A%20PHX-AD-1"
    "&compartmentId=ocid1.compartment.oc1..aaaaaaaam3we6vgnherjq5q2idnccdflvjsnog7mlr6rtdb25gilchfeyjxa"
    "&displayName=TeamXInstances"
    "&volumeId=ocid1.volume.oc1.phx.abyhqljrgvttnlx73nmrwfaux7kcvzfs3s66izvxf2h4lgvyndsdsnoiwr5q\n"
    "host: iaas.us-phoenix-1.oraclecloud.com"
)
GET_SIGNATURE = (
    "GBas7grhyrhSKHP6AVIj/h5/Vp8bd/peM79H9Wv8kjoaCivujVXlpbKLjMPeDUhxkFIWtTtLBj3sUzaFj34XE6YZAHc9r2DmE4pMwOAy/"
    "kiITcZxa1oHPOeRheC0jP2dqbTll8fmTZVwKZOKHYPtrLJIJQHJjNvxFWeHQjMaR7M="
)
POST_URL = "https://iaas.us-phoenix-1.oraclecloud.com/20160918/volumeAttachments"
POST_BODY = json.dumps(
    {
        "compartmentId": "ocid1.compartment.oc1..aaaaaaaam3we6vgnherjq5q2idnccdflvjsnog7mlr6rtdb25gilchfeyjxa",
        "instanceId": "ocid1.instance.oc1.phx.abuw4ljrlsfiqw6vzzxb43vyypt4pkodawglp3wqxjqofakrwvou52gb6s5a",
        "volumeId": "ocid1.volume.oc1.phx.abyhqljrgvttnlx73nmrwfaux7kcvzfs3s66izvxf2h4lgvyndsdsnoiwr5q",
    },
    indent=4,
).encode()
POST_SIGNING_STRING = (
    "date: Thu, 05 Jan 2014 21:31:40 GMT\n"
    "(request-target): post /20160918/volumeAttachments\n"
    "host: iaas.us-phoenix-1.oraclecloud.com\n"
    "content-length: 316\n"
    "content-type: application/json\n"
    "x-content-sha256: V9Z20UJTvkvpJ50flBzKE32+6m2zJjweHpDMX/U4Uy0="
)
POST_SIGNATURE = (
    "Mje8vIDPlwIHmD/cTDwRxE7HaAvBg16JnVcsuqaNRim23fFPgQfLoOOxae6WqKb1uPjYEl0qIdazWaBy/Ml8DRhqlocMwoSXv0fbukP8J5N80LC"
    "mzT/FFBvIvTB91XuXI3hYfP9Zt1l7S6ieVadHUfqBedWH0itrtPJBgKmrWso="
)
KEY_ID = f"{TENANCY}/{USER}/{FINGERPRINT}"


class _Creds:
    def __init__(self) -> None:
        from airflow_ds_provider.client.auth.keys import load_private_key

        self.key = SigningKey(KEY_ID, load_private_key(PEM, None))

    def signing_key(self) -> SigningKey:
        return self.key

    async def asigning_key(self) -> SigningKey:
        return self.key

    def on_unauthorized(self) -> bool:
        return False


def _check(
    headers: dict[str, str], method: str, target: str, expected_string: str, expected_sig: str
) -> None:
    params = parse_authorization(headers["authorization"])
    assert params["keyId"] == KEY_ID
    assert params["algorithm"] == "rsa-sha256"
    names = params["headers"].split()
    assert build_signing_string(names, method, target, headers) == expected_string
    assert params["signature"] == expected_sig


def test_requests_adapter_get_vector() -> None:
    prepared = requests.Request("GET", GET_URL, headers={"date": DATE}).prepare()
    RequestsSigner(_Creds())(prepared)
    headers = {k.lower(): v for k, v in prepared.headers.items()}
    assert prepared.path_url in GET_SIGNING_STRING  # (request-target) is exactly path_url
    _check(headers, "GET", prepared.path_url, GET_SIGNING_STRING, GET_SIGNATURE)


def test_requests_adapter_post_vector() -> None:
    prepared = requests.Request(
        "POST", POST_URL, data=POST_BODY, headers={"date": DATE, "content-type": "application/json"}
    ).prepare()
    RequestsSigner(_Creds())(prepared)
    headers = {k.lower(): v for k, v in prepared.headers.items()}
    assert headers["content-length"] == "316"
    _check(headers, "POST", prepared.path_url, POST_SIGNING_STRING, POST_SIGNATURE)


@pytest.mark.parametrize("asynchronous", [False, True])
async def test_httpx_adapter_vectors(asynchronous: bool) -> None:
    signer = HttpxSigner(_Creds())
    for method, url, body, expected_string, expected_sig in (
        ("GET", GET_URL, None, GET_SIGNING_STRING, GET_SIGNATURE),
        ("POST", POST_URL, POST_BODY, POST_SIGNING_STRING, POST_SIGNATURE),
    ):
        headers = {"date": DATE}
        if body is not None:
            headers["content-type"] = "application/json"
        request = httpx.Request(method, url, content=body, headers=headers)
        if asynchronous:
            flow = signer.async_auth_flow(request)
            signed = await flow.__anext__()
        else:
            signed = next(signer.sync_auth_flow(request))
        lower = {k.lower(): v for k, v in signed.headers.items()}
        _check(lower, method, signed.url.raw_path.decode(), expected_string, expected_sig)


def test_stream_upload_signed_without_body_headers(tmp_path) -> None:
    path = tmp_path / "artifact.zip"
    path.write_bytes(b"x" * 5000)
    with open(path, "rb") as handle:
        prepared = requests.Request(
            "POST",
            "https://datascience.us-ashburn-1.oci.oraclecloud.com/20190101/jobs/ocid1.job.oc1..x/artifact",
            data=handle,
            headers={"content-type": "application/octet-stream"},
        ).prepare()
        RequestsSigner(_Creds(), include_body_headers=False)(prepared)
        params = parse_authorization(prepared.headers["authorization"])
        assert params["headers"] == "date (request-target) host"
        assert "x-content-sha256" not in {k.lower() for k in prepared.headers}
        assert handle.tell() == 0  # the body was not read to sign it


def test_signing_key_repr_hides_the_key_and_session_tokens():
    from cryptography.hazmat.primitives.asymmetric import rsa

    from airflow_ds_provider.client.signing import SigningKey

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtcHJpbmNpcGFsIn0.c2lnbmF0dXJlLWJ5dGVz"
    text = repr(SigningKey(f"ST${token}", key))
    assert token not in text and token[:20] not in text
    assert "<hidden>" in text
    api = repr(SigningKey("ocid1.tenancy.oc1..t/ocid1.user.oc1..u/aa:bb", key))
    assert "ocid1.user.oc1..u" in api
