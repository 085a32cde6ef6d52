"""The value every client call returns."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


class Headers(Mapping[str, str]):
    """Read-only, case-insensitive response headers (original spelling kept for iteration)."""

    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        self._items = {k.lower(): (k, v) for k, v in (headers or {}).items()}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


@dataclass(frozen=True)
class Response:
    """One API response.

    :param data: parsed JSON (dict or list); bytes for artifact content; the written path for
        a download; ``None`` for empty bodies and ``HEAD``.
    :param headers: response headers (case-insensitive).
    :param status: HTTP status.
    :param recovered: set when the service's own answer was not received (lost, or a 409
        because the resource was already there) and a read of the resource showed that the
        action has taken effect: says what was seen. ``None`` for an answer of the service.
    """

    data: Any
    headers: Headers
    status: int
    recovered: str | None = None

    @classmethod
    def build(
        cls, data: Any, headers: Mapping[str, str], status: int, recovered: str | None = None
    ) -> Response:
        """Build with case-insensitive headers."""
        return cls(data, Headers(headers), status, recovered)

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
