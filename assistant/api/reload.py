"""A new index without a restart: the running server notices a new build and swaps it in between requests.

`assistant ingest` (here or on another machine sharing index/) writes a complete build and then replaces the
pointer ``index/CURRENT`` atomically. A thread of the server reads that pointer every
``ASSISTANT_INDEX_CHECK_SECONDS`` (and at once on SIGHUP); when it names another build, the thread loads and
verifies it beside the one being served (:func:`assistant.service.reopen_assistant`) and then replaces
``app.state.assistant`` in one assignment. A request takes the assistant once, when it starts
(``Depends(get_assistant)``), so requests in flight finish on the old build and the next ones get the new one;
the old build is freed when the last of them ends. A build that fails verification is never swapped in: the old
one keeps serving, /api/health says why (``reload_error``), and that build is not tried again until the
pointer changes. A server that could not load any index at start (none built yet) loads the first one the
same way.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from dataclasses import dataclass

from fastapi import FastAPI

from assistant.api.reasons import reason_code, without_paths
from assistant.config import Settings
from assistant.ingest.storage import StorageError
from assistant.retrieval.embed import EmbedderError
from assistant.retrieval.index import IndexError_, current_build
from assistant.service import Assistant, open_assistant, reopen_assistant

log = logging.getLogger("assistant.reload")


@dataclass(frozen=True)
class Swap:
    """One swap, for the log and the tests: from which build to which, and how long loading took."""

    old: str | None
    new: str
    load_seconds: float


class IndexWatcher:
    def __init__(self, app: FastAPI, settings: Settings) -> None:
        self._app, self._settings = app, settings
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._refused: str | None = None  # the build that failed verification: not retried until CURRENT moves
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._settings.index_check_seconds <= 0:
            return
        self._thread = threading.Thread(target=self._run, name="index-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def wake(self) -> None:
        """Check now (SIGHUP)."""
        self._wake.set()

    def listen_for_sighup(self) -> None:
        """SIGHUP checks the pointer at once. Only where the event loop runs in the main thread (the real
        server); an in-process test client has none, and relies on the periodic check or ``check()``."""
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.wake)
        except (RuntimeError, ValueError, NotImplementedError):
            log.debug("SIGHUP not available here; the index pointer is checked periodically")

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._settings.index_check_seconds)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.check()
            except Exception:  # never let the watcher die: the next check tries again
                log.exception("index check failed")

    def pointed_build(self) -> str | None:
        build = current_build(self._settings.index_dir)
        return build.name if build is not None else None

    def check(self) -> Swap | None:
        """Swap in the build CURRENT names if it is new and verifies; the swap, or None."""
        state = self._app.state
        served: Assistant | None = state.assistant
        if served is None and state.load_error is None:
            return None  # the first load is still running
        pointed = self.pointed_build()
        old = served.index.manifest.build_id if served is not None else None
        if pointed is None or pointed == old or pointed == self._refused:
            return None
        started = time.perf_counter()
        try:
            fresh = reopen_assistant(served) if served is not None else open_assistant(self._settings, build=False)
        except (IndexError_, StorageError, EmbedderError, OSError) as e:
            self._refused = pointed
            log.error("index build %s was not loaded: %s; still serving %s", pointed, e, old)
            # /api/health shows the reason without the server's paths (the log line above has them).
            state.reload_error = f"{reason_code(e)}: index build {pointed} was not loaded: {without_paths(str(e))}"
            return None
        swap = Swap(old, fresh.index.manifest.build_id, time.perf_counter() - started)
        state.assistant, state.load_error, state.reload_error = fresh, None, None  # between requests
        self._refused = None
        log.info("index swapped: %s -> %s (loaded in %.2f s)", swap.old, swap.new, swap.load_seconds)
        return swap
