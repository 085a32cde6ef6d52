"""``JobRunLogTailer``: read a job run's log records as they arrive, each exactly once.

Each :meth:`~JobRunLogTailer.poll` searches from ``last_seen_time - overlap`` to now (the first
from the run's ``timeAccepted``), so records that reach the Logging service late, within the
overlap, are still found; record ids seen inside the overlap are remembered to drop repeats,
and older ids are forgotten (memory stays bounded however long the run). Reading logs never
fails a task: errors are logged as warnings and the tailer returns what it has.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from airflow_ds_provider.client.errors import ServiceError, TransportError
from airflow_ds_provider.logs.search import (
    MAX_PAGE_LIMIT,
    LogRecord,
    LogSearchClient,
    check_page_limit,
    from_ms,
    job_run_query,
    parse_time,
    rfc3339,
    search_logs,
    to_ms,
)

log = logging.getLogger("airflow_ds_provider.logs")

#: Default overlap (seconds) re-searched on every poll for late records, as ADS does.
DEFAULT_OVERLAP = 180.0
#: Consecutive failed polls after which the tailer stops trying (ADS tolerates 20).
DEFAULT_MAX_CONSECUTIVE_ERRORS = 20
_PERMANENT_STATUSES = frozenset({400, 401, 403})


def _time_field(job_run: Mapping[str, Any], *names: str) -> int | None:
    for name in names:
        value = job_run.get(name)
        if value:
            try:
                return to_ms(parse_time(value))
            except ValueError:
                raise ValueError(f"job_run.{name}: expected an RFC 3339 timestamp, got {value!r}") from None
    return None


def _number(name: str, value: Any, minimum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ValueError(f"{name}: expected a number >= {minimum:g}, got {value!r}")
    return float(value)


class JobRunLogTailer:
    """Polls the Logging Search API for one job run's new log records.

    :param client: a ``DataScienceHook`` or ``DataScienceClient`` (anything with ``search_logs``).
    :param job_run: the job run's wire JSON (``id``, ``compartmentId``, ``logDetails``,
        ``timeAccepted``/``timeStarted``, ``timeFinished``).
    :param overlap: seconds before the newest record seen that every poll searches again.
    :param page_limit: results per search page (up to 1000).
    :param max_consecutive_errors: failed polls in a row after which the tailer gives up.
    :param history: how many of the newest messages :meth:`last_lines` can return.
    :param log_compartment_id: compartment of the log group, when not the run's compartment.
    :param logger: where warnings go (the task log, typically).
    :param clock: current time in epoch seconds (tests pass the emulator's clock).
    :param sleep: how to wait between the polls of :meth:`tail`.
    :raises ValueError: the job run JSON lacks ``id``/``compartmentId`` or has bad ``logDetails``.
    """

    def __init__(
        self,
        client: LogSearchClient,
        job_run: Mapping[str, Any],
        *,
        overlap: float = DEFAULT_OVERLAP,
        page_limit: int = MAX_PAGE_LIMIT,
        max_consecutive_errors: int = DEFAULT_MAX_CONSECUTIVE_ERRORS,
        history: int = 100,
        log_compartment_id: str | None = None,
        logger: logging.Logger | logging.LoggerAdapter | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not isinstance(job_run, Mapping):
            raise ValueError(f"job_run: expected the job run's JSON object, got {type(job_run).__name__}")
        self.client = client
        self.job_run_id = job_run.get("id")
        if not isinstance(self.job_run_id, str) or not self.job_run_id:
            raise ValueError("job_run.id: expected the job run OCID")
        self.overlap_ms = int(_number("overlap", overlap, 0) * 1000)
        self.page_limit = check_page_limit(page_limit)
        self.max_consecutive_errors = int(_number("max_consecutive_errors", max_consecutive_errors, 1))
        self.log = logger or log
        self.clock = clock
        self.sleep = sleep
        self.query: str | None = None
        details = job_run.get("logDetails")
        if details:
            if not isinstance(details, Mapping):
                raise ValueError("job_run.logDetails: expected an object with logGroupId and logId")
            fields = {
                "job_run.compartmentId": log_compartment_id or job_run.get("compartmentId"),
                "job_run.logDetails.logGroupId": details.get("logGroupId"),
                "job_run.logDetails.logId": details.get("logId"),
            }
            for name, value in fields.items():
                if not isinstance(value, str) or not value:
                    raise ValueError(f"{name}: expected an OCID, got {value!r}")
            self.query = job_run_query(*fields.values(), self.job_run_id)
        self._start_ms = _time_field(job_run, "timeAccepted", "timeStarted", "timeCreated")
        self._finished_ms = _time_field(job_run, "timeFinished")
        self._seen: dict[str, int] = {}
        self._last_seen_ms: int | None = None
        self._recent: deque[str] = deque(maxlen=max(0, int(_number("history", history, 0))))
        self._errors = 0
        self._stopped = False
        self.searches = 0
        self.failed_polls = 0

    # --- state --------------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        """True while the run has logging enabled and the tailer has not given up."""
        return self.query is not None and not self._stopped

    def update(self, job_run: Mapping[str, Any]) -> None:
        """Take newer job-run JSON into account (``timeFinished`` decides when :meth:`tail` ends)."""
        finished = _time_field(job_run, "timeFinished")
        if finished is not None:
            self._finished_ms = finished
        if self._start_ms is None:
            self._start_ms = _time_field(job_run, "timeAccepted", "timeStarted", "timeCreated")

    @property
    def finished(self) -> bool:
        """True once the job-run JSON seen so far has a ``timeFinished``."""
        return self._finished_ms is not None

    @property
    def tracked_ids(self) -> int:
        """How many record ids are remembered for deduplication (those inside the overlap)."""
        return len(self._seen)

    def last_lines(self, n: int) -> list[str]:
        """The messages of the newest ``n`` records returned so far (at most ``history``)."""
        return list(self._recent)[-n:] if n > 0 else []

    def position(self) -> dict[str, Any]:
        """Where this tailer is (JSON): the newest record time and the ids seen in the overlap
        window, so another tailer (a resumed task, a restarted trigger) continues after it."""
        return {"last_seen_ms": self._last_seen_ms, "seen": dict(self._seen)}

    def restore(self, position: Mapping[str, Any]) -> None:
        """Continue after ``position`` (from :meth:`position`): records it covers are not returned."""
        last = position.get("last_seen_ms")
        seen = position.get("seen")
        if last is not None and (isinstance(last, bool) or not isinstance(last, int)):
            raise ValueError(f"log position last_seen_ms: expected epoch milliseconds, got {last!r}")
        if not isinstance(seen, Mapping):
            raise ValueError(f"log position seen: expected an object of record ids, got {seen!r}")
        if last is not None and (self._last_seen_ms is None or last > self._last_seen_ms):
            self._last_seen_ms = last
        self._seen.update({str(k): int(v) for k, v in seen.items()})

    # --- polling ------------------------------------------------------------------------------

    def poll(self) -> list[LogRecord]:
        """Records not returned before, oldest first; ``[]`` when logging is off or on errors."""
        return self._poll()[0]

    def _window(self, now_ms: int) -> tuple[int, int]:
        start = self._start_ms if self._start_ms is not None else now_ms - self.overlap_ms
        if self._last_seen_ms is not None:
            start = max(start, self._last_seen_ms - self.overlap_ms)
        return start, now_ms

    def _poll(self) -> tuple[list[LogRecord], bool]:
        """(new records, whether the search succeeded)."""
        if not self.enabled:
            return [], False
        assert self.query is not None
        start, end = self._window(int(self.clock() * 1000))
        if end - start < 1:
            return [], True
        self.searches += 1
        try:
            found = search_logs(self.client, self.query, from_ms(start), from_ms(end), self.page_limit)
        except Exception as exc:
            self._failed(exc, start, end)
            return [], False
        if self._errors:
            self.log.info("Job run %s: reading its logs works again", self.job_run_id)
        self._errors = 0
        return self._accept(found, start), True

    def _accept(self, found: list[LogRecord], floor: int) -> list[LogRecord]:
        new: list[LogRecord] = []
        for record in found:
            ms = record.time_ms
            if ms < floor or record.id in self._seen:
                continue
            self._seen[record.id] = ms
            new.append(record)
        if new:
            newest = max(r.time_ms for r in new)
            if self._last_seen_ms is None or newest > self._last_seen_ms:
                self._last_seen_ms = newest
            self._recent.extend(r.message for r in new)
        if self._last_seen_ms is not None:
            cutoff = self._last_seen_ms - self.overlap_ms
            self._seen = {rid: ms for rid, ms in self._seen.items() if ms >= cutoff}
        return new

    def _failed(self, exc: Exception, start: int, end: int) -> None:
        self.failed_polls += 1
        self._errors += 1
        window = f"{rfc3339(start)} - {rfc3339(end)}"
        transient = isinstance(exc, TransportError) or (
            isinstance(exc, ServiceError) and exc.status not in _PERMANENT_STATUSES
        )
        if not transient:
            self._stopped = True
            self.log.warning(
                "Job run %s: cannot read its logs (%s: %s); no more log lines will be shown. "
                "The job run itself is not affected.",
                self.job_run_id,
                type(exc).__name__,
                exc,
            )
            return
        if self._errors >= self.max_consecutive_errors:
            self._stopped = True
            self.log.warning(
                "Job run %s: giving up on its logs after %d failed searches in a row (last: %s)",
                self.job_run_id,
                self._errors,
                exc,
            )
            return
        self.log.warning(
            "Job run %s: could not read its logs for %s (%s); will retry on the next poll",
            self.job_run_id,
            window,
            exc,
        )

    # --- the final tail -----------------------------------------------------------------------

    def tail(
        self, max_wait: float = 120.0, grace: float = 30.0, poll_interval: float = 5.0
    ) -> list[LogRecord]:
        """Poll until the log is complete after the run ended; returns the records found.

        Complete means: a successful search made at least ``grace`` seconds after the run's
        ``timeFinished`` (or after the tail began, when that is unknown) found nothing new,
        or was the first search of a run that ended earlier. Late records arriving within
        ``grace`` are therefore included. Never waits longer than ``max_wait``.

        :param max_wait: upper bound in seconds for the whole tail.
        :param grace: how long after the end the Logging service may still deliver records.
        :param poll_interval: seconds between searches.
        """
        max_wait = _number("max_wait", max_wait, 0)
        grace = _number("grace", grace, 0)
        poll_interval = _number("poll_interval", poll_interval, 0.001)
        out: list[LogRecord] = []
        began = self.clock()
        deadline = began + max_wait
        quiet_from = self._finished_ms / 1000 if self._finished_ms is not None else began
        while self.enabled:
            searched_before = self.searches > self.failed_polls
            polled_at = self.clock()
            new, ok = self._poll()
            out.extend(new)
            if ok and polled_at >= quiet_from + grace and (not new or not searched_before):
                break
            now = self.clock()
            if now >= deadline:
                if self.enabled:
                    self.log.warning(
                        "Job run %s: stopped waiting for late log records after %.0fs",
                        self.job_run_id,
                        max_wait,
                    )
                break
            wake = min(now + poll_interval, deadline)
            if now < quiet_from + grace:
                wake = min(wake, quiet_from + grace)
            self.sleep(max(0.0, wake - now))
        return out
