"""Test helpers: a tiny signed HTTP client (requests + the provider's signing core)."""

from __future__ import annotations

import json as jsonlib
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization

from airflow_ds_provider.client.signing import SigningKey, sign_request
from airflow_ds_provider.emulator import Identity
from airflow_ds_provider.spec import get_operation

from .validator import validate_response

COMPARTMENT_FIELD = "compartmentId"


def signing_key(ident: Identity, private_key_pem: str | None = None, key_id: str | None = None) -> SigningKey:
    """A SigningKey for an identity (optionally with another private key or key id)."""
    pem = (private_key_pem or ident.private_key_pem).encode()
    return SigningKey(key_id or ident.key_id, serialization.load_pem_private_key(pem, password=None))


class SignedClient:
    """Sends signed requests to the emulator over a keep-alive session.

    :param base: the emulator URL (``emu.url``).
    :param key: the signing key.
    """

    def __init__(self, base: str, key: SigningKey) -> None:
        self.base = base
        self.key = key
        self.session = requests.Session()

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        version: str = "/20190101",
        sign_body: bool = True,
        date: str | None = None,
        mutate: Any = None,
        timeout: float = 10,
    ) -> requests.Response:
        """Sign and send one request; ``mutate(prepared)`` may tamper with it after signing."""
        body = jsonlib.dumps(json).encode() if json is not None else data
        req = requests.Request(
            method, self.base + version + path, params=params, data=body, headers=headers or {}
        )
        prepared = self.session.prepare_request(req)
        raw = prepared.body if isinstance(prepared.body, (bytes, type(None))) else None
        signed = sign_request(
            self.key,
            method,
            prepared.url,
            dict(prepared.headers),
            raw,
            include_body_headers=sign_body,
            date=date,
        )
        prepared.headers.update(signed)
        if mutate is not None:
            mutate(prepared)
        return self.session.send(prepared, timeout=timeout)

    def op(
        self, name: str, *, validate: bool = True, expect: int | None = None, **kw: Any
    ) -> requests.Response:
        """Call an operation by name: path params from ``kw`` (snake_case), the rest passed on."""
        op = get_operation(name)
        path_values = {arg: kw.pop(arg) for arg in op.path_args if arg in kw}
        resp = self.call(op.method, op.render_path(path_values), sign_body=op.enforce_content_headers, **kw)
        if expect is not None:
            assert resp.status_code == expect, (resp.status_code, resp.text)
        if validate and resp.ok and op.response_type and op.response_type != "stream" and op.method != "HEAD":
            validate_response(op.response_type, resp.json())
        if resp.ok:
            assert resp.headers.get("opc-request-id")
            for header in op.response_headers:
                if header in ("etag", "opc-work-request-id", "location") and resp.status_code < 300:
                    assert header in resp.headers, (name, header, dict(resp.headers))
        return resp
