"""The report as the city publishes it: PDF and xlsx fixtures made from the seeds read back to the seeds' records.

Fixtures, both ways the city could have made its PDF:
- reportlab (rendered here, at test time: deterministic, ~0.5 s a report): A4 landscape, the columns, wrapped
  cells, the header on every page, rows split across page breaks, new bullets of the R4 column underlined;
- LibreOffice: an openpyxl workbook converted by ``soffice`` (committed in tests/data/*.lo.pdf, made by
  scripts/make_report_fixtures.py; LibreOffice is too heavy to install on every CI run);
- the workbook itself, on one sheet and split over several.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import get_settings
from assistant.domain.corpus import merge_reports
from assistant.domain.model import Report
from assistant.domain.normalize import Corrections, normalize_text
from assistant.ingest.parse import ParseError
from assistant.ingest.readers import read_table
from assistant.ingest.reports import read_report
from assistant.ingest.table import Line, join_lines, line_separator

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
TEST_DATA = Path(__file__).parents[1] / "data"
SEEDS = ("koganei_bouhan_h29-h30", "koganei_bouhan_r4-r6")


def _load_fixture_script():
    spec = importlib.util.spec_from_file_location("make_report_fixtures", ROOT / "scripts" / "make_report_fixtures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


fixtures_script = _load_fixture_script()


@pytest.fixture(scope="session")
def underlined() -> dict[str, set[str]]:
    """Per seed, the bullets its fixtures underline: the diff-based new ones of the column marked 下線."""
    return {
        s: fixtures_script.diff_new_bullets((DATA_DIR / f"{s}.txt").read_text(encoding="utf-8"), f"{s}.txt")
        for s in SEEDS
    }


@pytest.fixture(scope="session")
def fixture_files(tmp_path_factory: pytest.TempPathFactory, underlined: dict[str, set[str]]) -> dict[str, Path]:
    """kind/seed → a file named like the seed (so measure sources differ only by suffix)."""
    out: dict[str, Path] = {}
    for seed in SEEDS:
        text = (DATA_DIR / f"{seed}.txt").read_text(encoding="utf-8")
        for kind in ("reportlab", "xlsx", "xlsx-sheets"):
            folder = tmp_path_factory.mktemp(kind)
            if kind == "reportlab":
                path = folder / f"{seed}.pdf"
                fixtures_script.render_pdf(text, path, underlined[seed])
            else:
                path = folder / f"{seed}.xlsx"
                fixtures_script.write_xlsx(text, path, sheets=kind == "xlsx-sheets", underline=underlined[seed])
            out[f"{kind}/{seed}"] = path
        out[f"libreoffice/{seed}"] = TEST_DATA / f"{seed}.lo.pdf"
    return out


def _measure_key(m, corrections: Corrections) -> tuple:
    return (
        m.name,
        tuple((d.name, d.qualifier) for d in m.departments),  # the label keeps the printed spacing
        normalize_text(m.description, corrections),
        (m.section.number, m.section.title, m.section.purpose),
        m.subsection,
    )


def differences(got: Report, want: Report, corrections: Corrections) -> list[str]:
    """Every difference in measures, bullets (normalised text), departments, years and statuses, one a line."""
    out = []
    if got.fiscal_years != want.fiscal_years:
        out.append(f"fiscal years {got.fiscal_years} != {want.fiscal_years}")
    got_m = {m.measure_id: _measure_key(m, corrections) for m in got.measures}
    want_m = {m.measure_id: _measure_key(m, corrections) for m in want.measures}
    for mid in sorted(set(got_m) | set(want_m)):
        if got_m.get(mid) != want_m.get(mid):
            out.append(f"measure {mid}: got {got_m.get(mid)} want {want_m.get(mid)}")

    def bullets(r: Report) -> dict[tuple, tuple]:
        return {
            (b.measure_id, b.fiscal_year, b.ordinal): (
                b.department,
                b.status.value,
                b.bulleted,
                normalize_text(b.text, corrections),
            )
            for b in r.bullets
        }

    got_b, want_b = bullets(got), bullets(want)
    for key in sorted(set(got_b) | set(want_b)):
        if got_b.get(key) != want_b.get(key):
            out.append(f"bullet {key}: got {got_b.get(key)} want {want_b.get(key)}")
    return out


KINDS = ("reportlab", "libreoffice", "xlsx", "xlsx-sheets")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", KINDS)
def test_fixture_reads_back_to_the_seed(
    kind: str, seed: str, fixture_files: dict[str, Path], seed_reports: list[Report], corrections: Corrections
) -> None:
    got = read_report(fixture_files[f"{kind}/{seed}"], corrections)
    want = next(r for r in seed_reports if r.file == f"{seed}.txt")
    diff = differences(got, want, corrections)
    assert not diff, f"{kind} {seed}: {len(diff)} difference(s):\n" + "\n".join(diff)
    assert got.title == want.title


@pytest.mark.parametrize("kind", KINDS)
def test_fixtures_merge_to_the_seed_corpus(
    kind: str, fixture_files: dict[str, Path], corpus, corrections: Corrections
) -> None:
    reports = [read_report(fixture_files[f"{kind}/{s}"], corrections) for s in SEEDS]
    merged = merge_reports(reports, corrections)

    def key(c) -> list[tuple]:
        return [(b.measure_id, b.fiscal_year, b.status.value, normalize_text(b.text, corrections)) for b in c.bullets]

    assert sorted(key(merged)) == sorted(key(corpus))
    # As sets: a measure only an older report lists is placed by its row there, and a PDF's (page, row) and
    # a text file's line place it differently among the newer report's measures of its section.
    assert sorted(m.measure_id for m in merged.measures) == sorted(m.measure_id for m in corpus.measures)
    assert [m.section.number for m in merged.measures] == [m.section.number for m in corpus.measures]
    assert merged.fiscal_years == corpus.fiscal_years


def test_reportlab_fixture_has_what_real_pdfs_have(fixture_files: dict[str, Path]) -> None:
    """Header on every page, section rows spanning all columns, and a row split by a page break mid-cell."""
    import pdfplumber

    from assistant.ingest.readers.pdf import TABLE_SETTINGS

    with pdfplumber.open(fixture_files["reportlab/koganei_bouhan_r4-r6"]) as pdf:
        tables = [page.extract_tables(TABLE_SETTINGS)[0] for page in pdf.pages]
    assert len(tables) >= 4
    assert all(t[0][:3] == ["主要な施策", "担当課", "施策の内容"] for t in tables)
    assert any(row[1:] == [None] * (len(row) - 1) for t in tables for row in t)  # a spanning section row
    split = [t[1] for t in tables[1:] if not t[1][0] and not t[1][1]]
    assert split, "no row continues across a page break"
    # at least one split falls inside an activity: the continued cell starts with neither ・ nor 【
    assert any(c and not c.startswith(("・", "【")) for row in split for c in row[3:])


@pytest.mark.parametrize("kind", ["reportlab", "libreoffice", "xlsx"])
def test_underlined_bullets_are_new_in_report(
    kind: str, fixture_files: dict[str, Path], underlined: dict[str, set[str]], corrections: Corrections
) -> None:
    seed = "koganei_bouhan_r4-r6"
    report = read_report(fixture_files[f"{kind}/{seed}"], corrections)
    marked = {c.fiscal_year for c in report.columns if c.marks_new}
    assert marked == {2022}  # 「令和4年度の取組み（下線箇所は当該年度の新たな取組み）」
    in_marked = [b for b in report.bullets if b.fiscal_year in marked]
    got = {b.text for b in in_marked if b.new_in_report}
    want = {b.text for b in in_marked if b.text in underlined[seed]}
    assert got == want, f"missing {want - got}; extra {got - want}"
    assert all(b.new_in_report is not None for b in in_marked)
    assert all(b.new_in_report is None for b in report.bullets if b.fiscal_year not in marked)


def test_text_reports_say_nothing_of_underlines(seed_reports: list[Report]) -> None:
    assert all(b.new_in_report is None for r in seed_reports for b in r.bullets)


def test_pdf_sources_name_page_and_row(fixture_files: dict[str, Path], corrections: Corrections) -> None:
    report = read_report(fixture_files["reportlab/koganei_bouhan_r4-r6"], corrections)
    assert report.pages_read and report.pages_read >= 4
    pages = {b.source.page for b in report.bullets}
    assert min(pages) == 1 and max(pages) == report.pages_read
    b = report.bullets[0]
    assert b.source.label == f"koganei_bouhan_r4-r6.pdf p.{b.source.page} row {b.source.line}"
    assert report.unplaced == ()  # the page numbers 「- n -」 are known furniture


# ---- joining printed lines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "sep"),
    [
        ("地域の防犯パトロ", "ール活動", ""),  # Japanese wraps between any two characters
        ("パトロール回数", "・距離 9,432km", " "),  # a bullet starts a line
        ("【地域安全課】", "・車両数 13台", " "),
        ("・車両数 13台", "【指導室】", " "),  # a department block
        ("Tokyo", "Metro", " "),  # Latin words
        ("9,432", "km", " "),
        ("車両数 ", "13台", " "),  # a printed space at the end of the line
        ("回数", "403回", ""),
    ],
)
def test_line_separator(before: str, after: str, sep: str) -> None:
    assert line_separator(before, after) == sep


def test_department_lines_join_with_spaces_except_inside_brackets() -> None:
    lines = [Line("保育課"), Line("児童青少年課"), Line("子ども家庭センター(令和"), Line("6年度から)")]
    assert join_lines(lines, always_space=True)[0] == "保育課 児童青少年課 子ども家庭センター(令和6年度から)"


def test_underline_offsets_follow_the_joined_text() -> None:
    text, marks = join_lines([Line("・あい"), Line("うえ", frozenset({0, 1})), Line("・か", frozenset({1}))])
    assert text == "・あいうえ ・か"
    assert "".join(text[i] for i in sorted(marks)) == "うえか"


# ---- refusals: one line, nothing changed ------------------------------------------------------------------


def _pdf(draw: Callable, **canvas_args) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=landscape(A4), **canvas_args)
    draw(c)
    c.save()
    return buf.getvalue()


def _scan(c) -> None:
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    image = Image.new("L", (800, 560), 255)
    ImageDraw.Draw(image).rectangle((40, 40, 760, 520), outline=0, width=3)
    c.drawImage(ImageReader(image), 20, 20, 800, 560)


def _other_table(c) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    c.setFont("HeiseiKakuGo-W5", 9)
    for r, row in enumerate([["品目", "数量", "単価"], ["ボールペン", "12", "110"], ["ノート", "5", "180"]]):
        for k, cell in enumerate(row):
            c.rect(40 + 120 * k, 500 - 20 * r, 120, 20)
            c.drawString(44 + 120 * k, 506 - 20 * r, cell)


def _text_page(c) -> None:
    c.drawString(40, 500, "hello")


REFUSALS: dict[str, tuple[Callable[[Path], bytes], str]] = {
    "scan.pdf": (lambda _: _pdf(_scan), "no text layer"),
    "encrypted.pdf": (lambda _: _pdf(_text_page, encrypt="secret"), "encrypted"),
    "other_table.pdf": (lambda _: _pdf(_other_table), "no header row"),
    "truncated.pdf": (lambda p: p.read_bytes()[: len(p.read_bytes()) // 2], "truncated"),
    "truncated.xlsx": (lambda p: p.read_bytes()[: len(p.read_bytes()) // 2], "not a readable .xlsx"),
    "encrypted.xlsx": (lambda _: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "encrypted"),
}


@pytest.fixture
def env(data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data_copy))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "fake")
    get_settings.cache_clear()
    yield data_copy, tmp_path / "index"
    get_settings.cache_clear()


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_refused_with_one_line_and_nothing_changes(
    name: str,
    env: tuple[Path, Path],
    fixture_files: dict[str, Path],
    tmp_path: Path,
    take_snapshot: Callable[[Path], dict[str, bytes]],
) -> None:
    data_dir, index_dir = env
    assert CliRunner().invoke(app, ["ingest"]).exit_code == 0
    before = take_snapshot(data_dir), take_snapshot(index_dir)
    make, reason = REFUSALS[name]
    source = fixture_files[f"{'xlsx' if name.endswith('.xlsx') else 'reportlab'}/koganei_bouhan_r4-r6"]
    path = tmp_path / name
    path.write_bytes(make(source))
    for args in (["ingest", "--dry-run", str(path)], ["ingest", str(path)]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        first, *rest = result.output.strip().splitlines()
        assert first.startswith(f"error: {name}") and reason in first, result.output
        assert rest == ["nothing was changed: data/ and index/ are as they were"]
    assert (take_snapshot(data_dir), take_snapshot(index_dir)) == before


def test_read_table_errors_are_parse_errors() -> None:
    with pytest.raises(ParseError, match="not a PDF"):
        read_table(b"hello", "x.pdf")


# ---- next year's report from its PDF: dry run, ingest, provenance everywhere -------------------------------

NEXT = "koganei_bouhan_r6-r7"
RENAMED, EARLIER = "こがねい安全・安心メール、X（旧ツイッター）", "こがねい安全・安心メール、ツイッター"


def test_next_years_pdf_dry_run_then_ingest_cites_pages(env: tuple[Path, Path], tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from assistant.api.app import create_app
    from assistant.service import open_assistant

    data_dir, _ = env
    with (data_dir / "measure_aliases.tsv").open("a", encoding="utf-8") as f:
        f.write(f"{RENAMED}\t{EARLIER}\n")
    pdf = tmp_path / f"{NEXT}.pdf"
    fixtures_script.render_pdf((TEST_DATA / f"{NEXT}.txt").read_text(encoding="utf-8"), pdf)
    runner = CliRunner()
    assert runner.invoke(app, ["ingest"]).exit_code == 0
    dry = runner.invoke(app, ["ingest", "--dry-run", str(pdf)])
    assert dry.exit_code == 0, dry.output
    assert "fiscal years [2024, 2025]" in dry.output and "replacing years: [2024]" in dry.output
    assert "pages read: " in dry.output and "could not place: none" in dry.output
    assert f"CoCoパトロール隊による地域パトロール: 車両数 13台  ({NEXT}.pdf p.1 row " in dry.output
    assert not (data_dir / pdf.name).exists()

    done = runner.invoke(app, ["ingest", str(pdf)])
    assert done.exit_code == 0, done.output
    assert (data_dir / pdf.name).read_bytes() == pdf.read_bytes()
    get_settings.cache_clear()
    settings = get_settings()
    with TestClient(create_app(settings, open_assistant(settings))) as client:
        hits = client.post("/api/search", json={"question": "CoCoパトロール 令和7年度"}).json()["hits"]
        source = next(h["source"] for h in hits if h["fiscal_year"] == 2025)
        assert source["file"] == f"{NEXT}.pdf" and source["page"] >= 1
        assert source["label"] == f"{NEXT}.pdf p.{source['page']} row {source['line']}"
        ask = client.post("/api/ask", json={"question": "CoCoパトロールの令和7年度の取組みは？"}).json()
        assert any(c["source"]["label"].startswith(f"{NEXT}.pdf p.") for c in ask["citations"])
        rows = client.get("/api/export", params={"format": "json", "years": "2025"}).json()["rows"]
        assert rows and all(r["source_page"] >= 1 and r["source"].startswith(f"{NEXT}.pdf p.") for r in rows)
        csv = client.get("/api/export", params={"format": "csv", "years": "2025"}).content.decode("utf-8-sig")
        assert "source_page" in csv.splitlines()[0] and f"{NEXT}.pdf p." in csv
