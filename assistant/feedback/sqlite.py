"""The default feedback store: one SQLite file outside index/ (var/feedback.sqlite), for one serving process.

WAL mode with ``synchronous=FULL``: a row is in the file, fsynced, when ``add`` returns. The schema version is
``PRAGMA user_version``.
"""

from __future__ import annotations

import errno
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.feedback.records import StoreError, StoreFull
from assistant.feedback.store import SCHEMA_VERSION, FeedbackStore, Transaction, refuse_newer

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


@contextmanager
def _full_as_store_full(path: Path) -> Iterator[None]:
    """A full disk (SQLITE_FULL, or ENOSPC from the file system) as :class:`StoreFull`: the API answers 503."""
    try:
        yield
    except sqlite3.OperationalError as e:
        if getattr(e, "sqlite_errorcode", None) != sqlite3.SQLITE_FULL and "full" not in str(e):
            raise
        raise StoreFull(f"{path}: {e}") from None
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise
        raise StoreFull(f"{path}: {e.strerror}") from None


class _Tx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def run(self, sql: str, args: Sequence[object] = ()) -> tuple[list[tuple[Any, ...]], int]:
        cur = self._conn.execute(sql, args)
        rows = cur.fetchall()
        return rows, cur.rowcount


class SqliteStore(FeedbackStore):
    """One connection shared by the server's threads behind a lock: SQLite serialises writers anyway, and a
    single connection keeps the WAL checkpointing in one place. ``BEGIN IMMEDIATE`` makes the daily-cap
    check and the insert one step, also against another process (the CLI) using the same file."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self.path = path

    @classmethod
    def connect(cls, path: Path, *, create: bool = True) -> SqliteStore:
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

    @property
    def label(self) -> str:
        return str(self.path)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[_Tx]:
        with self._lock, _full_as_store_full(self.path):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield _Tx(self._conn)
            except BaseException:
                if self._conn.in_transaction:  # SQLite may have rolled back itself (a full disk does)
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _lock_day(self, tx: Transaction, day: str) -> None:
        """Nothing to do: BEGIN IMMEDIATE already holds the file's one write lock for the transaction."""

    def _read(self, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Create the schema in a new file; refuse a file from a newer version or one that is not ours.

    The version is read inside the write transaction, so two processes opening a new file at once create
    the schema once."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        refuse_newer(version, str(path))
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
