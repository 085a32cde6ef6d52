"""Job-run logs: Logging Search, a deduplicating tailer, and the task-log streamer."""

from __future__ import annotations

from airflow_ds_provider.logs.search import (
    MAX_PAGE_LIMIT,
    MAX_WINDOW,
    LogRecord,
    LogSearchError,
    SearchPlan,
    asearch_logs,
    job_run_query,
    rfc3339,
    search_logs,
)
from airflow_ds_provider.logs.streamer import (
    JobRunLogStreamer,
    format_failure_message,
    job_run_log_search_url,
)
from airflow_ds_provider.logs.tailer import JobRunLogTailer

__all__ = [
    "MAX_PAGE_LIMIT",
    "MAX_WINDOW",
    "JobRunLogStreamer",
    "JobRunLogTailer",
    "LogRecord",
    "LogSearchError",
    "SearchPlan",
    "asearch_logs",
    "format_failure_message",
    "job_run_log_search_url",
    "job_run_query",
    "rfc3339",
    "search_logs",
]
