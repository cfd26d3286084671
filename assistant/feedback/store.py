"""The feedback store: one interface, two databases.

- **SQLite** (the default, :mod:`assistant.feedback.sqlite`): one file outside index/ (var/feedback.sqlite), for
  one process; nothing to install or run.
- **PostgreSQL** (``ASSISTANT_FEEDBACK_URL=postgresql://…``, :mod:`assistant.feedback.postgres`): for several
  replicas behind a load balancer, which then share the rows, the daily cap and the staff review.

Both keep the same tables and columns and run the same statements (written with ``?`` placeholders; the
PostgreSQL store turns them into ``%s``). Both commit a row durably before ``add`` returns, so the 201 the API
sends after it is a promise kept even if the process is killed next; both count the daily cap inside the
inserting transaction, so it holds against every other writer of the same database. Only what the user sent
is kept: no address, cookie or user agent ever reaches these modules.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from assistant.feedback.records import (
    JST,
    UNANSWERED_COVERAGE,
    Coverage,
    DailyCapReached,
    FeedbackItem,
    FeedbackQuery,
    FeedbackStats,
    NewFeedback,
    Rating,
    StoreError,
    StoreFull,
    StoreUnavailable,
    now_jst,
)

__all__ = [
    "JST",
    "SCHEMA_VERSION",
    "UNANSWERED_COVERAGE",
    "Coverage",
    "DailyCapReached",
    "FeedbackItem",
    "FeedbackQuery",
    "FeedbackStats",
    "FeedbackStore",
    "NewFeedback",
    "Rating",
    "StoreError",
    "StoreFull",
    "StoreUnavailable",
    "is_database_url",
    "now_jst",
]

# The schema's version, the same for both databases (SQLite: PRAGMA user_version; PostgreSQL: the one row of
# feedback_schema). Each store migrates an older schema at start, in one transaction, and refuses a newer one.
SCHEMA_VERSION = 1

ANY = FeedbackQuery()  # no filter

_COLUMNS = (
    "f.id, f.created_at, f.question, f.resolved_question, f.coverage, f.rating, f.comment, f.bullet_ids, "
    "f.index_build, f.handled_at, f.handled_note, "
    "(SELECT {concat} FROM feedback_measure m WHERE m.feedback_id = f.id)"
)
_INSERT = (
    "INSERT INTO feedback (created_at, day, question, resolved_question, coverage, rating, comment, "
    "bullet_ids, index_build) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)
_INSERT_MEASURE = "INSERT INTO feedback_measure (feedback_id, measure_id) VALUES (?, ?) ON CONFLICT DO NOTHING"


def is_database_url(target: str | Path) -> bool:
    """A PostgreSQL connection URL (``postgresql://`` or ``postgres://``), as opposed to a SQLite file path."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


class Transaction(Protocol):
    """One open write transaction of a store: statements with ``?`` placeholders; rows and the row count."""

    def run(self, sql: str, args: Sequence[object] = ()) -> tuple[list[tuple[Any, ...]], int]: ...


def _item(row: tuple[Any, ...]) -> FeedbackItem:
    return FeedbackItem(
        id=row[0],
        created_at=row[1],
        question=row[2],
        resolved_question=row[3],
        coverage=Coverage(row[4]),
        rating=Rating(row[5]),
        comment=row[6],
        bullet_ids=tuple(json.loads(row[7])),
        measure_ids=tuple(sorted((row[11] or "").split())),
        index_build=row[8],
        handled_at=row[9],
        handled_note=row[10],
    )


class FeedbackStore(ABC):
    """What the API and the CLI use; a subclass supplies transactions, reads and the daily lock."""

    # The SQL aggregate that joins one item's measure ids with spaces (group_concat / string_agg).
    MEASURES_CONCAT = "group_concat(measure_id, ' ')"

    @staticmethod
    def open(target: str | Path, *, create: bool = True, pool_size: int = 4, timeout: float = 5.0) -> FeedbackStore:
        """The store at ``target``: a PostgreSQL URL or a SQLite file path. ``create=False`` (the CLI) refuses
        a store that holds no feedback yet instead of creating one. Migrates the schema; raises StoreError."""
        if is_database_url(target):
            from assistant.feedback.postgres import PostgresStore

            return PostgresStore.connect(str(target), create=create, pool_size=pool_size, timeout=timeout)
        from assistant.feedback.sqlite import SqliteStore

        return SqliteStore.connect(Path(target), create=create)

    @property
    @abstractmethod
    def label(self) -> str:
        """Where the rows are, for messages: the file, or the database without its password."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _write(self) -> AbstractContextManager[Transaction]:
        """A write transaction, committed durably when the block ends, rolled back if it raises."""

    @abstractmethod
    def _read(self, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]: ...

    @abstractmethod
    def _lock_day(self, tx: Transaction, day: str) -> None:
        """Serialise the daily-cap count of ``day`` against every other writer of the database."""

    def add(self, fb: NewFeedback, *, max_per_day: int, when: datetime | None = None) -> int:
        """Store one row and commit it; its id. Raises DailyCapReached when today already has the maximum."""
        when = (when or now_jst()).astimezone(JST)
        day = when.date().isoformat()
        with self._write() as tx:
            self._lock_day(tx, day)
            (today,) = tx.run("SELECT count(*) FROM feedback WHERE day = ?", (day,))[0][0]
            if today >= max_per_day:
                raise DailyCapReached(day)
            values = (
                when.isoformat(timespec="seconds"),
                day,
                fb.question,
                fb.resolved_question,
                fb.coverage.value,
                fb.rating.value,
                fb.comment,
                json.dumps(list(fb.bullet_ids)),
                fb.index_build,
            )
            row_id = int(tx.run(_INSERT, values)[0][0][0])
            for m in dict.fromkeys(fb.measure_ids):
                tx.run(_INSERT_MEASURE, (row_id, m))
        return row_id

    def mark_handled(self, item_id: int, note: str, handled: bool = True) -> FeedbackItem | None:
        """Mark an item handled (with the staff's note) or open again; None when there is no such item."""
        stamp = now_jst().isoformat(timespec="seconds") if handled else None
        with self._write() as tx:
            sql = "UPDATE feedback SET handled_at = ?, handled_note = ? WHERE id = ?"
            _, changed = tx.run(sql, (stamp, note, item_id))
        return self.get(item_id) if changed else None

    def _columns(self) -> str:
        return _COLUMNS.format(concat=self.MEASURES_CONCAT)

    def get(self, item_id: int) -> FeedbackItem | None:
        rows = self._read(f"SELECT {self._columns()} FROM feedback f WHERE f.id = ?", (item_id,))
        return _item(rows[0]) if rows else None

    def count(self, query: FeedbackQuery = ANY) -> int:
        where, args = query.where()
        return int(self._read(f"SELECT count(*) FROM feedback f{where}", args)[0][0])

    def list(self, query: FeedbackQuery = ANY, limit: int | None = 100, offset: int = 0) -> list[FeedbackItem]:
        """Newest first (ids only grow, so the id orders by time even if the clock steps back)."""
        where, args = query.where()
        page = " LIMIT ? OFFSET ?" if limit is not None else ""
        extra = [limit, offset] if limit is not None else []
        sql = f"SELECT {self._columns()} FROM feedback f{where} ORDER BY f.id DESC{page}"
        return [_item(r) for r in self._read(sql, [*args, *extra])]

    def stats(self, query: FeedbackQuery = ANY) -> FeedbackStats:
        where, args = query.where()
        by_coverage = {c: 0 for c in Coverage}
        by_rating = {r: 0 for r in Rating}
        for cov, rating, n in self._read(
            f"SELECT f.coverage, f.rating, count(*) FROM feedback f{where} GROUP BY 1, 2", args
        ):
            by_coverage[Coverage(cov)] += n
            by_rating[Rating(rating)] += n
        by_measure = self._read(
            f"SELECT m.measure_id, count(*) FROM feedback_measure m JOIN feedback f ON f.id = m.feedback_id{where} "
            "GROUP BY m.measure_id ORDER BY count(*) DESC, m.measure_id",
            args,
        )
        return FeedbackStats(
            total=sum(by_coverage.values()),
            unanswered=self.count(replace(query, unanswered=True)),
            handled=self.count(replace(query, handled=True)),
            by_coverage=by_coverage,
            by_rating=by_rating,
            by_measure=[(m, int(n)) for m, n in by_measure],
        )


def refuse_newer(version: int, where: str) -> None:
    if version > SCHEMA_VERSION:
        raise StoreError(f"{where}: schema version {version} is newer than this program's ({SCHEMA_VERSION})")
