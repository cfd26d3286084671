"""A report workbook (.xlsx, the Excel original of the PDF) → table rows, with openpyxl.

Every visible sheet is read in order, as one table: the first sheet's rows before the header row give the
title; a header row repeated on a later sheet is skipped by the parser as on a PDF page. Merged cells (a
section row spanning the columns) hold their text in the top-left cell and nothing elsewhere. Line breaks
inside a cell are joined as a PDF's printed lines are (table.join_lines). Underlined runs of rich text, or a
wholly underlined cell, give the underline offsets.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

from assistant.domain.model import SourceRef, Unplaced
from assistant.ingest.parse import LEADING_COLUMNS
from assistant.ingest.readers.errors import ReaderError
from assistant.ingest.table import Line, Table, TableRow, join_lines

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an encrypted .xlsx (or an old .xls) is an OLE container, not a zip
DEPARTMENT_COLUMN = 1  # 0-based: 担当課 lists one department per line


def _runs(cell: Any) -> list[tuple[str, bool]]:
    """A cell's text as (text, underlined) runs."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock

    value = cell.value
    if value is None:
        return []
    whole = bool(cell.font is not None and cell.font.u)
    if isinstance(value, CellRichText):
        runs = []
        for part in value:
            if isinstance(part, TextBlock):
                runs.append((part.text, whole or bool(part.font is not None and part.font.u)))
            else:
                runs.append((str(part), whole))
        return runs
    return [(str(value), whole)]


def _cell_lines(cell: Any) -> list[Line]:
    """A cell → its lines (split at line breaks), with underlined offsets per line."""
    lines: list[Line] = []
    text, marks = "", set[int]()
    for run, underlined in _runs(cell):
        for i, piece in enumerate(run.replace("\r\n", "\n").split("\n")):
            if i:
                lines.append(Line(text, frozenset(marks)))
                text, marks = "", set[int]()
            if underlined:
                marks.update(range(len(text), len(text) + len(piece)))
            text += piece
    if text or marks:
        lines.append(Line(text, frozenset(marks)))
    return lines


def _is_header(values: list[str]) -> bool:
    return tuple(v.strip() for v in values[:3]) == LEADING_COLUMNS


def _sheet_rows(ws: Any, sheet: int, file: str, width: int, rows: list[TableRow], unplaced: list[Unplaced]) -> int:
    """Append one sheet's rows; returns the table width (set by the first header row seen)."""
    for excel_row in ws.iter_rows():
        cells = [_cell_lines(c) for c in excel_row]
        texts = [join_lines(lines)[0] for lines in cells]
        if not any(texts):
            continue
        source = SourceRef(file, excel_row[0].row, page=sheet)
        if not width and _is_header(texts):
            width = max(i for i, t in enumerate(texts) if t) + 1
        if not width:  # above the table: the title
            rows.append(TableRow((" ".join(t for t in texts if t),), source))
            continue
        for i, extra in enumerate(texts[width:], start=width + 1):
            if extra:
                unplaced.append(Unplaced(SourceRef(file, source.line, i, sheet), extra))
        cells = (cells + [[] for _ in range(width)])[:width]
        spans = sum(1 for t in texts[:width] if t) == 1 and bool(texts[0])
        joined = [join_lines(lines, always_space=spans or i == DEPARTMENT_COLUMN) for i, lines in enumerate(cells)]
        rows.append(TableRow(tuple(t for t, _ in joined), source, tuple(m for _, m in joined)))
    return width


def read_xlsx(data: bytes, file: str) -> Table:
    """Read a report workbook. Raises :class:`ReaderError` for an encrypted, damaged or non-xlsx file."""
    from openpyxl import load_workbook

    if data.startswith(_OLE_MAGIC):
        raise ReaderError(file, "the workbook is encrypted (password-protected) or an old .xls; save it as .xlsx")
    try:
        # Not read-only: merged ranges and rich text need the full model (a report is a few hundred cells).
        wb = load_workbook(io.BytesIO(data), data_only=True, rich_text=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise ReaderError(file, f"not a readable .xlsx workbook ({type(e).__name__}); is it damaged?") from None
    rows: list[TableRow] = []
    unplaced: list[Unplaced] = []
    width = 0
    sheets = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    for number, ws in enumerate(sheets, 1):
        width = _sheet_rows(ws, number, file, width, rows, unplaced)
    return Table(file, tuple(rows), hashlib.sha256(data).hexdigest(), len(sheets), tuple(unplaced))
