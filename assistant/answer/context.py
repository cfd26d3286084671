"""What composing an answer reads: the searcher, the derived facts, the gate, the vocabulary. Loaded once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..corpus import Corpus
from ..figures import Insights
from ..normalize import Corrections
from ..question import Intent, Question
from ..relevance import Gate
from ..search import Searcher, SearchResult
from ..vocabulary import Vocabulary
from .cite import CitationBook
from .records import Answer, AnswerGroup, Coverage
from .select import Headlines


@dataclass(frozen=True)
class Context:
    searcher: Searcher
    insights: Insights
    gate: Gate | None = None
    vocabulary: Vocabulary | None = None
    headlines: Headlines | None = None

    @property
    def corpus(self) -> Corpus:
        return self.searcher.corpus

    @property
    def corrections(self) -> Corrections:
        return self.searcher.corrections

    def book(self) -> CitationBook:
        return CitationBook(self.corpus, self.corrections)


@dataclass
class Draft:
    """An answer being composed: its question, search result and citation book; ``done`` builds the record."""

    question: Question
    result: SearchResult
    book: CitationBook
    notes: list[str] = field(default_factory=list)

    def done(
        self,
        lead: str,
        groups: Sequence[AnswerGroup] = (),
        *,
        coverage: Coverage = Coverage.DIRECT,
        intent: Intent | None = None,
        related: Sequence[AnswerGroup] = (),
        suggestions: Sequence[str] = (),
        series: tuple = (),
        series_citations: tuple = (),
        absent_terms: Sequence[str] = (),
    ) -> Answer:
        q = self.question
        return Answer(
            question=q.text,
            resolved_question=q.resolved,
            found=coverage is Coverage.DIRECT and bool(groups),
            lead=lead,
            groups=tuple(groups),
            citations=tuple(self.book.citations),
            notes=tuple(self.notes),
            suggestions=tuple(suggestions),
            result=self.result,
            series=series,
            series_citations=series_citations,
            coverage=coverage,
            intent=intent or q.intent,
            related=tuple(related),
            absent_terms=tuple(absent_terms),
        )
