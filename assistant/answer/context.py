"""What composing an answer reads: the searcher, the derived facts, the gate, the vocabulary. Loaded once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.answer.cite import CitationBook
from assistant.answer.claims import Claim
from assistant.answer.question import Intent, Question
from assistant.answer.records import Answer, AnswerChoice, AnswerGroup, Coverage, Suggestion
from assistant.answer.render import render
from assistant.answer.select import Headlines
from assistant.domain.corpus import Corpus
from assistant.domain.departments import Departments
from assistant.domain.figures import Insights, Series
from assistant.domain.normalize import Corrections
from assistant.retrieval.relevance import Gate
from assistant.retrieval.search import Searcher, SearchResult
from assistant.retrieval.tokenize import Morph, SudachiTokenizer
from assistant.retrieval.vocabulary import Vocabulary

_SHARED: list[SudachiTokenizer] = []  # the analyser of a context whose searcher has no Sudachi tokenizer


@dataclass(frozen=True)
class Context:
    searcher: Searcher
    insights: Insights
    gate: Gate | None = None
    vocabulary: Vocabulary | None = None
    headlines: Headlines | None = None
    departments: Departments = field(default_factory=Departments)  # data/departments.tsv

    @property
    def corpus(self) -> Corpus:
        return self.searcher.corpus

    @property
    def corrections(self) -> Corrections:
        return self.searcher.corrections

    def book(self) -> CitationBook:
        return CitationBook(self.corpus, self.corrections)

    def morphemes(self, text: str) -> list[Morph]:
        """Sudachi morphemes of ``text``, from the searcher's tokenizer (one dictionary per process)."""
        tokenizer = self.searcher.tokenizer
        if isinstance(tokenizer, SudachiTokenizer):
            return tokenizer.morphemes(text)
        if not _SHARED:
            _SHARED.append(SudachiTokenizer())
        return _SHARED[0].morphemes(text)


@dataclass
class Draft:
    """An answer being composed: its question, search result and citation book; ``done`` builds the record."""

    question: Question
    result: SearchResult
    book: CitationBook
    notes: list[str] = field(default_factory=list)

    def done(
        self,
        lead: str | Sequence[Claim],
        groups: Sequence[AnswerGroup] = (),
        *,
        coverage: Coverage = Coverage.DIRECT,
        intent: Intent | None = None,
        related: Sequence[AnswerGroup] = (),
        suggestions: Sequence[Suggestion] = (),
        series: tuple[Series, ...] = (),
        series_citations: tuple[tuple[int, ...], ...] = (),
        absent_terms: Sequence[str] = (),
        choices: Sequence[AnswerChoice] = (),
    ) -> Answer:
        q = self.question
        if not isinstance(lead, str):
            lead = render(lead)
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
            choices=tuple(choices),
        )
