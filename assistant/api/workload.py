"""Cap the answering work in flight, queue a little, refuse the rest quickly, and give each request a time budget.

Answering (search, answer, export of a search) runs on a small pool of its own instead of the server's shared
thread pool: at most ``workers`` requests compute at once, up to ``queue`` more wait, and beyond that a request is
refused at once with 503 and ``Retry-After``. A request that has not finished within its budget (counted from its
arrival, so waiting counts) gets 503 too; if it had not started it never does. Everything else (health, options,
static files) never waits behind answering work.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")


class Overload(StrEnum):
    QUEUE_FULL = "busy"  # more requests than workers + queue: refused without waiting
    OVER_BUDGET = "over_budget"  # not answered within the time budget


class Overloaded(Exception):
    def __init__(self, reason: Overload, retry_after: int) -> None:
        super().__init__(reason.value)
        self.reason, self.retry_after = reason, retry_after


class WorkLimiter:
    """Admission control in front of a dedicated thread pool. Used from the event loop only (no lock needed:
    ``admitted`` changes on the loop's thread, the pool's callbacks hop back onto it)."""

    def __init__(self, workers: int, queue: int, budget_seconds: float, retry_after: int) -> None:
        self.workers, self.capacity = workers, workers + queue
        self.budget, self.retry_after = budget_seconds, retry_after
        self.admitted = 0
        self._pool: ThreadPoolExecutor | None = None

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:  # made on first use: most apps made in tests never answer
            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="answer")
        return self._pool

    async def run(self, fn: Callable[[], T]) -> T:
        """``fn()`` on the answering pool, in a copy of the caller's context; raises :class:`Overloaded`."""
        if self.admitted >= self.capacity:
            raise Overloaded(Overload.QUEUE_FULL, self.retry_after)
        loop = asyncio.get_running_loop()
        self.admitted += 1
        future: Future[T] = self._executor().submit(contextvars.copy_context().run, fn)

        def release(_: Future[T]) -> None:
            # The slot is held until the work really ends, even when its client was already told 503.
            with contextlib.suppress(RuntimeError):  # a closed loop: the server is shutting down
                loop.call_soon_threadsafe(self._release)

        future.add_done_callback(release)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.budget)
        except TimeoutError:
            future.cancel()  # still queued: it never runs
            raise Overloaded(Overload.OVER_BUDGET, self.retry_after) from None

    def _release(self) -> None:
        self.admitted -= 1

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
