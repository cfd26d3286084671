"""The feedback tests run on both stores: SQLite (a file in the test's tmp_path) and PostgreSQL (a fresh
schema on the session's real server, tests/pgserver.py). A test reads the rows back straight from the
database (sqlite3 / psycopg), not through the store it checks."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from pgserver import PostgresServer


@dataclass(frozen=True)
class Backend:
    name: str  # "sqlite" | "postgres"
    path: Path | None = None  # the SQLite file
    server: PostgresServer | None = None
    schema: str = ""  # each test's own schema on the session's server

    @property
    def target(self) -> str | Path:
        """What FeedbackStore.open takes."""
        return self.path if self.path is not None else self.url

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url(self.schema)

    def settings(self) -> dict[str, object]:
        """Settings overrides that point the app at this store."""
        if self.path is not None:
            return {"feedback_db": self.path, "feedback_url": None}
        return {"feedback_url": self.url, "feedback_db": Path("/nonexistent/never-used.sqlite")}

    def env(self) -> dict[str, str]:
        """The same as environment variables, for a server process."""
        if self.path is not None:
            return {"ASSISTANT_FEEDBACK_DB": str(self.path), "ASSISTANT_FEEDBACK_URL": ""}
        return {"ASSISTANT_FEEDBACK_URL": self.url, "ASSISTANT_FEEDBACK_DB": "/nonexistent/never-used.sqlite"}

    def query(self, sql: str) -> list[tuple[object, ...]]:
        if self.path is not None:
            with sqlite3.connect(self.path) as conn:
                return conn.execute(sql).fetchall()
        assert self.server is not None
        return self.server.psql(sql, self.schema)

    def rows(self) -> dict[int, tuple[str, str]]:
        """id → (question, comment) of every stored row."""
        return {int(r[0]): (str(r[1]), str(r[2])) for r in self.query("SELECT id, question, comment FROM feedback")}

    def columns(self) -> list[str]:
        if self.path is not None:
            return [str(r[1]) for r in self.query("PRAGMA table_info(feedback)")]
        sql = (
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'feedback' AND table_schema = current_schema() ORDER BY ordinal_position"
        )
        return [str(r[0]) for r in self.query(sql)]

    def dump(self) -> str:
        """Everything stored, as text (every table, every value)."""
        if self.path is not None:
            with sqlite3.connect(self.path) as conn:
                return "\n".join(conn.iterdump())
        tables = [r[0] for r in self.query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
        return "\n".join(repr(row) for t in tables for row in self.query(f'SELECT * FROM "{t}"'))
