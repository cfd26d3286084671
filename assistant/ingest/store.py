"""The corpus as an SQLite file: schema, an atomic write, and a read back into records.

The database is written to a temporary file beside the target and moved into place with
``os.replace``, so a reader sees the old store or the new one, never half of either.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from pathlib import Path

from assistant.domain.corpus import CanonicalMeasure, Corpus, Document
from assistant.domain.model import ActivityBullet, Department, Measure, Section, SourceRef, Status, SubSection

SCHEMA_VERSION = 3  # 2: page (PDF page / workbook sheet) beside line; bullets.new_in_report; 3: bullets.end_page

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    file TEXT PRIMARY KEY, title TEXT NOT NULL, checksum TEXT NOT NULL,
    fiscal_years TEXT NOT NULL, supplies TEXT NOT NULL, planned_years TEXT NOT NULL, position INTEGER NOT NULL
);
CREATE TABLE sections (
    file TEXT NOT NULL REFERENCES documents(file), number INTEGER NOT NULL, title TEXT NOT NULL,
    purpose TEXT NOT NULL, line INTEGER, page INTEGER, PRIMARY KEY (file, number)
);
CREATE TABLE measures (
    measure_id TEXT PRIMARY KEY, name TEXT NOT NULL, position INTEGER NOT NULL
);
CREATE TABLE measure_versions (
    measure_id TEXT NOT NULL REFERENCES measures(measure_id), file TEXT NOT NULL REFERENCES documents(file),
    name TEXT NOT NULL, departments TEXT NOT NULL, description TEXT NOT NULL,
    section_number INTEGER NOT NULL, subsection_number INTEGER, subsection_title TEXT,
    line INTEGER NOT NULL, page INTEGER, PRIMARY KEY (measure_id, file)
);
CREATE TABLE bullets (
    bullet_id INTEGER PRIMARY KEY, measure_id TEXT NOT NULL REFERENCES measures(measure_id),
    fiscal_year INTEGER NOT NULL, department TEXT NOT NULL, status TEXT NOT NULL, text TEXT NOT NULL,
    ordinal INTEGER NOT NULL, bulleted INTEGER NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL,
    col INTEGER NOT NULL, page INTEGER, new_in_report INTEGER, end_page INTEGER
);
CREATE INDEX bullets_by_measure ON bullets (measure_id, fiscal_year);
CREATE INDEX bullets_by_year ON bullets (fiscal_year);
"""


class StoreError(RuntimeError):
    """The store is missing, unreadable or of another schema; the message says how to rebuild it."""


def write_store(corpus: Corpus, path: Path) -> None:
    """Write ``corpus`` to ``path`` atomically (temporary file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".corpus-", suffix=".sqlite.tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        db = sqlite3.connect(tmp)
        try:
            db.executescript(SCHEMA)
            _insert(db, corpus)
            db.commit()
        finally:
            db.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _insert(db: sqlite3.Connection, corpus: Corpus) -> None:
    db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    for i, d in enumerate(corpus.documents):
        db.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?)",
            (
                d.file,
                d.title,
                d.checksum,
                json.dumps(d.fiscal_years),
                json.dumps(d.supplies),
                json.dumps(d.planned_years),
                i,
            ),
        )
    sections = {(v.source.file, v.section.number): v.section for m in corpus.measures for v in m.versions}
    for (file, number), s in sorted(sections.items()):
        db.execute(
            "INSERT INTO sections VALUES (?,?,?,?,?,?)",
            (
                file,
                number,
                s.title,
                s.purpose,
                s.source.line if s.source else None,
                s.source.page if s.source else None,
            ),
        )
    for i, m in enumerate(corpus.measures):
        db.execute("INSERT INTO measures VALUES (?,?,?)", (m.measure_id, m.name, i))
        for v in m.versions:
            departments = [{"name": d.name, "qualifier": d.qualifier, "label": d.label} for d in v.departments]
            db.execute(
                "INSERT INTO measure_versions VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    m.measure_id,
                    v.source.file,
                    v.name,
                    json.dumps(departments, ensure_ascii=False),
                    v.description,
                    v.section.number,
                    v.subsection.number if v.subsection else None,
                    v.subsection.title if v.subsection else None,
                    v.source.line,
                    v.source.page,
                ),
            )
    db.executemany(
        "INSERT INTO bullets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                i,
                b.measure_id,
                b.fiscal_year,
                b.department,
                b.status.value,
                b.text,
                b.ordinal,
                int(b.bulleted),
                b.source.file,
                b.source.line,
                b.source.column,
                b.source.page,
                None if b.new_in_report is None else int(b.new_in_report),
                b.source.end_page,
            )
            for i, b in enumerate(corpus.bullets)
        ],
    )


def read_store(path: Path) -> Corpus:
    """Read the whole corpus back into records (it is small: thousands of rows, not millions)."""
    if not path.exists():
        raise StoreError(f"no corpus store at {path}; run `assistant ingest` to build it from data/")
    try:
        # as_uri() percent-encodes the path, so '#', '?' or '%' in a folder name cannot cut it short.
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return _read(db)
        finally:
            db.close()
    except sqlite3.DatabaseError as e:
        raise StoreError(f"corpus store {path} is unreadable ({e}); run `assistant ingest` to rebuild it") from None


def _read(db: sqlite3.Connection) -> Corpus:
    version = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    if not version or int(version[0]) != SCHEMA_VERSION:
        raise StoreError(f"corpus store schema {version and version[0]} != {SCHEMA_VERSION}; run `assistant ingest`")
    documents = tuple(
        Document(file, title, checksum, tuple(json.loads(fy)), tuple(json.loads(sup)), tuple(json.loads(pl)))
        for file, title, checksum, fy, sup, pl in db.execute(
            "SELECT file, title, checksum, fiscal_years, supplies, planned_years FROM documents ORDER BY position"
        )
    )
    sections = {
        (file, number): Section(number, title, purpose, SourceRef(file, line, page=page) if line is not None else None)
        for file, number, title, purpose, line, page in db.execute(
            "SELECT file, number, title, purpose, line, page FROM sections"
        )
    }
    doc_rank = {d.file: i for i, d in enumerate(documents)}
    versions: dict[str, list[Measure]] = {}
    for mid, file, name, deps, desc, sec, subno, subtitle, line, page in db.execute(
        "SELECT measure_id, file, name, departments, description, section_number, subsection_number, "
        "subsection_title, line, page FROM measure_versions"
    ):
        departments = tuple(Department(d["name"], d["qualifier"], d["label"]) for d in json.loads(deps))
        subsection = SubSection(subno, subtitle) if subno is not None else None
        versions.setdefault(mid, []).append(
            Measure(mid, name, departments, desc, sections[(file, sec)], subsection, SourceRef(file, line, page=page))
        )
    measures = []
    for mid, name in db.execute("SELECT measure_id, name FROM measures ORDER BY position"):
        vs = sorted(versions[mid], key=lambda v: doc_rank[v.source.file])
        latest = vs[-1]
        measures.append(
            CanonicalMeasure(mid, name, latest.section, latest.subsection.title if latest.subsection else "", tuple(vs))
        )
    bullets = tuple(
        ActivityBullet(
            mid,
            fy,
            dept,
            Status(status),
            text,
            ordinal,
            SourceRef(file, line, col, page, end_page),
            bool(bulleted),
            None if new is None else bool(new),
        )
        for mid, fy, dept, status, text, ordinal, bulleted, file, line, col, page, new, end_page in db.execute(
            "SELECT measure_id, fiscal_year, department, status, text, ordinal, bulleted, file, line, col, page, "
            "new_in_report, end_page FROM bullets ORDER BY bullet_id"
        )
    )
    return Corpus(documents=documents, measures=tuple(measures), bullets=bullets)
