"""A report PDF → table rows (the form parse.parse_table consumes), with pdfplumber.

Per page: the ruled table's cells (pdfplumber's line strategy), each cell's characters grouped into printed
lines, those lines joined as the text reports join them (table.join_lines), and underlines (a horizontal
stroke just under characters that is not one of the table's rules). Text above the first table on page 1 is
the title; other text outside the table is reported as unplaced, except page numbers.

A row split by a page break continues under the next page's header with an empty 主要な施策 cell; the rows are
given as printed and ingest/continuation.py joins them, for every format. What a generator does not rule at a
break (the table's last row left open at the page's foot, no rule under the repeated header) is mended in
pdf_breaks.py, so that each printed part is a row of its own.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from dataclasses import dataclass
from typing import Any

from assistant.domain.model import SourceRef, Unplaced
from assistant.ingest.readers.errors import ReaderError
from assistant.ingest.readers.pdf_breaks import header_cut, row_height, table_settings
from assistant.ingest.readers.pdf_fonts import FontLog, quiet_pdf_logs, text_damaged
from assistant.ingest.readers.pdf_wraps import drop_split_spaces, generator_spaces
from assistant.ingest.table import Line, Table, TableRow, join_lines

# A character or a stroke as pdfplumber gives it: a dict of its box, text and font (pdfplumber is untyped).
Char = dict[str, Any]

# pdfplumber's table finder on ruled lines; text-based strategies would invent columns from text alignment.
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
# Characters whose tops differ by less than this share of the font size are on one printed line (line pitch
# in the fixtures is 1.33 × the size; sub/superscripts in reports stay well within 0.5).
SAME_LINE = 0.5
# A gap wider than this share of the font size between two characters is a space the PDF did not print as a
# character (LibreOffice emits none; reportlab does).
SPACE_GAP = 0.25
# An underline: a horizontal stroke from this far above to this far below a character's bottom (font-size
# shares). reportlab strokes 1.5 pt under the baseline, LibreOffice ~1 pt: both well inside; a cell's bottom
# rule is ≥ the padding (3 pt) away and is excluded as a rule anyway.
UNDERLINE_ABOVE, UNDERLINE_BELOW = 0.35, 0.45
# A horizontal stroke is a table rule when both its ends are this close to vertical rules (reportlab: 0 pt;
# LibreOffice: 0.2-0.3 pt past them) or when it crosses one; an underline of a full line of text in
# LibreOffice's output starts 0.7 pt inside its cell, so the limit must stay under that.
RULE_END = 0.5
STROKE_HEIGHT = 1.5  # pt: thicker is a filled box, not a line
_PAGE_NUMBER = re.compile(r"^[-–—\s]*\d{1,3}(\s*/\s*\d{1,3})?[-–—\s]*$")
DEPARTMENT_COLUMN = 1  # 0-based: 担当課 lists one department per printed line
HEADER_FIRST = "主要な施策"  # the header row's first cell


@dataclass
class _RawRow:
    page: int
    line: int  # row on the page, the header row being 1
    cells: list[list[Line]]
    spans: bool  # one cell across every column (a section row)


def _lines_of(chars: list[Char], underlines: list[tuple[float, float, float]]) -> list[Line]:
    """A cell's characters → printed lines, top to bottom, with underlined offsets."""
    rows: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if rows and abs(ch["top"] - rows[-1][0]["top"]) < SAME_LINE * ch["size"]:
            rows[-1].append(ch)
        else:
            rows.append([ch])
    lines = []
    for row in rows:
        text, marks, prev = "", set[int](), None
        for ch in sorted(row, key=lambda c: c["x0"]):
            if prev is not None and ch["x0"] - prev["x1"] > SPACE_GAP * ch["size"] and not text.endswith(" "):
                text += " "
            if _underlined(ch, underlines):
                marks.add(len(text))
            text += ch["text"]
            prev = ch
        lines.append(Line(text, frozenset(marks)))
    return lines


def _underlined(ch: Char, underlines: list[tuple[float, float, float]]) -> bool:
    centre = (ch["x0"] + ch["x1"]) / 2
    low, high = ch["bottom"] - UNDERLINE_ABOVE * ch["size"], ch["bottom"] + UNDERLINE_BELOW * ch["size"]
    return any(x0 <= centre <= x1 and low <= y <= high for x0, x1, y in underlines)


def _split_strokes(page: Any) -> tuple[Any, list[tuple[float, float, float]]]:
    """The page without its underlines (for the table finder), and the underlines as (x0, x1, y from the top).

    A table rule ends on the vertical rules at its cell corners; an underline ends where its text ends. Left in,
    LibreOffice's underlines (line segments per glyph run) are taken for row rules and cut cells in two.
    """
    xs = sorted({round(e["x0"], 1) for e in page.vertical_edges})

    def on_rule(x: float) -> bool:
        return any(abs(x - v) <= RULE_END for v in xs)

    def crosses_rule(x0: float, x1: float) -> bool:
        return any(x0 + RULE_END < v < x1 - RULE_END for v in xs)

    def is_underline(obj: Char) -> bool:
        return bool(
            obj.get("object_type") in ("line", "rect", "curve")
            and obj["height"] <= STROKE_HEIGHT
            and not (on_rule(obj["x0"]) and on_rule(obj["x1"]))
            and not crosses_rule(obj["x0"], obj["x1"])
        )

    strokes = [(o["x0"], o["x1"], o["top"]) for kind in ("lines", "rects", "curves") for o in getattr(page, kind)]
    strokes = [s for s, o in zip(strokes, page.lines + page.rects + page.curves, strict=True) if is_underline(o)]
    return page.filter(lambda obj: not is_underline(obj)), strokes


def _inside(ch: Char, bbox: tuple[float, float, float, float]) -> bool:
    x, y = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
    return bool(bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3])


@dataclass
class _Pages:
    """What reading one page leaves for the next: the height of the first page's header row."""

    header_height: float | None = None


def _cell_rows(row: Any, chars: list[Char], pages: _Pages) -> list[list[Any]]:
    """A found table row's cell boxes; a header row holding a continued row gives two (pdf_breaks.header_cut)."""
    cells = list(row.cells)
    first = next((c for c in cells if c is not None), None)
    head = [ch for ch in chars if first is not None and _inside(ch, first)]
    lines = _lines_of(head, [])
    if not lines or lines[0].text.strip() != HEADER_FIRST:
        return [cells]
    if pages.header_height is None:
        pages.header_height = row_height(cells)
        return [cells]
    return header_cut(cells, pages.header_height)


def _page_rows(
    page: Any, number: int, unplaced: list[Unplaced], file: str, pages: _Pages
) -> tuple[list[_RawRow], list[Line]]:
    """One page → its table rows, and the lines printed above the table (the title on page 1)."""
    chars = [c for c in page.chars if c["text"].strip() or c["text"] == " "]
    ruled, strokes = _split_strokes(page)
    tables = ruled.find_tables(table_settings(ruled, TABLE_SETTINGS))
    placed: set[int] = set()
    rows: list[_RawRow] = []
    for table in tables:
        for k, found in enumerate(table.rows):
            for cells in _cell_rows(found, chars, pages) if k == 0 else [found.cells]:
                present = [c for c in cells if c]
                raw = _RawRow(number, len(rows) + 1, [], spans=len(present) == 1 and len(cells) > 1)
                for bbox in cells:
                    if bbox is None:  # covered by a cell spanning from the left
                        raw.cells.append([])
                        continue
                    mine = [i for i, c in enumerate(chars) if i not in placed and _inside(c, bbox)]
                    placed.update(mine)
                    raw.cells.append(_lines_of([chars[i] for i in mine], strokes))
                rows.append(raw)
    top = min((t.bbox[1] for t in tables), default=page.height)
    outside = [c for i, c in enumerate(chars) if i not in placed]
    above = [c for c in outside if c["bottom"] <= top]
    for ln in _lines_of([c for c in outside if c["bottom"] > top], []):
        if ln.text.strip() and not _PAGE_NUMBER.match(ln.text):
            unplaced.append(Unplaced(SourceRef(file, len(rows) or 1, page=number), ln.text.strip()))
    return rows, _lines_of(above, [])


def _is_header(row: _RawRow) -> bool:
    return not row.spans and len(row.cells) >= 1 and join_lines(row.cells[0])[0] == HEADER_FIRST


def _cut_rows(raws: list[_RawRow]) -> list[_RawRow]:
    """The two parts of every row a page break cut: a page's last row, when the next page's first row under
    its header has an empty 主要な施策 cell (the continued-row rule of ingest/continuation.py), and that row."""
    cut: list[_RawRow] = []
    for before, after in itertools.pairwise(raws):
        if after.page == before.page or before.spans or _is_header(before):
            continue
        first = next((r for r in raws if r.page == after.page and not _is_header(r)), None)
        if first is not None and not first.spans and not join_lines(first.cells[0])[0]:
            cut += [before, first]
    return cut


def _join_row(raw: _RawRow, file: str) -> TableRow:
    joined = [join_lines(lines, always_space=raw.spans or i == DEPARTMENT_COLUMN) for i, lines in enumerate(raw.cells)]
    return TableRow(
        tuple(text for text, _ in joined),
        SourceRef(file, raw.line, page=raw.page),
        tuple(marks for _, marks in joined),
    )


def _open(data: bytes, file: str) -> Any:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    if not data.startswith(b"%PDF-"):
        raise ReaderError(file, "not a PDF (it does not start with %PDF-)")
    if b"%%EOF" not in data[-2048:]:
        raise ReaderError(file, "the PDF is truncated (no %%EOF at its end); download it again")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pdf.pages  # noqa: B018 — parses the page tree now, so a damaged file fails here
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ReaderError(file, "the PDF is encrypted (password-protected); save an unprotected copy") from None
    except Exception as e:  # pdfminer raises many unrelated types for damaged files
        raise ReaderError(file, f"the PDF cannot be read ({type(e).__name__}); is it damaged?") from None
    return pdf


def read_pdf(data: bytes, file: str) -> Table:
    """Read a report PDF's table. Raises :class:`ReaderError` for a scan, an encrypted or a damaged file."""
    with quiet_pdf_logs() as log:
        return _read(data, file, log)


def _read(data: bytes, file: str, log: FontLog) -> Table:
    pdf = _open(data, file)
    with pdf:
        if not any(page.chars for page in pdf.pages):
            raise ReaderError(
                file, "the PDF has no text layer (a scanned image?); OCR is not supported: use the city's text PDF"
            )
        unplaced: list[Unplaced] = []
        raws: list[_RawRow] = []
        title: list[Line] = []
        state = _Pages()
        font_pages: list[int] = []
        for number, page in enumerate(pdf.pages, 1):
            warned = log.count
            rows, above = _page_rows(page, number, unplaced, file, state)
            if log.count > warned and text_damaged(page.chars):
                font_pages.append(number)
            if number == 1:
                title = above
            elif above:
                unplaced.extend(Unplaced(SourceRef(file, 1, page=number), ln.text.strip()) for ln in above)
            raws.extend(rows)
        pages = len(pdf.pages)
    for r in _cut_rows(raws):
        if generator_spaces(r.cells):
            r.cells = [drop_split_spaces(lines) for lines in r.cells]
    table_rows = [_join_row(r, file) for r in raws]
    if title:
        text, _ = join_lines(title, always_space=True)
        table_rows.insert(0, TableRow((text,), SourceRef(file, 0, page=1)))
    checksum = hashlib.sha256(data).hexdigest()
    return Table(file, tuple(table_rows), checksum, pages, tuple(unplaced), tuple(font_pages))
