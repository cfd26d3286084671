"""Feedback on answers (「この回答は役に立ちましたか？」): typed records and their durable SQLite store.

The store is one SQLite file outside index/ (default var/feedback.sqlite), so re-ingesting or rebuilding the
index never touches it. It runs in WAL mode with ``synchronous=FULL``: a row is in the file, fsynced, when
``add`` returns, so the 201 the API sends after it is a promise kept even if the process is killed next.
Only what the user sent is kept: no address, cookie or user agent ever reaches this module.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import Any

from assistant.answer.records import Coverage

__all__ = ["Coverage"]  # re-exported: the feedback modules read the one Coverage enum from here

SCHEMA_VERSION = 1
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
    """The feedback file cannot be used (made by a newer version, or not a feedback store)."""


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


_SCHEMA = (
    """CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        day TEXT NOT NULL,
        question TEXT NOT NULL,
        resolved_question TEXT NOT NULL,
        coverage TEXT NOT NULL CHECK (coverage IN ('direct', 'related', 'none', 'out_of_scope')),
        rating TEXT NOT NULL CHECK (rating IN ('helpful', 'not_helpful')),
        comment TEXT NOT NULL DEFAULT '',
        bullet_ids TEXT NOT NULL DEFAULT '[]',
        index_build TEXT,
        handled_at TEXT,
        handled_note TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX feedback_by_day ON feedback (day)",
    """CREATE TABLE feedback_measure (
        feedback_id INTEGER NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
        measure_id TEXT NOT NULL,
        PRIMARY KEY (feedback_id, measure_id)
    )""",
    "CREATE INDEX feedback_measure_by_measure ON feedback_measure (measure_id)",
)

_COLUMNS = (
    "f.id, f.created_at, f.question, f.resolved_question, f.coverage, f.rating, f.comment, f.bullet_ids, "
    "f.index_build, f.handled_at, f.handled_note, "
    "(SELECT group_concat(measure_id, ' ') FROM feedback_measure m WHERE m.feedback_id = f.id)"
)


def now_jst() -> datetime:
    return datetime.now(JST).replace(microsecond=0)


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


class FeedbackStore:
    """One connection shared by the server's threads behind a lock: SQLite serialises writers anyway, and a
    single connection keeps the WAL checkpointing in one place. ``BEGIN IMMEDIATE`` makes the daily-cap
    check and the insert one step, also against another process (the CLI) using the same file."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self.path = path

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> FeedbackStore:
        path = Path(path)
        if not create and not path.is_file():
            raise StoreError(f"{path}: no feedback stored yet")
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # WAL + FULL: a committed row survives a crash or power cut
            conn.execute("PRAGMA foreign_keys=ON")
            _migrate(conn, path)
        except (sqlite3.DatabaseError, StoreError):
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def add(self, fb: NewFeedback, *, max_per_day: int, when: datetime | None = None) -> int:
        """Store one row and commit it; its id. Raises DailyCapReached when today already has the maximum."""
        when = (when or now_jst()).astimezone(JST)
        day = when.date().isoformat()
        with self._write() as conn:
            (today,) = conn.execute("SELECT count(*) FROM feedback WHERE day = ?", (day,)).fetchone()
            if today >= max_per_day:
                raise DailyCapReached(day)
            cur = conn.execute(
                "INSERT INTO feedback (created_at, day, question, resolved_question, coverage, rating, comment, "
                "bullet_ids, index_build) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    when.isoformat(timespec="seconds"),
                    day,
                    fb.question,
                    fb.resolved_question,
                    fb.coverage.value,
                    fb.rating.value,
                    fb.comment,
                    json.dumps(list(fb.bullet_ids)),
                    fb.index_build,
                ),
            )
            row_id = int(cur.lastrowid or 0)
            conn.executemany(
                "INSERT OR IGNORE INTO feedback_measure (feedback_id, measure_id) VALUES (?, ?)",
                [(row_id, m) for m in dict.fromkeys(fb.measure_ids)],
            )
        return row_id

    def mark_handled(self, item_id: int, note: str, handled: bool = True) -> FeedbackItem | None:
        """Mark an item handled (with the staff's note) or open again; None when there is no such item."""
        stamp = now_jst().isoformat(timespec="seconds") if handled else None
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE feedback SET handled_at = ?, handled_note = ? WHERE id = ?", (stamp, note, item_id)
            )
            if cur.rowcount == 0:
                return None
        return self.get(item_id)

    def _read(self, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def get(self, item_id: int) -> FeedbackItem | None:
        rows = self._read(f"SELECT {_COLUMNS} FROM feedback f WHERE f.id = ?", (item_id,))
        return _item(rows[0]) if rows else None

    def count(self, query: FeedbackQuery = FeedbackQuery()) -> int:
        where, args = query.where()
        return int(self._read(f"SELECT count(*) FROM feedback f{where}", args)[0][0])

    def list(
        self, query: FeedbackQuery = FeedbackQuery(), limit: int | None = 100, offset: int = 0
    ) -> list[FeedbackItem]:
        """Newest first (ids only grow, so the id orders by time even if the clock steps back)."""
        where, args = query.where()
        page = " LIMIT ? OFFSET ?" if limit is not None else ""
        extra = [limit, offset] if limit is not None else []
        return [
            _item(r)
            for r in self._read(f"SELECT {_COLUMNS} FROM feedback f{where} ORDER BY f.id DESC{page}", [*args, *extra])
        ]

    def stats(self, query: FeedbackQuery = FeedbackQuery()) -> FeedbackStats:
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
        unanswered = self.count(replace(query, unanswered=True))
        handled = self.count(replace(query, handled=True))
        return FeedbackStats(
            total=sum(by_coverage.values()),
            unanswered=unanswered,
            handled=handled,
            by_coverage=by_coverage,
            by_rating=by_rating,
            by_measure=[(m, n) for m, n in by_measure],
        )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Create the schema in a new file; refuse a file from a newer version or one that is not ours.

    The version is read inside the write transaction, so two processes opening a new file at once create
    the schema once."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise StoreError(f"{path}: schema version {version} is newer than this program's ({SCHEMA_VERSION})")
        if version == 0:
            if conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]:
                raise StoreError(f"{path}: not a feedback store (schema version 0, with tables)")
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        # Later versions add their migration steps here, one per version, in this same transaction.
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
