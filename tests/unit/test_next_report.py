"""Next year's report: validated, previewed, ingested atomically, and then visible everywhere — no code change.

tests/data/koganei_bouhan_r6-r7.txt is derived from the R4-R6 seed: it reports 令和6年度 as done (replacing the
planned column of the older report), plans 令和7年度, renames one measure and adds one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import get_settings
from assistant.domain.model import Status
from assistant.retrieval.index import load_index

NEW_REPORT = Path(__file__).parents[1] / "data" / "koganei_bouhan_r6-r7.txt"
RENAMED = "こがねい安全・安心メール、X（旧ツイッター）"
EARLIER = "こがねい安全・安心メール、ツイッター"


@pytest.fixture
def env(data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    index_dir = tmp_path / "index"
    with (data_copy / "measure_aliases.tsv").open("a", encoding="utf-8") as f:
        f.write(f"{RENAMED}\t{EARLIER}\n")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data_copy))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(index_dir))
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "fake")
    get_settings.cache_clear()
    yield data_copy, index_dir
    get_settings.cache_clear()


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_dry_run_shows_what_the_report_adds_and_writes_nothing(
    env: tuple[Path, Path], take_snapshot: Callable[[Path], dict[str, bytes]]
) -> None:
    data_dir, index_dir = env
    _run("ingest")
    before = take_snapshot(data_dir), take_snapshot(index_dir)
    out = _run("ingest", "--dry-run", str(NEW_REPORT))
    assert "fiscal years [2024, 2025]" in out
    assert "new years: [2025]" in out and "replacing years: [2024]" in out
    assert "特殊詐欺対策電話機等購入費補助" in out  # a new measure
    assert f"renamed: {EARLIER} → {RENAMED}" in out
    assert "空き家の適正な管理の推進" in out  # kept from earlier years, not in this report
    assert (take_snapshot(data_dir), take_snapshot(index_dir)) == before


def test_ingesting_the_new_report_updates_every_view(env: tuple[Path, Path]) -> None:
    data_dir, index_dir = env
    _run("ingest")
    out = _run("ingest", str(NEW_REPORT))
    assert "fiscal years: 2017, 2018, 2022, 2023, 2024, 2025" in out
    assert (data_dir / NEW_REPORT.name).read_bytes() == NEW_REPORT.read_bytes()

    corpus = load_index(index_dir, "fake:64").corpus
    assert corpus.fiscal_years == (2017, 2018, 2022, 2023, 2024, 2025)
    # 令和6年度 now comes from the newer report, as done work; the older report's plans are superseded.
    fy2024 = [b for b in corpus.bullets if b.fiscal_year == 2024]
    assert fy2024 and {b.source.file for b in fy2024} == {NEW_REPORT.name}
    assert all(b.status is Status.ACTUAL for b in fy2024)
    assert any(b.text == "市民防犯講習会 11月6日開催 参加者数 31人" for b in fy2024)
    # 令和7年度 is the plans-including column.
    assert {b.status for b in corpus.bullets if b.fiscal_year == 2025} <= {Status.PLANNED, Status.CURRENT}
    # The renamed measure keeps one id and one timeline from 2017 to 2025.
    mail = next(m for m in corpus.measures if m.name == RENAMED)
    assert [v.name for v in mail.versions] == [EARLIER, EARLIER, RENAMED]
    assert {b.fiscal_year for b in corpus.bullets if b.measure_id == mail.measure_id} >= {2017, 2023, 2025}
    # A question about the new year is answered from it.
    out = _run("search", "自動通話録音機", "--json", "--year", "令和7年度")
    assert '"fiscal_year": 2025' in out


def test_a_bad_new_report_changes_nothing(
    env: tuple[Path, Path], tmp_path: Path, take_snapshot: Callable[[Path], dict[str, bytes]]
) -> None:
    data_dir, index_dir = env
    _run("ingest")
    before = take_snapshot(data_dir), take_snapshot(index_dir)
    bad = tmp_path / "koganei_bouhan_r7-r8.txt"
    text = NEW_REPORT.read_text(encoding="utf-8").splitlines()
    text[12] = text[12].replace("\t", " ", 1)  # one row loses a cell
    bad.write_text("\n".join(text), encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(bad)])
    assert result.exit_code != 0
    assert f"{bad.name}:13" in result.output and "nothing was changed" in result.output
    assert (take_snapshot(data_dir), take_snapshot(index_dir)) == before
    shift_jis = tmp_path / "sjis.txt"
    shift_jis.write_bytes(NEW_REPORT.read_text(encoding="utf-8").encode("shift_jis", errors="replace"))
    result = CliRunner().invoke(app, ["ingest", str(shift_jis)])
    assert result.exit_code != 0 and "UTF-8" in result.output
    assert (take_snapshot(data_dir), take_snapshot(index_dir)) == before


@pytest.mark.usefixtures("env")
def test_dry_run_lists_departments_the_contact_file_lacks(tmp_path: Path) -> None:
    _run("ingest")
    out = _run("ingest", "--dry-run", str(NEW_REPORT))
    assert "departments not in data/departments.tsv" not in out  # every department of the seeds is listed
    renamed = tmp_path / "koganei_bouhan_r6-r7.txt"
    renamed.write_text(NEW_REPORT.read_text(encoding="utf-8").replace("学務課", "教育総務課"), encoding="utf-8")
    out = _run("ingest", "--dry-run", str(renamed))
    assert "departments not in data/departments.tsv (answers name them as the report does): ['教育総務課']" in out
