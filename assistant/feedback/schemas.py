"""JSON shapes of /api/feedback and /api/staff/*, and the feedback part of /api/options."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StrictBool, StrictInt

from assistant.domain.requests import RequestModel
from assistant.feedback.store import Coverage, FeedbackItem, FeedbackStats, Rating

MAX_IDS = 50  # as many as /api/search's top_k allows: an answer cites fewer
MeasureId = Annotated[str, Field(min_length=1, max_length=100)]
BulletId = Annotated[StrictInt, Field(ge=0, le=10_000_000)]


class FeedbackOptionsOut(BaseModel):
    enabled: bool = Field(default=False, description="false: no buttons, and /api/feedback is 404")
    max_comment_chars: int = 0
    notice: str = Field(default="", description="the one-line notice beside the buttons: what is kept and why")


class FeedbackIn(RequestModel):
    question: str = Field(description="the question as answered (AskResponse.question)")
    resolved_question: str = Field(default="", description="AskResponse.resolved_question")
    coverage: Coverage = Field(description="AskResponse.coverage, or derived from found")
    rating: Rating = Field(description="helpful (はい) or not_helpful (いいえ)")
    comment: str = Field(default="", description="optional; at most max_comment_chars of /api/options")
    bullet_ids: list[BulletId] = Field(default=[], max_length=MAX_IDS, description="cited bullets")
    measure_ids: list[MeasureId] = Field(default=[], max_length=MAX_IDS, description="cited measures")


class FeedbackAck(BaseModel):
    id: int
    message: str = Field(description="日本語, shown to the user")


class FeedbackItemOut(BaseModel):
    id: int
    created_at: str = Field(description="ISO 8601, JST")
    rating: Rating
    coverage: Coverage
    question: str
    resolved_question: str
    comment: str = Field(description="user text: show it as text, never as HTML")
    measure_ids: list[str]
    bullet_ids: list[int]
    index_build: str | None = Field(description="the index build the bullet ids refer to")
    unanswered: bool = Field(description="rated いいえ, or coverage none / out_of_scope")
    handled: bool
    handled_at: str | None
    handled_note: str


def item_out(item: FeedbackItem) -> FeedbackItemOut:
    return FeedbackItemOut(
        id=item.id,
        created_at=item.created_at,
        rating=item.rating,
        coverage=item.coverage,
        question=item.question,
        resolved_question=item.resolved_question,
        comment=item.comment,
        measure_ids=list(item.measure_ids),
        bullet_ids=list(item.bullet_ids),
        index_build=item.index_build,
        unanswered=item.unanswered,
        handled=item.handled_at is not None,
        handled_at=item.handled_at,
        handled_note=item.handled_note,
    )


class FeedbackPage(BaseModel):
    total: int = Field(description="items matching the filters")
    offset: int
    items: list[FeedbackItemOut] = Field(description="newest first")


class MeasureCount(BaseModel):
    measure_id: str
    measure: str | None = Field(description="the measure's name; null when the index does not know the id")
    count: int


class FeedbackStatsOut(BaseModel):
    total: int
    unanswered: int
    handled: int
    by_coverage: dict[Coverage, int]
    by_rating: dict[Rating, int]
    by_measure: list[MeasureCount] = Field(description="most feedback first")


def stats_out(stats: FeedbackStats, names: dict[str, str]) -> FeedbackStatsOut:
    return FeedbackStatsOut(
        total=stats.total,
        unanswered=stats.unanswered,
        handled=stats.handled,
        by_coverage=stats.by_coverage,
        by_rating=stats.by_rating,
        by_measure=[MeasureCount(measure_id=m, measure=names.get(m), count=n) for m, n in stats.by_measure],
    )


class HandledIn(RequestModel):
    handled: StrictBool = True
    note: str = Field(default="", max_length=1000, description="what staff did about it")
