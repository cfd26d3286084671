"""The answer as typed records: what the CLI prints and the API serialises."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from assistant.answer.question import Intent
from assistant.domain import messages as msg
from assistant.domain.departments import Contact
from assistant.domain.figures import Series
from assistant.domain.model import SourceRef
from assistant.domain.view import department_label
from assistant.retrieval.search import SearchResult

# A citation marker as the server writes it into a lead or note: 「[3]」. Linear: a bounded digit run between
# literal brackets. The one word of the user's a lead may hold (an absent noun) never holds brackets.
CITATION_MARKER = re.compile(r"\[(\d{1,4})\]")


def cited_numbers(text: str, count: int) -> list[int]:
    """The citation numbers ``text`` marks, in order, that an answer of ``count`` citations has."""
    return [n for n in map(int, CITATION_MARKER.findall(text)) if 0 < n <= count]


class Coverage(StrEnum):
    """How far the reports answer the question."""

    DIRECT = "direct"  # the answer is in the reports
    RELATED = "related"  # the reports do not mention it; related activities are shown, labelled as such
    NONE = "none"  # the reports do not mention it, and nothing related is shown
    OUT_OF_SCOPE = "out_of_scope"  # not about the reports at all


@dataclass(frozen=True)
class Occurrence:
    fiscal_year: int
    fiscal_year_label: str
    status: str
    source: SourceRef


@dataclass(frozen=True)
class Citation:
    number: int
    measure_id: str
    measure: str
    section: str
    department: str
    departments: tuple[str, ...]
    fiscal_year: int  # the newest year of the text
    fiscal_year_label: str
    fiscal_years: tuple[int, ...]
    years_label: str
    status: str
    text: str  # as displayed: the verbatim text with the extraction typos of data/corrections.tsv corrected
    text_verbatim: str  # exactly as in the source line
    occurrences: tuple[Occurrence, ...]  # every year this text was reported, with its source line
    bullet_ids: tuple[int, ...] = ()  # the bullets quoted, oldest first (sent back with feedback)

    @property
    def source(self) -> SourceRef:
        """The newest year's source line."""
        return self.occurrences[-1].source

    @property
    def corrected(self) -> bool:
        return self.text != self.text_verbatim


@dataclass(frozen=True)
class AnswerItem:
    text: str  # as displayed (corrected)
    years_label: str
    status: str
    citation: int


@dataclass(frozen=True)
class AnswerGroup:
    measure_id: str
    measure: str
    departments: tuple[str, ...]
    items: tuple[AnswerItem, ...]
    section: str = ""  # set where groups are listed by section (department lists)


class SuggestionKind(StrEnum):
    """What a suggested next question offers."""

    YEAR = "year"  # the same figure in another reported year
    TREND = "trend"  # the figure over every reported year
    RESPONSIBLE = "responsible"  # who runs the measure
    MEASURE = "measure"  # the measure's activities (after a who-runs-it answer)
    TIMELINE = "timeline"  # the measure's timeline page (a link, not a question)
    EXAMPLE = "example"  # an example question, when nothing was found


@dataclass(frozen=True)
class Suggestion:
    kind: SuggestionKind
    label: str  # on the button: the question itself, or the link's text
    question: str = ""  # sent when chosen; empty for a link
    measure_id: str = ""  # the measure of a TIMELINE link


def examples(count: int = 3) -> tuple[Suggestion, ...]:
    return tuple(Suggestion(SuggestionKind.EXAMPLE, q, q) for q in msg.EXAMPLE_QUESTIONS[:count])


@dataclass(frozen=True)
class AnswerChoice:
    """One choice of an answer that asks back: its label (a phrase of the cited bullet) and the question it sends."""

    label: str
    question: str
    measure_id: str
    citation: int


@dataclass(frozen=True)
class Answer:
    question: str
    resolved_question: str  # the question with the topic of earlier turns, for follow-ups
    found: bool
    lead: str
    groups: tuple[AnswerGroup, ...]
    citations: tuple[Citation, ...]
    notes: tuple[str, ...]  # sentences after the groups (scope, unknown years, a trend's summary)
    suggestions: tuple[Suggestion, ...]
    result: SearchResult
    series: tuple[Series, ...] = ()  # figures by year, for a chart (trend and compare questions)
    series_citations: tuple[tuple[int, ...], ...] = ()  # citation number of each point, per series
    coverage: Coverage = Coverage.DIRECT
    intent: Intent = Intent.TOPIC
    related: tuple[AnswerGroup, ...] = ()  # shown under 「関連する取組み」, never as the answer
    absent_terms: tuple[str, ...] = ()  # words of the question the reports never use, named in the lead
    choices: tuple[AnswerChoice, ...] = ()  # set when the answer asks back which activity is meant
    contact: Contact | None = None  # whom to ask for more (related, none and department answers)

    @property
    def states_absence(self) -> bool:
        """The lead says the reports do not mention what was asked."""
        return bool(self.absent_terms) or self.coverage in (Coverage.NONE, Coverage.RELATED)

    @property
    def text(self) -> str:
        """The answer as plain text with [n] markers, as the CLI prints it."""
        lines = [self.lead]
        lines.extend(_group_lines(self.groups))
        if self.related:
            lines.append(f"\n{msg.RELATED_HEADING}")
            lines.extend(_group_lines(self.related))
        if self.notes:
            lines.append("")
            lines.extend(self.notes)
        if self.choices:
            lines.extend(f"・{c.label}" for c in self.choices)
        if self.contact:
            lines.extend(["", self.contact.sentence])
        if self.suggestions:
            # Under their own heading, as on the page: bare 「・…の担当はどこ？」 lines read as more activities.
            # Examples follow 「例えば次のように質問してください。」, which heads them already.
            if any(s.kind is not SuggestionKind.EXAMPLE for s in self.suggestions):
                lines.extend(["", msg.SUGGESTIONS_HEADING])
            lines.extend(f"・{s.label}" for s in self.suggestions)
        return "\n".join(lines)


def _group_lines(groups: tuple[AnswerGroup, ...]) -> list[str]:
    lines = []
    section = ""
    for g in groups:
        if g.section and g.section != section:
            section = g.section
            lines.append(f"\n〔{section}〕")
        dept = f"（{msg.DEPARTMENT_PREFIX}{department_label(g.departments)}）" if g.departments else ""
        lines.append(f"\n■ {g.measure}{dept}")
        lines.extend(f"・{i.text}（{i.years_label}）[{i.citation}]" for i in g.items)
    return lines
