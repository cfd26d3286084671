"""Pydantic models of every JSON shape the API and `assistant search --json` produce, and converters."""

from __future__ import annotations

from pydantic import BaseModel, Field

from .corpus import year_range_label
from .model import fiscal_year_label
from .search import Filters, Hit, SearchResult


class SourceOut(BaseModel):
    file: str
    line: int
    column: int


class HitOut(BaseModel):
    rank: int
    score: float
    bullet_id: int
    measure_id: str
    measure: str = Field(description="主要な施策 (the measure), newest wording")
    section: str = Field(description="section path, e.g. 「1 日常生活における安全安心の確保 › (1) 地域防犯力の向上」")
    departments: list[str] = Field(description="担当課 of the measure in the report of this year")
    department: str = Field(description="the department block (【…】) the bullet stands in")
    fiscal_year: int
    fiscal_year_label: str = Field(description="令和5年度（2023年度）")
    fiscal_years: list[int] = Field(description="every year this exact text was reported for the measure")
    years_label: str = Field(description="令和4〜6年度")
    status: str = Field(description="実績 (done), 予定 (planned) or 実施中 (current year, plans included)")
    text: str = Field(description="verbatim bullet text")
    source: SourceOut


class FiltersOut(BaseModel):
    years: list[int] = []
    departments: list[str] = []
    sections: list[int] = []
    measure_ids: list[str] = []


class SearchResponse(BaseModel):
    query: str
    filters: FiltersOut
    unknown_years: list[int] = Field(default=[], description="years the question named that have no report")
    available_years: list[int] = []
    hits: list[HitOut]


def hit_out(hit: Hit) -> HitOut:
    b = hit.bullet
    return HitOut(
        rank=hit.rank,
        score=round(hit.score, 6),
        bullet_id=hit.bullet_id,
        measure_id=hit.measure.measure_id,
        measure=hit.measure.name,
        section=hit.measure.section_path,
        departments=[str(d) for d in hit.version.departments],
        department=b.department or " ".join(d.name for d in hit.version.departments),
        fiscal_year=b.fiscal_year,
        fiscal_year_label=fiscal_year_label(b.fiscal_year),
        fiscal_years=list(hit.fiscal_years),
        years_label=year_range_label(list(hit.fiscal_years)),
        status=b.status.value,
        text=b.text,
        source=SourceOut(file=b.source.file, line=b.source.line, column=b.source.column),
    )


def filters_out(f: Filters) -> FiltersOut:
    return FiltersOut(
        years=list(f.years), departments=list(f.departments), sections=list(f.sections), measure_ids=list(f.measure_ids)
    )


def search_response(result: SearchResult, available_years: tuple[int, ...] = ()) -> SearchResponse:
    return SearchResponse(
        query=result.query,
        filters=filters_out(result.filters),
        unknown_years=list(result.understanding.unknown_years),
        available_years=list(available_years),
        hits=[hit_out(h) for h in result.hits],
    )
