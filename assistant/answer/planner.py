"""Question → answer: read the question, search, decide whether the reports cover it, compose by intent.

Whether the reports cover a question is decided from two kinds of evidence, in this order:
1. its content nouns (:mod:`assistant.retrieval.vocabulary`): when the reports use none of them
   (万引き, 客引き, 住民票),
   the lead says so, whatever the ranking found; crime statistics get their own sentence;
2. the calibrated gate (:mod:`assistant.retrieval.relevance`) on the retrieval scores, overridden to accept when every
   content noun is used and one of them is specific to few passages (さすまた, 空き家).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from assistant.answer.analysis import COUNT_NOUN_UNITS
from assistant.answer.claims import Absent, Claim
from assistant.answer.clarify import ambiguous_hits, compose_clarify, open_question
from assistant.answer.context import Context, Draft
from assistant.answer.lists import compose_department, compose_new, compose_year_list
from assistant.answer.quantities import compose_compare, compose_fact, compose_trend
from assistant.answer.question import Intent, Question, Role, Turn, absence_words, parse_question, with_corrected_words
from assistant.answer.records import Answer, Coverage, examples
from assistant.answer.render import render
from assistant.answer.select import Headlines
from assistant.answer.suggest import finish
from assistant.answer.topic import compose_not_found, compose_responsible, compose_topic, topic_groups
from assistant.answer.typos import compound_of, fold_katakana, katakana_words, morpheme_spans
from assistant.domain import messages as msg
from assistant.domain.corpus import year_range_label
from assistant.domain.figures import Insights
from assistant.domain.normalize import nfkc
from assistant.domain.notices import Notice
from assistant.retrieval.relevance import Gate
from assistant.retrieval.search import Filters, Ranking, Searcher, SearchResult
from assistant.retrieval.vocabulary import TermCheck, Vocabulary
from assistant.tuning import MAX_ITEMS, SEARCH_DEPTH

Composer = Callable[[Context, Draft], Answer]
COMPOSERS: dict[Intent, Composer] = {
    Intent.TOPIC: compose_topic,
    Intent.FACT: compose_fact,
    Intent.COMPARE: compose_compare,
    Intent.TREND: compose_trend,
    Intent.RESPONSIBLE: compose_responsible,
    Intent.DEPARTMENT_LIST: compose_department,
    Intent.YEAR_LIST: compose_year_list,
}
# These list from the corpus by year or department: no topic to find in the reports.
_UNSCOPED = (Intent.DEPARTMENT_LIST, Intent.YEAR_LIST, Intent.NEW)
_FIGURES = (Intent.FACT, Intent.TREND, Intent.COMPARE)


@dataclass(frozen=True)
class Reading:
    """A question as read and searched, with the evidence on whether the reports cover it."""

    question: Question
    result: SearchResult
    check: TermCheck
    accepted: bool  # by the calibrated gate, or by a content noun specific to few passages

    @property
    def in_scope(self) -> bool:
        return self.accepted or bool(self.check.rare and not self.check.missing)


def read(
    ctx: Context,
    text: str,
    history: Sequence[Turn],
    filters: Filters | None,
    *,
    elliptical: bool = False,
    folded: tuple[str, ...] = (),
) -> Reading:
    corpus = ctx.corpus
    q = parse_question(text, history, corpus.fiscal_years, corpus.departments, ctx.morphemes, elliptical=elliptical)
    if folded:  # katakana typed in hiragana (:func:`fold_kana`), said in the answer like a typo
        q = replace(q, corrected=(*folded, *q.corrected))
    if ctx.vocabulary is not None:
        q = with_corrected_words(q, ctx.vocabulary.uses_any_part, ctx.vocabulary.nouns_used)
    result = ctx.searcher.search(q.resolved, top_k=SEARCH_DEPTH, filters=filters)
    accepted = ctx.gate.accepts(result.best_cosine, result.best_bm25) if ctx.gate else bool(result.hits)
    return Reading(q, result, _terms(ctx, q), accepted)


def read_in_context(ctx: Context, text: str, history: Sequence[Turn], filters: Filters | None) -> Reading:
    """The question alone, or with the topic of the conversation when alone it is out of scope or names nothing:
    「何台貸し出した？」 or 「配信数の推移は？」 after a question about 自動通話録音機 or 安全・安心メール."""
    text, folded = fold_kana(ctx, text)
    history = [Turn(t.role, fold_kana(ctx, t.content)[0]) if t.role is Role.USER else t for t in history]
    alone = read(ctx, text, history, filters, folded=folded)
    if not history or alone.question.resolved != text:
        return alone
    check = alone.check
    if alone.in_scope and (check.present or check.missing):
        return alone
    if check.missing and not check.present:
        return alone  # 「万引きは？」 after anything: still about 万引き, which the reports never mention
    joined = read(ctx, text, history, filters, elliptical=True, folded=folded)
    return joined if joined.question.resolved != text and joined.in_scope else alone


def fold_kana(ctx: Context, text: str) -> tuple[str, tuple[str, ...]]:
    """(text, compounds folded): the text with the vocabulary's katakana words typed in hiragana written in
    katakana (「防犯かめらは」 → 防犯カメラは), and each folded word's compound as now written, for the note
    (防犯カメラ: the phrase the reader typed, as searched). The text unchanged when nothing is folded."""
    if ctx.vocabulary is None:
        return text, ()
    words, normalized = katakana_words(ctx.vocabulary.nouns_used), nfkc(text)
    if not fold_katakana(normalized, words)[1]:
        return text, ()  # no spelling at all: the morphemes are not needed
    spans = morpheme_spans(m.surface for m in ctx.morphemes(normalized))
    folded, found = fold_katakana(normalized, words, spans)
    return (folded, tuple(dict.fromkeys(compound_of(folded, w) for w in found))) if found else (text, ())


def answer(ctx: Context, text: str, history: Sequence[Turn] = (), filters: Filters | None = None) -> Answer:
    """The whole answer to one question (with the earlier turns the client sent), with what follows it: the
    suggested next questions and whom to contact."""
    return finish(ctx, _answer(ctx, text, history, filters))


def _answer(ctx: Context, text: str, history: Sequence[Turn], filters: Filters | None) -> Answer:
    reading = read_in_context(ctx, text, history, filters)
    q, result, check, accepted = reading.question, reading.result, reading.check, reading.accepted
    draft = Draft(q, result, ctx.book())
    draft.notes.extend(msg.TYPO_READ.format(word=w) for w in q.corrected)
    if Notice.UNKNOWN_YEAR in result.notices:
        return _unknown_year(ctx, draft)
    if q.intent is Intent.NEW:
        return _new(ctx, draft)
    if q.intent in _UNSCOPED and result.filters.years + result.filters.departments:
        return COMPOSERS[q.intent](ctx, draft)
    if q.statistics:
        return _absent(ctx, draft, check, accepted, statistics=True)
    if check.all_missing or (check.mostly_missing and accepted) or _head_missing(ctx, q):
        return _absent(ctx, draft, check, accepted)
    if not reading.in_scope:
        return compose_not_found(ctx, draft, in_scope=False)
    if open_question(q) and (choices := ambiguous_hits(q, result.hits)):
        return compose_clarify(ctx, draft, choices)
    return COMPOSERS.get(q.intent, compose_topic)(ctx, draft)


def answer_question(
    searcher: Searcher,
    question: str,
    *,
    history: Sequence[Turn] = (),
    filters: Filters | None = None,
    gate: Gate | None = None,
    insights: Insights | None = None,
    vocabulary: Vocabulary | None = None,
    headlines: Headlines | None = None,
) -> Answer:
    """:func:`answer` with the context built from its parts (the CLI, tests)."""
    ctx = Context(searcher, insights or Insights.from_corpus(searcher.corpus), gate, vocabulary, headlines)
    return answer(ctx, question, history, filters)


def _terms(ctx: Context, q: Question) -> TermCheck:
    """Which of the question's topic words the reports use; incidental words (本当, 近所) are no evidence."""
    if ctx.vocabulary is None:
        return TermCheck((), (), ())
    return ctx.vocabulary.check("、".join(absence_words(q.words)))


def _head_missing(ctx: Context, q: Question) -> bool:
    """A figure question whose head word (the last content word: 「…設置費用の補助額は？」 → 補助額), the thing
    asked for, shares no part with any word of the reports: they do not hold that figure, whatever else matches."""
    if ctx.vocabulary is None or q.intent not in _FIGURES:
        return False
    head = absence_words(q.words[-1:])
    if not head:
        return False
    # 「補助額」 asks for 円; the reports count 台, 件, 回 … but never money: no figure of that unit exists.
    units = q.quantity.units if q.quantity else ()
    reported = {f.unit for f in ctx.insights.figures}
    # A count noun (個数, 登録者数) names how a figure is counted, not what: the counter decides, not the word.
    counted = any(head[0].endswith(noun) for noun in COUNT_NOUN_UNITS)
    unknown = not counted and not ctx.vocabulary.uses_any_part(head[0])
    return unknown or (bool(units) and not set(units) & reported)


def _absent(ctx: Context, draft: Draft, check: TermCheck, accepted: bool, statistics: bool = False) -> Answer:
    """The reports do not mention it: say so first; related activities may follow, labelled as related."""
    # One word is named: the most specific missing one, the longest as a reader sees it.
    word = max(check.missing, key=len) if check.missing and not statistics else ""
    if _head_missing(ctx, draft.question) and not statistics:
        word = draft.question.words[-1]  # the figure asked for is the word the reports lack
    claims: list[Claim] = [Absent(word, statistics)] if word or statistics else []
    related = topic_groups(ctx, draft, draft.result.hits, headline=False) if accepted and check.present else []
    lead = render(claims)
    if related:
        return draft.done(lead + msg.RELATED_INTRO, related=related, coverage=Coverage.RELATED,
                          absent_terms=(word,) if word else ())  # fmt: skip
    draft.notes.extend([msg.SCOPE.format(years=year_range_label(list(ctx.corpus.fiscal_years))), msg.TRY_EXAMPLES])
    coverage = Coverage.NONE if accepted or statistics else Coverage.OUT_OF_SCOPE
    return draft.done(
        lead or msg.NOT_FOUND, coverage=coverage, suggestions=examples(),
        absent_terms=(word,) if word else (),
    )  # fmt: skip


def _unknown_year(ctx: Context, draft: Draft) -> Answer:
    available = year_range_label(list(ctx.corpus.fiscal_years))
    asked = year_range_label(list(draft.result.understanding.unknown_years))
    draft.notes.extend([msg.SCOPE.format(years=available), msg.TRY_EXAMPLES])
    lead = msg.UNKNOWN_YEAR.format(asked=asked, years=available)
    return draft.done(lead, coverage=Coverage.NONE, suggestions=examples())


def _new(ctx: Context, draft: Draft) -> Answer:
    searcher, result = ctx.searcher, draft.result
    years = result.filters.years or (max(ctx.corpus.fiscal_years),)
    keep = searcher.mask(Filters(years, result.filters.departments, result.filters.sections))
    ids = [i for i in sorted(ctx.insights.new_ids) if keep is None or keep[i]]
    if draft.question.words and ids:
        scores = searcher.scores(draft.question.resolved, Ranking.FUSED, keep)
        ids = [i for i in sorted(ids, key=lambda i: -scores[i]) if scores[i] > -1][:MAX_ITEMS]
    return compose_new(ctx, draft, ids, years)
