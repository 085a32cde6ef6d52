"""The retry predicate and backoff policy (pure; HTTP-level retries are in the emulator tests)."""

from __future__ import annotations

import logging
import time

import pytest

from airflow_ds_provider.client.errors import TransportError, service_error_for
from airflow_ds_provider.client.retry import RetryPolicy, is_retryable


def err(status: int, code: str = "X", headers: dict | None = None):
    return service_error_for("op", status, code, "m", "RID", headers)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retryable_statuses(status: int) -> None:
    assert is_retryable(err(status))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 412, 501])
def test_not_retryable_statuses(status: int) -> None:
    assert not is_retryable(err(status))


def test_conflicts_and_transport() -> None:
    assert is_retryable(err(409, "IncorrectState"))
    assert is_retryable(err(409, "LockConflict"))
    assert not is_retryable(err(409, "Conflict"))
    assert is_retryable(TransportError("op", "timed out"))
    assert not is_retryable(ValueError("x"))


def test_backoff_grows_is_capped_and_honours_retry_after() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=30.0, max_seconds=600)
    assert 1.0 <= policy.backoff(1, None, 0) <= 2.0
    assert 8.0 <= policy.backoff(4, None, 0) <= 9.0
    assert policy.backoff(10, None, 0) == 30.0
    assert policy.backoff(1, err(429, headers={"retry-after": "45"}), 0) == 45.0
    assert policy.backoff(5, None, 595) <= 5.0  # never sleeps past the total budget


def test_bounded_by_attempts(caplog) -> None:
    calls = []

    def fail():
        calls.append(1)
        raise err(503, "ServiceUnavailable")

    policy = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.002)
    with caplog.at_level(logging.WARNING, "airflow_ds_provider.client"), pytest.raises(Exception) as info:
        for attempt in policy.retrying("get_job_run"):
            with attempt:
                fail()
    assert info.value.status == 503
    assert len(calls) == 4
    retries = [r for r in caplog.records if r.name == "airflow_ds_provider.client"]
    assert len(retries) == 3
    assert "get_job_run" in retries[0].getMessage() and "503" in retries[0].getMessage()
    assert "RID" in retries[0].getMessage()


def test_bounded_by_time() -> None:
    policy = RetryPolicy(max_attempts=1000, max_seconds=0.3, base_delay=0.05, max_delay=0.05)
    start = time.monotonic()
    with pytest.raises(TransportError):
        for attempt in policy.retrying("op"):
            with attempt:
                raise TransportError("op", "refused")
    assert time.monotonic() - start < 5.0  # unbounded, 1000 attempts would take ~50 s


def test_not_allowed_means_one_attempt() -> None:
    calls = []
    with pytest.raises(Exception):
        for attempt in RetryPolicy(base_delay=0.001).retrying("op", allowed=False):
            with attempt:
                calls.append(1)
                raise err(503)
    assert calls == [1]


async def test_async_shares_the_policy() -> None:
    calls = []
    policy = RetryPolicy(max_attempts=3, base_delay=0.001)
    async for attempt in policy.aretrying("op"):
        with attempt:
            calls.append(1)
            if len(calls) < 3:
                raise err(429)
    assert len(calls) == 3


def test_classify_not_processed_ambiguous_final() -> None:
    from airflow_ds_provider.client.retry import Disposition, classify

    assert classify(err(429)) is Disposition.NOT_PROCESSED
    assert classify(err(409, "IncorrectState")) is Disposition.NOT_PROCESSED
    assert classify(err(409, "LockConflict")) is Disposition.NOT_PROCESSED
    for status in (500, 502, 503, 504):
        assert classify(err(status)) is Disposition.AMBIGUOUS
    assert classify(TransportError("op", "reset")) is Disposition.AMBIGUOUS
    for exc in (err(409, "Conflict"), err(400), err(404), err(412), err(501), ValueError("x")):
        assert classify(exc) is Disposition.FINAL


def test_retry_after_as_http_date() -> None:
    from airflow_ds_provider.client.errors import parse_retry_after

    date = "Wed, 21 Oct 2026 07:28:00 GMT"
    assert parse_retry_after("Wed, 21 Oct 2026 07:28:30 GMT", date) == 30.0  # against the answer's date
    assert parse_retry_after("Wed, 21 Oct 2026 07:27:00 GMT", date) == 0.0  # in the past: at once
    now = 1_792_567_680.0  # 2026-10-21T07:28:00Z
    assert parse_retry_after("Wed, 21 Oct 2026 07:28:05 GMT", None, now=now) == 5.0
    assert parse_retry_after("Wed, 21 Oct 2026 07:28:05 GMT", "not a date", now=now) == 5.0
    assert parse_retry_after("12.5") == 12.5 and parse_retry_after("-3") == 0.0
    for bad in (None, "", "soon", "nan", "inf"):
        assert parse_retry_after(bad) is None
    exc = err(429, headers={"retry-after": "Wed, 21 Oct 2026 07:28:45 GMT", "date": date})
    assert exc.retry_after == 45.0
    assert RetryPolicy(base_delay=0.1, max_delay=1, max_seconds=600).backoff(1, exc, 0) == 45.0


def test_should_stop_on_attempts_time_or_conflicts() -> None:
    policy = RetryPolicy(max_attempts=5, max_seconds=10, max_conflict_attempts=3)
    assert not policy.should_stop(4, 2, 9.9)
    assert policy.should_stop(5, 0, 0)
    assert policy.should_stop(1, 0, 10)
    assert policy.should_stop(3, 3, 0)
