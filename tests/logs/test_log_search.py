"""The log-search layer against the emulator's Logging Search API over real HTTP."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from log_env import LOG_GROUP, Env

from airflow_ds_provider.client import AsyncDataScienceClient, ClientConfig
from airflow_ds_provider.client.errors import BadRequestError, ServerError
from airflow_ds_provider.logs import (
    LogSearchError,
    SearchPlan,
    asearch_logs,
    job_run_query,
    rfc3339,
    search_logs,
)
from airflow_ds_provider.logs.search import is_too_large, parse_result, parse_time

UTC = dt.timezone.utc


class Recording:
    """Passes every search to a real client and remembers its arguments."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls: list[tuple[dict[str, Any], int | None, str | None]] = []

    def search_logs(self, details: dict[str, Any], limit: int | None = None, page: str | None = None) -> Any:
        self.calls.append((dict(details), limit, page))
        return self.client.search_logs(details, limit=limit, page=page)


def _query(run: dict[str, Any]) -> str:
    logs = run["logDetails"]
    return job_run_query(run["compartmentId"], logs["logGroupId"], logs["logId"], run["id"])


def _start(run: dict[str, Any]) -> dt.datetime:
    return parse_time(run["timeAccepted"])


def _now(env: Env) -> dt.datetime:
    return dt.datetime.fromtimestamp(env.emu.clock.now(), UTC)


def test_rfc3339_keeps_seconds_and_milliseconds() -> None:
    whole = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)  # microsecond == 0: ADS chops ":05" here
    assert rfc3339(whole) == "2024-01-02T03:04:05.000Z"
    assert rfc3339(dt.datetime(2024, 1, 2, 3, 4, 5, 678999, tzinfo=UTC)) == "2024-01-02T03:04:05.678Z"
    offset = dt.datetime(2024, 1, 2, 5, 4, 5, 1000, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert rfc3339(offset) == "2024-01-02T03:04:05.001Z"
    assert rfc3339(1704164645123) == "2024-01-02T03:04:05.123Z"
    assert parse_time("2024-01-02T03:04:05.1Z") == dt.datetime(2024, 1, 2, 3, 4, 5, 100000, tzinfo=UTC)
    with pytest.raises(ValueError, match="no time zone"):
        parse_time("2024-01-02T03:04:05")


def test_query_is_what_ads_sends_and_refuses_quotes() -> None:
    query = job_run_query("ocid1.compartment.oc1..c", "ocid1.loggroup.g", "ocid1.log.l", "ocid1.jobrun.r")
    assert query == (
        'search "ocid1.compartment.oc1..c/ocid1.loggroup.g/ocid1.log.l" '
        "| where source = '*ocid1.jobrun.r' | sort by datetime asc"
    )
    assert job_run_query("c", "g", "l", "r", descending=True).endswith("sort by datetime desc")
    with pytest.raises(ValueError, match="job_run_id"):
        job_run_query("c", "g", "l", "r' | where 1=1 | '")
    with pytest.raises(ValueError, match="log_id"):
        job_run_query("c", "g", "", "r")


def test_emulator_accepts_the_query_and_returns_the_run_lines_in_order(env: Env) -> None:
    lines = [f"line {i}" for i in range(7)]
    run = env.run(lines, duration=30)
    other = env.run(["not mine"], duration=30)  # same log stream shape, different source
    env.emu.advance(40)
    run = env.get(run)
    assert env.get(other)["lifecycleState"] == "SUCCEEDED"
    records = search_logs(env.client, _query(run), _start(run), _now(env))
    assert [r.message for r in records] == lines
    assert {r.source for r in records} == {run["id"]}
    assert len({r.id for r in records}) == len(lines)
    assert all(a.time <= b.time for a, b in itertools.pairwise(records))
    started = parse_time(run["timeStarted"])
    assert started < records[0].time and records[-1].time < parse_time(run["timeFinished"])


def test_more_than_one_page_is_complete_and_in_order(env: Env) -> None:
    lines = [f"step {i:04d}" for i in range(2500)]
    run = env.run(lines, duration=2500)
    env.emu.advance(2600)
    run = env.get(run)
    recorder = Recording(env.client)
    records = search_logs(recorder, _query(run), _start(run), _now(env))
    assert [r.message for r in records] == lines
    assert [(limit, page) for _, limit, page in recorder.calls] == [
        (1000, None),
        (1000, "p1000"),
        (1000, "p2000"),
    ]
    assert len(env.searches()) == 3


def test_small_pages_follow_opc_next_page(env: Env) -> None:
    lines = [f"l{i}" for i in range(5)]
    run = env.run(lines, duration=10)
    env.emu.advance(20)
    records = search_logs(env.client, _query(run), _start(run), _now(env), page_limit=2)
    assert [r.message for r in records] == lines
    assert len(env.searches()) == 3
    with pytest.raises(ValueError, match="page_limit"):
        search_logs(env.client, _query(run), _start(run), _now(env), page_limit=1001)


def test_ranges_over_14_days_are_walked_in_chunks(env: Env) -> None:
    day = 86400.0
    lines = ["day 3", "day 7", "day 10", "day 13", "day 17"]
    run = env.run(lines, duration=20 * day)
    env.emu.advance(21 * day)
    run = env.get(run)
    assert run["lifecycleState"] == "SUCCEEDED"
    start, end = _start(run) - dt.timedelta(days=9), _now(env)  # 30 days: three windows
    with pytest.raises(BadRequestError, match="14 days"):  # the emulator enforces the limit
        env.client.search_logs(
            {"timeStart": rfc3339(start), "timeEnd": rfc3339(end), "searchQuery": _query(run)}
        )
    recorder = Recording(env.client)
    records = search_logs(recorder, _query(run), start, end)
    assert [r.message for r in records] == lines
    windows = [(parse_time(d["timeStart"]), parse_time(d["timeEnd"])) for d, _, _ in recorder.calls]
    assert len(windows) == 3
    assert windows[0][0] == start.replace(microsecond=start.microsecond // 1000 * 1000)
    assert all(b - a <= dt.timedelta(days=14) for a, b in windows)
    assert all(windows[i][1] == windows[i + 1][0] for i in range(len(windows) - 1))
    assert windows[-1][1] == end.replace(microsecond=end.microsecond // 1000 * 1000)


def test_server_errors_propagate_from_the_search_layer(env: Env) -> None:
    run = env.run(["x"], duration=5)
    env.emu.advance(10)
    env.emu.inject_fault("POST", "/search", status=503, count=5)
    with pytest.raises(ServerError) as info:
        search_logs(env.client, _query(run), _start(run), _now(env))
    assert info.value.status == 503
    assert len(env.searches()) == 2  # the client's own retry budget (max_attempts=2) was used


async def test_async_search_pages_through_the_async_client(env: Env) -> None:
    lines = [f"a{i}" for i in range(12)]
    run = env.run(lines, duration=12)
    env.emu.advance(20)
    async with AsyncDataScienceClient(ClientConfig.from_connection(env.extra)) as client:
        records = await asearch_logs(client, _query(run), _start(run), _now(env), page_limit=5)
    assert [r.message for r in records] == lines
    assert len(env.searches()) == 3


def test_parse_result_takes_the_documented_shape_and_tolerates_others() -> None:
    record = parse_result(
        {
            "data": {
                "datetime": 1665786726861,
                "logContent": {
                    "data": {"message": "hello\n", "logEmissionTime": "2022-10-14T22:32:06.861Z"},
                    "id": "abc",
                    "source": "ocid1.datasciencejobrun.x",
                    "time": "2022-10-14T22:32:06.861Z",
                },
            }
        }
    )
    assert record is not None
    assert (record.id, record.message, record.source) == ("abc", "hello", "ocid1.datasciencejobrun.x")
    assert rfc3339(record.time) == "2022-10-14T22:32:06.861Z"
    no_id = parse_result({"data": {"logContent": {"time": "2022-10-14T22:32:06.861Z", "data": "raw"}}})
    assert no_id is not None and no_id.message == "raw" and no_id.id
    assert parse_result({"data": {}}) is None
    assert parse_result({"data": {"logContent": {"time": "yesterday"}}}) is None


def test_search_plan_bisects_and_drops_records_of_the_failed_window() -> None:
    start = dt.datetime(2024, 1, 1, tzinfo=UTC)
    plan = SearchPlan("q", start, start + dt.timedelta(seconds=8), page_limit=1)
    first = plan.next_request()
    assert first is not None and first.page is None
    result = {"data": {"datetime": 1704067201000, "logContent": {"id": "r1", "data": {"message": "m"}}}}
    plan.on_page({"results": [result]}, "p1")  # one page read, then the window is too large
    assert len(plan.records) == 1
    plan.on_too_large()
    assert plan.records == [] and plan.bisections == 1
    halves = []
    while (req := plan.next_request()) is not None:
        halves.append((req.details["timeStart"], req.details["timeEnd"], req.page))
        plan.on_page({"results": []}, None)
    assert halves == [
        ("2024-01-01T00:00:00.000Z", "2024-01-01T00:00:04.000Z", None),
        ("2024-01-01T00:00:04.000Z", "2024-01-01T00:00:08.000Z", None),
    ]
    tiny = SearchPlan("q", start, start + dt.timedelta(milliseconds=1))
    assert tiny.next_request() is not None
    with pytest.raises(LogSearchError, match="too large"):
        tiny.on_too_large()


def test_too_large_is_recognised_only_on_a_400_with_that_message() -> None:
    assert is_too_large(BadRequestError("search_logs", 400, "InvalidParameter", "Search result is too large"))
    assert not is_too_large(BadRequestError("search_logs", 400, "InvalidParameter", "bad query"))
    assert not is_too_large(ServerError("search_logs", 500, "InternalServerError", "too large"))


def test_log_group_constant_matches_the_runs(env: Env) -> None:
    run = env.run(["x"], duration=5)
    assert run["logDetails"]["logGroupId"] == LOG_GROUP
    assert env.run(["x"], duration=5, logging=False).get("logDetails") is None
