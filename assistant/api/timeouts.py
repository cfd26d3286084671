"""Bounded time for a client to send its request: uvicorn's h11 protocol with header and body deadlines.

uvicorn closes an idle keep-alive connection (``timeout_keep_alive``) but waits forever for a request that is
being sent: 200 connections that each sent half a header line stay open for good, and a request whose body stops
halfway holds its answering worker in ``receive()``. This protocol gives the request line and headers, and then
the body, each a deadline; past it the connection is closed. A closed connection mid-body reaches the app as
``http.disconnect``, which the body limit (limits.py) turns into an ended request. Behind a reverse proxy the
proxy should enforce the same (README, Deployment); this keeps the app safe without one.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from assistant.api.connections import refuse_connection

log = logging.getLogger("assistant.api")


class TimedH11Protocol(H11Protocol):
    """H11Protocol whose request headers must arrive within ``header_timeout`` seconds of the first byte (or of
    the connection), and whose body within ``body_timeout`` seconds of the headers."""

    header_timeout: float = 10.0
    body_timeout: float = 10.0
    max_connections: int | None = None  # past it a new connection gets 503 and is closed at once

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_for: str = ""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.max_connections is not None and len(self.connections) > self.max_connections:
            # uvicorn's limit_concurrency only answers 503 once a request is complete, and holds the connection
            # (its descriptor) until then: a slow client past the limit would still take one. Refused here, the
            # descriptor is given back at once (api/connections.py).
            refuse_connection(transport, len(self.connections))
            return
        self._arm("headers", self.header_timeout)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow_state()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm()  # uvicorn's keep-alive timer watches the idle connection now
        self._follow_state()  # a pipelined request may already be half here

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _follow_state(self) -> None:
        """Arm the deadline of what the client still owes: headers (IDLE with bytes waiting), or its body."""
        if self.transport.is_closing():
            return
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            if self._waiting_for != "body":
                self._arm("body", self.body_timeout)
        elif state is h11.IDLE and self.conn.trailing_data[0]:
            if self._waiting_for != "headers":
                self._arm("headers", self.header_timeout)
        elif self._waiting_for:
            self._disarm()

    def _arm(self, what: str, seconds: float) -> None:
        self._disarm()
        self._waiting_for = what
        self._deadline = self.loop.call_later(seconds, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline, self._waiting_for = None, ""

    def _expire(self) -> None:
        what = self._waiting_for
        self._deadline, self._waiting_for = None, ""
        if not self.transport.is_closing():
            log.info("request event=timeout waiting_for=%s", what)
            self.transport.close()


def timed_protocol(
    header_timeout: float, body_timeout: float, max_connections: int | None = None
) -> type[TimedH11Protocol]:
    """The protocol class with these deadlines and connection limit, for ``uvicorn.run(http=…)``."""
    return type(
        "ConfiguredTimedH11Protocol",
        (TimedH11Protocol,),
        {"header_timeout": header_timeout, "body_timeout": body_timeout, "max_connections": max_connections},
    )
