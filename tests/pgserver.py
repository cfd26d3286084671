"""A real PostgreSQL server for the tests, from Debian's ``postgresql`` binaries (no mock database).

``initdb`` in a fresh temporary folder, ``pg_ctl start`` listening on a unix socket in that folder only (no
TCP port: nothing to collide with on a shared machine, nothing reachable from the network), trust
authentication (only the folder's owner can reach the socket), ``pg_ctl stop`` at the end of the session.

PostgreSQL refuses to run as root, and CI runs the tests as root: then the server runs as the unprivileged
system user ``postgres`` that Debian's package creates (``nobody`` if it is missing), through ``runuser``,
and the folder is handed to that user. As any other user the server simply runs as that user.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

SUPERUSER = "assistant"
PORT = 5432  # only names the socket file (.s.PGSQL.5432) inside the private folder
START_TIMEOUT = 60  # seconds; a hang guard for initdb + start on a loaded machine, not a speed assertion


def bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<major>/bin (Debian keeps them off PATH), else the one on PATH."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(re.sub(r"\D", "", p.parent.parent.name) or 0),
    )
    if found:
        return found[-1].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    raise RuntimeError(
        "PostgreSQL's server binaries (initdb, pg_ctl) are missing: `apt-get install postgresql` "
        "(make setup-test does it) to run the PostgreSQL feedback tests"
    )


def unprivileged_prefix(users: tuple[str, ...] = ("postgres", "nobody")) -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that drops root (``runuser -u postgres --``) and that user; nothing when not root.
    The first of ``users`` that exists is taken."""
    if os.geteuid() != 0:
        return [], None
    for name in users:
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"], user
    raise RuntimeError(f"running as root and none of the users {users} exists")


@dataclass
class PostgresServer:
    base: Path
    bin: Path
    prefix: list[str]

    @property
    def data(self) -> Path:
        return self.base / "data"

    def url(self, schema: str | None = None, database: str = "postgres") -> str:
        """A URL to the server; with ``schema``, sessions of that URL work in that schema (search_path)."""
        url = f"postgresql://{SUPERUSER}@/{database}?host={self.base}&port={PORT}"
        return f"{url}&options=-csearch_path%3D{schema}" if schema else url

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [*self.prefix, *args]
        done = subprocess.run(cmd, cwd=self.base, capture_output=True, text=True, timeout=START_TIMEOUT)
        if done.returncode != 0:
            log = self.base / "server.log"
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}{tail}")
        return done

    def create_schema(self, name: str) -> str:
        """A new empty schema (cheaper than a database: nothing to copy or flush at shutdown); its URL."""
        self.psql(f'CREATE SCHEMA "{name}"')  # names come from the tests, never from input
        return self.url(name)

    def create_database(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(database=name)

    def psql(self, sql: str, schema: str | None = None, database: str = "postgres") -> list[tuple[object, ...]]:
        with psycopg.connect(self.url(schema, database), autocommit=True) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []

    def restart(self) -> None:
        """Stop (closing every session) and start again, as an operator's `systemctl restart postgresql`."""
        log = str(self.base / "server.log")  # without -l the server would hold our capture pipe open
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", log, "-m", "fast", "-w", "restart")

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def start_postgres() -> PostgresServer:
    prefix, user = unprivileged_prefix()
    base = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)
    server = PostgresServer(base, bin_dir(), prefix)
    # --no-sync: the cluster is thrown away after the session; the server itself keeps fsync on, so commits
    # are as durable as in production.
    server._run(
        str(server.bin / "initdb"), "-D", str(server.data), "-U", SUPERUSER, "--auth=trust", "--no-sync",
        "--encoding=UTF8", "--no-locale",
    )  # fmt: skip
    options = f"-k {base} -p {PORT} -c listen_addresses=''"
    log = base / "server.log"
    try:
        server._run(str(server.bin / "pg_ctl"), "-D", str(server.data), "-l", str(log), "-o", options, "-w",
                    "-t", str(START_TIMEOUT), "start")  # fmt: skip
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise
    return server
