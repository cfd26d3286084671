"""`assistant feedback list|export|stats` on a feedback store written through the store, SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from feedback_backends import Backend
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import get_settings
from assistant.feedback.store import JST, Coverage, FeedbackStore, NewFeedback, Rating


@pytest.fixture
def db(feedback_backend: Backend, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    for name, value in feedback_backend.env().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield feedback_backend
    get_settings.cache_clear()


def _fill(db: Backend) -> None:
    store = FeedbackStore.open(db.target)
    day = lambda m, d, h=0: datetime(2025, m, d, h, tzinfo=JST)  # noqa: E731
    rows = [
        ("防犯カメラの台数は？", Coverage.DIRECT, Rating.HELPFUL, "", ("m-camera",), day(5, 1, 9)),
        ("今日の天気は？", Coverage.OUT_OF_SCOPE, Rating.NOT_HELPFUL, "=cmd|'/c calc'!A1", (), day(5, 2)),
        ("青パトの回数", Coverage.DIRECT, Rating.NOT_HELPFUL, "<script>x</script>", ("m-patrol",), day(6, 1)),
    ]
    for q, cov, rating, comment, measures, when in rows:
        store.add(NewFeedback(q, q, cov, rating, comment, (), measures), max_per_day=100, when=when)
    store.mark_handled(2, "対象外の質問")
    store.close()


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, ["feedback", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_list_stats_export(db: Backend, tmp_path: Path) -> None:
    _fill(db)
    out = _run("list")
    assert out.index("#3") < out.index("#2") < out.index("#1"), "newest first"
    assert "'<script>x</script>'" in out and "対象外の質問" in out
    assert [i["id"] for i in json.loads(_run("list", "--unanswered", "--json"))] == [3, 2]
    assert [i["id"] for i in json.loads(_run("list", "--unanswered", "--open", "--json"))] == [3]
    assert [i["id"] for i in json.loads(_run("list", "--since", "2025-05-02", "--until", "2025-05-31", "--json"))] == [
        2
    ]
    assert [i["id"] for i in json.loads(_run("list", "--measure", "m-camera", "--json"))] == [1]
    assert [i["id"] for i in json.loads(_run("list", "--rating", "helpful", "--json"))] == [1]

    stats = json.loads(_run("stats", "--json"))
    assert stats["total"] == 3 and stats["unanswered"] == 2 and stats["handled"] == 1
    assert stats["by_coverage"] == {"direct": 2, "related": 0, "none": 0, "out_of_scope": 1}
    assert stats["by_measure"] == {"m-camera": 1, "m-patrol": 1}
    assert "total 3" in _run("stats")

    target = tmp_path / "out.csv"
    _run("export", "--format", "csv", "-o", str(target))
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [r["comment"] for r in rows] == ["<script>x</script>", "'=cmd|'/c calc'!A1", ""]
    items = json.loads(_run("export", "--format", "json"))["items"]
    assert items[1]["comment"] == "=cmd|'/c calc'!A1" and items[1]["handled"]


def test_missing_file_and_bad_dates(db: Backend) -> None:
    result = CliRunner().invoke(app, ["feedback", "list"])
    assert result.exit_code == 2 and "no feedback stored yet" in result.output
    if db.path is not None:
        assert not db.path.exists(), "reading never creates the file"
    else:
        assert db.query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()") == [], "nor a table"
    _fill(db)
    result = CliRunner().invoke(app, ["feedback", "list", "--since", "yesterday"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output
