"""The FastAPI app: settings and state, the lifespan, middleware, error handlers, one router per area, web/.

Routers: chat (/api/ask, /api/search), measures (/api/measures, /api/options), export (/api/export), health
(/api/health), feedback (/api/feedback, /staff/, /api/staff/*). They reach what they share through the
dependencies of :mod:`assistant.api.deps`.

The index loads once, in a background thread started by the lifespan, onto ``app.state``; until it is
loaded /api/health says "starting" (503) and the other endpoints answer 503 with a Japanese message.
Answering endpoints (ask, search, export) hand their work to the answering pool of :mod:`assistant.api.workload`,
which caps the work in flight; /api/health is ``async`` and touches no pool, so it answers under any load; the
light endpoints are plain ``def`` in FastAPI's thread pool. Everything requests share is read-only or per-thread
(the Sudachi tokenizer).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response

from assistant.api.connections import install_accept_log_throttle
from assistant.api.docs import add_docs, patch_openapi
from assistant.api.errors import install_error_handlers
from assistant.api.limits import BodyLimit, json_error
from assistant.api.reasons import public_reason
from assistant.api.reload import IndexWatcher
from assistant.api.routers import chat, health, measures
from assistant.api.routers.export import export_router
from assistant.api.routers.feedback import PublicFiles, install_feedback, open_feedback_store
from assistant.api.schemas import ErrorResponse
from assistant.api.throttle import LogThrottle
from assistant.api.workload import WorkLimiter
from assistant.config import Settings, get_settings
from assistant.domain import messages as msg
from assistant.ingest.storage import StorageError
from assistant.retrieval.embed import EmbedderError
from assistant.retrieval.index import IndexError_
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


def load_in_background(app: FastAPI, settings: Settings, *, build: bool = True) -> None:
    """Open the assistant (building the index if needed, unless ``build`` is False) without holding up the
    server's start."""

    def load() -> None:
        try:
            app.state.assistant = open_assistant(settings, build=build)
            log.info("index loaded: %s", app.state.assistant.index.manifest.build_id)
        except (IndexError_, StorageError, EmbedderError) as e:  # expected: one line, the fix in it
            log.error("could not load the index: %s", e)
            app.state.load_error = public_reason(e)  # what /api/health and 503s say: no server paths
        except Exception as e:  # reported by /api/health; the process stays up to say so
            log.exception("could not load the index")
            app.state.load_error = public_reason(e)

    threading.Thread(target=load, name="load-index", daemon=True).start()


def create_app(settings: Settings | None = None, assistant: Assistant | None = None, *, build: bool = True) -> FastAPI:
    """The app; pass ``assistant`` to serve an already opened one (tests), else it is opened at start-up.
    ``build=False`` (``assistant serve --no-build``): serve the index as it is, read-only, never building it."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_accept_log_throttle(asyncio.get_running_loop(), app.state.log_throttle)
        if app.state.assistant is None:
            load_in_background(app, settings, build=build)
        watcher = IndexWatcher(app, settings)  # a new build is swapped in without a restart (api/reload.py)
        app.state.index_watcher = watcher
        watcher.start()
        watcher.listen_for_sighup()
        with open_feedback_store(settings) as store:  # kept outside index/, closed at shutdown
            app.state.feedback_store = store
            yield
            app.state.feedback_store = None
        watcher.stop()
        app.state.limiter.close()

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
    app.state.settings = settings
    app.state.assistant = assistant
    app.state.load_error = None
    app.state.reload_error = None
    app.state.log_throttle = LogThrottle()  # lines a flood could repeat: one per kind and minute (api/throttle.py)
    app.state.limiter = WorkLimiter(
        settings.answer_workers, settings.answer_queue, settings.request_budget_seconds, settings.retry_after_seconds
    )
    install_feedback(app, settings)  # POST /api/feedback, /staff/, /api/staff/* (routers/feedback.py)
    install_middleware(app, settings)
    install_error_handlers(app)
    app.include_router(chat.router)
    app.include_router(measures.router)
    app.include_router(export_router(settings))
    app.include_router(health.router)
    mount_web(app, Path(settings.web_dir))
    add_docs(app)
    patch_openapi(app, settings)
    return app


def install_middleware(app: FastAPI, settings: Settings) -> None:
    # Inside `guard` (added after it), so its refusals get the security headers and the log line too.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    throttle = app.state.log_throttle

    @app.middleware("http")
    async def guard(request: Request, call_next):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        length = request.headers.get("content-length")
        try:
            response: Response = await call_next(request)
        except Exception as e:  # never a stack trace in a response, one in the log per kind and minute
            kind = f"{type(e).__name__} {request.method} {request.url.path[:100]}"
            throttle.log(log, logging.ERROR, kind, "unhandled error on %s", kind, exc_info=True)
            response = json_error(500, "internal", msg.ERR_INTERNAL)
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


def mount_web(app: FastAPI, web_dir: Path) -> None:
    """The chat page at / and web/ at /static/ (without web/staff/, which only the staff routes serve)."""

    @app.get("/", include_in_schema=False)
    def index_page() -> FileResponse:
        return FileResponse(web_dir / "index.html", media_type="text/html; charset=utf-8")

    if web_dir.is_dir():
        app.mount("/static", PublicFiles(directory=web_dir), name="static")
