"""A per-client token bucket for /api/feedback, held in memory only and bounded in size.

Clients are keyed by their address, which is never stored or logged: it lives in this dict for as long as
the bucket is among the ``max_clients`` most recently seen, then it is forgotten. When the dict is full
the least recently seen client is dropped (it starts again with a full bucket), so a flood of addresses
costs at most ``max_clients`` small entries.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        per_minute: float,
        burst: int,
        max_clients: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0  # tokens per second
        self.burst = float(burst)
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tokens, last seen)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def acquire(self, key: str) -> float:
        """Take one token for ``key``: 0.0 if allowed, else the seconds until the next token."""
        return self._take(key, 1.0)

    def wait(self, key: str) -> float:
        """The seconds until ``key`` has a token (0.0: it has one now), taking none: a client that used up its
        wrong staff tokens is refused before its next one is even compared."""
        return self._take(key, 0.0)

    def _take(self, key: str, cost: float) -> float:
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= cost
            else:
                wait = (1.0 - tokens) / self.rate if self.rate > 0 else float("inf")
            self._buckets[key] = (tokens, now)  # re-inserted last: most recently seen
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return wait
