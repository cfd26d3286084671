"""Issue 17 items 3 and 13: a report never overwrites a data table nor slips in under a name data/ ignores, and
adding one says exactly what it replaces: an overlap it does not supersede is refused unless --replace names the
report it replaces; ties are never broken by file name."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import get_settings
from assistant.ingest.addition import DATA_TABLES
from assistant.retrieval.index import QUERY_DATA_FILES, load_index

ROOT = Path(__file__).resolve().parents[2]
R4 = ROOT / "data" / "koganei_bouhan_r4-r6.txt"
NEXT = ROOT / "tests" / "data" / "koganei_bouhan_r6-r7.txt"


@pytest.fixture
def env(data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    index_dir = tmp_path / "index"
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data_copy))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(index_dir))
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "fake")
    get_settings.cache_clear()
    yield data_copy, index_dir
    get_settings.cache_clear()


def _run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def _renamed(tmp_path: Path, source: Path, name: str) -> Path:
    target = tmp_path / "elsewhere" / name
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(source, target)
    return target


def test_the_tables_of_the_index_are_all_data_tables() -> None:
    assert set(QUERY_DATA_FILES) <= DATA_TABLES


@pytest.mark.parametrize("name", sorted(DATA_TABLES))
@pytest.mark.parametrize("dry", [True, False], ids=["dry-run", "ingest"])
def test_a_report_named_like_a_data_table_is_refused(
    env: tuple[Path, Path], tmp_path: Path, take_snapshot: Callable[[Path], dict[str, bytes]], name: str, dry: bool
) -> None:
    data_dir, _ = env
    before = take_snapshot(data_dir)
    out = _run("ingest", *(["--dry-run"] if dry else []), str(_renamed(tmp_path, NEXT, name)), code=2)
    assert "data table" in out or "not a report file name" in out
    assert take_snapshot(data_dir) == before


def test_a_report_named_like_another_non_report_file_of_data_is_refused(env: tuple[Path, Path], tmp_path: Path) -> None:
    data_dir, _ = env
    (data_dir / "README.md").write_text("notes", encoding="utf-8")
    out = _run("ingest", str(_renamed(tmp_path, NEXT, "README.md")), code=2)
    assert "data table" in out and (data_dir / "README.md").read_text(encoding="utf-8") == "notes"
    (data_dir / "notes.txt").mkdir()  # a directory named like a report is not a report either
    out = _run("ingest", str(_renamed(tmp_path, NEXT, "notes.txt")), code=2)
    assert "data table" in out


@pytest.mark.parametrize("name", ["~$koganei_bouhan_r6-r7.xlsx", "~$koganei_bouhan_r6-r7.txt", ".koganei.txt"])
def test_lock_files_and_hidden_names_are_refused(env: tuple[Path, Path], tmp_path: Path, name: str) -> None:
    data_dir, _ = env
    out = _run("ingest", str(_renamed(tmp_path, NEXT, name)), code=2)
    assert "lock file" in out or "hidden" in out
    assert not (data_dir / name).exists()


def test_a_draft_for_years_already_covered_is_refused_and_says_how(env: tuple[Path, Path], tmp_path: Path) -> None:
    data_dir, _ = env
    draft = _renamed(tmp_path, R4, "a_draft r4-r6.txt")
    out = _run("ingest", "--dry-run", str(draft), code=2)
    assert "2022, 2023, 2024" in out and "koganei_bouhan_r4-r6.txt" in out
    assert "--replace koganei_bouhan_r4-r6.txt" in out
    assert "replacing years" not in out  # never claims a replacement it would not make
    _run("ingest", str(draft), code=2)
    assert not (data_dir / draft.name).exists()


def test_replace_names_the_report_replaced(env: tuple[Path, Path], tmp_path: Path) -> None:
    data_dir, index_dir = env
    draft = _renamed(tmp_path, R4, "a_draft r4-r6.txt")
    dry = _run("ingest", "--dry-run", "--replace", "koganei_bouhan_r4-r6.txt", str(draft))
    assert "replaces data/koganei_bouhan_r4-r6.txt (--replace)" in dry
    assert (data_dir / "koganei_bouhan_r4-r6.txt").exists()  # a dry run removes nothing
    _run("ingest", "--replace", "koganei_bouhan_r4-r6.txt", str(draft))
    assert not (data_dir / "koganei_bouhan_r4-r6.txt").exists() and (data_dir / draft.name).exists()
    corpus = load_index(index_dir, "fake:64").corpus
    assert {b.source.file for b in corpus.bullets if b.fiscal_year == 2023} == {draft.name}
    assert all(any(b.measure_id == m.measure_id for b in corpus.bullets) for m in corpus.measures)  # none empty


def test_replace_must_name_a_report_of_data(env: tuple[Path, Path], tmp_path: Path) -> None:
    out = _run("ingest", "--replace", "nothing.txt", str(_renamed(tmp_path, R4, "b.txt")), code=2)
    assert "--replace nothing.txt: no such report" in out


def test_next_years_report_says_exactly_which_year_it_takes_over(env: tuple[Path, Path]) -> None:
    out = _run("ingest", "--dry-run", str(NEXT))
    assert "replacing years: [2024]" in out
    assert "2024: from this report instead of koganei_bouhan_r4-r6.txt (which ends earlier)" in out


def test_two_reports_ending_the_same_year_in_data_are_refused(env: tuple[Path, Path]) -> None:
    data_dir, _ = env
    shutil.copyfile(R4, data_dir / "a_copy r4-r6.txt")  # put there by hand, not by ingest
    out = _run("ingest", code=2)
    assert "ending the same year" in out and "a_copy r4-r6.txt" in out and "koganei_bouhan_r4-r6.txt" in out
