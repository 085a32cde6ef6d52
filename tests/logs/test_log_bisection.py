"""Bisection on "result too large", through the real client, against a small local Logging server.

The emulator cannot answer "too large" depending on the window, so this module serves
``POST /20190909/search`` itself: it refuses windows over 14 days and windows holding more than
``MAX_RESULTS`` records with a 400, and pages the rest like the real API.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from airflow_ds_provider.client import ClientConfig, DataScienceClient
from airflow_ds_provider.emulator.identity import new_identity
from airflow_ds_provider.logs import JobRunLogTailer, LogSearchError, job_run_query, search_logs
from airflow_ds_provider.logs.search import parse_time, to_ms

UTC = dt.timezone.utc
T0 = dt.datetime(2025, 3, 1, tzinfo=UTC)
RUN = "ocid1.datasciencejobrun.oc1.iad.run"
QUERY = job_run_query("ocid1.compartment.oc1..c", "ocid1.loggroup.g", "ocid1.log.l", RUN)
TOO_LARGE = "Search result is too large. Narrow the time range of the query."


class FakeLogging:
    """Records at fixed times; answers searches over them."""

    def __init__(self) -> None:
        self.records: list[tuple[int, str]] = []
        self.max_results = 100
        self.always_too_large = False
        self.windows: list[tuple[dt.datetime, dt.datetime, int]] = []  # (start, end, status)

    def add_every(self, start: dt.datetime, step: dt.timedelta, count: int) -> list[str]:
        messages = [f"r{len(self.records) + i}" for i in range(count)]
        self.records += [(to_ms(start + step * i), m) for i, m in enumerate(messages)]
        return messages

    def answer(self, query: dict[str, list[str]], body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        start, end = parse_time(body["timeStart"]), parse_time(body["timeEnd"])
        lo, hi = to_ms(start), to_ms(end)
        hits = [(ms, m) for ms, m in self.records if lo <= ms < hi]
        if hi - lo > 14 * 86400 * 1000:
            status, reply = 400, {"code": "InvalidParameter", "message": "window over 14 days"}
        elif self.always_too_large or len(hits) > self.max_results:
            status, reply = 400, {"code": "InvalidParameter", "message": TOO_LARGE}
        else:
            status, reply = 200, None
        self.windows.append((start, end, status))
        if reply is not None:
            return status, reply, {}
        limit = int(query.get("limit", ["100"])[0])
        offset = int(query.get("page", ["0"])[0])
        page = hits[offset : offset + limit]
        headers = {"opc-next-page": str(offset + limit)} if offset + limit < len(hits) else {}
        results = [
            {"data": {"datetime": ms, "logContent": {"id": m, "source": RUN, "data": {"message": m}}}}
            for ms, m in page
        ]
        return 200, {"summary": {"resultCount": len(results)}, "results": results, "fields": []}, headers


@pytest.fixture(scope="module")
def ident() -> Any:
    return new_identity()


@pytest.fixture
def server(ident: Any) -> Iterator[tuple[FakeLogging, DataScienceClient]]:
    fake = FakeLogging()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            url = urlsplit(self.path)
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            assert url.path == "/20190909/search" and body["searchQuery"] == QUERY
            assert self.headers["authorization"].startswith('Signature version="1"')
            status, reply, headers = fake.answer(parse_qs(url.query), body)
            data = json.dumps(reply).encode()
            self.send_response(status)
            for key, value in {**headers, "content-type": "application/json"}.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    config = ClientConfig.from_mapping(
        {
            "tenancy": ident.tenancy,
            "user": ident.user,
            "fingerprint": ident.fingerprint,
            "key_content": ident.private_key_pem,
            "region": "us-ashburn-1",
            "endpoint": f"http://127.0.0.1:{httpd.server_address[1]}",
            "max_attempts": 1,
        }
    )
    with DataScienceClient(config) as client:
        yield fake, client
    httpd.shutdown()
    httpd.server_close()


def test_a_too_large_window_is_bisected_until_it_fits(server: tuple[FakeLogging, DataScienceClient]) -> None:
    fake, client = server
    messages = fake.add_every(T0, dt.timedelta(seconds=10), 720)  # 2 hours, 7x the server's limit
    records = search_logs(client, QUERY, T0, T0 + dt.timedelta(hours=2))
    assert [r.message for r in records] == messages
    refused = [w for w in fake.windows if w[2] == 400]
    served = [w for w in fake.windows if w[2] == 200]
    assert refused and refused[0][:2] == (T0, T0 + dt.timedelta(hours=2))
    # the windows that were read tile the range exactly, oldest first
    edges = sorted({(a, b) for a, b, _ in served})
    assert edges[0][0] == T0 and edges[-1][1] == T0 + dt.timedelta(hours=2)
    assert all(edges[i][1] == edges[i + 1][0] for i in range(len(edges) - 1))


def test_chunking_and_bisection_together_over_20_days(server: tuple[FakeLogging, DataScienceClient]) -> None:
    fake, client = server
    messages = fake.add_every(T0, dt.timedelta(hours=1), 480)
    records = search_logs(client, QUERY, T0, T0 + dt.timedelta(days=20), page_limit=50)
    assert [r.message for r in records] == messages
    assert all(b - a <= dt.timedelta(days=14) for a, b, _ in fake.windows)
    assert not any(b - a > dt.timedelta(days=14) for a, b, status in fake.windows if status == 400)


def test_a_window_that_never_fits_raises_from_search_but_not_from_the_tailer(
    server: tuple[FakeLogging, DataScienceClient], caplog: pytest.LogCaptureFixture
) -> None:
    fake, client = server
    fake.always_too_large = True
    with pytest.raises(LogSearchError, match="too large even for the window"):
        search_logs(client, QUERY, T0, T0 + dt.timedelta(seconds=1))
    assert len(fake.windows) == 10  # 1000 ms halves down to 1 ms in 9 splits, plus the first
    run = {
        "id": RUN,
        "compartmentId": "ocid1.compartment.oc1..c",
        "logDetails": {"logGroupId": "ocid1.loggroup.g", "logId": "ocid1.log.l"},
        "timeAccepted": "2025-03-01T00:00:00.000Z",
    }
    tailer = JobRunLogTailer(client, run, clock=lambda: (T0 + dt.timedelta(seconds=1)).timestamp())
    assert tailer.poll() == []
    assert not tailer.enabled
    assert "cannot read its logs (LogSearchError" in caplog.text


def test_the_tailer_reads_a_dense_log_through_bisection(
    server: tuple[FakeLogging, DataScienceClient],
) -> None:
    fake, client = server
    messages = fake.add_every(T0 + dt.timedelta(seconds=1), dt.timedelta(milliseconds=500), 600)
    run = {
        "id": RUN,
        "compartmentId": "ocid1.compartment.oc1..c",
        "logDetails": {"logGroupId": "ocid1.loggroup.g", "logId": "ocid1.log.l"},
        "timeAccepted": "2025-03-01T00:00:00.000Z",
    }
    now = [to_ms(T0 + dt.timedelta(seconds=100))]
    tailer = JobRunLogTailer(client, run, overlap=60, clock=lambda: now[0] / 1000)
    seen = tailer.poll()
    now[0] += 400_000
    seen += tailer.poll()
    assert [r.message for r in seen] == messages
    assert sum(1 for w in fake.windows if w[2] == 400) >= 2  # both polls had to bisect
