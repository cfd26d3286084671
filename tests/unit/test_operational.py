"""Operational failures while writing the index: one line naming the path and the fix, no traceback, and the
previous index keeps serving."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import Settings, get_settings
from assistant.ingest.storage import StorageError
from assistant.retrieval import index as index_module
from assistant.retrieval.index import current_build, load_index
from assistant.service import open_assistant


@pytest.fixture
def env(data_copy: Path, index_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data_copy))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(index_copy))
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "fake")
    get_settings.cache_clear()
    yield data_copy, index_copy
    get_settings.cache_clear()


def _disk_full_in_sqlite(*args: object) -> None:
    raise sqlite3.OperationalError("database or disk is full")


def _disk_full_on(path: Path) -> None:
    raise OSError(errno.ENOSPC, "No space left on device", str(path / "vectors.faiss"))


def _one_line_error(output: str) -> str:
    """The CLI's error, one line; the progress bar may stand before it, nothing else may."""
    lines = [line for line in output.splitlines() if line.strip() and "embedding passages" not in line]
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    assert "Traceback" not in output and "OperationalError" not in output and 'File "' not in output
    return lines[0]


@pytest.mark.parametrize(
    ("where", "failure", "named"),
    [
        ("write_store", _disk_full_in_sqlite, "index"),  # sqlite names no file: the index folder is named
        ("_fsync_tree", _disk_full_on, "vectors.faiss"),
    ],
    ids=["sqlite-full", "enospc"],
)
def test_disk_full_during_ingest(env, monkeypatch: pytest.MonkeyPatch, where: str, failure, named: str) -> None:
    _, index_dir = env
    before = current_build(index_dir)
    monkeypatch.setattr(index_module, where, failure)
    result = CliRunner().invoke(app, ["ingest", "--force"])
    line = _one_line_error(result.output)
    assert result.exit_code == 2
    assert "ディスクの空きがありません" in line and "the disk is full" in line and named in line
    assert str(index_dir) in line and "assistant ingest" in line
    assert current_build(index_dir) == before and load_index(index_dir, "fake:64").corpus.bullets
    assert not list((index_dir / "builds").glob("*.partial")), "the half-written build is removed"


def test_index_folder_under_a_regular_file(env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(blocker / "index"))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["ingest"])
    line = _one_line_error(result.output)
    assert result.exit_code == 2
    assert str(blocker / "index") in line and "フォルダー" in line and "a file stands where a folder is needed" in line


def test_start_up_keeps_serving_the_previous_index_when_the_disk_is_full(
    data_copy: Path, index_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (data_copy / "corrections.tsv").open("a", encoding="utf-8") as f:
        f.write("# a change that makes the index out of date\n")
    before = current_build(index_copy)
    monkeypatch.setattr(index_module, "write_store", _disk_full_in_sqlite)
    a = open_assistant(Settings(data_dir=data_copy, index_dir=index_copy, embedder="fake"), build=True)
    assert a.index.path == before and a.searcher.search("防犯カメラ", top_k=3).hits
    assert a.data_error is not None and "the disk is full" in a.data_error and "\n" not in a.data_error


def test_start_up_without_any_index_reports_the_write_failure(tmp_path: Path, data_copy: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    settings = Settings(data_dir=data_copy, index_dir=blocker / "index", embedder="fake")
    with pytest.raises(StorageError) as info:
        open_assistant(settings, build=True)
    assert str(blocker / "index") in str(info.value) and "\n" not in str(info.value)
