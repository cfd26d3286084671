"""Corpus → the staff views' response models: measure list, measure timeline, filter options."""

from __future__ import annotations

from assistant.api.schemas import (
    BulletOut,
    MeasureDetail,
    MeasuresResponse,
    MeasureSummary,
    OptionsResponse,
    SectionOut,
    YearOption,
    YearOut,
    series_out,
    source_out,
)
from assistant.domain.corpus import Corpus
from assistant.domain.figures import Insights
from assistant.domain.messages import EXAMPLE_QUESTIONS
from assistant.domain.model import fiscal_year_label
from assistant.domain.spreadsheet import csv_bytes, neutralise
from assistant.domain.view import department_label, view


def _sections(corpus: Corpus) -> list[SectionOut]:
    years_of: dict[str, set[int]] = {}
    for b in corpus.bullets:
        years_of.setdefault(b.measure_id, set()).add(b.fiscal_year)
    out = []
    for s in corpus.sections:
        measures = [
            MeasureSummary(
                measure_id=m.measure_id,
                name=m.name,
                departments=list(m.departments),
                fiscal_years=sorted(years_of.get(m.measure_id, ())),
            )
            for m in corpus.measures
            if m.section.number == s.number
        ]
        out.append(SectionOut(number=s.number, title=s.title, purpose=s.purpose, measures=measures))
    return out


def measures_overview(corpus: Corpus) -> MeasuresResponse:
    return MeasuresResponse(fiscal_years=list(corpus.fiscal_years), sections=_sections(corpus))


def timeline_years(corpus: Corpus) -> list[int]:
    """Every year from the first report to the last, so years without a report show as gaps."""
    years = corpus.fiscal_years
    return list(range(min(years), max(years) + 1)) if years else []


def measure_detail(corpus: Corpus, measure_id: str, insights: Insights) -> MeasureDetail:
    m = corpus.measure(measure_id)
    new = insights.new_ids
    by_year: dict[int, list[BulletOut]] = {}
    for i, b in enumerate(corpus.bullets):
        if b.measure_id != measure_id:
            continue
        v = view(corpus, i)
        by_year.setdefault(b.fiscal_year, []).append(
            BulletOut(
                bullet_id=i,
                text=v.text,
                department=v.department,
                status=v.status.value,
                new=i in new,
                new_in_report=b.new_in_report,
                source=source_out(v.source),
            )
        )
    reported = set(corpus.fiscal_years)
    supplier = {y: d.file for d in corpus.documents for y in d.supplies}
    printed = {v.source.file: v for v in m.versions}
    years = []
    for y in timeline_years(corpus):
        version = printed.get(supplier.get(y, ""))
        years.append(
            YearOut(
                fiscal_year=y,
                fiscal_year_label=fiscal_year_label(y),
                reported=y in reported,
                listed=version is not None,
                name=version.name if version else None,
                departments=[str(d) for d in version.departments] if version else [],
                bullets=by_year.get(y, []),
            )
        )
    return MeasureDetail(
        measure_id=m.measure_id,
        name=m.name,
        section=m.section_path,
        description=m.latest.description,
        departments=list(m.departments),
        names=list(dict.fromkeys(v.name for v in m.versions)),
        years=years,
        series=[series_out(sr, m.name) for sr in insights.series_for(measure_id)],
    )


def options(corpus: Corpus, max_question_chars: int, max_history_turns: int) -> OptionsResponse:
    return OptionsResponse(
        years=[YearOption(fiscal_year=y, label=fiscal_year_label(y)) for y in corpus.fiscal_years],
        year_labels=[YearOption(fiscal_year=y, label=fiscal_year_label(y)) for y in timeline_years(corpus)],
        departments=list(corpus.departments),
        sections=[SectionOut(number=s.number, title=s.title, purpose=s.purpose, measures=[]) for s in corpus.sections],
        examples=list(EXAMPLE_QUESTIONS),
        max_question_chars=max_question_chars,
        max_history_turns=max_history_turns,
    )


EXPORT_COLUMNS = (
    "measure_id",
    "measure",
    "section",
    "department",
    "departments",
    "fiscal_year",
    "fiscal_year_label",
    "status",
    "new",
    "new_in_report",
    "text",
    "source_file",
    "source_line",
    "source_column",
    "source_page",
    "source",
)


def export_rows(corpus: Corpus, insights: Insights, bullet_ids: list[int]) -> list[dict[str, object]]:
    """One row per bullet with every citation field, in the given order."""
    rows = []
    for i in bullet_ids:
        v = view(corpus, i)
        rows.append(
            {
                "measure_id": v.measure_id,
                "measure": v.measure,
                "section": v.section,
                "department": v.department,
                "departments": department_label(v.departments),
                "fiscal_year": v.fiscal_year,
                "fiscal_year_label": v.fiscal_year_label,
                "status": v.status.value,
                "new": i in insights.new_ids,
                "new_in_report": corpus.bullets[i].new_in_report,
                "text": v.text,
                "source_file": v.source.file,
                "source_line": v.source.line,
                "source_column": v.source.column,
                "source_page": v.source.page,
                "source": v.source.label,
            }
        )
    return rows


def csv_cell(value: object) -> object:
    """Booleans as 1/0, text that would run as a formula neutralised (domain/spreadsheet.py), the rest as is."""
    if value is True or value is False:
        return "1" if value else "0"
    return neutralise(value) if isinstance(value, str) else value


def to_csv(rows: list[dict[str, object]]) -> bytes:
    return csv_bytes(EXPORT_COLUMNS, ([csv_cell(row.get(c)) for c in EXPORT_COLUMNS] for row in rows))
