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
from dataclasses import dataclass, replace

from .model import (
    ActivityBullet,
    Column,
    Department,
    Measure,
    Report,
    Section,
    SourceRef,
    Status,
    SubSection,
    parse_era_year,
)
from .normalize import Corrections, measure_id

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
_DEPT_QUALIFIER = re.compile(r"^(.+?)\s*([【(（])(.+?)[】)）]$")
_WESTERN_FY = re.compile(r"(\d{4})\s*年度")


class ParseError(ValueError):
    """The file is not a report of the expected shape; names the file and the line."""

    def __init__(self, file: str, line: int, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line}: {message}")


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


def _is_header(cells: list[str]) -> bool:
    return len(cells) >= 3 and tuple(c.strip() for c in cells[:3]) == LEADING_COLUMNS


def _parse_columns(cells: list[str], file: str, line: int) -> tuple[Column, ...]:
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
            raise ParseError(file, line, f"column {index} header {header!r} names no fiscal year (e.g. 令和5年度)")
        columns.append(Column(index, year, header, includes_plans=_PLAN_WORD in header))
    if not columns:
        raise ParseError(file, line, "the header row has no fiscal-year column")
    years = [c.fiscal_year for c in columns]
    if len(set(years)) != len(years):
        raise ParseError(file, line, f"the header names a fiscal year twice: {years}")
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


def _section_from_cell(cell: str, file: str, line: int) -> tuple[Section, SubSection | None] | None:
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
    return Section(int(m.group(1)), title, purpose.strip(), SourceRef(file, line)), subsection


def _subsection(text: str) -> SubSection | None:
    m = _SUBSECTION.match(" ".join(text.split()))
    return SubSection(int(m.group(1)), m.group(2)) if m else None


def parse_report(text: str, file: str, corrections: Corrections) -> Report:
    """Parse one report's text. Raises :class:`ParseError` naming the line for any row it cannot place."""
    # Split on \n only, as editors and grep -n count lines: splitlines() would also break at form feeds
    # (pdftotext's page breaks) and shift every citation after them.
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    title = ""
    columns: tuple[Column, ...] | None = None
    width = 0
    state = _State()
    sections: list[Section] = []
    measures: list[Measure] = []
    bullets: list[ActivityBullet] = []
    counters: dict[tuple[str, int], int] = {}

    def add_bullets(measure: Measure, cells: list[str], line: int) -> None:
        assert columns is not None
        for column in columns:
            cell = cells[column.index - 1]
            for department, block in split_blocks(cell):
                for item, bulleted in split_bullets(block):
                    key = (measure.measure_id, column.fiscal_year)
                    counters[key] = counters.get(key, 0) + 1
                    bullets.append(
                        ActivityBullet(
                            measure_id=measure.measure_id,
                            fiscal_year=column.fiscal_year,
                            department=department,
                            status=bullet_status(item, column),
                            text=item,
                            ordinal=counters[key],
                            source=SourceRef(file, line, column.index),
                            bulleted=bulleted,
                        )
                    )

    for n, raw in enumerate(lines, 1):
        cells = raw.split("\t")
        if not any(c.strip() for c in cells):
            continue
        if columns is None:
            if _is_header(cells):
                columns = _parse_columns(cells, file, n)
                width = len(cells)
            elif len(cells) == 1 and not title:
                title = cells[0].strip().lstrip("■□◆●").strip()
            else:
                raise ParseError(file, n, "no header row (主要な施策 / 担当課 / 施策の内容 / 年度…) before the table")
            continue
        if len(cells) != width:
            raise ParseError(file, n, f"expected {width} tab-separated cells like the header, got {len(cells)}")
        if _is_header(cells):
            # Wording may differ between pages (取組み / 実績); the years may not.
            if [c.fiscal_year for c in _parse_columns(cells, file, n)] != [c.fiscal_year for c in columns]:
                raise ParseError(file, n, "a repeated header row names different fiscal years than the first")
            continue
        first, dept_cell, description = (c.strip() for c in cells[:3])
        year_cells = [c.strip() for c in cells[3:]]
        if first and not dept_cell and not description and not any(year_cells):
            section = _section_from_cell(first, file, n)
            if section:
                state.section, state.subsection = section
                sections.append(state.section)
                state.measure = None
                continue
            sub = _subsection(first)
            if sub:
                state.subsection, state.measure = sub, None
                continue
            if state.section is not None and not state.section.purpose and state.measure is None:
                # The purpose line printed on a row of its own (R4-R6 report, section 3).
                state.section = replace(state.section, purpose=" ".join(first.split()))
                sections[-1] = state.section
                continue
            raise ParseError(
                file, n, f"a row with only a first cell that is not a section or sub-section: {first[:40]!r}"
            )
        if not first and not dept_cell and not description:
            if state.measure is None:
                raise ParseError(file, n, "a continuation row (empty leading cells) with no measure before it")
            add_bullets(state.measure, cells, n)
            continue
        if not first or not dept_cell:
            raise ParseError(file, n, "a measure row needs a measure name (主要な施策) and a department (担当課)")
        if state.section is None:
            raise ParseError(file, n, "a measure before any section row (e.g. 「1 日常生活における安全安心の確保」)")
        state.measure = Measure(
            measure_id=measure_id(first, corrections),
            name=first,
            departments=parse_departments(dept_cell),
            description=description,
            section=state.section,
            subsection=state.subsection,
            source=SourceRef(file, n),
        )
        if any(m.measure_id == state.measure.measure_id for m in measures):
            raise ParseError(file, n, f"measure {first!r} appears twice in the report")
        measures.append(state.measure)
        add_bullets(state.measure, cells, n)

    if columns is None:
        raise ParseError(file, max(len(lines), 1), "no header row (主要な施策 / 担当課 / 施策の内容 / 年度…) found")
    if not measures:
        raise ParseError(file, len(lines), "the table has no measure rows")
    # Measures keep the section they were read under; refresh them with purposes found later in the section.
    by_number = {s.number: s for s in sections}
    measures = [replace(m, section=by_number[m.section.number]) for m in measures]
    return Report(
        file=file,
        title=title,
        columns=columns,
        sections=tuple(sections),
        measures=tuple(measures),
        bullets=tuple(bullets),
        checksum=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
