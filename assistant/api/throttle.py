"""Log lines that a flood of requests could repeat thousands of times a second (an unexpected error, a full
disk, no file descriptor left): at most one line per kind per interval, with the count of those not written.

A client that makes every request fail must not write 5.9 KB of traceback per request (issue 17: 352 a
second): the first occurrence of a kind is logged in full, the next ones within the interval only counted, and
the first one after it says how many there were. Memory is bounded: at most ``max_kinds`` kinds are tracked,
the oldest forgotten first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

INTERVAL_SECONDS = 60.0
MAX_KINDS = 256


class LogThrottle:
    def __init__(
        self,
        interval: float = INTERVAL_SECONDS,
        max_kinds: int = MAX_KINDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = interval
        self.max_kinds = max_kinds
        self._clock = clock
        self._kinds: OrderedDict[str, tuple[float, int]] = OrderedDict()  # kind → (last written, not written)
        self._lock = threading.Lock()

    def admit(self, kind: str) -> int | None:
        """None: do not write this one (it is counted). Else write it, mentioning the returned number of lines
        of this kind left out since the last one written."""
        now = self._clock()
        with self._lock:
            last, skipped = self._kinds.pop(kind, (None, 0))
            if last is not None and now - last < self.interval:
                self._kinds[kind] = (last, skipped + 1)
                return None
            self._kinds[kind] = (now, 0)
            while len(self._kinds) > self.max_kinds:
                self._kinds.popitem(last=False)
            return skipped

    def log(
        self, logger: logging.Logger, level: int, kind: str, message: str, *args: object, exc_info: bool = False
    ) -> bool:
        """Write ``message`` (with ``exc_info``) unless one of ``kind`` was written within the interval."""
        skipped = self.admit(kind)
        if skipped is None:
            return False
        if skipped:
            message += f" ({skipped} more like it since the last one logged)"
        logger.log(level, message, *args, exc_info=exc_info)
        return True
