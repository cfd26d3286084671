"""Report text → records. Every quirk of the source format lives here; no I/O.

The reports are tables extracted to text, one row a line, cells separated by tabs:

    主要な施策 | 担当課 | 施策の内容 | <one column per fiscal year>

Between the measure rows stand section rows (「1 日常生活における… (1) 地域防犯力の向上」 in the
first cell, the rest empty), purpose rows, sub-section rows, repeated header rows at page breaks,
and rows that continue the previous measure onto a new page with empty leading cells.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.domain.model import (
    ActivityBullet,
    Column,
    Department,
    Measure,
    Report,
    RowJoin,
    Section,
    SourceRef,
    Status,
    SubSection,
    parse_era_year,
)
from assistant.domain.normalize import Corrections, measure_id
from assistant.ingest.continuation import OrphanContinuation, item_source, join_continued_rows
from assistant.ingest.table import Table, TableRow

LEADING_COLUMNS = ("主要な施策", "担当課", "施策の内容")

# A section row: 「1 日常生活における安全安心の確保 日常生活における…ために (1) 地域防犯力の向上」.
_SECTION = re.compile(r"^(\d{1,2})\s+(\S+)(?:\s+(.*?))?\s*$")
_SUBSECTION = re.compile(r"^[(（](\d{1,2})[)）]\s*(.+?)\s*$")
_SUBSECTION_INSIDE = re.compile(r"(?:^|\s)([(（]\d{1,2}[)）]\s*\S.*)$")
# A department block starts with 【…】 at the start of the cell or after white space; 【…】 glued to
# text (「通学路点検【交通対策課所管】」) is part of a bullet.
_DEPT_BLOCK = re.compile(r"(?:^|(?<=\s))【([^】\s]{1,30})】")
# A bullet starts with ・ at the start of a block or after white space; ・ inside words
# (安全・安心, ポスター・標語) never splits.
_BULLET = re.compile(r"(?:^|(?<=\s))・")
_PLAN_WORD = "予定"
_UNDERLINE_WORD = "下線"  # 「（下線箇所は当該年度の新たな取組み）」
# A bullet is new in the report when at least this share of its characters is underlined: the R4 header marks
# new *parts*, and an underlined figure alone (a changed count) is not a new activity, as for the diff-based new.
NEW_IN_REPORT_SHARE = 0.5
_DEPT_QUALIFIER = re.compile(r"^(.+?)\s*([【(（])(.+?)[】)）]$")
_WESTERN_FY = re.compile(r"(\d{4})\s*年度")


class ParseError(ValueError):
    """The file is not a report of the expected shape; names the file and the line (or page and row)."""

    def __init__(self, file: str, line: int, message: str, page: int | None = None) -> None:
        self.file, self.line, self.message, self.page = file, line, message, page
        where = f"{file}:{line}" if page is None else SourceRef(file, line, page=page).label
        super().__init__(f"{where}: {message}")

    @classmethod
    def at(cls, source: SourceRef, message: str) -> ParseError:
        return cls(source.file, source.line, message, source.page)


def decode_report(data: bytes, file: str) -> str:
    """Bytes → text, refusing what is not UTF-8 text (binary, Shift_JIS, UTF-16) with the line."""
    if not data.strip():
        raise ParseError(file, 1, "the file is empty")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ParseError(file, line, "the file contains NUL bytes: binary or UTF-16, not a UTF-8 text report")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ParseError(
            file, line, f"not valid UTF-8 at byte {e.start} (Shift_JIS or another encoding?); save the report as UTF-8"
        ) from None


def _is_header(cells: Sequence[str]) -> bool:
    return len(cells) >= 3 and tuple(c.strip() for c in cells[:3]) == LEADING_COLUMNS


def _parse_columns(cells: list[str], at: SourceRef) -> tuple[Column, ...]:
    columns = []
    for index, header in enumerate(cells[3:], start=4):
        header = header.strip()
        try:
            year = parse_era_year(header)
        except ValueError:  # 令和0年度: no such year
            year = None
        if year is None:
            m = _WESTERN_FY.search(unicodedata.normalize("NFKC", header))
            year = int(m.group(1)) if m else None
        if year is None:
            raise ParseError.at(at, f"column {index} header {header!r} names no fiscal year (e.g. 令和5年度)")
        columns.append(
            Column(index, year, header, includes_plans=_PLAN_WORD in header, marks_new=_UNDERLINE_WORD in header)
        )
    if not columns:
        raise ParseError.at(at, "the header row has no fiscal-year column")
    years = [c.fiscal_year for c in columns]
    if len(set(years)) != len(years):
        raise ParseError.at(at, f"the header names a fiscal year twice: {years}")
    return tuple(columns)


def parse_departments(cell: str) -> tuple[Department, ...]:
    """「保育課 児童青少年課」 → two; 「企画政策課 （男女共同参画室）」 → one with its qualifier."""
    departments: list[Department] = []
    for token in cell.split():
        if token[0] in "(（" and token[-1] in ")）" and departments:
            # A qualifier printed apart from its department belongs to the one before it.
            prev = departments.pop()
            label = f"{prev.label} {token}"
            departments.append(Department(prev.name, token[1:-1], label))
            continue
        m = _DEPT_QUALIFIER.match(token)
        if m:
            departments.append(Department(m.group(1), m.group(3), token))
        else:
            departments.append(Department(token, "", token))
    return tuple(departments)


def split_blocks(cell: str) -> list[tuple[str, str]]:
    """A year cell → [(department, block text)]; text before any 【…】 gets department ""."""
    blocks: list[tuple[str, str]] = []
    matches = list(_DEPT_BLOCK.finditer(cell))
    head = cell[: matches[0].start()] if matches else cell
    if head.strip():
        blocks.append(("", head.strip()))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(cell)
        blocks.append((m.group(1), cell[m.end() : end].strip()))
    return blocks


def split_bullets(block: str) -> list[tuple[str, bool]]:
    """A department block → [(verbatim text, is a ・ bullet)]. Free text before the first ・ is kept."""
    parts = _BULLET.split(block)
    items: list[tuple[str, bool]] = []
    if parts[0].strip():
        items.append((parts[0].strip(), False))
    items.extend((p.strip(), True) for p in parts[1:] if p.strip())
    return items


def bullet_status(text: str, column: Column) -> Status:
    """実績 in a finished year; in a column that includes plans, 予定 when the text says so, else 実施中."""
    if not column.includes_plans:
        return Status.ACTUAL
    return Status.PLANNED if _PLAN_WORD in text else Status.CURRENT


@dataclass
class _State:
    section: Section | None = None
    subsection: SubSection | None = None
    measure: Measure | None = None


def _section_from_cell(cell: str, at: SourceRef) -> tuple[Section, SubSection | None] | None:
    text = " ".join(cell.split())
    m = _SECTION.match(text)
    if not m:
        return None
    rest = f"{m.group(2)} {m.group(3) or ''}".strip()
    subsection = None
    sub = _SUBSECTION_INSIDE.search(rest)
    if sub:
        subsection = _subsection(sub.group(1))
        rest = rest[: sub.start()].strip()
    title, _, purpose = rest.partition(" ")
    return Section(int(m.group(1)), title, purpose.strip(), SourceRef(at.file, at.line, page=at.page)), subsection


def _subsection(text: str) -> SubSection | None:
    m = _SUBSECTION.match(" ".join(text.split()))
    return SubSection(int(m.group(1)), m.group(2)) if m else None


def text_rows(text: str, file: str) -> list[TableRow]:
    """A text report's lines → table rows, one per line, cells split at tabs."""
    # Split on \n only, as editors and grep -n count lines: splitlines() would also break at form feeds
    # (pdftotext's page breaks) and shift every citation after them.
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return [TableRow(tuple(raw.split("\t")), SourceRef(file, n)) for n, raw in enumerate(lines, 1)]


def parse_report(text: str, file: str, corrections: Corrections) -> Report:
    """Parse one report's text. Raises :class:`ParseError` naming the line for any row it cannot place."""
    rows = text_rows(text, file)
    checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return parse_table(Table(file, tuple(rows), checksum), corrections)


def _underlined_share(spans: frozenset[int], start: int, text: str) -> float:
    chars = [start + i for i, ch in enumerate(text) if not ch.isspace()]
    return sum(1 for i in chars if i in spans) / len(chars) if chars else 0.0


class _Parser:
    """Table semantics, row by row: header, title, sections, sub-sections, measures, continuations, bullets."""

    def __init__(self, file: str, corrections: Corrections) -> None:
        self.file, self.corrections = file, corrections
        self.title = ""
        self.columns: tuple[Column, ...] | None = None
        self.width = 0
        self.state = _State()
        self.sections: list[Section] = []
        self.measures: list[Measure] = []
        self.bullets: list[ActivityBullet] = []
        self.counters: dict[tuple[str, int], int] = {}

    def add_bullets(self, measure: Measure, row: TableRow) -> None:
        assert self.columns is not None
        found: list[tuple[int, ActivityBullet]] = []  # (part of a joined row it starts in, bullet)
        for column in self.columns:
            cell = row.cells[column.index - 1]
            spans = row.underlined[column.index - 1] if row.underlined is not None and column.marks_new else None
            cursor = 0
            for department, block in split_blocks(cell):
                for item, bulleted in split_bullets(block):
                    start = cell.find(item, cursor)
                    cursor = start + len(item)
                    new_in_report = None
                    if spans is not None:
                        new_in_report = _underlined_share(spans, start, item) >= NEW_IN_REPORT_SHARE
                    source, part = item_source(row, column.index - 1, start, cursor)
                    bullet = ActivityBullet(
                        measure_id=measure.measure_id,
                        fiscal_year=column.fiscal_year,
                        department=department,
                        status=bullet_status(item, column),
                        text=item,
                        ordinal=0,
                        source=source,
                        bulleted=bulleted,
                        new_in_report=new_in_report,
                    )
                    found.append((part, bullet))
        # A joined row's bullets in the order they were printed: the first page's, then the next page's.
        for _, bullet in sorted(found, key=lambda pair: pair[0]):
            key = (measure.measure_id, bullet.fiscal_year)
            self.counters[key] = self.counters.get(key, 0) + 1
            self.bullets.append(replace(bullet, ordinal=self.counters[key]))

    def before_header(self, row: TableRow) -> None:
        cells = list(row.cells)
        if _is_header(cells):
            self.columns = _parse_columns(cells, row.source)
            self.width = len(cells)
        elif len(cells) == 1 and not self.title:
            self.title = cells[0].strip().lstrip("■□◆●").strip()
        else:
            raise ParseError.at(row.source, "no header row (主要な施策 / 担当課 / 施策の内容 / 年度…) before the table")

    def heading(self, first: str, at: SourceRef) -> None:
        """A row with only its first cell: a section, a sub-section or a section's purpose."""
        state = self.state
        section = _section_from_cell(first, at)
        if section:
            state.section, state.subsection = section
            self.sections.append(state.section)
            state.measure = None
            return
        sub = _subsection(first)
        if sub:
            state.subsection, state.measure = sub, None
            return
        if state.section is not None and not state.section.purpose and state.measure is None:
            # The purpose line printed on a row of its own (R4-R6 report, section 3).
            state.section = replace(state.section, purpose=" ".join(first.split()))
            self.sections[-1] = state.section
            return
        raise ParseError.at(at, f"a row with only a first cell that is not a section or sub-section: {first[:40]!r}")

    def measure_row(self, row: TableRow, first: str, dept_cell: str, description: str) -> None:
        at = row.source
        if not first or not dept_cell:
            raise ParseError.at(at, "a measure row needs a measure name (主要な施策) and a department (担当課)")
        if self.state.section is None:
            raise ParseError.at(at, "a measure before any section row (e.g. 「1 日常生活における安全安心の確保」)")
        measure = Measure(
            measure_id=measure_id(first, self.corrections),
            name=first,
            departments=parse_departments(dept_cell),
            description=description,
            section=self.state.section,
            subsection=self.state.subsection,
            source=replace(at, column=1),
        )
        if any(m.measure_id == measure.measure_id for m in self.measures):
            raise ParseError.at(at, f"measure {first!r} appears twice in the report")
        self.state.measure = measure
        self.measures.append(measure)
        self.add_bullets(measure, row)

    def row(self, row: TableRow) -> None:
        cells = list(row.cells)
        if not any(c.strip() for c in cells):
            return
        if self.columns is None:
            self.before_header(row)
            return
        if len(cells) != self.width:
            raise ParseError.at(row.source, f"expected {self.width} cells like the header, got {len(cells)}")
        if _is_header(cells):
            # Wording may differ between pages (取組み / 実績); the years may not.
            if [c.fiscal_year for c in _parse_columns(cells, row.source)] != [c.fiscal_year for c in self.columns]:
                raise ParseError.at(row.source, "a repeated header row names different fiscal years than the first")
            return
        first, dept_cell, description = (c.strip() for c in cells[:3])
        if first and not dept_cell and not description and not any(c.strip() for c in cells[3:]):
            self.heading(first, row.source)
        elif not first and not dept_cell and not description:
            if self.state.measure is None:
                raise ParseError.at(row.source, "a continuation row (empty leading cells) with no measure before it")
            self.add_bullets(self.state.measure, row)
        else:
            self.measure_row(row, first, dept_cell, description)


def parse_table(table: Table, corrections: Corrections) -> Report:
    """Parse the rows of one report, however they were read. Raises :class:`ParseError` at the row it cannot place."""
    parser = _Parser(table.file, corrections)
    try:
        rows = join_continued_rows(table.rows, _is_header)
    except OrphanContinuation as e:
        raise ParseError.at(e.source, str(e)) from None
    for row in rows:
        parser.row(row)
    joins = tuple(
        RowJoin(row.cells[0].strip(), row.source, tuple(p.source for p in row.continued))
        for row in rows
        if row.continued
    )
    end = table.rows[-1].source if table.rows else SourceRef(table.file, 1)
    if parser.columns is None:
        raise ParseError.at(end, "no header row (主要な施策 / 担当課 / 施策の内容 / 年度…) found")
    if not parser.measures:
        raise ParseError.at(end, "the table has no measure rows")
    # Measures keep the section they were read under; refresh them with purposes found later in the section.
    by_number = {s.number: s for s in parser.sections}
    measures = [replace(m, section=by_number[m.section.number]) for m in parser.measures]
    return Report(
        file=table.file,
        title=parser.title,
        columns=parser.columns,
        sections=tuple(parser.sections),
        measures=tuple(measures),
        bullets=tuple(parser.bullets),
        checksum=table.checksum,
        pages_read=table.pages_read,
        unplaced=table.unplaced,
        joins=joins,
        font_pages=table.font_pages,
    )
