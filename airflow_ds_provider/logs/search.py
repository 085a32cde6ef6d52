"""Searching job-run log records through the OCI Logging Search API (oci_facts.md §8).

The walk over a time range is a small I/O-free plan (:class:`SearchPlan`): it hands out one
request at a time and is fed each answer. Two thin drivers send the requests, one through a
sync client or hook (:func:`search_logs`) and one through the async client
(:func:`asearch_logs`), so the paging, chunking and bisection rules exist once.

Rules (as ADS applies them, without its bugs):

* a window spans at most 14 days: longer ranges are walked in chunks, oldest first;
* at most 1000 results a page; ``opc-next-page`` is followed to the end of a window;
* a 400 "result too large" bisects the window (results of the failed window are discarded);
* times go out as RFC 3339 with milliseconds and ``Z`` (``2024-01-02T03:04:05.000Z``).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from airflow_ds_provider._lazy_dataclass import lazy_dataclass
from airflow_ds_provider.client.errors import BadRequestError, DataScienceError

if TYPE_CHECKING:
    from airflow_ds_provider.client.response import Response

#: The widest window one search may span.
MAX_WINDOW = dt.timedelta(days=14)
#: The most results one page may hold.
MAX_PAGE_LIMIT = 1000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MAX_WINDOW_MS = int(MAX_WINDOW.total_seconds() * 1000)


class LogSearchClient(Protocol):
    """Anything with the client's ``search_logs`` (``DataScienceClient``, ``DataScienceHook``)."""

    def search_logs(
        self, search_logs_details: Mapping[str, Any], limit: int | None = None, page: str | None = None
    ) -> Response:
        """One Logging Search request."""


class AsyncLogSearchClient(Protocol):
    """Anything with an async ``search_logs`` (``AsyncDataScienceClient``)."""

    async def search_logs(
        self, search_logs_details: Mapping[str, Any], limit: int | None = None, page: str | None = None
    ) -> Response:
        """One Logging Search request."""


class LogSearchError(DataScienceError):
    """A search could not be completed (e.g. "too large" even for a 1 ms window)."""


@lazy_dataclass(frozen=True)
class LogRecord:
    """One log record of a job run.

    :param id: the record id (``logContent.id``), unique per record.
    :param time: when the record was emitted (UTC, millisecond precision).
    :param message: the log line (``logContent.data.message``).
    :param source: the OCID of the resource that emitted it (the job run).
    :param subject: the record's ``subject`` (a pipeline step's name), ``""`` when it has none.
    """

    id: str
    time: dt.datetime
    message: str
    source: str
    subject: str = ""

    @property
    def time_ms(self) -> int:
        """:attr:`time` as integer milliseconds since the epoch."""
        return to_ms(self.time)


def to_ms(value: dt.datetime) -> int:
    """Milliseconds since the epoch of an aware datetime (naive values are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return (value - _EPOCH) // dt.timedelta(milliseconds=1)


def from_ms(ms: int) -> dt.datetime:
    """An aware UTC datetime from milliseconds since the epoch."""
    return _EPOCH + dt.timedelta(milliseconds=ms)


def rfc3339(value: dt.datetime | int) -> str:
    """``2024-01-02T03:04:05.678Z`` from a datetime or epoch milliseconds (never chops seconds)."""
    when = from_ms(value) if isinstance(value, int) else from_ms(to_ms(value))
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def parse_time(value: str) -> dt.datetime:
    """Parse an RFC 3339 timestamp from the wire (``Z`` or an offset, any fraction digits).

    :raises ValueError: when ``value`` is not such a timestamp.
    """
    if not isinstance(value, str) or "T" not in value:
        raise ValueError(f"not an RFC 3339 timestamp: {value!r}")
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    head, dot, tail = text.partition(".")
    if dot:  # fromisoformat on 3.10 wants exactly 3 or 6 fraction digits
        digits = len(tail) - len(tail.lstrip("0123456789"))
        text = f"{head}.{(tail[:digits] + '000000')[:6]}{tail[digits:]}"
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no time zone")
    return parsed.astimezone(dt.timezone.utc)


def _check_ocid(field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field}: expected an OCID string, got {value!r}")
    if any(ch in value for ch in "\"'|\\\n\r"):
        raise ValueError(f"{field}: expected an OCID, got a value with quotes, '|' or line breaks")
    return value.strip()


def job_run_query(
    compartment_id: str, log_group_id: str, log_id: str, job_run_id: str, descending: bool = False
) -> str:
    """The search query for one job run's records, as ADS sends it.

    ``search "<compartment>/<logGroup>/<log>" | where source = '*<jobRunOCID>' | sort by datetime asc``

    :param descending: newest first instead of oldest first.
    :raises ValueError: when an id is empty or could break out of the query's quotes.
    """
    stream = "/".join(
        _check_ocid(name, value)
        for name, value in (
            ("compartment_id", compartment_id),
            ("log_group_id", log_group_id),
            ("log_id", log_id),
        )
    )
    source = _check_ocid("job_run_id", job_run_id)
    order = "desc" if descending else "asc"
    return f"search \"{stream}\" | where source = '*{source}' | sort by datetime {order}"


def parse_result(result: Any) -> LogRecord | None:
    """One ``SearchResult`` (``{"data": {"datetime", "logContent": {...}}}``) -> a record, or None."""
    data = result.get("data") if isinstance(result, Mapping) else None
    content = data.get("logContent") if isinstance(data, Mapping) else None
    if not isinstance(content, Mapping):
        return None
    when: dt.datetime | None = None
    if isinstance(data.get("datetime"), int | float) and not isinstance(data.get("datetime"), bool):
        when = from_ms(int(data["datetime"]))
    else:
        try:
            when = parse_time(content.get("time"))  # type: ignore[arg-type]
        except ValueError:
            return None
    payload = content.get("data")
    if isinstance(payload, Mapping):
        message = payload.get("message")
        message = "" if message is None else str(message)
    else:
        message = "" if payload is None else str(payload)
    source = str(content.get("source") or "")
    record_id = content.get("id")
    if not record_id:
        record_id = f"{to_ms(when)}:{source}:{zlib.crc32(message.encode()):08x}"
    return LogRecord(
        id=str(record_id),
        time=when,
        message=message.rstrip("\r\n"),
        source=source,
        subject=str(content.get("subject") or ""),
    )


def check_page_limit(page_limit: Any) -> int:
    """``page_limit`` if it is an integer from 1 to 1000.

    :raises ValueError: naming ``page_limit`` otherwise.
    """
    if isinstance(page_limit, bool) or not isinstance(page_limit, int) or not 1 <= page_limit <= 1000:
        raise ValueError(f"page_limit: expected an integer from 1 to {MAX_PAGE_LIMIT}, got {page_limit!r}")
    return page_limit


def is_too_large(exc: BaseException) -> bool:
    """True for the Logging Search 400 that asks for a narrower window."""
    return isinstance(exc, BadRequestError) and "too large" in (exc.message or "").lower()


@lazy_dataclass(frozen=True)
class SearchRequest:
    """One request of a :class:`SearchPlan`: arguments of ``client.search_logs``."""

    details: dict[str, Any]
    limit: int
    page: str | None


class SearchPlan:
    """The walk of one query over ``[start, end)``: chunks, pages and bisection, without I/O.

    Use: ``while (req := plan.next_request()) is not None``: send it, then call
    :meth:`on_page` with the answer, or :meth:`on_too_large` after a "too large" 400.
    :attr:`records` then holds every parsed record, oldest first.

    :param query: the Logging Search query.
    :param start: window start (inclusive).
    :param end: window end (exclusive).
    :param page_limit: results per page (1 to 1000).
    """

    def __init__(self, query: str, start: dt.datetime, end: dt.datetime, page_limit: int = MAX_PAGE_LIMIT):
        self.query = query
        self.page_limit = check_page_limit(page_limit)
        self.records: list[LogRecord] = []
        self.requests_sent = 0
        self.bisections = 0
        self._windows: deque[tuple[int, int]] = deque()
        lo, hi = to_ms(start), to_ms(end)
        while lo < hi:
            self._windows.append((lo, min(hi, lo + _MAX_WINDOW_MS)))
            lo += _MAX_WINDOW_MS
        self._page: str | None = None
        self._window_first_record = 0

    @property
    def done(self) -> bool:
        """True when every window has been read to its last page."""
        return not self._windows

    def next_request(self) -> SearchRequest | None:
        """The next request to send, or None when the walk is complete."""
        if not self._windows:
            return None
        lo, hi = self._windows[0]
        details = {"timeStart": rfc3339(lo), "timeEnd": rfc3339(hi), "searchQuery": self.query}
        self.requests_sent += 1
        return SearchRequest(details, self.page_limit, self._page)

    def on_page(self, data: Any, next_page: str | None) -> None:
        """Feed the answer to the last request (``Response.data`` and ``Response.next_page``)."""
        results = data.get("results") if isinstance(data, Mapping) else None
        for result in results or ():
            record = parse_result(result)
            if record is not None:
                self.records.append(record)
        if next_page:
            self._page = next_page
            return
        self._windows.popleft()
        self._page = None
        self._window_first_record = len(self.records)

    def on_too_large(self) -> None:
        """The last request's window holds too much: split it in two and read both halves.

        :raises LogSearchError: when the window is already too narrow to split.
        """
        lo, hi = self._windows.popleft()
        if hi - lo < 2:
            raise LogSearchError(
                f"the Logging Search result is too large even for the window {rfc3339(lo)} - {rfc3339(hi)}"
            )
        del self.records[self._window_first_record :]
        mid = lo + (hi - lo) // 2
        self._windows.appendleft((mid, hi))
        self._windows.appendleft((lo, mid))
        self._page = None
        self.bisections += 1

    def result(self) -> list[LogRecord]:
        """The records, oldest first (the server's order is kept for equal times)."""
        return sorted(self.records, key=lambda r: r.time)


def search_logs(
    client: LogSearchClient,
    query: str,
    start: dt.datetime,
    end: dt.datetime,
    page_limit: int = MAX_PAGE_LIMIT,
) -> list[LogRecord]:
    """Every record ``query`` matches in ``[start, end)``, oldest first (sync client or hook).

    :param client: a ``DataScienceClient`` or ``DataScienceHook`` (its retry policy applies).
    :param query: e.g. :func:`job_run_query`.
    :param start: window start (inclusive, aware datetime).
    :param end: window end (exclusive).
    :param page_limit: results per page (up to 1000).
    :raises ServiceError: or :class:`~airflow_ds_provider.client.errors.TransportError` once the
        client's retries are spent; :class:`LogSearchError` when bisection cannot help.
    """
    plan = SearchPlan(query, start, end, page_limit)
    while (req := plan.next_request()) is not None:
        try:
            resp = client.search_logs(req.details, limit=req.limit, page=req.page)
        except BadRequestError as exc:
            if not is_too_large(exc):
                raise
            plan.on_too_large()
            continue
        plan.on_page(resp.data, resp.next_page)
    return plan.result()


async def asearch_logs(
    client: AsyncLogSearchClient,
    query: str,
    start: dt.datetime,
    end: dt.datetime,
    page_limit: int = MAX_PAGE_LIMIT,
) -> list[LogRecord]:
    """:func:`search_logs` through an ``AsyncDataScienceClient`` (never blocks the event loop)."""
    plan = SearchPlan(query, start, end, page_limit)
    while (req := plan.next_request()) is not None:
        try:
            resp = await client.search_logs(req.details, limit=req.limit, page=req.page)
        except BadRequestError as exc:
            if not is_too_large(exc):
                raise
            plan.on_too_large()
            continue
        plan.on_page(resp.data, resp.next_page)
    return plan.result()
