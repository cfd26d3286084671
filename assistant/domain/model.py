"""Domain records shared by every layer.

Japanese terms, explained once:
- 施策 (shisaku) = measure: one row of the report, e.g. 「CoCoパトロール隊による地域パトロール」.
- 担当課 (tantōka) = the responsible department(s) of a measure, e.g. 地域安全課.
- 年度 (nendo) = fiscal year, April to March, named by its starting calendar year (令和5年度 = FY2023).
- 取組み / 実績 = the activities done in a year; 予定 = planned.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

# Era start years; 元年 is year 1. A general table, not a lookup of the years in the seeds.
ERAS: dict[str, int] = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019}
ERA_ABBREVIATIONS: dict[str, str] = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}

# The era names as a regular-expression alternation, for every reader of 和暦 in text (query.py, figures.py).
ERA_NAMES = "|".join(ERAS)
_ERA_YEAR = re.compile(rf"({ERA_NAMES})\s*(元|\d{{1,2}})\s*年")


def era_to_western(era: str, year: int) -> int:
    """令和5 → 2023. Raises ValueError for an unknown era or a year before its start."""
    if era in ERA_ABBREVIATIONS:
        era = ERA_ABBREVIATIONS[era]
    if era not in ERAS or year < 1:
        raise ValueError(f"unknown era year: {era}{year}")
    return ERAS[era] + year - 1


def western_to_era(year: int) -> tuple[str, int]:
    """2019 → ("令和", 1). Fiscal years follow the era in force on 1 April (平成31年度 is never used)."""
    best = None
    for era, start in ERAS.items():
        # The era in force for most of the year names it: FY2019 is officially 令和元年度, FY1989 平成元年度.
        if year >= start:
            best = (era, year - start + 1)
    if best is None:
        raise ValueError(f"year before 明治: {year}")
    return best


def wareki_label(fiscal_year: int) -> str:
    """2023 → 「令和5年度」, 2019 → 「令和元年度」."""
    era, n = western_to_era(fiscal_year)
    return f"{era}{'元' if n == 1 else n}年度"


def fiscal_year_label(fiscal_year: int) -> str:
    """2023 → 「令和5年度（2023年度）」: both forms, as citizens and staff use both."""
    return f"{wareki_label(fiscal_year)}（{fiscal_year}年度）"


def parse_era_year(text: str) -> int | None:
    """First 和暦 year in ``text`` as a western year: 「令和5年度の取組み」 → 2023."""
    m = _ERA_YEAR.search(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    n = 1 if m.group(2) == "元" else int(m.group(2))
    return era_to_western(m.group(1), n)


class Status(StrEnum):
    """What a bullet reports for its year."""

    ACTUAL = "実績"  # a column of a finished year
    PLANNED = "予定"  # a column that includes plans (実施予定を含む) and the text says 予定
    CURRENT = "実施中"  # a plans-including column whose text states no plan: ongoing in the report's year

    @property
    def code(self) -> str:
        """The status for programs (the browser, exports read by scripts); the value is its Japanese label."""
        return _STATUS_CODES[self]


_STATUS_CODES = {Status.ACTUAL: "actual", Status.PLANNED: "planned", Status.CURRENT: "current"}


@dataclass(frozen=True)
class SourceRef:
    """Where a record stands in its source file.

    A text report: ``line`` is the 1-based line, ``column`` the tab-separated cell, ``page`` None.
    A PDF: ``page`` is the 1-based page and ``line`` the table row on that page (its header row is row 1).
    A workbook: ``page`` is the 1-based sheet and ``line`` the sheet's row number as Excel shows it.
    ``end_page``: an item a page break cut in two ends on this later page (「a.pdf p.4–5 row 7」); else None.
    """

    file: str
    line: int
    column: int = 1
    page: int | None = None
    end_page: int | None = None

    @property
    def label(self) -> str:
        """The one presented form of a source: 「a.txt:12」, 「a.pdf p.3 row 5」, 「a.xlsx sheet 1 row 9」."""
        if self.page is None:
            return f"{self.file}:{self.line}"
        unit = "sheet " if self.file.lower().endswith(".xlsx") else "p."
        pages = f"{self.page}–{self.end_page}" if self.end_page not in (None, self.page) else f"{self.page}"
        return f"{self.file} {unit}{pages} row {self.line}"

    @property
    def order(self) -> tuple[int, int]:
        """Reading order within one file (page first, then line)."""
        return (self.page or 0, self.line)


@dataclass(frozen=True)
class Department:
    """One 担当課 entry. ``qualifier`` keeps what the cell says beside the name:
    「地域安全課【全庁】」 → (地域安全課, 全庁);
    「子ども家庭センター(令和6年度から)」 → (子ども家庭センター, 令和6年度から)."""

    name: str
    qualifier: str = ""
    label: str = ""  # verbatim, as printed in the cell

    def __str__(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class Section:
    """A numbered chapter of the guideline: 「1 日常生活における安全安心の確保」 and its purpose line."""

    number: int
    title: str
    purpose: str = ""
    source: SourceRef | None = None


@dataclass(frozen=True)
class SubSection:
    """「(1) 地域防犯力の向上」 inside a section."""

    number: int
    title: str


@dataclass(frozen=True)
class Column:
    """A fiscal-year column of a report and whether it includes planned work."""

    index: int  # 1-based cell index in the row
    fiscal_year: int
    header: str
    includes_plans: bool
    marks_new: bool = False  # the header says underlining marks the year's new activities (下線箇所は…新たな取組み)


@dataclass(frozen=True)
class ActivityBullet:
    """One activity (取組み) of one measure, department and fiscal year, verbatim."""

    measure_id: str
    fiscal_year: int
    department: str  # the 【…】 block it stands in; "" when the cell names none
    status: Status
    text: str  # verbatim, for citations
    ordinal: int  # position among the measure's bullets of that year, for stable ordering
    source: SourceRef
    bulleted: bool = True  # False for free text in a block without ・ (「該当なし」)
    # Underlined in the source, in a column whose header says underlining marks what is new; None when the
    # source cannot show underlines (text reports) or the column makes no such claim. Beside, not instead of,
    # the diff-based "new" of figures.Insights.
    new_in_report: bool | None = None


@dataclass(frozen=True)
class Measure:
    """A measure (主要な施策) as printed in one report."""

    measure_id: str  # canonical id shared across reports (see normalize.measure_id)
    name: str  # verbatim
    departments: tuple[Department, ...]
    description: str  # 施策の内容, verbatim
    section: Section
    subsection: SubSection | None
    source: SourceRef


@dataclass(frozen=True)
class Unplaced:
    """Text a PDF or workbook reader found but could not put in a table cell (page numbers, notes, stray text)."""

    source: SourceRef  # the page (or sheet) and the row it stood nearest to
    text: str


@dataclass(frozen=True)
class RowJoin:
    """A measure's row that a page break (or a repeated header) cut, read as one row: where each part stood."""

    measure: str  # the measure's name as printed
    first: SourceRef
    rest: tuple[SourceRef, ...]


@dataclass(frozen=True)
class Report:
    """A parsed report file: what it covers and everything in it, in source order."""

    file: str
    title: str
    columns: tuple[Column, ...]
    sections: tuple[Section, ...]
    measures: tuple[Measure, ...]
    bullets: tuple[ActivityBullet, ...]
    checksum: str  # sha256 of the file's bytes
    pages_read: int | None = None  # PDF pages or workbook sheets read; None for a text report
    unplaced: tuple[Unplaced, ...] = ()
    joins: tuple[RowJoin, ...] = ()  # rows continued across a page break, joined (ingest/continuation.py)
    font_pages: tuple[int, ...] = ()  # PDF pages whose text a font problem damaged

    @property
    def fiscal_years(self) -> tuple[int, ...]:
        return tuple(c.fiscal_year for c in self.columns)
