"""The continued-row rule (ingest/continuation.py) on table rows as any reader gives them, and the PDF reader's
helpers for generators that cut rows (readers/pdf_wraps.py, readers/pdf_fonts.py)."""

from __future__ import annotations

import logging

import pytest

from assistant.domain.model import SourceRef
from assistant.domain.normalize import Corrections
from assistant.ingest.parse import ParseError, parse_report, parse_table
from assistant.ingest.readers.pdf_fonts import quiet_pdf_logs, text_damaged
from assistant.ingest.readers.pdf_wraps import drop_split_spaces
from assistant.ingest.reports import extraction_lines
from assistant.ingest.table import Line, Table, TableRow

HEADER = ("主要な施策", "担当課", "施策の内容", "令和5年度の取組み", "令和6年度の取組み（実施予定を含む）")
SECTION = ("3 地域における防犯ネットワークづくり", "", "", "", "")
NAME = "虐待防止のための対応ネットワークづくりの推進"
ABOVE = (
    NAME,
    "自立生活支援課 子ども家庭センター(令和",
    "高齢者や障がいのある人、子どもなどへの虐待を未然に防",
    "【介護福祉課】 ・高齢者虐待の防止から個別支援に至る各段階で関連機関等と連携し、多面的な支援を実施し",
    "【介護福祉課】 ・高齢者虐待に関するパンフレットの配布",
)
# The part a page break carried to the next page: every cell cut mid-word, mid-sentence or mid-block.
REST = (
    "",
    "6年度から)",
    "止するとともに、ネットワークづくりを推進します。",
    "た。 ・高齢者虐待に関するパンフレットの配布等で啓発活動を実施した。",
    "等で啓発活動を実施予定。 【子ども家庭センター】 ・巡回訪問を実施予定",
)


def _pdf_rows(rest: tuple[str, ...] = REST, *, header_again: bool = True) -> tuple[TableRow, ...]:
    """Page 4: header, section, the row (row 7 of the page); page 5: the header again and the rest (row 2)."""
    rows = [
        TableRow(HEADER, SourceRef("r.pdf", 1, page=4)),
        TableRow(SECTION, SourceRef("r.pdf", 6, page=4)),
        TableRow(ABOVE, SourceRef("r.pdf", 7, page=4)),
    ]
    if header_again:
        rows.append(TableRow(HEADER, SourceRef("r.pdf", 1, page=5)))
    rows.append(TableRow(rest, SourceRef("r.pdf", 2 if header_again else 1, page=5)))
    return tuple(rows)


def _parse(rows: tuple[TableRow, ...], corrections: Corrections):
    return parse_table(Table("r.pdf", rows, "0" * 64, pages_read=5), corrections)


def test_a_row_cut_on_every_column_is_one_row(corrections: Corrections) -> None:
    report = _parse(_pdf_rows(), corrections)
    (measure,) = report.measures
    assert measure.name == NAME
    assert [(d.name, d.qualifier) for d in measure.departments] == [
        ("自立生活支援課", ""),
        ("子ども家庭センター", "令和6年度から"),
    ]
    assert (
        measure.description
        == "高齢者や障がいのある人、子どもなどへの虐待を未然に防止するとともに、ネットワークづくりを推進します。"
    )
    got = [(b.fiscal_year, b.department, b.text) for b in report.bullets]
    assert got == [
        (2023, "介護福祉課", "高齢者虐待の防止から個別支援に至る各段階で関連機関等と連携し、多面的な支援を実施した。"),
        (2024, "介護福祉課", "高齢者虐待に関するパンフレットの配布等で啓発活動を実施予定。"),
        (2023, "介護福祉課", "高齢者虐待に関するパンフレットの配布等で啓発活動を実施した。"),
        (2024, "子ども家庭センター", "巡回訪問を実施予定"),
    ]
    assert [b.ordinal for b in report.bullets] == [1, 1, 2, 2]


def test_a_joined_item_cites_both_pages(corrections: Corrections) -> None:
    report = _parse(_pdf_rows(), corrections)
    labels = [b.source.label for b in report.bullets]
    # 2023's first bullet and 2024's straddle the break; 2023's second and 2024's 【子ども家庭センター】 are on p.5.
    assert labels == ["r.pdf p.4–5 row 7", "r.pdf p.4–5 row 7", "r.pdf p.5 row 2", "r.pdf p.5 row 2"]
    assert report.measures[0].source.label == "r.pdf p.4 row 7"


def test_the_dry_run_lists_the_join_with_both_pages(corrections: Corrections) -> None:
    lines = extraction_lines(_parse(_pdf_rows(), corrections))
    assert "  rows joined across a page (1):" in lines
    assert f"    {NAME}: p.4 row 7 + p.5 row 2" in lines


def test_a_row_opening_a_page_without_a_repeated_header_also_continues(corrections: Corrections) -> None:
    report = _parse(_pdf_rows(header_again=False), corrections)
    assert len(report.measures) == 1 and len(report.bullets) == 4
    assert report.joins[0].rest == (SourceRef("r.pdf", 1, page=5),)


def test_a_cut_in_a_year_column_only_keeps_the_block(corrections: Corrections) -> None:
    rest = ("", "", "", "た。 ・パンフレットを配布した。", "")
    report = _parse(_pdf_rows(rest), corrections)
    assert [b.text for b in report.bullets if b.fiscal_year == 2023] == [
        "高齢者虐待の防止から個別支援に至る各段階で関連機関等と連携し、多面的な支援を実施した。",
        "パンフレットを配布した。",
    ]
    assert {b.department for b in report.bullets} == {"介護福祉課"}


def test_a_continuation_with_no_row_above_is_refused_with_page_and_row(corrections: Corrections) -> None:
    rows = (TableRow(HEADER, SourceRef("r.pdf", 1, page=1)), TableRow(HEADER, SourceRef("r.pdf", 1, page=2)))
    rows += (TableRow(REST, SourceRef("r.pdf", 2, page=2)),)
    with pytest.raises(ParseError, match=r"^r\.pdf p\.2 row 2: a row continuing the row above"):
        _parse(rows, corrections)


def test_a_continuation_under_a_section_row_is_refused(corrections: Corrections) -> None:
    rows = (
        *_pdf_rows()[:2],
        TableRow(HEADER, SourceRef("r.pdf", 1, page=5)),
        TableRow(REST, SourceRef("r.pdf", 2, page=5)),
    )
    with pytest.raises(ParseError, match=r"^r\.pdf p\.5 row 2: "):
        _parse(rows, corrections)


def test_text_reports_join_after_a_repeated_header_and_keep_their_lines(corrections: Corrections) -> None:
    text = "\n".join("\t".join(r) for r in (HEADER, SECTION, ABOVE, HEADER, REST)) + "\n"
    report = parse_report(text, "r.txt", corrections)
    assert len(report.measures) == 1
    assert {b.source.label for b in report.bullets} == {"r.txt:3", "r.txt:5"}  # no pages: the line it starts on


def test_the_seed_continuation_still_cites_its_own_line(r4) -> None:
    recorders = [b for b in r4.bullets if b.text.startswith("自動通話録音機を120台")]
    assert [b.source.line for b in recorders] == [22]
    assert len(r4.joins) == 1 and r4.joins[0].first.line == 19


# ---- reportlab's spaces in a cut row, pdfminer's font warnings ---------------------------------------------


@pytest.mark.parametrize(
    ("lines", "want"),
    [
        (
            ["・公園内の死角排除のため、ボランティ", " アの協力等も含め定期的に植栽の剪", "定 を行った。 "],
            "・公園内の死角排除のため、ボランティ| アの協力等も含め定期的に植栽の剪|定を行った。 ",
        ),
        (["参加者82 人。"], "参加者82人。"),
        (["(平成 27 年度から累計874台 ", "貸与)"], "(平成27年度から累計874台|貸与)"),
        (["・車両数 13台 ", "・距離 9,432km"], "・車両数 13台 |・距離 9,432km"),  # a real space before a figure
        (["【地域安全課】 ・自動通話録音機"], "【地域安全課】 ・自動通話録音機"),  # items stay apart
    ],
)
def test_split_spaces_dropped(lines: list[str], want: str) -> None:
    """(table.join_lines strips a line's leading space.)"""
    assert "|".join(ln.text for ln in drop_split_spaces([Line(t) for t in lines])) == want


def test_split_spaces_keep_underlines_on_their_characters() -> None:
    (line,) = drop_split_spaces([Line("あい うえ", frozenset({3, 4}))])
    assert line.text == "あいうえ" and "".join(line.text[i] for i in sorted(line.underlined)) == "うえ"


def test_pdfminer_warnings_are_counted_not_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with quiet_pdf_logs() as log:
        logging.getLogger("pdfminer.pdffont").warning("Could not get FontBBox from font descriptor")
    assert log.count == 1
    assert "FontBBox" not in capsys.readouterr().err
    assert not logging.getLogger("pdfminer").handlers  # restored


def test_text_damaged_by_a_font() -> None:
    fine = {"text": "防", "top": 10.0, "bottom": 17.5}
    assert not text_damaged([fine])
    assert text_damaged([fine, {"text": "(cid:1234)", "top": 10.0, "bottom": 17.5}])
    assert text_damaged([{"text": "防", "top": 10.0, "bottom": 10.0}])
