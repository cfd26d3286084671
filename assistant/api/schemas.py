"""Pydantic models of every JSON shape the API and `assistant search --json` produce, and converters."""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, computed_field

from assistant.answer import Answer, AnswerGroup, Coverage
from assistant.answer.question import Intent, Role
from assistant.answer.records import SuggestionKind
from assistant.api.limits import LimitsOut
from assistant.api.spans import LeadSpan, lead_spans
from assistant.config import default
from assistant.domain import messages as msg
from assistant.domain.corpus import year_range_label
from assistant.domain.figures import Series, format_value
from assistant.domain.model import SourceRef, Status, fiscal_year_label
from assistant.domain.notices import Notice
from assistant.domain.requests import RequestModel
from assistant.domain.view import bullet_view
from assistant.feedback.schemas import FeedbackOptionsOut
from assistant.retrieval.search import Filters, Hit, SearchResult


class StatusOut(BaseModel):
    """A record with a status: its Japanese label, and the code programs compare."""

    status: str = Field(description="実績 (done), 予定 (planned) or 実施中 (current year, plans included)")

    @computed_field(description="actual | planned | current: the status for programs")  # type: ignore[prop-decorator]
    @property
    def status_code(self) -> str:
        return Status(self.status).code


class SourceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from a SourceRef

    file: str
    line: int = Field(description="text report: the line; PDF: the table row on the page; workbook: the sheet row")
    column: int
    page: int | None = Field(default=None, description="PDF page or workbook sheet (1-based); null for a text report")
    label: str = Field(description="the source as shown: 「a.txt:12」, 「a.pdf p.3 row 5」, 「a.xlsx sheet 1 row 9」")


def source_out(ref: SourceRef) -> SourceOut:
    return SourceOut.model_validate(ref)


class HitOut(StatusOut):
    model_config = ConfigDict(from_attributes=True)  # built from a BulletView and its hit

    rank: int
    score: float
    bullet_id: int
    measure_id: str
    measure: str = Field(description="主要な施策 (the measure), newest wording")
    section: str = Field(description="section path, e.g. 「1 日常生活における安全安心の確保 › (1) 地域防犯力の向上」")
    departments: list[str] = Field(description="担当課 of the measure in the report of this year")
    department: str = Field(description="the department block (【…】) the bullet stands in, else its measure's")
    fiscal_year: int
    fiscal_year_label: str = Field(description="令和5年度（2023年度）")
    fiscal_years: list[int] = Field(description="every year this exact text was reported for the measure")
    years_label: str = Field(description="令和4〜6年度")
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
    notices: list[Notice] = Field(default=[], description="how the question was handled, e.g. question_truncated")


def hit_out(hit: Hit) -> HitOut:
    v = bullet_view(hit.bullet_id, hit.bullet, hit.measure, hit.version)
    per_hit = {
        "rank": hit.rank,
        "score": round(hit.score, 6),
        "fiscal_years": list(hit.fiscal_years),
        "years_label": year_range_label(list(hit.fiscal_years)),
    }
    return HitOut.model_validate({**asdict(v), "source": v.source, "status": v.status.value, **per_hit})


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


# ---- requests ----------------------------------------------------------------------------------


class FiltersIn(RequestModel):
    years: list[StrictInt] = Field(default=[], max_length=20, description="fiscal years (西暦), e.g. [2023]")
    departments: list[str] = Field(default=[], max_length=30, description="e.g. ['地域安全課']")
    sections: list[StrictInt] = Field(default=[], max_length=10, description="section numbers 1–4")
    measure_ids: list[str] = Field(default=[], max_length=50)


class TurnIn(RequestModel):
    role: Role
    content: str = Field(max_length=default("max_turn_chars"))


class AskRequest(RequestModel):
    question: str = Field(description="the citizen's or staff member's question, in Japanese")
    history: list[TurnIn] = Field(
        default=[], max_length=default("max_history_messages"), description="earlier turns, oldest first"
    )
    filters: FiltersIn | None = None


class SearchRequest(RequestModel):
    question: str
    top_k: StrictInt = Field(default=10, ge=1, le=default("max_top_k"))
    filters: FiltersIn | None = None


# ---- ask ---------------------------------------------------------------------------------------


class OccurrenceOut(StatusOut):
    model_config = ConfigDict(from_attributes=True)

    fiscal_year: int
    fiscal_year_label: str
    source: SourceOut


class CitationOut(StatusOut):
    model_config = ConfigDict(from_attributes=True)  # built from an answer's Citation

    number: int
    measure_id: str
    measure: str
    section: str
    department: str
    departments: list[str]
    fiscal_year: int
    fiscal_year_label: str
    fiscal_years: list[int]
    years_label: str
    text: str = Field(
        description="the bullet as displayed: verbatim, extraction typos corrected (data/corrections.tsv)"
    )
    text_verbatim: str = Field(description="the bullet exactly as in the source line")
    source: SourceOut = Field(description="the newest year's source line")
    occurrences: list[OccurrenceOut] = Field(description="every year this text was reported")
    bullet_ids: list[int] = Field(default=[], description="the bullets quoted, oldest first")


class AnswerItemOut(StatusOut):
    text: str
    years_label: str
    citation: int


class AnswerGroupOut(BaseModel):
    measure_id: str
    measure: str
    departments: list[str]
    items: list[AnswerItemOut]
    section: str = Field(default="", description="set where groups are listed by section (department lists)")


class PointOut(BaseModel):
    fiscal_year: int
    fiscal_year_label: str
    value: float
    display: str = Field(description="the figure as printed, e.g. 「1,034件」")
    approximate: bool
    bullet_id: int
    text: str = Field(description="the verbatim bullet the figure comes from")
    citation: int | None = Field(default=None, description="its citation number in an answer")


class SeriesOut(BaseModel):
    measure_id: str
    measure: str
    label: str
    unit: str
    points: list[PointOut]


def series_out(series: Series, measure_name: str, citations: tuple[int, ...] = ()) -> SeriesOut:
    return SeriesOut(
        measure_id=series.measure_id,
        measure=measure_name,
        label=series.label,
        unit=series.unit,
        points=[
            PointOut(
                fiscal_year=p.fiscal_year,
                fiscal_year_label=fiscal_year_label(p.fiscal_year),
                value=p.value,
                display=format_value(p),
                approximate=p.approximate,
                bullet_id=p.bullet_id,
                text=p.text,
                citation=citations[i] if i < len(citations) else None,
            )
            for i, p in enumerate(series.points)
        ],
    )


class SuggestionOut(BaseModel):
    kind: SuggestionKind = Field(description="year, trend, responsible, timeline (a link) or example")
    label: str = Field(description="the button's text")
    question: str = Field(description="sent as the next question when chosen; empty for a timeline link")
    measure_id: str = Field(description="the measure whose timeline a timeline link opens; else empty")


class ChoiceOut(BaseModel):
    label: str = Field(description="the activity, in the words of the cited bullet")
    question: str = Field(description="sent when chosen, with the history and this measure as the filter")
    measure_id: str
    citation: int = Field(description="the choice's preview citation, a number in `citations`")


class ContactOut(BaseModel):
    department: str = Field(description="as the reports name it")
    name: str = Field(description="as shown (data/departments.tsv's display name, else the department)")
    text: str = Field(description="contact text from data/departments.tsv; empty unless the city filled it in")
    url: str = Field(description="from data/departments.tsv; empty unless the city filled it in")
    sentence: str = Field(description="「詳しくは〇〇課にお問い合わせください。」, with the contact text")


class AskResponse(BaseModel):
    question: str
    resolved_question: str = Field(description="the question searched, with the topic of earlier turns")
    found: bool
    answer: str = Field(description="the whole answer as plain text with [n] citation markers")
    lead: str
    lead_spans: list[LeadSpan] = Field(
        default=[], description="the lead as text and citation spans: only a span with a citation is a marker"
    )
    groups: list[AnswerGroupOut]
    notes: list[str]
    suggestions: list[SuggestionOut] = Field(description="two or three next questions or links")
    citations: list[CitationOut]
    hits: list[HitOut]
    filters: FiltersOut
    unknown_years: list[int]
    available_years: list[int]
    series: list[SeriesOut] = Field(default=[], description="figures by year for a chart (trend, compare)")
    coverage: Coverage = Field(
        description="direct: answered from the reports; related: not mentioned, related activities in `related`; "
        "none: not mentioned; out_of_scope: not about the reports"
    )
    intent: Intent = Field(description="how the question was read")
    related: list[AnswerGroupOut] = Field(default=[], description="related activities, never the answer itself")
    related_title: str = Field(default="", description="the heading the related activities are shown under")
    absent_terms: list[str] = Field(default=[], description="words of the question the reports never use")
    notices: list[Notice] = Field(default=[], description="how the question was handled, e.g. question_truncated")
    choices: list[ChoiceOut] = Field(default=[], description="set when the answer asks back which activity is meant")
    contact: ContactOut | None = Field(default=None, description="whom to contact for more")


def _group_out(g: AnswerGroup) -> AnswerGroupOut:
    return AnswerGroupOut(
        measure_id=g.measure_id,
        measure=g.measure,
        departments=list(g.departments),
        section=g.section,
        items=[
            AnswerItemOut(text=i.text, years_label=i.years_label, status=i.status, citation=i.citation) for i in g.items
        ],
    )


def ask_response(answer: Answer, available_years: tuple[int, ...]) -> AskResponse:
    citations = [CitationOut.model_validate(c) for c in answer.citations]
    groups = [_group_out(g) for g in answer.groups]
    return AskResponse(
        question=answer.question,
        resolved_question=answer.resolved_question,
        found=answer.found,
        answer=answer.text,
        lead=answer.lead,
        lead_spans=lead_spans(
            answer.lead, (c.number for c in answer.citations), (answer.question, *answer.absent_terms)
        ),
        groups=groups,
        notes=list(answer.notes),
        suggestions=[SuggestionOut.model_validate(asdict(x)) for x in answer.suggestions],
        citations=citations,
        hits=[hit_out(h) for h in answer.result.hits],
        filters=filters_out(answer.result.filters),
        unknown_years=list(answer.result.understanding.unknown_years),
        available_years=list(available_years),
        series=[
            series_out(sr, answer.groups[0].measure if answer.groups else "", nums)
            for sr, nums in zip(answer.series, answer.series_citations, strict=True)
        ],
        coverage=answer.coverage,
        intent=answer.intent,
        related=[_group_out(g) for g in answer.related],
        related_title=msg.RELATED_HEADING if answer.related else "",
        absent_terms=list(answer.absent_terms),
        choices=[ChoiceOut.model_validate(asdict(c)) for c in answer.choices],
        contact=_contact_out(answer),
    )


def _contact_out(answer: Answer) -> ContactOut | None:
    c = answer.contact
    return ContactOut(department=c.department, name=c.name, text=c.text, url=c.url, sentence=c.sentence) if c else None


# ---- measures, options, health ------------------------------------------------------------------


class MeasureSummary(BaseModel):
    measure_id: str
    name: str
    departments: list[str]
    fiscal_years: list[int]


class SectionOut(BaseModel):
    number: int
    title: str
    purpose: str
    measures: list[MeasureSummary]


class MeasuresResponse(BaseModel):
    fiscal_years: list[int]
    sections: list[SectionOut]


class BulletOut(StatusOut):
    bullet_id: int
    text: str
    department: str
    new: bool = Field(description="not in the previous reported year of this measure (derived, see README)")
    new_in_report: bool | None = Field(
        default=None, description="underlined as new in the report itself (PDF/xlsx); null where it cannot say"
    )
    source: SourceOut


class YearOut(BaseModel):
    fiscal_year: int
    fiscal_year_label: str
    reported: bool = Field(description="false for a year with no report: a gap, not an absence of activity")
    listed: bool = Field(description="the measure is printed in that year's report")
    name: str | None = Field(description="the measure's name as printed that year")
    departments: list[str]
    bullets: list[BulletOut]


class MeasureDetail(BaseModel):
    measure_id: str
    name: str
    section: str
    description: str
    departments: list[str]
    names: list[str] = Field(description="every verbatim name the measure was printed under")
    years: list[YearOut]
    series: list[SeriesOut] = Field(description="figures of this measure that form a series over years")


class YearOption(BaseModel):
    fiscal_year: int
    label: str


class OptionsResponse(BaseModel):
    years: list[YearOption]
    year_labels: list[YearOption] = Field(
        default=[], description="every year from the first report to the last, gaps included: the one 和暦 label"
    )
    departments: list[str]
    sections: list[SectionOut]
    examples: list[str]
    max_question_chars: int = Field(description="longer questions are refused with 422")
    max_history_turns: int = Field(description="earlier question/answer pairs the server reads from history")
    limits: LimitsOut | None = Field(default=None, description="the bounds of one request")
    feedback: FeedbackOptionsOut = Field(default_factory=FeedbackOptionsOut, description="役に立ちましたか？ buttons")


class HealthResponse(BaseModel):
    status: Literal["ok", "starting", "error"]
    ready: bool
    embedder: str | None = None
    build_id: str | None = None
    documents: int = 0
    measures: int = 0
    bullets: int = 0
    fiscal_years: list[int] = []
    data_error: str | None = Field(default=None, description="a report in data/ that failed to parse")
    error: str | None = None
    reload_error: str | None = Field(
        default=None, description="a newer index build that failed verification; build_id still serves"
    )


class ErrorBody(BaseModel):
    code: str
    message: str = Field(description="日本語, shown to the user")
    detail: str | None = Field(default=None, description="precise, for staff and logs")
    field: str | None = None
    allowed: list[str] | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody
