"""Topic answers (「高齢者の詐欺対策は？」), who is responsible (「担当はどこ？」) and the groups both show."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

import numpy as np

from assistant.answer.cite import CitationBook
from assistant.answer.claims import Activities, Activity, Responsible
from assistant.answer.context import Context, Draft
from assistant.answer.naming import activity, phrase_of
from assistant.answer.phrases import asks_about_nothing_done
from assistant.answer.records import Answer, AnswerGroup, AnswerItem, Coverage, examples
from assistant.answer.render import LEAD_ACTIVITIES
from assistant.answer.select import elliptical_parents, newest_wording, select_hits
from assistant.domain import messages as msg
from assistant.domain.corpus import year_range_label
from assistant.domain.view import department_label
from assistant.retrieval.search import Hit, Ranking


def shares_words(ctx: Context, question: str) -> Callable[[int], bool]:
    """Whether a bullet's passage shares a word with the question (BM25 above zero), computed once."""
    lexical: np.ndarray = ctx.searcher.scores(question, Ranking.LEXICAL)
    return lambda i: bool(np.isfinite(lexical[i]) and lexical[i] > 0)


def hit_groups(
    ctx: Context,
    book: CitationBook,
    hits: Sequence[Hit],
    extra: Sequence[int] = (),
    headline: bool = True,
    first: Sequence[int] = (),
) -> list[AnswerGroup]:
    """Hits grouped by measure in order of each measure's best hit; inside a group, in rank order.

    ``first`` bullets (those a fact's lead cites) open the answer; ``extra`` bullets (the ones an elliptical
    hit depends on) join their measure's group. The first group holds the activity its measure's description
    names, second, when that is not shown already.
    """
    corpus = ctx.corpus
    order: dict[str, list[tuple[int, ...]]] = {}
    for i in first:
        order.setdefault(corpus.bullets[i].measure_id, []).append((i,))
    for h in hits:
        ids = newest_wording(corpus, h.bullet_ids)
        if not set(ids) & set(first) and ids not in order.get(h.measure.measure_id, []):
            order.setdefault(h.measure.measure_id, []).append(ids)
    for i in extra:
        order.setdefault(corpus.bullets[i].measure_id, []).append((i,))
    groups = []
    for n, (mid, id_lists) in enumerate(order.items()):
        shown = {i for ids in id_lists for i in ids}
        # In rank order (the best match answers the words asked); the lead's bullets first.
        lines = sorted(id_lists, key=lambda ids: ids[-1] not in first)
        if n == 0 and headline and ctx.headlines is not None:
            lead_ids = ctx.headlines.of(mid)
            if lead_ids and not shown & set(lead_ids):
                lines.insert(1, (lead_ids[0],))  # after the best match, which answers the words asked
        items: list[AnswerItem] = [book.item(ids) for ids in lines]
        groups.append(book.group(mid, items))
    return groups


def topic_groups(
    ctx: Context, draft: Draft, hits: Sequence[Hit], headline: bool = True, first: Sequence[int] = ()
) -> list[AnswerGroup]:
    chosen = select_hits(hits, shares_words(ctx, draft.question.resolved))
    parents = elliptical_parents(ctx.corpus, hits, chosen)
    if not (chosen or parents or first):
        return []
    return hit_groups(ctx, draft.book, chosen, parents, headline, first)


def lead_activities(ctx: Context, draft: Draft, groups: Sequence[AnswerGroup]) -> list[Activity]:
    """The best activity of each group, then the next ones of the first group: the lead names up to three."""
    firsts = [g.items[0] for g in groups]
    rest = [i for g in groups[:1] for i in g.items[1:]]
    # The activities that use the question's most specific words first (「年末」 of 「年末に犯罪が増えるって本当？」
    # is in 年末の犯罪多発時期についての注意喚起, not in a bullet about calls that 「増えています」); rank breaks ties.
    vocabulary = ctx.vocabulary
    words = vocabulary.topic_words(draft.question.topic_text) if vocabulary else ()
    weights = {w: vocabulary.specificity(w) for w in words} if vocabulary else {}

    # A bullet is read with its measure's name: 「カンガルーポケット登録件数」 is about 子どもを見守る家, and a
    # question about where 子ども can go for help must not prefer 「放課後子ども教室」 for writing 子ども itself.
    measure_of = {item.citation: g.measure for g in groups for item in g.items}

    def evidence(item: AnswerItem) -> float:
        text = unicodedata.normalize("NFKC", item.text + measure_of.get(item.citation, ""))
        return sum(weight for w, weight in weights.items() if w in text)

    candidates = sorted(firsts + rest, key=lambda item: -evidence(item))
    out: list[tuple[str, Activity]] = []
    for item in candidates:
        citation = draft.book.citations[item.citation - 1]
        a = activity(ctx, draft.book, citation.bullet_ids, draft.question.words, draft.question.analysis.heads)
        if all(a.phrase != b.phrase for _, b in out):  # one activity reported in several years is named once
            out.append((measure_of.get(item.citation, ""), a))
    # A bullet that reports nothing done (「…の影響で中止」) gives way to its measure's bullets of something done:
    # 「はい。…中止」 would contradict itself. The only bullet of its measure (「緊急に…情報なし」), it is quoted.
    keep_all = asks_about_nothing_done(draft.question.analysis.text)
    done_in = {m for m, a in out if a.done}
    return [a for m, a in out if a.done or keep_all or m not in done_in][:LEAD_ACTIVITIES]


def compose_topic(ctx: Context, draft: Draft) -> Answer:
    """「市では、自動通話録音機の貸与（令和5年度、116台）[1]、…に取り組んでいます。」, or 「はい。…」 for a
    yes/no question, then the activities grouped by measure."""
    q, result = draft.question, draft.result
    groups = topic_groups(ctx, draft, result.hits)
    if not groups:
        return compose_not_found(ctx, draft)
    items = tuple(lead_activities(ctx, draft, groups))
    # 「はい」 only on evidence of something done, unless that is what is asked (「講習会は中止になったの？」).
    yes = q.yes_no and bool(items) and (items[0].done or asks_about_nothing_done(q.analysis.text))
    claim = Activities(items, yes=yes, years=tuple(result.filters.years))
    return draft.done([claim], groups)


def compose_responsible(ctx: Context, draft: Draft) -> Answer:
    """The departments of the topic's best measure in the lead, then the matching activities."""
    groups = topic_groups(ctx, draft, draft.result.hits, headline=False)
    if not groups:
        return compose_not_found(ctx, draft)
    first = groups[0]
    measure = ctx.corpus.measure(first.measure_id)
    # The department block the best bullet stands in (【学務課】 for 防犯ブザーの貸与) is more precise than the
    # measure's list, when that bullet names the topic itself; otherwise the measure's departments answer.
    cited = draft.book.citations[first.items[0].citation - 1]
    best = ctx.corpus.bullets[cited.bullet_ids[-1]]
    words = ctx.vocabulary.topic_words(draft.question.topic_text) if ctx.vocabulary else ()
    names_topic = any(w in unicodedata.normalize("NFKC", best.text) for w in words)
    departments = best.department if best.department and names_topic else department_label(first.departments)
    subject = phrase_of(ctx, cited.bullet_ids[-1]) if names_topic else measure.name
    claim = Responsible(subject, departments, measure.name, first.items[0].citation)
    return draft.done([claim], groups)


def compose_not_found(ctx: Context, draft: Draft, *, in_scope: bool = True) -> Answer:
    """Nothing to show: blame the filters when the question itself is in scope."""
    result = draft.result
    scope = msg.SCOPE.format(years=year_range_label(list(ctx.corpus.fiscal_years)))
    lead = msg.NOT_FOUND
    if in_scope and (result.filters.years or result.filters.departments):
        conditions = "、".join(
            [year_range_label(list(result.filters.years))] * bool(result.filters.years)
            + list(result.filters.departments)
        )
        lead = msg.FILTER_EMPTY.format(conditions=conditions)
    draft.notes.extend([scope, msg.TRY_EXAMPLES])
    coverage = Coverage.NONE if in_scope else Coverage.OUT_OF_SCOPE
    return draft.done(lead, coverage=coverage, suggestions=examples())
