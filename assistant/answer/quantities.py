"""Answers about figures: one figure (fact), two years side by side (compare), every year (trend)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant.answer.claims import Change, Comparison, MissingFigure, Quote, SeriesClaim
from assistant.answer.claims import Figure as Figure_
from assistant.answer.context import Context, Draft
from assistant.answer.facts import (
    QUALIFIERS,
    FigureMatch,
    dated_hit,
    latest_done,
    match_figure,
    nearest_years,
    pick_series,
    placed_hit,
    same_series,
    series_of,
    status_of,
)
from assistant.answer.naming import label_of, missing_label, phrase_of, restates, short_name, value
from assistant.answer.phrases import asks_about_nothing_done, says_nothing_done
from assistant.answer.question import Intent, Quantity, Question
from assistant.answer.records import Answer
from assistant.answer.render import render, then
from assistant.answer.select import recency, select_hits
from assistant.answer.topic import compose_topic, topic_groups
from assistant.domain import messages as msg
from assistant.domain.corpus import year_range_label
from assistant.domain.figures import Figure, Series
from assistant.domain.model import Status
from assistant.domain.normalize import nfkc
from assistant.retrieval.search import Filters, Hit
from assistant.tuning import FIGURE_DEPTH, TOPIC_MEASURES

# Counters of the same things: 「1,987件」 of 防犯ブザーの貸与 answers 「何個」, 「約25名」 answers 「何人」.
_KINDRED = (
    frozenset({"人", "名"}),
    frozenset({"件", "個", "台", "枚", "点", "セット", "組"}),
    frozenset({"団体", "社", "機関", "校"}),
    frozenset({"か所", "ヶ所", "箇所"}),
)


def on_topic(ctx: Context, draft: Draft, hits: Sequence[Hit]) -> list[Hit]:
    """Hits whose bullet or measure name uses one of the question's own words (or their synonyms): a figure
    with the right counter in an unrelated bullet (防犯ブザー 1,987件 for 「防犯カメラの補助金は何件？」) is no
    answer."""
    words = ctx.vocabulary.topic_words(draft.question.topic_text) if ctx.vocabulary else ()
    if not words:
        return list(hits)
    return [h for h in hits if any(w in nfkc(h.bullet.text + h.measure.name) for w in words)]


def kindred(units: Sequence[str]) -> set[str]:
    """The counters of the same things as ``units`` (件 of 個), ``units`` among them."""
    out = set(units)
    return out | {u for kin in _KINDRED if out & kin for u in kin}


def _match(ctx: Context, draft: Draft) -> FigureMatch | None:
    """The figure asked for, in its own counter, else in a counter of the same things: 「何個配ったの？」 of
    防犯ブザー is answered by its 1,987件 (the lead says 件, as the report does)."""
    match = _match_in(ctx, draft, draft.question.quantity or Quantity())
    quantity = draft.question.quantity
    if (match is None or not match.confident) and quantity and quantity.units:
        wider = replace(quantity, units=tuple(sorted(kindred(quantity.units))))
        match = _match_in(ctx, draft, wider) or match
    return match


def _match_in(ctx: Context, draft: Draft, quantity: Quantity) -> FigureMatch | None:
    """The figure asked for. With years asked, the topic's measures are found in every year first: restricted
    to 令和4年度, 「空き家の相談件数」 would otherwise match some other measure's 件; the measure ended in
    平成30年度, and the answer says so and gives the nearest years."""
    q = draft.question
    if not draft.result.understanding.years:
        return match_figure(q.resolved, quantity, on_topic(ctx, draft, draft.result.hits), ctx.insights)
    unfiltered = Filters(departments=draft.result.filters.departments)
    every_year = ctx.searcher.search(q.resolved, top_k=FIGURE_DEPTH, filters=unfiltered, use_question_filters=False)
    measures = list(dict.fromkeys(h.measure.measure_id for h in every_year.hits))[:TOPIC_MEASURES]
    in_years = [h for h in on_topic(ctx, draft, draft.result.hits) if h.measure.measure_id in measures]
    return match_figure(q.resolved, quantity, in_years, ctx.insights) or match_figure(
        q.resolved, quantity, on_topic(ctx, draft, every_year.hits), ctx.insights
    )


def _planned(ctx: Context, by_year: dict[int, Figure], shown: Figure) -> Figure | None:
    """The newest column's figure when it is a plan (or includes plans) and newer than the figure shown."""
    newest = by_year[max(by_year)]
    if newest.fiscal_year <= shown.fiscal_year:
        return None
    return newest if status_of(ctx.corpus, newest) in (Status.PLANNED, Status.CURRENT) else None


def _figure_claim(ctx: Context, draft: Draft, label: str, f: Figure, *, asked: bool) -> Figure_:
    cumulative = any(w in f.label for w in QUALIFIERS[:1]) or bool(
        draft.question.quantity and draft.question.quantity.cumulative
    )
    return Figure_(label, value(draft.book, ctx, f), cumulative=cumulative, asked_year=asked)


def compose_fact(ctx: Context, draft: Draft) -> Answer:
    """The figure asked for in the lead, by its corpus label, with its year and citation; the bullets below."""
    q = draft.question
    counted = _counted_hit(ctx, draft)
    # いつ / どこ with no counter asks for a date or a place, which is in a bullet's words, not in a figure.
    wants_words = q.quantity is not None and (q.quantity.date or q.quantity.place) and not q.quantity.units
    match = _match(ctx, draft) if counted is None and not wants_words else None
    if match is None or not match.confident:
        return _compose_quote(ctx, draft, counted)
    by_year = same_series(match.figure, ctx.insights)
    label = label_of(ctx, q.words, match.figure)
    asked = [y for y in draft.result.filters.years if y in ctx.corpus.fiscal_years]
    lead: list[str] = []
    cited: list[Figure] = []
    for year in asked:
        if year in by_year:
            lead.append(render([_figure_claim(ctx, draft, label, by_year[year], asked=True)]))
            cited.append(by_year[year])
        else:
            near = nearest_years(by_year, year)
            nearest = tuple(value(draft.book, ctx, f) for f in near)
            lead.append(render([MissingFigure(label, year, nearest)]))
            cited.extend(near)
    if not asked:
        f = latest_done(by_year, ctx.corpus)
        lead.append(render([_figure_claim(ctx, draft, label, f, asked=False)]))
        cited.append(f)
        planned = _planned(ctx, by_year, f)
        if planned is not None:
            lead.append(then(value(draft.book, ctx, planned)))
            cited.append(planned)
    # The list below starts with the bullets the lead cites and keeps to the years it speaks of: 15台 of
    # 平成29年度 under a lead that says 13台 would only confuse.
    years = {f.fiscal_year for f in cited}
    hits = [h for h in draft.result.hits if years & set(h.fiscal_years)]
    groups = topic_groups(ctx, draft, hits, headline=False, first=[f.bullet_id for f in cited])
    return draft.done("".join(lead), groups)


def _counted_hit(ctx: Context, draft: Draft) -> Hit | None:
    """「事業者はいくつ」: the best hit that puts a number before the noun counted (「市内11の事業者等」)."""
    quantity = draft.question.quantity
    if quantity is None or not quantity.counted:
        return None
    pattern = re.compile(rf"\d[\d,]*\s*(の|か所の|ヶ所の)?{re.escape(quantity.counted)}")
    hits = on_topic(ctx, draft, draft.result.hits)[:FIGURE_DEPTH]
    return next((h for h in hits if pattern.search(h.bullet.text)), None)


# Words that say when without a day (facts.dated_hit looks for 11月6日): an issue (R5.12.15号), a year of an era
# (平成27年度から; not 新小学1年生), a season, a period, a rate.
_WHEN = re.compile(
    r"[RH]\d+\.\d+|(平成|令和|昭和)(元|\d+)年|月間|期間|週間|年末|年始|春|夏|秋|冬|毎[年月週日]|週\d|月\d|[上中下]旬|曜"
)


def _compose_quote(ctx: Context, draft: Draft, hit: Hit | None = None) -> Answer:
    """No figure answers the question with confidence: quote the best bullet (a date for いつ) in the lead."""
    q, hits = draft.question, draft.result.hits
    if not hits:
        return compose_topic(ctx, draft)
    # select_hits shows the newest done wording of an activity (「…経済課窓口、1階受付にて配布」 of 令和5年度, not
    # 平成30年度's 「…窓口にて配布」).
    relevant = select_hits(on_topic(ctx, draft, hits)) or on_topic(ctx, draft, hits) or list(hits)
    # A date is looked for in the best measure only: another measure's date (a 運動 of the DV measure for
    # 「あいさつ運動はいつ」) would answer a different question.
    same_measure = [h for h in relevant if h.measure.measure_id == relevant[0].measure.measure_id]
    # A bullet of nothing done (「…の影響で中止」) is quoted only when its measure has no other, or when asked.
    done = [h for h in same_measure if not says_nothing_done(h.bullet.text)]
    if done and not asks_about_nothing_done(q.analysis.text):
        same_measure = done
    dated = dated_hit(same_measure) if q.quantity and q.quantity.date else None
    # どこ: the best on-topic bullet that names a place (「栗山公園に5台の防犯カメラを設置した」) answers, in any
    # measure: 「防犯カメラの設置を検討する地域団体との協議」 ranks first and names none.
    placed = placed_hit(on_topic(ctx, draft, hits), q.words) if q.quantity and q.quantity.place else None
    if placed is not None:  # in its newest wording (「経済課窓口、1階受付にて配布」 of 令和5年度, not 「窓口にて」)
        placed = _newest_wording(ctx, [placed, *on_topic(ctx, draft, hits)])
    # A hit given (its number before the noun counted), dated or placed answers the question; else what was
    # asked for may be missing from the activity quoted.
    given = hit or dated or placed
    hit = given or _newest_wording(ctx, same_measure)
    noun = "" if given else _missing_noun(ctx, q.quantity, _same_activity(ctx, hit, same_measure))
    newest = max(hit.bullet_ids, key=lambda i: ctx.corpus.bullets[i].fiscal_year)
    b = ctx.corpus.bullets[newest]
    n = draft.book.cite(hit.bullet_ids)
    # The question's words pick the bullet's own noun (「DV相談カード」) when no phrase of it reads as a name.
    text, phrase = draft.book.citations[n - 1].text, phrase_of(ctx, newest, q.words)
    subject = "" if restates(phrase, text, ctx.morphemes) else phrase
    title = phrase == ctx.corpus.measure(b.measure_id).name
    # The quote right after says a restated phrase in full: the missing sentence names it short (「消費者講座」).
    named = short_name(phrase, ctx.morphemes) if not subject and not title else phrase
    missing = missing_label(named, noun, ctx.morphemes, title=title) if noun else ""
    claim = Quote(subject, b.fiscal_year, text, n, missing)
    # A placed bullet may rank below the list's cut: it opens the list (one item, one citation, when single-year).
    first = [newest] if placed and hit.bullet_ids == (newest,) else []
    groups = topic_groups(ctx, draft, hits, headline=False, first=first)
    return draft.done([claim], groups, intent=Intent.FACT, absent_terms=(noun,) if noun else ())


def _same_activity(ctx: Context, hit: Hit, hits: Sequence[Hit]) -> list[Hit]:
    """The quoted hit and the hits that name its activity in the same phrase (its other years' wordings)."""
    phrase = phrase_of(ctx, hit.bullet_id)
    return [hit, *(h for h in hits[:FIGURE_DEPTH] if phrase_of(ctx, h.bullet_id) == phrase)]


def _missing_noun(ctx: Context, quantity: Quantity | None, hits: Sequence[Hit]) -> str:
    """The noun of what a count or date question asked for (実施回数, 回数 for 何回, 時期 for いつ) when no bullet of
    the quoted activity gives it: no time for いつ, no figure in the counter asked (or its kin) for a count.
    Empty when the question asks for neither, or for a place (どこ: a place has no pattern to miss)."""
    if quantity is None or quantity.place:
        return ""
    if quantity.date:
        # dated_hit found no day; the activity may still say when in other words (「推進月間中」, 「R5.12.15号」).
        told = any(_WHEN.search(nfkc(ctx.corpus.bullets[i].text)) for h in hits for i in h.bullet_ids)
        return "" if told else msg.ASKED_NOUNS["いつ"]
    units = kindred(quantity.units)
    figures = [f for h in hits for i in h.bullet_ids for f in ctx.insights.by_bullet.get(i, ())]
    if any(f.unit in units or not units for f in figures):
        return ""  # the figure may be among them; the quote shows it
    if quantity.nouns:
        return quantity.nouns[-1]  # the user's count noun (実施回数), the one word of theirs a lead may hold
    return next((msg.ASKED_NOUNS[u] for u in quantity.units if u in msg.ASKED_NOUNS), "")


def _newest_wording(ctx: Context, hits: Sequence[Hit]) -> Hit:
    """The best hit's activity in its newest year reported as done: hits of one measure whose bullets name the
    same activity (「「悪質な訪問販売お断り」シールの配布」 in 平成30年度 and 令和5年度) are one activity."""
    best = hits[0]
    phrase = phrase_of(ctx, best.bullet_id)
    same = [h for h in hits if phrase_of(ctx, h.bullet_id) == phrase]
    return max(same, key=lambda h: recency(h.bullet))


def compose_compare(ctx: Context, draft: Draft) -> Answer:
    """Both years' figures in the lead (403回 → 203回), the chart of the series, the bullets of each year."""
    q = draft.question
    years = list(q.years)
    match = _match(ctx, draft)
    if match is None or not match.confident:
        return compose_topic(ctx, draft)
    by_year = same_series(match.figure, ctx.insights)
    label = label_of(ctx, q.words, match.figure)
    years = _compared_years(years, by_year, latest_done(by_year, ctx.corpus).fiscal_year)
    have = [by_year[y] for y in years if y in by_year]
    if len(have) >= 2:
        lead = render([Comparison(label, value(draft.book, ctx, have[0]), value(draft.book, ctx, have[-1]))])
    else:
        missing = [y for y in years if y not in by_year]
        nearest = tuple(value(draft.book, ctx, f) for f in (have or nearest_years(by_year, missing[0])))
        lead = render([MissingFigure(label, y, nearest if y == missing[-1] else ()) for y in missing])
    if not lead:  # one reported year only: nothing to set beside it, the figure itself answers
        return compose_fact(ctx, draft)
    series = series_of(match.figure, ctx.insights)
    chart: tuple[Series, ...] = (series,) if series else ()
    numbers = tuple(tuple(draft.book.cite([p.bullet_id]) for p in s.points) for s in chart)
    items = [draft.book.item([f.bullet_id]) for f in have]
    groups = [draft.book.group(match.figure.measure_id, items)] if items else []
    return draft.done(lead, groups, series=chart, series_citations=numbers)


def _compared_years(asked: Sequence[int], by_year: dict[int, Figure], latest: int) -> list[int]:
    """The two years a comparison sets side by side. 「平成29年度と比べて」 names one: with the newest year reported
    as done. 「去年と比べて」 names the newest itself (去年 is read against the newest report): with the reported
    year before it. None named: the newest two."""
    years = sorted(set(asked))
    if len(years) >= 2:
        return years
    if years and years[0] != latest:
        return sorted({years[0], latest})
    before = sorted(y for y in by_year if y < (years[0] if years else latest + 1))
    pair = [*before[-1:], years[0]] if years else before[-2:]
    return pair if len(pair) == 2 else years


def compose_trend(ctx: Context, draft: Draft) -> Answer:
    """Every reported year and the latest change in the lead, then every year's bullet, oldest first, cited."""
    q = draft.question
    # Only measures whose bullets use the question's words: 「防犯講習会の推移」 has no series of its own, and a
    # series of another measure among the hits (防犯ブザーの貸与) would answer a question nobody asked.
    hits = on_topic(ctx, draft, draft.result.hits)
    units, nouns = (q.quantity.units, q.quantity.nouns) if q.quantity else ((), ())
    series = pick_series(q.resolved, hits, ctx.insights, q.text if q.resolved != q.text else "", units, nouns)
    if series is None:
        return compose_topic(ctx, draft)
    items = [draft.book.item([p.bullet_id]) for p in series.points]
    group = draft.book.group(series.measure_id, items)
    first = ctx.insights.by_bullet.get(series.points[0].bullet_id, ())
    figure = next((f for f in first if f.label == series.label), first[0] if first else None)
    label = label_of(ctx, q.words, figure) if figure is not None else series.label
    values = tuple(value(draft.book, ctx, p) for p in series.points)
    claim = SeriesClaim(label, values)
    asked = _asked_change(q)
    yes_no = ""
    if q.yes_no and asked is not None:
        yes_no = msg.YES if claim.monotonic(asked) else msg.NO
    gaps = [
        y
        for y in range(series.points[0].fiscal_year, series.points[-1].fiscal_year)
        if y not in ctx.corpus.fiscal_years
    ]
    if gaps:
        draft.notes.append(msg.TREND_GAPS.format(years=year_range_label(gaps)))
    numbers = (tuple(i.citation for i in items),)
    return draft.done(yes_no + render([claim]), [group], series=(series,), series_citations=numbers)


def _asked_change(q: Question) -> Change | None:
    """The direction a yes/no trend question asks about: 「ずっと減っていますか」 → down."""
    text = q.analysis.text
    if any(w in text for w in ("減", "少な")):
        return Change.DOWN
    if any(w in text for w in ("増", "伸び", "多く")):
        return Change.UP
    return None
