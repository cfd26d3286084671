"""How many connections `assistant serve` holds at once, and the log line of a refused accept.

Every connection holds a file descriptor; so do the index files, SQLite, the logs and the files served. A server
that lets connections take them all fails everywhere at once (issue 17: 10,218 tracebacks in seconds when the
descriptors ran out). uvicorn's ``limit_concurrency`` answers 503 beyond a number of connections; it is set from
``ASSISTANT_MAX_CONNECTIONS`` and never above the process's open-file limit less what the process needs besides.
When the kernel still refuses an accept (EMFILE/ENFILE), asyncio reports it through the loop's exception handler
once per failed accept; :func:`install_accept_log_throttle` writes that at most once a minute, with a count.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
from typing import Any

from assistant.api.throttle import LogThrottle
from assistant.domain import messages as msg

log = logging.getLogger("assistant.api")
# Descriptors the process needs besides connections: the index files (corpus, FAISS, BM25), SQLite and its WAL,
# the log, files being served, the embedder's files, the listening socket. Measured at ~40 open after a load
# (ls /proc/PID/fd); 128 leaves room for a hot swap, which opens a second build beside the first.
RESERVED_FDS = 128


def open_file_limit() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


def connection_limit(wanted: int, nofile: int | None = None) -> int:
    """``wanted`` connections, or fewer when the open-file limit cannot hold them beside RESERVED_FDS."""
    nofile = open_file_limit() if nofile is None else nofile
    room = max(1, nofile - RESERVED_FDS)
    if wanted > room:
        log.warning(
            "ASSISTANT_MAX_CONNECTIONS=%d is above what the open-file limit (%d) allows; using %d "
            "(raise the limit with ulimit -n or LimitNOFILE= to hold more)",
            wanted,
            nofile,
            room,
        )
    return min(wanted, room)


CONNECTIONS_THROTTLE = LogThrottle()  # one line a minute for refused connections, whichever protocol refuses


def _busy_response() -> bytes:
    body = json.dumps(
        {"error": {"code": "too_many_connections", "message": msg.ERR_BUSY, "detail": "too many connections"}},
        ensure_ascii=False,
    ).encode("utf-8")
    head = (
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n"
        f"connection: close\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


def refuse_connection(transport: asyncio.BaseTransport, open_connections: int) -> None:
    """Answer 503 on a connection past the limit and close it (the client need not send its request first)."""
    CONNECTIONS_THROTTLE.log(
        log, logging.WARNING, "too_many_connections", "connection refused: %d open", open_connections
    )
    if isinstance(transport, asyncio.WriteTransport):
        transport.write(_BUSY_RESPONSE)
    transport.close()


def install_accept_log_throttle(loop: asyncio.AbstractEventLoop, throttle: LogThrottle) -> None:
    """The loop's errors (an accept refused for lack of descriptors among them) at most once a minute per kind."""

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        message = str(context.get("message", "event loop error"))
        exc = context.get("exception")
        kind = f"loop {message[:80]} {type(exc).__name__ if exc else ''}"
        throttle.log(log, logging.ERROR, kind, "%s: %s", message, exc or "", exc_info=False)

    loop.set_exception_handler(handler)


_BUSY_RESPONSE = _busy_response()
