"""The Logging Search API (``POST /20190909/search``) over the log lines scripted job runs emit.

Supports the query ADS sends (oci_facts.md §8)::

    search "<compartment>/<logGroup>/<log>" | where source = '*<jobRunOCID>' | sort by datetime asc

and the pipeline-run queries ADS builds: a custom-script or container step writes with the run as
its ``source`` and the step name as its ``subject`` (an ML_JOB step's job run with its own OCID as
source), so the ``where`` clause may combine ``source = '...'`` and ``subject = '...'`` with
``and``, ``or`` and parentheses::

    search "<c>/<g>/<l>" | where (source = '*<runOCID>' and (subject = 'a' or subject = 'b'))
        or source = '*<jobRunOCID>' | sort by datetime asc

with a ``timeStart``/``timeEnd`` window of at most 14 days, ``limit`` up to 1000 and
``opc-next-page`` paging. A record is searchable only once its ingestion time has passed.
With :meth:`Emulator.set_log_search_max_results`, a window holding more searchable matching
records than the limit answers 400 ``InvalidParameter`` "search result is too large ..."
whatever the page ``limit`` (as OCI does; clients bisect the window).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from airflow_ds_provider.emulator.clock import parse_rfc3339, rfc3339
from airflow_ds_provider.emulator.resources.base import ApiError, Reply, Services, invalid, paginate
from airflow_ds_provider.emulator.store import IngestedLogRecord

API_VERSION = "20190909"
MAX_WINDOW = 14 * 24 * 3600.0
_FIELDS = {"timeStart", "timeEnd", "searchQuery", "isReturnFieldInfo"}
_QUERY_RE = re.compile(
    r"""^\s*search\s+"(?P<stream>[^"]+)"
        (?:\s*\|\s*where\s+(?P<where>[^|]+?))?
        (?:\s*\|\s*sort\s+by\s+datetime(?:\s+(?P<order>asc|desc))?)?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_TOKEN_RE = re.compile(
    r"\s*(?:(?P<paren>[()])|(?P<op>and|or)\b|(?P<field>source|subject)\s*=\s*'(?P<value>[^']*)')",
    re.IGNORECASE,
)
Predicate = Callable[[IngestedLogRecord], bool]


def _window(body: dict[str, Any]) -> tuple[float, float]:
    times = []
    for name in ("timeStart", "timeEnd"):
        if body.get(name) is None:
            raise invalid(name, "is required")
        try:
            times.append(parse_rfc3339(body[name]))
        except (TypeError, ValueError):
            raise invalid(name, "must be an RFC 3339 timestamp") from None
    start, end = times
    if end - start < 0.001:
        raise invalid("timeEnd", "must be at least 1 ms after timeStart")
    if end - start > MAX_WINDOW:
        raise invalid("timeStart", "the search window must not exceed 14 days")
    return start, end


def _matcher(query: Any) -> tuple[list[str], Predicate, bool]:
    if not isinstance(query, str):
        raise invalid("searchQuery", "is required")
    match = _QUERY_RE.match(query)
    where = _where(match.group("where")) if match and match.group("where") else (lambda record: True)
    if not match or where is None:
        raise invalid(
            "searchQuery", "unsupported query; expected search \"<c>/<g>/<l>\" | where source = '...'"
        )
    stream = match.group("stream").split("/")
    if len(stream) > 3 or not all(stream):
        raise invalid("searchQuery", "the log stream must be <compartment>[/<logGroup>[/<log>]]")
    descending = (match.group("order") or "asc").lower() == "desc"
    return stream, where, descending


def _where(text: str) -> Predicate | None:
    """The predicate of a ``where`` clause over ``source``/``subject``, or None if unsupported."""
    tokens: list[tuple[str, str]] = []
    pos, text = 0, text.rstrip()
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if not match or match.end() == pos:
            return None
        pos = match.end()
        if match.group("field"):
            tokens.append((match.group("field").lower(), match.group("value")))
        else:
            tokens.append(((match.group("paren") or match.group("op")).lower(), ""))
    try:
        parser = _WhereParser(tokens)
        predicate = parser.any_of()
    except ValueError:
        return None
    return predicate if parser.done() else None


class _WhereParser:
    """Recursive descent over ``or`` / ``and`` / ``( )`` / ``source|subject = '...'`` tokens."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def done(self) -> bool:
        return self.pos == len(self.tokens)

    def _take(self, kind: str) -> bool:
        if not self.done() and self.tokens[self.pos][0] == kind:
            self.pos += 1
            return True
        return False

    def any_of(self) -> Predicate:
        parts = [self.all_of()]
        while self._take("or"):
            parts.append(self.all_of())
        return parts[0] if len(parts) == 1 else lambda record: any(part(record) for part in parts)

    def all_of(self) -> Predicate:
        parts = [self.one()]
        while self._take("and"):
            parts.append(self.one())
        return parts[0] if len(parts) == 1 else lambda record: all(part(record) for part in parts)

    def one(self) -> Predicate:
        if self._take("("):
            inner = self.any_of()
            if not self._take(")"):
                raise ValueError("unbalanced parenthesis")
            return inner
        if self.done() or self.tokens[self.pos][0] not in ("source", "subject"):
            raise ValueError("expected a comparison")
        field, value = self.tokens[self.pos]
        self.pos += 1
        if field == "source":
            return lambda record: _source_ok(value, record.source)
        return lambda record: record.subject == value


def _source_ok(pattern: str, source: str) -> bool:
    if pattern.startswith("*"):
        return source.endswith(pattern[1:])
    return source == pattern


def _result(record: IngestedLogRecord) -> dict[str, Any]:
    stamp = rfc3339(record.datetime)
    return {
        "data": {
            "datetime": int(record.datetime * 1000),
            "logContent": {
                "data": {"message": record.message, "logEmissionTime": stamp},
                "id": record.id,
                "oracle": {
                    "compartmentid": record.compartment_id,
                    "ingestedtime": rfc3339(record.ingested),
                    "loggroupid": record.log_group_id,
                    "logid": record.log_id,
                    "tenantid": record.tenant_id,
                },
                "source": record.source,
                **({"subject": record.subject} if record.subject else {}),
                "specversion": "1.0",
                "time": stamp,
                "type": "com.oraclecloud.datascience.jobrun.stdout",
            },
        }
    }


def search_logs(svc: Services, query: dict[str, str], body: Any) -> Reply:
    """Answer one search request."""
    if not isinstance(body, dict):
        raise ApiError(400, "InvalidParameter", "the body must be a SearchLogsDetails JSON object")
    for key in body:
        if key not in _FIELDS:
            raise invalid(key, "is not a field of SearchLogsDetails")
    start, end = _window(body)
    stream, where, descending = _matcher(body.get("searchQuery"))
    now = svc.now()
    with svc.store.lock:
        hits = [
            r
            for r in svc.store.logs
            if start <= r.datetime < end
            and r.ingested <= now
            and [r.compartment_id, r.log_group_id, r.log_id][: len(stream)] == stream
            and where(r)
        ]
    limit = svc.log_search_max_results
    if limit is not None and len(hits) > limit:
        raise ApiError(
            400,
            "InvalidParameter",
            f"search result is too large: the window {rfc3339(start)} - {rfc3339(end)} holds "
            f"{len(hits)} results, more than {limit}; narrow the time window",
        )
    hits.sort(key=lambda r: (r.datetime, r.id), reverse=descending)
    page = paginate(query, [_result(r) for r in hits])
    page.body = {
        "summary": {"resultCount": len(page.body), "fieldCount": 0},
        "results": page.body,
        "fields": [],
    }
    return page
