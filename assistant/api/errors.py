"""Errors as the API answers them: one JSON shape (``{"error": {code, message, detail, …}}``), Japanese messages
for people and precise details for staff, never a stack trace."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.api.limits import json_error
from assistant.api.workload import Overloaded
from assistant.domain import messages as msg


class ApiError(Exception):
    """An answer other than 200 that a handler decides on; ``headers`` go on the response (WWW-Authenticate)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        detail: str | None = None,
        field: str | None = None,
        allowed: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or message)
        self.status, self.code, self.message, self.detail = status, code, message, detail
        self.field, self.allowed, self.headers = field, allowed, headers or {}


def install_error_handlers(app: FastAPI) -> None:
    """Every error the app raises, or that FastAPI and Starlette raise for it, in the one JSON shape."""

    @app.exception_handler(ApiError)
    async def api_error(_: Request, e: ApiError) -> JSONResponse:
        extra: dict[str, object] = {k: v for k, v in (("field", e.field), ("allowed", e.allowed)) if v is not None}
        response = json_error(e.status, e.code, e.message, e.detail, None, **extra)
        response.headers.update(e.headers)
        return response

    @app.exception_handler(Overloaded)
    async def overloaded(_: Request, e: Overloaded) -> JSONResponse:
        headers = {"Retry-After": str(e.retry_after)}
        return json_error(
            503, e.reason.value, msg.ERR_BUSY, f"{e.reason.value}; retry after {e.retry_after} s", headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        errors = e.errors()
        if any(err.get("type") == "json_invalid" for err in errors):
            return json_error(400, "malformed_json", msg.ERR_BAD_REQUEST, "the body is not valid JSON")
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        detail = f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid"))
        return json_error(422, "invalid_request", msg.ERR_BAD_REQUEST, detail, field=where or None)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, e: StarletteHTTPException) -> JSONResponse:
        if e.status_code == 404:
            return json_error(404, "not_found", msg.ERR_NOT_FOUND, str(e.detail))
        if e.status_code == 405:  # with the Allow header Starlette's router put on the exception
            return json_error(405, "method_not_allowed", msg.ERR_METHOD, str(e.detail), dict(e.headers or {}))
        return json_error(e.status_code, "bad_request", msg.ERR_BAD_REQUEST, str(e.detail))
