"""What endpoints share, as FastAPI dependencies: the settings, the opened assistant (503 until it is), the
answering pool, and the checks every question goes through. Tests replace them with ``dependency_overrides``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.api.errors import ApiError
from assistant.api.schemas import FiltersIn
from assistant.api.workload import WorkLimiter
from assistant.config import Settings
from assistant.domain import messages as msg
from assistant.domain.normalize import clean_question
from assistant.retrieval.search import FilterError, Filters
from assistant.service import Assistant


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_assistant(request: Request) -> Assistant:
    """The assistant once the index is loaded; until then (or if loading failed) 503 with a Japanese message."""
    a: Assistant | None = request.app.state.assistant
    if a is None:
        raise ApiError(503, "not_ready", msg.ERR_NOT_READY, request.app.state.load_error or "index loading")
    return a


def get_limiter(request: Request) -> WorkLimiter:
    limiter: WorkLimiter = request.app.state.limiter
    return limiter


SettingsDep = Annotated[Settings, Depends(get_settings)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
LimiterDep = Annotated[WorkLimiter, Depends(get_limiter)]


def clean_text(text: str) -> str:
    """A question or turn as the answer layer reads it (normalize.clean_question)."""
    return clean_question(text)


def check_question(question: str, settings: Settings) -> str:
    """A question to search: not empty once invisible characters and spaces are gone, within the length limit
    (422 with a Japanese message), cleaned."""
    if not clean_question(question):
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
    """Explicit filters of a request, checked against the data (422 naming the values allowed)."""
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
