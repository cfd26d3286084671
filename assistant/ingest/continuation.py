"""One rule for a table row cut by a page break, for every format (text, PDF, workbook).

A row that follows a repeated header row, or opens a page (a PDF page, a workbook sheet), and whose 主要な施策
cell is empty continues the row above, whatever its other cells hold: a page break cut that row, and a
generator may cut it anywhere (mid-department, mid-sentence, mid-bullet, mid-【課】-block). Each of its cells
continues the same cell above, joined as the printed lines of one cell are joined (table.line_separator):

- 担当課: a department cut inside its brackets completes it (「子ども家庭センター(令和」 + 「6年度から)」); a
  whole name is one more department;
- 施策の内容 and the year cells: Japanese text wraps between any two characters, so nothing is inserted
  (「…を実施し」 + 「た。」 is one bullet); a ・ bullet or a 【課】 block starts a new item, so a block
  continued without its heading keeps the department above (the 【課】-block rule of parse.split_blocks).

The joined row keeps where each part was printed (table.Continuation), so that an item straddling the break
cites both pages. A continuation with nothing to continue (the first row of the file, or a row under a section
heading) is refused with its page and row; text rows have no pages, so there only a repeated header counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from assistant.domain.model import SourceRef
from assistant.ingest.table import Continuation, TableRow, line_separator

DEPARTMENT_COLUMN = 1  # 0-based: one department per printed line, so whole names are joined with a space


class OrphanContinuation(ValueError):
    """A row that continues the row above, with no measure row above it."""

    def __init__(self, source: SourceRef) -> None:
        self.source = source
        super().__init__("a row continuing the row above (empty 主要な施策 after a page break or repeated header) "
                         "has no measure row above it")  # fmt: skip


@dataclass(frozen=True)
class _Scan:
    """Where the scan stands: the header seen, the page of the last row, the row a continuation would join."""

    headers: int = 0
    after_header: bool = False
    page: int | None = None
    above: int | None = None  # index in the output of the last measure row (joined or not)


def _blank(row: TableRow) -> bool:
    return not any(c.strip() for c in row.cells)


def _is_measure_row(row: TableRow) -> bool:
    return len(row.cells) > DEPARTMENT_COLUMN and bool(row.cells[0].strip() and row.cells[DEPARTMENT_COLUMN].strip())


def _opens(row: TableRow, scan: _Scan) -> bool:
    """After a repeated header, or the first row of a new page or sheet."""
    page = row.source.page
    return scan.after_header or (page is not None and scan.page is not None and page != scan.page)


def join_cells(above: TableRow, rest: TableRow) -> TableRow:
    """The row above with ``rest`` (its part printed after the break) joined cell by cell."""
    cells: list[str] = []
    marks: list[frozenset[int]] = []
    starts: list[int | None] = []
    for i, before in enumerate(above.cells):
        after_raw = rest.cells[i] if i < len(rest.cells) else ""
        after = after_raw.strip()
        lead = len(after_raw) - len(after_raw.lstrip())
        sep = line_separator(before, after, always_space=i == DEPARTMENT_COLUMN) if before.strip() and after else ""
        head = before.rstrip() if sep else before
        start = len(head) + len(sep)
        cells.append(head + sep + after if after else before)
        starts.append(start if after else None)
        own = above.underlined[i] if above.underlined is not None else frozenset()
        moved = rest.underlined[i] if rest.underlined is not None and i < len(rest.underlined) else frozenset()
        marks.append(own | frozenset(start + k - lead for k in moved if lead <= k < lead + len(after)))
    underlined = tuple(marks) if above.underlined is not None or rest.underlined is not None else None
    part = Continuation(rest.source, tuple(starts))
    return replace(above, cells=tuple(cells), underlined=underlined, continued=(*above.continued, part))


def join_continued_rows(rows: Sequence[TableRow], is_header: Callable[[Sequence[str]], bool]) -> list[TableRow]:
    """Rows with every continued row joined into the row above. Raises :class:`OrphanContinuation`."""
    out: list[TableRow] = []
    scan = _Scan()
    for row in rows:
        if _blank(row):
            out.append(row)
            continue
        if is_header(row.cells):
            scan = replace(scan, headers=scan.headers + 1, after_header=scan.headers > 0, page=row.source.page)
            out.append(row)
            continue
        if scan.headers and _opens(row, scan) and not row.cells[0].strip() and len(row.cells) > 1:
            if scan.above is None:
                raise OrphanContinuation(row.source)
            out[scan.above] = join_cells(out[scan.above], row)
            scan = replace(scan, after_header=False, page=row.source.page)
            continue
        out.append(row)
        above = len(out) - 1 if _is_measure_row(row) else None
        if above is None and not row.cells[0].strip():
            above = scan.above  # a continuation within a page (empty leading cells) keeps the measure above
        scan = replace(scan, after_header=False, page=row.source.page, above=above)
    return out


def part_of(row: TableRow, column: int, offset: int) -> SourceRef:
    """Where the character at ``offset`` of cell ``column`` (0-based) was printed."""
    source = row.source
    for part in row.continued:
        start = part.starts[column] if column < len(part.starts) else None
        if start is not None and start <= offset:
            source = part.source
    return source


def item_source(row: TableRow, column: int, start: int, end: int) -> tuple[SourceRef, int]:
    """An item's source (its first page and row, and its last page when a break cut it) and the index of the
    part it starts in (0: the row itself), which orders a joined row's bullets as they were printed."""
    first, last = part_of(row, column, start), part_of(row, column, max(start, end - 1))
    index = next((k + 1 for k, p in enumerate(row.continued) if p.source == first), 0)
    if first.page is not None and last.page is not None and last.page != first.page:
        first = replace(first, end_page=last.page)
    return replace(first, column=column + 1), index
