"""POST /api/feedback and the staff review (/staff/, /api/staff/*), as routers that create_app includes.

The store is opened by the app's lifespan (``open_feedback_store``) and reached through ``Depends``; so are
the settings and the staff check. Only what the user sent is stored: the client address is used for the
in-memory rate limit and nowhere else, and no header, cookie or address reaches the store or a log line.
"""

from __future__ import annotations

import hmac
import logging
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BeforeValidator
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.api.deps import SettingsDep, clean_text, get_settings
from assistant.api.errors import ApiError
from assistant.api.limits import json_error
from assistant.api.throttle import LogThrottle
from assistant.config import Settings, feedback_target
from assistant.domain import messages as msg
from assistant.feedback.export import to_csv, to_json
from assistant.feedback.ratelimit import RateLimiter
from assistant.feedback.schemas import (
    FeedbackAck,
    FeedbackIn,
    FeedbackItemOut,
    FeedbackOptionsOut,
    FeedbackPage,
    FeedbackStatsOut,
    HandledIn,
    item_out,
    stats_out,
)
from assistant.feedback.store import (
    JST,
    Coverage,
    DailyCapReached,
    FeedbackQuery,
    FeedbackStore,
    NewFeedback,
    Rating,
    StoreError,
    StoreFull,
    StoreUnavailable,
    now_jst,
)

log = logging.getLogger("assistant.feedback")
STAFF_FILES = {"": ("index.html", "text/html"), "staff.js": ("staff.js", "text/javascript"),
               "staff.css": ("staff.css", "text/css")}  # fmt: skip
NO_STORE = {"Cache-Control": "no-store"}


# ---- wiring: lifespan store, static files, include ------------------------------------------------


def staff_token(settings: Settings) -> str | None:
    """The configured token, or None (staff pages off) when unset or too short to be a secret."""
    value = settings.staff_token.get_secret_value() if settings.staff_token is not None else ""
    return value if len(value) >= settings.staff_token_min_chars else None


@contextmanager
def open_feedback_store(settings: Settings) -> Iterator[FeedbackStore | None]:
    """The store for the app's lifetime; None when feedback and the staff page are both off, or the file
    cannot be used (logged: the assistant keeps answering, feedback answers 503)."""
    if settings.staff_token is not None and staff_token(settings) is None:
        log.warning("ASSISTANT_STAFF_TOKEN is shorter than %d characters: the staff pages stay off",
                    settings.staff_token_min_chars)  # fmt: skip
    if not settings.feedback and staff_token(settings) is None:
        yield None
        return
    target = feedback_target(settings)
    store = None
    try:
        if isinstance(target, Path) and target.resolve().is_relative_to(Path(settings.index_dir).resolve()):
            raise StoreError(f"{target}: the feedback file must not be inside the index directory")
        store = FeedbackStore.open(
            target, pool_size=settings.feedback_pool_size, timeout=settings.feedback_pool_timeout_seconds
        )
    except Exception as e:  # any failure (StoreError, OSError, a damaged file) leaves the chat working
        log.error("feedback store unavailable: %s", e)
    try:
        yield store
    finally:
        if store is not None:
            store.close()


class PublicFiles(StaticFiles):
    """web/ as /static/, without web/staff/: the staff page's files are served only by the staff routes."""

    async def get_response(self, path: str, scope):  # type: ignore[no-untyped-def]
        if Path(path).parts[:1] == ("staff",):
            raise StarletteHTTPException(404)
        return await super().get_response(path, scope)


def install_feedback(app: FastAPI, settings: Settings) -> None:
    """Include the routers; the store itself is opened by the lifespan (``open_feedback_store``)."""
    app.state.feedback_store = None
    app.state.feedback_limiter = RateLimiter(
        settings.feedback_rate_per_minute, settings.feedback_rate_burst, settings.feedback_rate_clients
    )
    # Wrong staff tokens per client: a bucket of N refilled over a minute, as bounded as the feedback limiter.
    per_minute = settings.staff_auth_failures_per_minute
    app.state.staff_failures = RateLimiter(per_minute, per_minute, settings.feedback_rate_clients)
    app.include_router(feedback_router)
    app.include_router(staff_router)

    @app.exception_handler(StoreUnavailable)
    async def unavailable(request: Request, e: StoreUnavailable) -> Response:  # the database is down
        throttle: LogThrottle = request.app.state.log_throttle
        throttle.log(log, logging.ERROR, "feedback_unavailable", "feedback store unavailable: %s", e)
        detail = "the feedback store is unreachable"
        return json_error(503, "feedback_unavailable", msg.ERR_FEEDBACK_UNAVAILABLE, detail)

    @app.exception_handler(StoreFull)
    async def full(request: Request, e: StoreFull) -> Response:  # the disk is full: nothing stored, chat works
        throttle: LogThrottle = request.app.state.log_throttle
        throttle.log(log, logging.ERROR, "feedback_full", "feedback store full, nothing stored: %s", e)
        headers = {"Retry-After": "60"}
        return json_error(503, "feedback_storage_full", msg.ERR_FEEDBACK_FULL, "the feedback storage is full", headers)


def feedback_options(settings: Settings, store: FeedbackStore | None) -> FeedbackOptionsOut:
    enabled = settings.feedback and store is not None
    if not enabled:
        return FeedbackOptionsOut()
    return FeedbackOptionsOut(
        enabled=True, max_comment_chars=settings.feedback_max_comment_chars, notice=msg.FEEDBACK_NOTICE
    )


# ---- dependencies ---------------------------------------------------------------------------------


def get_store(request: Request) -> FeedbackStore:
    store: FeedbackStore | None = request.app.state.feedback_store
    if store is None:
        raise ApiError(503, "feedback_unavailable", msg.ERR_FEEDBACK_UNAVAILABLE, "the feedback store is not open")
    return store


StoreDep = Annotated[FeedbackStore, Depends(get_store)]


def feedback_on(settings: SettingsDep) -> None:
    if not settings.feedback:
        raise ApiError(404, "not_found", msg.ERR_NOT_FOUND, "feedback is turned off")


def staff_on(settings: SettingsDep) -> str:
    token = staff_token(settings)
    if token is None:  # off: as if the pages did not exist
        raise ApiError(404, "not_found", msg.ERR_NOT_FOUND, "Not Found")
    return token


def _too_many_failures(wait: float) -> ApiError:
    retry = str(max(1, math.ceil(wait)))
    detail = f"too many wrong staff tokens from this client; retry in {retry} s"
    return ApiError(429, "staff_rate_limited", msg.ERR_STAFF_RATE, detail, headers={"Retry-After": retry})


def require_staff(request: Request, token: Annotated[str, Depends(staff_on)]) -> None:
    """``Authorization: Bearer <token>``, compared in constant time. Neither the given nor the expected token
    goes into an error, a response or a log line. A client past its wrong tokens a minute gets 429 before its
    token is compared (``staff_auth_failures_per_minute``)."""
    failures: RateLimiter = request.app.state.staff_failures
    client = request.client.host if request.client else "-"
    wait = failures.wait(client)
    if wait > 0:
        raise _too_many_failures(wait)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    # Starlette decodes header bytes as latin-1: encoding back gives the bytes the client sent.
    ok = hmac.compare_digest(given.strip().encode("latin-1"), token.encode("utf-8"))
    if not ok or scheme.lower() != "bearer":
        failures.acquire(client)  # one of the client's wrong tokens this minute
        raise ApiError(
            401,
            "unauthorized",
            msg.ERR_STAFF_AUTH,
            "missing or wrong bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )


def _iso_date(value: object) -> object:
    """A date as the schema writes it (``2026-01-31``): pydantic alone would also read ``0`` as 1970-01-01."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("a date as YYYY-MM-DD")
    return value


def _bool_word(value: object) -> object:
    """``true`` or ``false``, as the schema's boolean is written in a query: not 0, 1, yes or off."""
    if isinstance(value, str) and value not in ("true", "false"):
        raise ValueError("true or false")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DateParam = Annotated[date | None, BeforeValidator(_iso_date)]
BoolParam = Annotated[bool, BeforeValidator(_bool_word)]


def staff_query(
    rating: Rating | None = None,
    coverage: Coverage | None = None,
    since: Annotated[DateParam, Query(description="first day (JST), inclusive")] = None,
    until: Annotated[DateParam, Query(description="last day (JST), inclusive")] = None,
    measure_id: Annotated[str | None, Query(max_length=100)] = None,
    unanswered: Annotated[BoolParam, Query(description="only 「回答できなかった質問」")] = False,
    handled: Annotated[BoolParam | None, Query()] = None,
) -> FeedbackQuery:
    return FeedbackQuery(rating, coverage, since, until, measure_id, unanswered, handled)


QueryDep = Annotated[FeedbackQuery, Depends(staff_query)]


# ---- POST /api/feedback ---------------------------------------------------------------------------

feedback_router = APIRouter(tags=["feedback"], dependencies=[Depends(feedback_on)])


def _check_text(value: str, limit: int, field: str, code: str, message: str) -> str:
    if len(value) > limit:
        detail = f"{field} has {len(value)} characters; the limit is {limit}"
        raise ApiError(422, code, message.format(limit=limit), detail, field=field)
    return clean_text(value).strip()


def to_record(body: FeedbackIn, settings: Settings, request: Request) -> NewFeedback:
    """Validate as /api/ask does (same question limits, same messages) and clean every text."""
    if not clean_text(body.question):  # white space or invisible characters only
        raise ApiError(422, "empty_question", msg.ERR_EMPTY_QUESTION, "question is empty", field="question")
    q_limit = settings.max_question_chars
    question = _check_text(body.question, q_limit, "question", "question_too_long", msg.ERR_QUESTION_TOO_LONG)
    # resolved = an earlier turn (cut to the question limit) + " " + the follow-up
    resolved = _check_text(
        body.resolved_question, 2 * q_limit + 1, "resolved_question", "question_too_long", msg.ERR_QUESTION_TOO_LONG
    )
    c_limit = settings.feedback_max_comment_chars
    comment = _check_text(body.comment, c_limit, "comment", "comment_too_long", msg.ERR_COMMENT_TOO_LONG)
    measure_ids = tuple(dict.fromkeys(clean_text(m) for m in body.measure_ids))
    bullet_ids = tuple(dict.fromkeys(body.bullet_ids))
    assistant = request.app.state.assistant
    build = None
    if assistant is not None:  # ids must exist in the index the answer came from
        corpus = assistant.searcher.corpus
        build = assistant.index.manifest.build_id
        unknown = [m for m in measure_ids if not corpus.has_measure(m)]
        if unknown or any(i >= len(corpus.bullets) for i in bullet_ids):
            detail = f"unknown measure ids {unknown[:5]}" if unknown else "a bullet id is not in the index"
            raise ApiError(422, "unknown_id", msg.ERR_BAD_REQUEST, detail)
    return NewFeedback(
        question, resolved or question, body.coverage, body.rating, comment, bullet_ids, measure_ids, build
    )


def _seconds_to_midnight() -> int:
    now = now_jst()
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), JST)
    return max(1, math.ceil((midnight - now).total_seconds()))


@feedback_router.post(
    "/api/feedback",
    status_code=201,
    response_model=FeedbackAck,
    responses={404: {"description": "feedback is off (ASSISTANT_FEEDBACK=off)"}, 429: {}, 503: {}},
)
def post_feedback(body: FeedbackIn, request: Request, settings: SettingsDep, store: StoreDep) -> FeedbackAck:
    """Store one rating of an answer, pressed by the user; committed to disk before the 201."""
    client = request.client.host if request.client else "-"
    wait = request.app.state.feedback_limiter.acquire(client)
    if wait > 0:
        retry = str(max(1, math.ceil(wait)))
        raise ApiError(
            429, "rate_limited", msg.ERR_FEEDBACK_RATE, f"retry in {retry} s", headers={"Retry-After": retry}
        )
    record = to_record(body, settings, request)
    try:
        row_id = store.add(record, max_per_day=settings.feedback_max_per_day)
    except DailyCapReached:
        log.warning("feedback daily limit reached (%d rows)", settings.feedback_max_per_day)
        raise ApiError(
            429,
            "daily_limit",
            msg.ERR_FEEDBACK_DAILY_LIMIT,
            f"{settings.feedback_max_per_day} rows stored today (JST); nothing was stored",
            headers={"Retry-After": str(_seconds_to_midnight())},
        ) from None
    return FeedbackAck(id=row_id, message=msg.FEEDBACK_THANKS)


# ---- staff: /staff/ and /api/staff/* ----------------------------------------------------------------

staff_router = APIRouter(tags=["staff"])
staff_api = APIRouter(
    prefix="/api/staff",
    dependencies=[Depends(require_staff)],
    responses={
        401: {"description": "missing or wrong bearer token"},
        404: {"description": "staff pages off"},
        429: {"description": "too many wrong tokens from this client in the last minute (Retry-After)"},
    },
)


def _staff_file(name: str, request: Request) -> FileResponse:
    file, media = STAFF_FILES[name]
    web_dir = Path(get_settings(request).web_dir) / "staff"
    return FileResponse(web_dir / file, media_type=f"{media}; charset=utf-8", headers=NO_STORE)


@staff_router.get("/staff/", include_in_schema=False, dependencies=[Depends(staff_on)])
def staff_page(request: Request) -> FileResponse:
    """The page shell only: it holds no data and asks for the token, which every /api/staff call carries."""
    return _staff_file("", request)


@staff_router.get("/staff/{name}", include_in_schema=False, dependencies=[Depends(staff_on)])
def staff_asset(name: str, request: Request) -> FileResponse:
    if not name or name not in STAFF_FILES:
        raise ApiError(404, "not_found", msg.ERR_NOT_FOUND, "Not Found")
    return _staff_file(name, request)


def _measure_names(request: Request) -> dict[str, str]:
    assistant = request.app.state.assistant
    return {m.measure_id: m.name for m in assistant.searcher.corpus.measures} if assistant is not None else {}


@staff_api.get("/feedback", response_model=FeedbackPage)
def staff_list(
    response: Response,
    store: StoreDep,
    query: QueryDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> FeedbackPage:
    """Feedback, newest first, with filters. ``unanswered=true`` is the 「回答できなかった質問」 list."""
    response.headers.update(NO_STORE)
    items = [item_out(i) for i in store.list(query, limit=limit, offset=offset)]
    return FeedbackPage(total=store.count(query), offset=offset, items=items)


@staff_api.get("/stats", response_model=FeedbackStatsOut)
def staff_stats(request: Request, response: Response, store: StoreDep, query: QueryDep) -> FeedbackStatsOut:
    """Counts by coverage, rating and measure, for the same filters."""
    response.headers.update(NO_STORE)
    return stats_out(store.stats(query), _measure_names(request))


@staff_api.post("/feedback/{item_id}/handled", response_model=FeedbackItemOut)
def staff_handled(
    body: HandledIn,
    response: Response,
    store: StoreDep,
    item_id: Annotated[int, PathParam(ge=1, le=2**63 - 1)],
) -> FeedbackItemOut:
    """Mark an item handled with a note (``handled: false`` opens it again)."""
    response.headers.update(NO_STORE)
    item = store.mark_handled(item_id, clean_text(body.note).strip(), body.handled)
    if item is None:
        raise ApiError(404, "not_found", msg.ERR_NOT_FOUND, f"no feedback {item_id}")
    return item_out(item)


@staff_api.get("/export", responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def staff_export(store: StoreDep, query: QueryDep, format: Literal["csv", "json"] = "csv") -> Response:
    """Every item matching the filters: CSV (UTF-8 with BOM; formula-like cells neutralised) or JSON."""
    items = store.list(query, limit=None)
    stamp = now_jst().strftime("%Y%m%d")
    body, media = (to_json(items), "application/json") if format == "json" else (to_csv(items), "text/csv")
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="feedback-{stamp}.{format}"'}
    return Response(body, media_type=f"{media}; charset=utf-8", headers=headers)


staff_router.include_router(staff_api)
