"""The feedback store on PostgreSQL (``ASSISTANT_FEEDBACK_URL=postgresql://…``), shared by several replicas.

psycopg 3 with a small connection pool per process (``ASSISTANT_FEEDBACK_POOL_SIZE``). Every write is one
transaction committed before ``add`` returns; with PostgreSQL's default ``synchronous_commit = on`` the commit
returns once the WAL is flushed, so a 201 survives the replica's death and the server's. The daily cap is
counted under a transaction-scoped advisory lock on the day, so two replicas cannot both take the last row.
The schema version is the one row of ``feedback_schema``; migrations run at start under an advisory lock, so
replicas starting together migrate once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from assistant.feedback.records import StoreError, StoreFull, StoreUnavailable
from assistant.feedback.store import SCHEMA_VERSION, FeedbackStore, Transaction, refuse_newer

# pg_advisory_xact_lock(LOCK_SPACE, n): n = 0 for migrations, the day as YYYYMMDD for the daily cap.
# An arbitrary constant ("fb" in ASCII) that keeps these locks apart from any other application's.
LOCK_SPACE = 0x6662

# Steps from version n-1 to n, run in one transaction. Same tables and columns as the SQLite store.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE feedback (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            created_at text NOT NULL,
            day text NOT NULL,
            question text NOT NULL,
            resolved_question text NOT NULL,
            coverage text NOT NULL CHECK (coverage IN ('direct', 'related', 'none', 'out_of_scope')),
            rating text NOT NULL CHECK (rating IN ('helpful', 'not_helpful')),
            comment text NOT NULL DEFAULT '',
            bullet_ids text NOT NULL DEFAULT '[]',
            index_build text,
            handled_at text,
            handled_note text NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX feedback_by_day ON feedback (day)",
        """CREATE TABLE feedback_measure (
            feedback_id bigint NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
            measure_id text NOT NULL,
            PRIMARY KEY (feedback_id, measure_id)
        )""",
        "CREATE INDEX feedback_measure_by_measure ON feedback_measure (measure_id)",
    ),
}
assert max(MIGRATIONS) == SCHEMA_VERSION


def _pg(sql: str) -> str:
    """The stores' shared statements use ``?``; psycopg wants ``%s`` (none of them contains a literal % or ?)."""
    return sql.replace("?", "%s")


def describe(url: str) -> str:
    """The database and server of a URL without its password, for messages and logs."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql (unparsable URL)"
    where = parts.get("host") or "the local socket"
    return f"postgresql database {parts.get('dbname') or parts.get('user') or '?'} on {where}"


class _Tx:
    def __init__(self, cur: psycopg.Cursor[Any]) -> None:
        self._cur = cur

    def run(self, sql: str, args: Sequence[object] = ()) -> tuple[list[tuple[Any, ...]], int]:
        self._cur.execute(_pg(sql), args)
        rows = self._cur.fetchall() if self._cur.description else []
        return rows, self._cur.rowcount


class PostgresStore(FeedbackStore):
    MEASURES_CONCAT = "string_agg(measure_id, ' ')"

    def __init__(self, pool: ConnectionPool[psycopg.Connection[Any]], label: str) -> None:
        self._pool = pool
        self._label = label

    @classmethod
    def connect(cls, url: str, *, create: bool = True, pool_size: int = 4, timeout: float = 5.0) -> PostgresStore:
        label = describe(url)
        # check: a connection is tested before it is handed out, so a restarted server costs no failed request.
        pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, pool_size),
            timeout=timeout,
            open=False,
            kwargs={"autocommit": True},
            check=ConnectionPool.check_connection,
            name="feedback",
        )
        try:
            pool.open(wait=True, timeout=timeout)
            store = cls(pool, label)
            store._migrate(create)
        except PoolTimeout:
            pool.close()
            raise StoreUnavailable(f"{label}: no connection within {timeout:g} s") from None
        except BaseException:
            pool.close()
            raise
        return store

    @property
    def label(self) -> str:
        return self._label

    def close(self) -> None:
        self._pool.close(timeout=2.0)  # seconds for its threads to finish (longer only when the server is gone)

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg.errors.DiskFull as e:  # SQLSTATE 53100: the server's disk is full, nothing was stored
            raise StoreFull(f"{self._label}: {type(e).__name__}: {str(e).strip()[:200]}") from None
        except (psycopg.OperationalError, PoolTimeout) as e:
            raise StoreUnavailable(f"{self._label}: {type(e).__name__}: {str(e).strip()[:200]}") from None

    @contextmanager
    def _write(self) -> Iterator[_Tx]:
        with self._connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield _Tx(cur)

    def _read(self, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._connection() as conn:
            return conn.execute(_pg(sql), args).fetchall()

    def _lock_day(self, tx: Transaction, day: str) -> None:
        tx.run("SELECT pg_advisory_xact_lock(?::integer, ?::integer)", (LOCK_SPACE, int(day.replace("-", ""))))

    def _migrate(self, create: bool) -> None:
        """Bring the schema to SCHEMA_VERSION; refuse a newer one, or a database with other tables and no
        version (not ours). ``create=False`` refuses a database with no feedback schema at all."""
        with self._write() as tx:
            tx.run("SELECT pg_advisory_xact_lock(?::integer, 0)", (LOCK_SPACE,))
            if tx.run("SELECT to_regclass('feedback_schema')")[0][0][0] is None:
                if not create:
                    raise StoreError(f"{self._label}: no feedback stored yet")
                tables = tx.run("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")[0][0][0]
                if tables:
                    raise StoreError(f"{self._label}: not a feedback store (no schema version, with tables)")
                tx.run("CREATE TABLE feedback_schema (version integer NOT NULL)")
                tx.run("INSERT INTO feedback_schema (version) VALUES (0)")
            version = int(tx.run("SELECT version FROM feedback_schema")[0][0][0])
            refuse_newer(version, self._label)
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[step]:
                    tx.run(statement)
            tx.run("UPDATE feedback_schema SET version = ?", (SCHEMA_VERSION,))
