"""The request body limit, enforced on the bytes actually received, and the limits served to the browser.

The limit used to be checked on ``Content-Length`` alone: a request sending ``Transfer-Encoding: chunked`` with a
small ``Content-Length`` had its whole chunked body read and parsed (9 MB was; three 50 MB bodies took the server
from 416 to 2,857 MiB). :class:`BodyLimit` is a pure ASGI middleware that

* refuses conflicting framing (both ``Transfer-Encoding`` and ``Content-Length``, or two different lengths) with
  400: a proxy and this server could disagree on where the body ends (request smuggling);
* refuses a declared ``Content-Length`` over the limit with 413 before reading anything;
* counts the body bytes as they arrive and, once past the limit, answers 413 and tells the app the client is
  gone, so nothing more is read or parsed. ``Connection: close`` makes the server drop the unread rest.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.datastructures import Headers

from assistant.config import Settings
from assistant.domain import messages as msg

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def json_error(
    status: int,
    code: str,
    message: str,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: object,
) -> JSONResponse:
    """The one error shape of the API: ``{"error": {"code", "message" (日本語), "detail", ...}}``."""
    body = {"error": {"code": code, "message": message, "detail": detail, **extra}}
    return JSONResponse(status_code=status, content=body, headers=headers)


def framing_error(headers: Headers, max_bytes: int) -> JSONResponse | None:
    """The response refusing the request from its headers alone, or None if its body may be read."""
    lengths = headers.getlist("content-length")
    if lengths and "transfer-encoding" in headers:
        detail = "both Transfer-Encoding and Content-Length were sent; send one"
        return json_error(400, "conflicting_framing", msg.ERR_BAD_REQUEST, detail, {"Connection": "close"})
    if len(set(lengths)) > 1 or any(not v.strip().isdigit() for v in lengths):
        detail = "Content-Length must be one decimal number"
        return json_error(400, "bad_content_length", msg.ERR_BAD_REQUEST, detail, {"Connection": "close"})
    if lengths and int(lengths[0]) > max_bytes:
        return too_large(max_bytes)
    return None


def too_large(max_bytes: int) -> JSONResponse:
    return json_error(413, "too_large", msg.ERR_TOO_LARGE, f"body over {max_bytes} bytes", {"Connection": "close"})


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = framing_error(Headers(scope=scope), self.max_bytes)
        if refused is not None:
            await refused(scope, receive, send)
            return
        received = 0
        started = refused_late = False

        async def counted_receive() -> Message:
            nonlocal received, started, refused_late
            if refused_late:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes and not started:
                    started = refused_late = True
                    await too_large(self.max_bytes)(scope, receive, send)
                    # The app sees a client that went away: it stops reading and parsing.
                    return {"type": "http.disconnect"}
            return message

        async def app_send(message: Message) -> None:
            nonlocal started
            if refused_late:  # the 413 is the response; what the app says about the "disconnect" is dropped
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counted_receive, app_send)


class LimitsOut(BaseModel):
    """The limits of one request, from the settings; the browser reads them from /api/options."""

    max_question_chars: int = Field(description="longer questions are refused with 422")
    max_history_turns: int = Field(description="earlier question/answer pairs the server reads from history")
    max_turn_chars: int = Field(description="characters of one earlier turn sent back in history")
    max_top_k: int = Field(description="hits one search returns at most")
    max_body_bytes: int = Field(description="larger request bodies are refused with 413")
    max_query_tokens: int = Field(description="query tokens BM25 reads; the rest of a long question is not searched")
    max_embed_tokens: int = Field(description="query tokens the embedder reads")
    answer_workers: int = Field(description="answers computed at once")
    answer_queue: int = Field(description="answers waiting beyond those; more get 503 with Retry-After")
    request_budget_seconds: float = Field(description="an answer not ready by then gets 503 with Retry-After")


def limits_out(settings: Settings) -> LimitsOut:
    return LimitsOut(**{name: getattr(settings, name) for name in LimitsOut.model_fields})
