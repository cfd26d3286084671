"""Several parsed reports → one corpus: canonical measures, one timeline per measure, no I/O.

Reports overlap: next year's report repeats the year that was planned in this one (令和6年度,
実施予定を含む) as a finished year. For every fiscal year the newest report that covers it wins, so
a plan is replaced by what was done, and no year is counted twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from assistant.domain.model import ActivityBullet, Measure, Report, Section, wareki_label
from assistant.domain.normalize import Corrections, bigrams, display_name, jaccard, normalize_text
from assistant.tuning import NEAR_SAME


@dataclass(frozen=True)
class Document:
    """A source report as stored: which years it covers and which of them it supplies."""

    file: str
    title: str
    checksum: str
    fiscal_years: tuple[int, ...]
    supplies: tuple[int, ...]  # the years for which this report is the newest source
    planned_years: tuple[int, ...]


@dataclass(frozen=True)
class CanonicalMeasure:
    """A measure across reports: one id, its newest wording, and each report's version."""

    measure_id: str
    name: str  # newest verbatim name with typos corrected (data/corrections.tsv)
    section: Section
    subsection_title: str
    versions: tuple[Measure, ...]  # one per report, oldest first

    @property
    def latest(self) -> Measure:
        return self.versions[-1]

    @property
    def departments(self) -> tuple[str, ...]:
        """Department names over all versions, newest wording first, each once."""
        seen: dict[str, None] = {}
        for version in reversed(self.versions):
            for d in version.departments:
                seen.setdefault(d.name, None)
        return tuple(seen)

    @property
    def section_path(self) -> str:
        """「1 日常生活における安全安心の確保 › (1) 地域防犯力の向上」."""
        path = f"{self.section.number} {self.section.title}"
        sub = self.latest.subsection
        return f"{path} › ({sub.number}) {sub.title}" if sub else path


@dataclass(frozen=True)
class Corpus:
    documents: tuple[Document, ...]
    measures: tuple[CanonicalMeasure, ...]  # in report order
    bullets: tuple[ActivityBullet, ...]  # position = bullet id; ordered by measure, year, ordinal
    _by_id: dict[str, CanonicalMeasure] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({m.measure_id: m for m in self.measures})

    def measure(self, measure_id: str) -> CanonicalMeasure:
        return self._by_id[measure_id]

    def has_measure(self, measure_id: str) -> bool:
        return measure_id in self._by_id

    @cached_property
    def fiscal_years(self) -> tuple[int, ...]:
        return tuple(sorted({b.fiscal_year for b in self.bullets} | {y for d in self.documents for y in d.supplies}))

    @cached_property
    def departments(self) -> tuple[str, ...]:
        """Every department named in a measure's 担当課 or a bullet's 【…】 block."""
        names: dict[str, None] = {}
        for m in self.measures:
            for name in m.departments:
                names.setdefault(name, None)
        for b in self.bullets:
            if b.department:
                names.setdefault(b.department, None)
        return tuple(names)

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        seen: dict[int, Section] = {}
        for m in self.measures:
            seen.setdefault(m.section.number, m.section)
        return tuple(sorted(seen.values(), key=lambda s: s.number))

    def version_for(self, measure_id: str, fiscal_year: int) -> Measure:
        """The measure as printed in the report that supplies ``fiscal_year`` (falls back to the newest)."""
        canonical = self.measure(measure_id)
        for doc in self.documents:
            if fiscal_year in doc.supplies:
                for v in canonical.versions:
                    if v.source.file == doc.file:
                        return v
        return canonical.latest


def _report_order(report: Report) -> tuple[int, str]:
    return (max(report.fiscal_years), report.file)


def merge_reports(reports: list[Report], corrections: Corrections) -> Corpus:
    """Combine reports; for each fiscal year only the newest report covering it is kept."""
    ordered = sorted(reports, key=_report_order)
    source_of_year: dict[int, str] = {}
    for report in ordered:  # later (newer) reports overwrite
        for year in report.fiscal_years:
            source_of_year[year] = report.file
    documents = tuple(
        Document(
            file=r.file,
            title=r.title,
            checksum=r.checksum,
            fiscal_years=r.fiscal_years,
            supplies=tuple(y for y in r.fiscal_years if source_of_year[y] == r.file),
            planned_years=tuple(c.fiscal_year for c in r.columns if c.includes_plans),
        )
        for r in ordered
    )
    versions: dict[str, list[Measure]] = {}
    first_seen: list[str] = []
    for report in ordered:
        for m in report.measures:
            if m.measure_id not in versions:
                versions[m.measure_id] = []
                first_seen.append(m.measure_id)
            versions[m.measure_id].append(m)

    # Section order, then the order of each measure's newest printing.
    def order(mid: str) -> tuple[int, ...]:
        latest = versions[mid][-1]
        return (latest.section.number, latest.subsection.number if latest.subsection else 99, *latest.source.order)

    measure_ids = sorted(first_seen, key=order)
    measures = tuple(
        CanonicalMeasure(
            measure_id=mid,
            name=display_name(versions[mid][-1].name, corrections),
            section=versions[mid][-1].section,
            subsection_title=_subsection_title(versions[mid][-1]),
            versions=tuple(versions[mid]),
        )
        for mid in measure_ids
    )
    position = {mid: i for i, mid in enumerate(measure_ids)}
    bullets = sorted(
        (b for r in ordered for b in r.bullets if source_of_year[b.fiscal_year] == r.file),
        key=lambda b: (position[b.measure_id], b.fiscal_year, b.ordinal),
    )
    return Corpus(documents=documents, measures=measures, bullets=tuple(bullets))


def _subsection_title(measure: Measure) -> str:
    return measure.subsection.title if measure.subsection is not None else ""


def year_range_label(years: list[int]) -> str:
    """[2022, 2023, 2024] → 「令和4〜6年度」; gaps listed: [2017, 2018, 2022] → 「平成29〜30年度、令和4年度」."""
    years = sorted(set(years))
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1 and wareki_label(y)[:2] == wareki_label(runs[-1][0])[:2]:
            runs[-1].append(y)
        else:
            runs.append([y])
    labels = []
    for run in runs:
        first, last = wareki_label(run[0]), wareki_label(run[-1])
        if len(run) == 1:
            labels.append(first)
        else:
            labels.append(f"{first.removesuffix('年度')}〜{last[2:]}")
    return "、".join(labels)


def _comparable(text: str) -> str:
    """Text for "is this the same activity": figures masked, so a changed count is not a new activity."""
    return re.sub(r"\d[\d,.]*", "#", normalize_text(text, squash=True))


def new_bullet_ids(corpus: Corpus) -> frozenset[int]:
    """Bullets not reported in the measure's previous reported year: "new that year".

    The R4 report marked new items by underlining, which the text extraction lost; this derives the same
    fact for every year. Two bullets are the same activity when their texts, with figures masked, are
    equal or nearly so (bigram Jaccard ≥ NEAR_SAME): 「…12団体」 after 「…5団体」 is not new. A measure's
    first reported year has no previous year, so nothing in it is new.
    """
    grams: dict[tuple[str, int], list[frozenset[str]]] = {}
    for b in corpus.bullets:
        grams.setdefault((b.measure_id, b.fiscal_year), []).append(bigrams(_comparable(b.text)))
    years_of: dict[str, list[int]] = {}
    for mid, year in sorted(grams):
        years_of.setdefault(mid, []).append(year)
    new = set()
    for i, b in enumerate(corpus.bullets):
        years = years_of[b.measure_id]
        pos = years.index(b.fiscal_year)
        if pos == 0:
            continue
        mine = bigrams(_comparable(b.text))
        previous = grams[(b.measure_id, years[pos - 1])]
        if not any(jaccard(mine, g) >= NEAR_SAME for g in previous):
            new.add(i)
    return frozenset(new)
