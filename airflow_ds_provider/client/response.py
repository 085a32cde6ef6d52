"""The value every client call returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from requests.structures import CaseInsensitiveDict


@dataclass(frozen=True)
class Response:
    """One API response.

    :param data: parsed JSON (dict or list); bytes for artifact content; the written path for
        a download; ``None`` for empty bodies and ``HEAD``.
    :param headers: response headers (case-insensitive).
    :param status: HTTP status.
    """

    data: Any
    headers: CaseInsensitiveDict
    status: int

    @classmethod
    def build(cls, data: Any, headers: Mapping[str, str], status: int) -> Response:
        """Build with case-insensitive headers."""
        return cls(data, CaseInsensitiveDict(dict(headers)), status)

    @property
    def request_id(self) -> str | None:
        """``opc-request-id`` of the response."""
        return self.headers.get("opc-request-id")

    @property
    def next_page(self) -> str | None:
        """``opc-next-page`` token of a list response, if there are more pages."""
        return self.headers.get("opc-next-page")

    @property
    def etag(self) -> str | None:
        """``etag`` of the resource."""
        return self.headers.get("etag")

    @property
    def work_request_id(self) -> str | None:
        """``opc-work-request-id`` of an asynchronous operation."""
        return self.headers.get("opc-work-request-id")
