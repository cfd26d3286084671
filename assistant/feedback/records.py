"""Feedback records: what a button press stores, what staff read back, and the filters they read it with.

Shared by both stores (SQLite, PostgreSQL: :mod:`assistant.feedback.store`), the API and the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

from assistant.answer.records import Coverage

__all__ = ["Coverage"]  # re-exported: the feedback modules read the one Coverage enum from here

# The city is in Japan (no daylight saving time): "today" for the daily cap and the period filters is
# Koganei's day, whatever the server's clock zone is.
JST = timezone(timedelta(hours=9), "JST")


class Rating(StrEnum):
    HELPFUL = "helpful"  # はい
    NOT_HELPFUL = "not_helpful"  # いいえ


# 「回答できなかった質問」: the reports said nothing (none) or the question was not about them (out_of_scope).
# The coverage values are the /api/ask ones (answer/records.py), one enum for both.
UNANSWERED_COVERAGE = (Coverage.NONE, Coverage.OUT_OF_SCOPE)


class StoreError(Exception):
    """The feedback store cannot be used (made by a newer version, or not a feedback store)."""


class StoreUnavailable(StoreError):
    """The database server cannot be reached or gave no connection in time; nothing was stored."""


class StoreFull(StoreError):
    """The disk (or the database's quota) is full: nothing was stored. The chat does not need the store."""


class DailyCapReached(Exception):
    """Today's rows reached the configured maximum; nothing was stored."""


@dataclass(frozen=True)
class NewFeedback:
    """What the user sends with a button press, already validated and cleaned."""

    question: str
    resolved_question: str
    coverage: Coverage
    rating: Rating
    comment: str = ""
    bullet_ids: tuple[int, ...] = ()
    measure_ids: tuple[str, ...] = ()
    index_build: str | None = None  # the index build the bullet ids refer to (they change on re-ingest)


@dataclass(frozen=True)
class FeedbackItem:
    id: int
    created_at: str  # ISO 8601 in JST, seconds
    question: str
    resolved_question: str
    coverage: Coverage
    rating: Rating
    comment: str
    bullet_ids: tuple[int, ...]
    measure_ids: tuple[str, ...]
    index_build: str | None
    handled_at: str | None
    handled_note: str

    @property
    def unanswered(self) -> bool:
        return self.rating is Rating.NOT_HELPFUL or self.coverage in UNANSWERED_COVERAGE


@dataclass(frozen=True)
class FeedbackQuery:
    """Filters shared by the staff list, the counts, the export and the CLI. ``None`` means any."""

    rating: Rating | None = None
    coverage: Coverage | None = None
    since: date | None = None  # inclusive, JST day
    until: date | None = None  # inclusive, JST day
    measure_id: str | None = None
    unanswered: bool = False  # 「回答できなかった質問」: rated いいえ, or coverage none / out_of_scope
    handled: bool | None = None

    def where(self) -> tuple[str, list[object]]:
        clauses: list[str] = []
        args: list[object] = []
        if self.rating is not None:
            clauses.append("f.rating = ?")
            args.append(self.rating.value)
        if self.coverage is not None:
            clauses.append("f.coverage = ?")
            args.append(self.coverage.value)
        if self.since is not None:
            clauses.append("f.day >= ?")
            args.append(self.since.isoformat())
        if self.until is not None:
            clauses.append("f.day <= ?")
            args.append(self.until.isoformat())
        if self.measure_id is not None:
            clauses.append("f.id IN (SELECT feedback_id FROM feedback_measure WHERE measure_id = ?)")
            args.append(self.measure_id)
        if self.unanswered:
            marks = ", ".join("?" * len(UNANSWERED_COVERAGE))
            clauses.append(f"(f.rating = ? OR f.coverage IN ({marks}))")
            args.extend([Rating.NOT_HELPFUL.value, *(c.value for c in UNANSWERED_COVERAGE)])
        if self.handled is not None:
            clauses.append("f.handled_at IS NOT NULL" if self.handled else "f.handled_at IS NULL")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


@dataclass(frozen=True)
class FeedbackStats:
    total: int
    unanswered: int
    handled: int
    by_coverage: dict[Coverage, int]
    by_rating: dict[Rating, int]
    by_measure: list[tuple[str, int]] = field(default_factory=list)  # most feedback first


def now_jst() -> datetime:
    return datetime.now(JST).replace(microsecond=0)
