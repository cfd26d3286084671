"""Render a text report (data/*.txt) the two ways the city could have made its PDF, for the reader tests.

    .venv/bin/python scripts/make_report_fixtures.py pdf  data/koganei_bouhan_r4-r6.txt out.pdf
    .venv/bin/python scripts/make_report_fixtures.py xlsx data/koganei_bouhan_r4-r6.txt out.xlsx
    .venv/bin/python scripts/make_report_fixtures.py lo-pdf data/koganei_bouhan_r4-r6.txt tests/data/….pdf

``pdf``: reportlab with its built-in Japanese CID font (HeiseiKakuGo-W5, no font file needed), A4 landscape,
the six columns, cell text wrapped to the column, the header repeated on every page, a report's own header
rows and continuation rows starting a new page as in the city's PDF, and any row too tall for what is left
of a page split across the break (its rest continues under the next page's header with empty leading cells).
Bullets of a column whose header says 下線箇所は…新たな取組み are underlined when they are in ``underline``.

``xlsx``: openpyxl, one row per table row, section rows merged across the columns, a line break before
each ・ bullet and 【課】 block, one department per line; ``--sheets`` splits it at the report's own header rows.
``lo-pdf``: that workbook converted by LibreOffice headless (``soffice``, Debian ``libreoffice-calc``), as
a municipal office exports it. LibreOffice is ~300 MB and ~50 s to install, too heavy for every CI run, so
its output is committed (tests/data/*.lo.pdf) and this script is how to make it again.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

FONT = "HeiseiKakuGo-W5"
FONT_SIZE = 7.5
LEADING = 10.0  # 1.33 × the font size: lines of a cell stay apart for the reader's line grouping
PAD = 3.0  # cell padding: keeps an underline (1.5 pt under the baseline) clear of the cell's bottom rule
MARGIN = 28.0
LEADING_WIDTHS = (105.0, 95.0, 165.0)  # 主要な施策, 担当課, 施策の内容; the year columns share the rest
MIN_SPLIT_LINES = 4  # a row is split at a page break only if at least this many of its lines fit
# Where a cell's text starts a new printed line: a ・ bullet or a 【課】 block after white space.
_ITEM_START = re.compile(r"\s+(?=[・【])")
_LATIN = re.compile(r"[0-9A-Za-z]")
# 行頭禁則 (JIS X 4051): never at the start of a line. So a ・ that starts a printed line is a bullet.
NO_LINE_START = "、。，．・：；？！ー）］｝」』】〕〉》,.)]}:;?!"
_LATIN_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def cell_items(cell: str) -> list[str]:
    """A TSV cell → the lines the city printed: one per 【課】 block heading and ・ bullet."""
    return [p for p in _ITEM_START.split(cell.strip()) if p]


def department_items(cell: str) -> list[str]:
    """「企画政策課 （男女共同参画室）」 stays one item; other departments one per line."""
    items: list[str] = []
    for token in cell.split():
        if token[0] in "(（" and items:
            items[-1] += " " + token
        else:
            items.append(token)
    return items


def wrap(text: str, width: float, measure) -> list[str]:
    """Wrap at any character in Japanese, at a space in Latin text; a space at a break stays on its line."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and measure(line + ch) > width and not ch.isspace():
            cut = len(line)
            if _LATIN.match(ch) and _LATIN.match(line[-1]):
                # Never inside a Latin word: back to its start (a space or the Japanese character before it).
                cut = len(line.rstrip(_LATIN_CHARS))
                cut = cut or len(line)  # a word longer than the line: cut it after all
            elif ch in NO_LINE_START and len(line) > 1:
                cut = len(line) - 1  # 禁則: carry the character before it down too, as Excel and LibreOffice do
            lines.append(line[:cut])
            line = line[cut:]
        line += ch
    if line:
        lines.append(line)
    return lines


@dataclass
class Cell:
    lines: list[str]
    underline: list[bool]


@dataclass
class Row:
    cells: list[Cell]  # one cell spanning every column for a section row
    kind: str  # "header" | "span" | "body"
    new_page: bool = False  # the report's own page break (its header row or a continuation row)


@dataclass
class Layout:
    widths: list[float]
    measure: object
    underline: set[str] = field(default_factory=set)

    def cell(self, text: str, width: float, items: list[str], marks_new: bool) -> Cell:
        lines: list[str] = []
        flags: list[bool] = []
        for item in items:
            wrapped = wrap(item, width - 2 * PAD, self.measure)
            bullet = item.lstrip("・").strip()
            flag = marks_new and item.startswith("・") and (item.strip() in self.underline or bullet in self.underline)
            lines += wrapped
            flags += [flag] * len(wrapped)
        return Cell(lines, flags)

    def rows(self, text: str) -> tuple[str, list[Row]]:
        title = ""
        rows: list[Row] = []
        marks_new: list[bool] = []
        for raw in text.split("\n"):
            cells = raw.split("\t")
            if not any(c.strip() for c in cells):
                continue
            if len(cells) == 1:
                title = cells[0].strip()
                continue
            if cells[0] == "主要な施策":
                marks_new = [False] * 3 + ["下線" in c for c in cells[3:]]
                header = [self.cell(c, w, [c], False) for c, w in zip(cells, self.widths, strict=True)]
                rows.append(Row(header, "header", new_page=bool(rows)))
                continue
            if cells[0].strip() and not any(c.strip() for c in cells[1:]):
                rows.append(Row([self.cell(cells[0], sum(self.widths), [cells[0].strip()], False)], "span"))
                continue
            body = []
            for i, (c, w) in enumerate(zip(cells, self.widths, strict=True)):
                items = department_items(c) if i == 1 else [c.strip()] if i in (0, 2) else cell_items(c)
                body.append(self.cell(c, w, [x for x in items if x], marks_new[i]))
            rows.append(Row(body, "body", new_page=not any(c.strip() for c in cells[:3])))
        return title, rows


def _row_height(row: Row) -> float:
    return max(len(c.lines) for c in row.cells) * LEADING + 2 * PAD


def _split(row: Row, lines: int) -> tuple[Row, Row]:
    head = Row([Cell(c.lines[:lines], c.underline[:lines]) for c in row.cells], row.kind)
    rest = Row([Cell(c.lines[lines:], c.underline[lines:]) for c in row.cells], row.kind)
    return head, rest


class _Pdf:
    def __init__(self, out: Path, layout: Layout) -> None:
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.pdfgen import canvas

        self.size = landscape(A4)
        self.canvas = canvas.Canvas(str(out), pagesize=self.size, invariant=1)  # invariant: byte-identical output
        self.layout = layout
        self.page = 0
        self.y = 0.0
        self.header: Row | None = None
        self.fresh = True
        self.header_drawn = False
        self.break_in: str | None = None  # the measure whose row a page break is forced into (inside a block)

    def new_page(self) -> None:
        if self.page:
            self.canvas.showPage()
        self.page += 1
        self.y = self.size[1] - MARGIN
        self.fresh = True  # nothing but the header on this page yet
        self.canvas.setFont(FONT, FONT_SIZE)
        self.canvas.drawCentredString(self.size[0] / 2, MARGIN / 2, f"- {self.page} -")
        self.header_drawn = self.header is not None
        if self.header is not None:
            self.draw(self.header)

    def draw(self, row: Row) -> None:
        c, x, h = self.canvas, MARGIN, _row_height(row)
        c.setFont(FONT, FONT_SIZE)
        widths = [sum(self.layout.widths)] if row.kind == "span" else self.layout.widths
        for cell, w in zip(row.cells, widths, strict=True):
            c.rect(x, self.y - h, w, h, stroke=1, fill=0)
            for i, (line, under) in enumerate(zip(cell.lines, cell.underline, strict=True)):
                base = self.y - PAD - FONT_SIZE - i * LEADING
                c.drawString(x + PAD, base, line)
                if under:
                    c.setLineWidth(0.5)
                    width = c.stringWidth(line.rstrip(), FONT, FONT_SIZE)
                    c.line(x + PAD, base - 1.5, x + PAD + width, base - 1.5)
                    c.setLineWidth(1)
            x += w
        self.y -= h

    def room(self) -> float:
        return self.y - MARGIN

    def add(self, row: Row) -> None:
        if row.kind == "header":
            self.header = row
            if row.new_page and not self.fresh:
                self.new_page()  # draws the new header
            elif not self.header_drawn:
                self.draw(row)  # the first page, under the title
                self.header_drawn = True
            return
        if row.new_page and not self.fresh:
            self.new_page()
        self.fresh = False
        cut = (
            block_cut(row)
            if self.break_in and row.cells[0].lines and self.break_in.startswith(row.cells[0].lines[0])
            else None
        )
        if cut is not None and _row_height(_split(row, cut)[0]) <= self.room():
            head, row = _split(row, cut)
            self.draw(head)
            self.new_page()
        while _row_height(row) > self.room():
            fit = int((self.room() - 2 * PAD) // LEADING)
            if fit >= MIN_SPLIT_LINES and row.kind == "body":
                head, row = _split(row, fit)
                self.draw(head)
            self.new_page()
        self.draw(row)


def block_cut(row: Row) -> int | None:
    """The first printed line of a year cell that is a ・ bullet inside a 【課】 block but not its first: a page
    break there leaves the block's heading on one page and its next bullets on the other."""
    cuts = []
    for cell in row.cells[3:]:
        for j, line in enumerate(cell.lines):
            in_block = any(x.startswith("【") for x in cell.lines[:j])
            if j >= MIN_SPLIT_LINES and in_block and line.startswith("・") and not cell.lines[j - 1].startswith("【"):
                cuts.append(j)
                break
    return min(cuts, default=None)


def render_pdf(text: str, out: Path, underline: set[str] | None = None, break_in: str | None = None) -> int:
    """Render a text report as the city's PDF; returns the number of pages. ``break_in``: a measure whose row
    a page break cuts inside a 【課】 block (:func:`block_cut`) rather than wherever the page ends."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    header = next(line for line in text.split("\n") if line.startswith("主要な施策")).split("\t")
    usable = 842 - 2 * MARGIN - sum(LEADING_WIDTHS)  # A4 landscape is 842 × 595 pt
    widths = [*LEADING_WIDTHS] + [usable / (len(header) - 3)] * (len(header) - 3)
    layout = Layout(widths, lambda s: pdfmetrics.stringWidth(s, FONT, FONT_SIZE), underline or set())
    title, rows = layout.rows(text)
    pdf = _Pdf(out, layout)
    pdf.break_in = break_in
    pdf.new_page()
    pdf.canvas.setFont(FONT, FONT_SIZE + 3)
    pdf.canvas.drawString(MARGIN, pdf.y - FONT_SIZE - 3, title)
    pdf.y -= 2 * (FONT_SIZE + 3)
    for row in rows:
        pdf.add(row)
    pdf.canvas.save()
    return pdf.page


def logical_rows(text: str) -> tuple[str, list[list[str]], list[str]]:
    """A text report → its title, header and table rows as one table: the text's own repeated header rows
    dropped and its page-break continuation rows (empty leading cells) joined back to the row above."""
    title, header, rows = "", [], []
    for raw in text.split("\n"):
        cells = raw.split("\t")
        if not any(c.strip() for c in cells):
            continue
        if len(cells) == 1:
            title = cells[0].strip()
        elif cells[0] == "主要な施策":
            header = header or cells
        elif not any(c.strip() for c in cells[:3]) and rows:
            rows[-1] = [
                a if not b.strip() else f"{a} {b.strip()}".strip() for a, b in zip(rows[-1], cells, strict=True)
            ]
        else:
            rows.append(cells)
    return title, header, rows


def _markup(items: list[str]) -> str:
    from xml.sax.saxutils import escape

    return "<br/>".join(escape(x) for x in items)


def render_longtable_pdf(text: str, out: Path, *, portrait: bool = True) -> int:
    """The report as another generator lays it out: reportlab platypus ``LongTable(repeatRows=1,
    splitInRow=1)``, wrapped Paragraph cells, the header repeated on every page and any row cut wherever the
    page ends — every column of it mid-cell, mid-bullet or mid-department. Returns the number of pages."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title, header, rows = logical_rows(text)
    size = A4 if portrait else landscape(A4)
    usable = size[0] - 2 * MARGIN
    lead = [w * (0.8 if portrait else 1.0) for w in LEADING_WIDTHS]
    widths = lead + [(usable - sum(lead)) / (len(header) - 3)] * (len(header) - 3)
    style = ParagraphStyle("cell", fontName=FONT, fontSize=FONT_SIZE, leading=LEADING, wordWrap="CJK")
    data = [[Paragraph(_markup([c]), style) for c in header]]
    spans = []
    for cells in rows:
        if cells[0].strip() and not any(c.strip() for c in cells[1:]):
            spans.append(("SPAN", (0, len(data)), (-1, len(data))))
            data.append([Paragraph(_markup([cells[0].strip()]), style)] + [""] * (len(cells) - 1))
            continue
        items = [department_items(c) if i == 1 else [c.strip()] if i in (0, 2) else cell_items(c)
                 for i, c in enumerate(cells)]  # fmt: skip
        data.append([Paragraph(_markup([x for x in it if x]), style) for it in items])
    # splitByRow=0: cut the row wherever the page ends rather than first trying to break between rows.
    table = LongTable(data, colWidths=widths, repeatRows=1, splitByRow=0, splitInRow=1)
    grid = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    table.setStyle(TableStyle([*grid, *spans]))
    pages = []

    def number(canvas, doc) -> None:
        canvas.setFont(FONT, FONT_SIZE)
        canvas.drawCentredString(size[0] / 2, MARGIN / 2, f"- {doc.page} -")
        pages.append(doc.page)

    doc = SimpleDocTemplate(str(out), pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, invariant=1, title=title)  # fmt: skip
    heading = ParagraphStyle("title", fontName=FONT, fontSize=FONT_SIZE + 3, leading=2 * (FONT_SIZE + 3))
    doc.build([Paragraph(_markup([title]), heading), table], onFirstPage=number, onLaterPages=number)
    return len(pages)


XLSX_FONT = 9.0
XLSX_LEADING_WIDTHS = (18.0, 12.0, 28.0)  # Excel width units (≈ 5.25 pt each)
XLSX_YEARS_WIDTH = 90.0  # shared by the year columns


def _xlsx_lines(text: str, width_units: float) -> int:
    """How many lines a cell's text takes (CJK 1 em, Latin ~0.55 em), generously rounded up."""
    per_line = max(width_units * 5.25 - 6, XLSX_FONT)  # 5.25 pt a unit: less than LibreOffice gives, so more lines
    total = 0
    for item in text.split("\n"):
        em = sum(0.55 if ord(ch) < 0x2000 else 1.0 for ch in item)
        total += max(1, -(-int(em * XLSX_FONT) // int(per_line)))
    return total


def _xlsx_value(items: list[str], underline: set[str]):
    """Lines of a cell; a rich text with the underlined bullets when any is to be underlined."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    value = "\n".join(items)
    if not any(x.lstrip("・").strip() in underline for x in items):
        return value or None
    parts: list = []
    for i, x in enumerate(items):
        text = ("\n" if i else "") + x
        if x.lstrip("・").strip() in underline:
            if i:
                parts.append("\n")
            parts.append(TextBlock(InlineFont(sz=XLSX_FONT, u="single"), x))
        else:
            parts.append(text)
    return CellRichText(parts)


def write_xlsx(text: str, out: Path, *, sheets: bool = False, underline: set[str] | None = None) -> None:
    """The workbook the report could have been typed in; ``sheets``: a new sheet at each repeated header."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    n = 0
    width = 0
    marks_new: list[bool] = []
    for raw in text.split("\n"):
        cells = raw.split("\t")
        if not any(c.strip() for c in cells):
            continue
        if cells[0] == "主要な施策":
            width = len(cells)
            marks_new = [False] * 3 + ["下線" in c for c in cells[3:]]
            if sheets and n > 1:
                ws = wb.create_sheet()
                n = 0
        n += 1
        if len(cells) == 1:
            ws.cell(n, 1, cells[0].strip())
            continue
        span = cells[0].strip() and not any(c.strip() for c in cells[1:])
        for i, c in enumerate(cells):
            items = department_items(c) if i == 1 else [c.strip()] if i in (0, 2) else cell_items(c)
            items = [x for x in items if x]
            cell = ws.cell(n, i + 1, _xlsx_value(items, (underline or set()) if marks_new[i] else set()))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.font = Font(size=XLSX_FONT, u=cell.font.u)
            cell.border = border
        widths = XLSX_LEADING_WIDTHS + (XLSX_YEARS_WIDTH / (width - 3),) * (width - 3)
        if span:
            ws.merge_cells(start_row=n, start_column=1, end_row=n, end_column=width)
            widths = (sum(widths),)
        # LibreOffice does not fit row heights to wrapped text on opening a file without them: set them.
        lines = max(_xlsx_lines(str(c.value or ""), w) for c, w in zip(ws[n], widths, strict=False))
        ws.row_dimensions[n].height = lines * XLSX_FONT * 1.6 + 6
    for ws in wb.worksheets:
        for letter, w in zip("ABCDEF", XLSX_LEADING_WIDTHS + (XLSX_YEARS_WIDTH / (width - 3),) * 3, strict=False):
            ws.column_dimensions[letter].width = w
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "2:2" if ws is wb.worksheets[0] else "1:1"
    wb.save(out)


def libreoffice_pdf(xlsx: Path, out: Path) -> None:
    """Convert with LibreOffice headless, as an office exports its Excel report."""
    soffice = shutil.which("soffice")
    if soffice is None:
        sys.exit("soffice not found: apt-get install --no-install-recommends libreoffice-calc")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "pdf", "--outdir",
             tmp, str(xlsx)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        shutil.copyfile(Path(tmp) / f"{xlsx.stem}.pdf", out)


def diff_new_bullets(text: str, file: str) -> set[str]:
    """The bullets the diff-based ``new`` marks in the column whose header says underlining marks new ones:
    what the city would have underlined. Needs the other seeds (data/) for the previous year."""
    from assistant.domain.corpus import merge_reports
    from assistant.domain.figures import Insights
    from assistant.domain.normalize import load_corrections
    from assistant.ingest.parse import parse_report
    from assistant.ingest.reports import load_reports, report_paths

    data = Path(__file__).resolve().parents[1] / "data"
    corrections = load_corrections(data)
    report = parse_report(text, file, corrections)
    marked = {c.fiscal_year for c in report.columns if c.marks_new}
    reports = [r for r in load_reports(report_paths(data), corrections) if r.file != file] + [report]
    corpus = merge_reports(reports, corrections)
    new = Insights.from_corpus(corpus).new_ids
    # Only ・ bullets: the layout underlines a bullet's own lines; 「【課】 該当なし」 shares its block's line.
    return {b.text for i, b in enumerate(corpus.bullets) if i in new and b.fiscal_year in marked and b.bulleted}


KINDS = ("pdf", "pdf-block-break", "longtable", "longtable-landscape", "xlsx", "lo-pdf")
# The R4–R6 row the issue names (虐待防止…): its 【介護福祉課】 block has two bullets in every year.
BLOCK_BREAK_MEASURE = "虐待防止のための対応ネットワークづくりの推進"


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[0] not in KINDS:
        sys.exit(__doc__)
    kind, source, out = argv[0], Path(argv[1]), Path(argv[2])
    text = source.read_text(encoding="utf-8")
    if kind == "pdf":
        pages = render_pdf(text, out, diff_new_bullets(text, source.name))
        print(f"{out}: {pages} pages")
    elif kind == "pdf-block-break":
        pages = render_pdf(text, out, diff_new_bullets(text, source.name), break_in=BLOCK_BREAK_MEASURE)
        print(f"{out}: {pages} pages")
    elif kind.startswith("longtable"):
        pages = render_longtable_pdf(text, out, portrait=kind == "longtable")
        print(f"{out}: {pages} pages")
    elif kind == "xlsx":
        write_xlsx(text, out, sheets="--sheets" in argv, underline=diff_new_bullets(text, source.name))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            xlsx = Path(tmp) / f"{out.name.split('.')[0]}.xlsx"
            write_xlsx(text, xlsx, sheets="--sheets" in argv, underline=diff_new_bullets(text, source.name))
            libreoffice_pdf(xlsx, out)
        print(f"{out}: converted by LibreOffice")


if __name__ == "__main__":
    main(sys.argv[1:])
