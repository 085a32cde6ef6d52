"""The emulator's clock (real time, optionally advanced, or a manual clock moved by the control API)
and the time formats of the wire (RFC 3339 timestamps, HTTP dates)."""

from __future__ import annotations

import email.utils
import threading
import time
from datetime import datetime, timezone


class Clock:
    """Time as the emulator sees it, in epoch seconds.

    A real clock follows ``time.time()`` plus whatever :meth:`advance` added; a manual clock
    starts at the real time of its creation and moves only through :meth:`advance`. The
    ``speed`` factor does not warp timestamps: it divides the durations the emulator schedules
    (see :attr:`speed`), so times on the wire stay plausible.

    :param speed: durations of scheduled transitions are divided by this factor.
    :param manual: True for a clock that moves only when advanced.
    """

    def __init__(self, speed: float = 1.0, manual: bool = False) -> None:
        if speed <= 0:
            raise ValueError("speed must be > 0")
        self.speed = float(speed)
        self.manual = manual
        self._start = time.time()
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """The current emulator time."""
        base = self._start if self.manual else time.time()
        return base + self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (>= 0) and return the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += float(seconds)
        return self.now()

    def scaled(self, seconds: float) -> float:
        """A nominal duration divided by the speed factor."""
        return max(0.0, float(seconds)) / self.speed


def rfc3339(ts: float) -> str:
    """``2024-01-02T03:04:05.678Z``: UTC, milliseconds, ``Z``."""
    dt = datetime.fromtimestamp(ts, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_rfc3339(value: str) -> float:
    """Parse an RFC 3339 timestamp (``Z`` or offset, any fraction digits) to epoch seconds.

    :raises ValueError: when the value is not a timestamp.
    """
    if not isinstance(value, str) or "T" not in value:
        raise ValueError(f"not an RFC 3339 timestamp: {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    head, sep, tail = text.partition(".")
    if sep:  # normalise the fraction to 6 digits for fromisoformat on Python 3.10
        digits = ""
        rest = tail
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        text = f"{head}.{(digits + '000000')[:6]}{rest}"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no time zone")
    return dt.timestamp()


def http_date(ts: float) -> str:
    """An RFC 7231 date (``last-modified``)."""
    return email.utils.formatdate(ts, usegmt=True)
