"""The emulator's clock: real time (optionally advanced) or a manual clock moved by the control API."""

from __future__ import annotations

import threading
import time


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
