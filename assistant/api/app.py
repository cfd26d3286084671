"""The FastAPI service: /api/ask, /api/search, /api/measures, /api/options, /api/health, and web/ at /.
Feedback (/api/feedback) and the staff review (/staff/, /api/staff/*) are routers in feedback_api.py.

The index loads once, in a background thread started by the lifespan, onto ``app.state``; until it is
loaded /api/health says "starting" (503) and the other endpoints answer 503 with a Japanese message.
Answering endpoints (ask, search, export) hand their work to the answering pool of :mod:`assistant.api.workload`,
which caps the work in flight; /api/health is ``async`` and touches no pool, so it answers under any load; the
light endpoints are plain ``def`` in FastAPI's thread pool. Everything requests share is read-only or per-thread
(the Sudachi tokenizer).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.answer import Turn, answer
from assistant.api.docs import add_docs, patch_openapi
from assistant.api.limits import BodyLimit, json_error, limits_out
from assistant.api.schemas import (
    AskRequest,
    AskResponse,
    ErrorResponse,
    FiltersIn,
    HealthResponse,
    MeasureDetail,
    MeasuresResponse,
    OptionsResponse,
    SearchRequest,
    SearchResponse,
    ask_response,
    filters_out,
    search_response,
)
from assistant.api.views import export_rows, measure_detail, measures_overview, options, to_csv
from assistant.api.workload import Overloaded, WorkLimiter
from assistant.config import Settings, get_settings
from assistant.domain import messages as msg
from assistant.domain.notices import Notice, collecting, ordered
from assistant.ingest.storage import StorageError
from assistant.retrieval.embed import EmbedderError
from assistant.retrieval.index import IndexError_
from assistant.retrieval.search import FilterError, Filters
from assistant.service import Assistant, open_assistant

log = logging.getLogger("assistant.api")

SECURITY_HEADERS = {
    # No inline script or style, nothing from elsewhere: the page works offline and injected markup is inert.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        detail: str | None = None,
        field: str | None = None,
        allowed: list[str] | None = None,
    ) -> None:
        super().__init__(detail or message)
        self.status, self.code, self.message, self.detail = status, code, message, detail
        self.field, self.allowed = field, allowed


_error = json_error


def _json(model: BaseModel) -> Response:
    """A response model serialised where it was made (the answering pool), not on the event loop."""
    return Response(model.model_dump_json(), media_type="application/json")


def clean_text(text: str) -> str:
    """Control characters and lone surrogates carry no meaning in a question and upset the C/Rust code below
    (NUL, \\ud800 from JSON escapes): each becomes a space."""
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    """The app; pass ``assistant`` to serve an already opened one (tests), else it is opened at start-up."""
    settings = settings or get_settings()
    # Imported here: the feedback routers reuse ApiError and clean_text from this module.
    from assistant.feedback.api import PublicFiles, feedback_options, install_feedback, open_feedback_store

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.assistant is None:

            def load() -> None:
                try:
                    app.state.assistant = open_assistant(settings, build=True)
                    log.info("index loaded: %s", app.state.assistant.index.manifest.build_id)
                except (IndexError_, StorageError, EmbedderError) as e:  # expected: one line, the fix in it
                    log.error("could not load the index: %s", e)
                    app.state.load_error = str(e)
                except Exception as e:  # reported by /api/health; the process stays up to say so
                    log.exception("could not load the index")
                    app.state.load_error = str(e)

            threading.Thread(target=load, name="load-index", daemon=True).start()
        with open_feedback_store(settings) as store:  # feedback.py: kept outside index/, closed at shutdown
            app.state.feedback_store = store
            yield
            app.state.feedback_store = None
        limiter.close()

    app = FastAPI(
        title="防犯施策アシスタント API",
        description="Questions about the City of Koganei's crime-prevention activities, answered with citations.",
        version="1",
        lifespan=lifespan,
        responses={
            400: {"model": ErrorResponse},
            413: {"model": ErrorResponse},
            422: {"model": ErrorResponse},
            503: {"model": ErrorResponse},
        },
        docs_url=None,
        redoc_url=None,
    )
    app.state.assistant = assistant
    app.state.load_error = None
    web_dir = Path(settings.web_dir)
    limiter = app.state.limiter = WorkLimiter(
        settings.answer_workers, settings.answer_queue, settings.request_budget_seconds, settings.retry_after_seconds
    )
    install_feedback(app, settings)  # POST /api/feedback, /staff/, /api/staff/* (feedback_api.py)

    def ready(request: Request) -> Assistant:
        a: Assistant | None = request.app.state.assistant
        if a is None:
            raise ApiError(503, "not_ready", msg.ERR_NOT_READY, request.app.state.load_error or "index loading")
        return a

    def check_question(question: str) -> str:
        if not question or not question.strip():
            raise ApiError(422, "empty_question", msg.ERR_EMPTY_QUESTION, "question is empty", field="question")
        limit = settings.max_question_chars
        if len(question) > limit:
            raise ApiError(
                422,
                "question_too_long",
                msg.ERR_QUESTION_TOO_LONG.format(limit=limit),
                f"question has {len(question)} characters; the limit is {limit}",
                field="question",
            )
        return clean_text(question)

    def to_filters(a: Assistant, f: FiltersIn | None) -> Filters:
        if f is None:
            return Filters()
        filters = Filters(tuple(f.years), tuple(f.departments), tuple(f.sections), tuple(f.measure_ids))
        try:
            return a.searcher.validate(filters)
        except FilterError as e:
            raise ApiError(
                422,
                "unknown_filter",
                msg.ERR_UNKNOWN_FILTER.format(value="、".join(e.values), allowed="、".join(e.allowed[:30])),
                str(e),
                field=f"filters.{e.field_name}",
                allowed=e.allowed,
            ) from None

    # ---- middleware and errors --------------------------------------------------------------------

    # Inside `guard` (added after it), so its refusals get the security headers and the log line too.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        started = time.perf_counter()
        length = request.headers.get("content-length")
        try:
            response: Response = await call_next(request)
        except Exception:  # never a stack trace in a response
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            response = _error(500, "internal", msg.ERR_INTERNAL)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        # One key=value line per request; never the question itself (citizens' words stay out of logs).
        log.info(
            "request method=%s path=%s status=%d duration_ms=%.1f bytes_in=%s",
            request.method,
            request.url.path[:200],
            response.status_code,
            1000 * (time.perf_counter() - started),
            (length or "0")[:20],
        )
        return response

    @app.exception_handler(ApiError)
    async def api_error(_: Request, e: ApiError) -> JSONResponse:
        extra = {k: v for k, v in (("field", e.field), ("allowed", e.allowed)) if v is not None}
        return _error(e.status, e.code, e.message, e.detail, **extra)

    @app.exception_handler(Overloaded)
    async def overloaded(_: Request, e: Overloaded) -> JSONResponse:
        headers = {"Retry-After": str(e.retry_after)}
        return _error(503, e.reason.value, msg.ERR_BUSY, f"{e.reason.value}; retry after {e.retry_after} s", headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        errors = e.errors()
        if any(err.get("type") == "json_invalid" for err in errors):
            return _error(400, "malformed_json", msg.ERR_BAD_REQUEST, "the body is not valid JSON")
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        detail = f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid"))
        return _error(422, "invalid_request", msg.ERR_BAD_REQUEST, detail, field=where or None)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, e: StarletteHTTPException) -> JSONResponse:
        if e.status_code == 404:
            return _error(404, "not_found", msg.ERR_NOT_FOUND, str(e.detail))
        if e.status_code == 405:  # with the Allow header Starlette's router put on the exception
            return _error(405, "method_not_allowed", msg.ERR_METHOD, str(e.detail), dict(e.headers or {}))
        return _error(e.status_code, "bad_request", msg.ERR_BAD_REQUEST, str(e.detail))

    # ---- API ----------------------------------------------------------------------------------------

    @app.post("/api/ask", response_model=AskResponse, tags=["chat"])
    async def ask(body: AskRequest, request: Request) -> Response:
        """Answer a question from the reports, with citations. Send earlier turns in ``history``."""
        a = ready(request)
        question = check_question(body.question)
        history = [Turn(t.role, clean_text(t.content[: settings.max_question_chars])) for t in body.history][
            -2 * settings.max_history_turns :
        ]

        def work() -> Response:
            with collecting() as found:
                result = answer(a.context, question, history, to_filters(a, body.filters))
                out = ask_response(result, a.searcher.corpus.fiscal_years)
            out.notices = ordered([*result.result.notices, *found])
            if Notice.QUESTION_TRUNCATED in out.notices:
                out.notes.append(msg.NOTE_QUESTION_TRUNCATED)
            return _json(out)

        return await limiter.run(work)

    @app.post("/api/search", response_model=SearchResponse, tags=["search"])
    async def search(body: SearchRequest, request: Request) -> Response:
        """Ranked activity bullets; years and departments named in the question become filters."""
        a = ready(request)
        question = check_question(body.question)

        def work() -> Response:
            with collecting() as found:
                result = a.searcher.search(question, top_k=body.top_k, filters=to_filters(a, body.filters))
                out = search_response(result, a.searcher.corpus.fiscal_years)
            out.notices = ordered([*result.notices, *found])
            return _json(out)

        return await limiter.run(work)

    @app.get("/api/measures", response_model=MeasuresResponse, tags=["measures"])
    def measures(request: Request) -> MeasuresResponse:
        """Every measure, grouped by section."""
        return measures_overview(ready(request).searcher.corpus)

    @app.get(
        "/api/measures/{measure_id}",
        response_model=MeasureDetail,
        tags=["measures"],
        responses={404: {"model": ErrorResponse, "description": "no measure with this id"}},
    )
    def measure(measure_id: str, request: Request) -> MeasureDetail:
        """One measure with every fiscal year side by side; years with no report are gaps."""
        a = ready(request)
        if not a.searcher.corpus.has_measure(measure_id):
            raise ApiError(404, "unknown_measure", msg.ERR_NOT_FOUND, f"no measure {measure_id!r}")
        return measure_detail(a.searcher.corpus, measure_id, a.insights)

    @app.get(
        "/api/export",
        tags=["measures"],
        responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
    )
    async def export(
        request: Request,
        format: Literal["csv", "json"] = "csv",
        # A default, not Annotated: the limit comes from this app's settings, and annotations are strings here.
        q: str | None = Query(default=None, max_length=settings.max_question_chars),
        years: Annotated[list[int], Query()] = [],  # noqa: B006 - FastAPI reads the default, never mutates it
        departments: Annotated[list[str], Query()] = [],  # noqa: B006
        sections: Annotated[list[int], Query()] = [],  # noqa: B006
        measure_ids: Annotated[list[str], Query()] = [],  # noqa: B006
    ) -> Response:
        """Download bullets with their citation fields as CSV (UTF-8 with BOM, for Excel) or JSON.

        With ``q``: the search hits for it (every year of each hit); without: every bullet the filters allow.
        """
        a = ready(request)
        try:
            given = FiltersIn(years=years, departments=departments, sections=sections, measure_ids=measure_ids)
        except ValidationError as e:
            raise ApiError(422, "invalid_request", msg.ERR_BAD_REQUEST, str(e.errors()[0]["msg"])) from None
        question = check_question(q) if q is not None and q.strip() else None
        return await limiter.run(lambda: export_body(a, given, question, format))

    def export_body(a: Assistant, given: FiltersIn, question: str | None, format: str) -> Response:
        filters = to_filters(a, given)
        if question is not None:
            result = a.searcher.search(question, top_k=settings.max_top_k, filters=filters)
            ids = [i for h in result.hits for i in reversed(h.bullet_ids)]
        else:
            keep = a.searcher.mask(filters)
            ids = [i for i in range(len(a.searcher.corpus.bullets)) if keep is None or keep[i]]
        rows = export_rows(a.searcher.corpus, a.insights, ids)
        if format == "json":
            body = json.dumps(
                {"filters": filters_out(filters).model_dump(), "rows": rows}, ensure_ascii=False, indent=1
            )
            return Response(
                body.encode("utf-8"),
                media_type="application/json; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="bouhan-export.json"'},
            )
        return Response(
            to_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="bouhan-export.csv"'},
        )

    @app.get("/api/options", response_model=OptionsResponse, tags=["measures"])
    def list_options(request: Request) -> OptionsResponse:
        """Fiscal years, departments and sections for the staff filters, example questions, the limits, and whether
        feedback is on."""
        out = options(ready(request).searcher.corpus, settings.max_question_chars, settings.max_history_turns)
        out.limits = limits_out(settings)
        return out.model_copy(update={"feedback": feedback_options(settings, request.app.state.feedback_store)})

    @app.get("/api/health", response_model=HealthResponse, tags=["operations"])
    async def health(request: Request) -> JSONResponse:
        """Ready once the index is loaded (200); 503 while starting or if loading failed.

        ``async`` and pool-free on purpose: a monitor must see the service up while answering work is saturated.
        """
        a: Assistant | None = request.app.state.assistant
        if a is None:
            err = request.app.state.load_error
            body = HealthResponse(status="error" if err else "starting", ready=False, error=err)
            return JSONResponse(status_code=503, content=body.model_dump())
        m = a.index.manifest
        body = HealthResponse(
            status="ok",
            ready=True,
            embedder=m.embedder,
            build_id=m.build_id,
            documents=m.documents,
            measures=m.measures,
            bullets=m.bullets,
            fiscal_years=m.fiscal_years,
            data_error=a.data_error,
        )
        return JSONResponse(content=body.model_dump())

    # ---- web UI -------------------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def index_page() -> FileResponse:
        return FileResponse(web_dir / "index.html", media_type="text/html; charset=utf-8")

    if web_dir.is_dir():
        app.mount("/static", PublicFiles(directory=web_dir), name="static")  # without web/staff/
    add_docs(app)
    patch_openapi(app, settings)
    return app
