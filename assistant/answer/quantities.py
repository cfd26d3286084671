"""Answers about figures: one figure (fact), two years side by side (compare), every year (trend)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from assistant.answer.context import Context, Draft
from assistant.answer.facts import (
    FigureMatch,
    dated_hit,
    figure_text,
    label_share,
    latest_done,
    match_figure,
    nearest_years,
    pick_series,
    same_series,
    series_of,
    status_of,
)
from assistant.answer.question import Intent, Quantity
from assistant.answer.records import Answer
from assistant.answer.topic import compose_topic, topic_groups
from assistant.domain import messages as msg
from assistant.domain.corpus import year_range_label
from assistant.domain.figures import Figure, Series
from assistant.domain.model import Status, wareki_label
from assistant.retrieval.search import Filters, Hit
from assistant.tuning import FIGURE_DEPTH, TOPIC_MEASURES


def _subject(topic: str, figure: Figure) -> str:
    """「青パト」 + label 「車両数」 → 「青パトの車両数」; a label the topic already says is not repeated."""
    label = figure.label.split(" ")[0]
    if not label or label_share(label, topic) >= 0.5 or len(label) > 12:
        return topic
    if label_share(topic, label) == 1.0:
        return label  # 「街路灯」 + 「街路灯新規設置件数」: the label says it all
    return f"{topic}の{label}"


def on_topic(ctx: Context, draft: Draft, hits: Sequence[Hit]) -> list[Hit]:
    """Hits whose bullet or measure name uses one of the question's own words (or their synonyms): a figure
    with the right counter in an unrelated bullet (防犯ブザー 1,987件 for 「防犯カメラの補助金は何件？」) is no
    answer."""
    words = ctx.vocabulary.topic_words(draft.question.topic) if ctx.vocabulary else ()
    if not words:
        return list(hits)
    return [h for h in hits if any(w in _nfkc(h.bullet.text + h.measure.name) for w in words)]


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _match(ctx: Context, draft: Draft) -> FigureMatch | None:
    """The figure asked for. With years asked, the topic's measures are found in every year first: restricted
    to 令和4年度, 「空き家の相談件数」 would otherwise match some other measure's 件; the measure ended in
    平成30年度, and the answer says so and gives the nearest years."""
    q = draft.question
    quantity = q.quantity or Quantity()
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


def _fact_sentence(draft: Draft, subject: str, f: Figure, status: Status = Status.ACTUAL, *, then: bool = False) -> str:
    """One figure with its year and citation; ``then`` for the plan that follows a done figure (no subject)."""
    n = draft.book.cite([f.bullet_id])
    year, value = wareki_label(f.fiscal_year), figure_text(f)
    templates = {
        Status.PLANNED: msg.FACT_PLANNED if then else msg.FACT_PLANNED_ASKED,
        Status.CURRENT: msg.FACT_CURRENT if then else msg.FACT_CURRENT_ASKED,
    }
    return templates.get(status, msg.FACT).format(subject=subject, year=year, value=value, n=n)


def compose_fact(ctx: Context, draft: Draft) -> Answer:
    """The figure asked for in the lead, with its year and citation; the bullets below as usual."""
    q = draft.question
    counted = _counted_hit(ctx, draft)
    # いつ / どこ with no counter asks for a date or a place, which is in a bullet's words, not in a figure.
    wants_words = q.quantity is not None and (q.quantity.date or q.quantity.place) and not q.quantity.units
    match = _match(ctx, draft) if counted is None and not wants_words else None
    if match is None or not match.confident:
        return _compose_quote(ctx, draft, counted)
    by_year = same_series(match.figure, ctx.insights)
    subject = _subject(q.topic, match.figure)
    asked = [y for y in draft.result.filters.years if y in ctx.corpus.fiscal_years]
    sentences: list[str] = []
    cited: list[Figure] = []
    for year in asked:
        if year in by_year:
            sentences.append(_fact_sentence(draft, subject, by_year[year], status_of(ctx.corpus, by_year[year])))
            cited.append(by_year[year])
        else:
            near = nearest_years(by_year, year)
            sentences.append(msg.FACT_MISSING_YEAR.format(year=wareki_label(year), subject=subject))
            sentences.append(msg.FACT_NEAREST.format(values=_values(draft, near)))
            cited.extend(near)
    if not asked:
        f = latest_done(by_year, ctx.corpus)
        sentences.append(_fact_sentence(draft, subject, f))
        cited.append(f)
        planned = _planned(ctx, by_year, f)
        if planned is not None:
            sentences.append(_fact_sentence(draft, subject, planned, status_of(ctx.corpus, planned), then=True))
            cited.append(planned)
    # The list below starts with the bullets the lead cites and keeps to the years it speaks of: 15台 of
    # 平成29年度 under a lead that says 13台 would only confuse.
    years = {f.fiscal_year for f in cited}
    hits = [h for h in draft.result.hits if years & set(h.fiscal_years)]
    groups = topic_groups(ctx, draft, hits, headline=False, first=[f.bullet_id for f in cited])
    return draft.done("".join(sentences), groups)


def _values(draft: Draft, figures: Sequence[Figure]) -> str:
    return "、".join(
        msg.COMPARE_POINT.format(
            year=wareki_label(f.fiscal_year), value=figure_text(f), n=draft.book.cite([f.bullet_id])
        )
        for f in figures
    )


def _counted_hit(ctx: Context, draft: Draft) -> Hit | None:
    """「事業者はいくつ」: the best hit that puts a number before the noun counted (「市内11の事業者等」)."""
    quantity = draft.question.quantity
    if quantity is None or not quantity.counted:
        return None
    pattern = re.compile(rf"\d[\d,]*\s*(の|か所の|ヶ所の)?{re.escape(quantity.counted)}")
    hits = on_topic(ctx, draft, draft.result.hits)[:FIGURE_DEPTH]
    return next((h for h in hits if pattern.search(h.bullet.text)), None)


def _compose_quote(ctx: Context, draft: Draft, hit: Hit | None = None) -> Answer:
    """No figure answers the question with confidence: quote the best bullet (a date for いつ) in the lead."""
    q, hits = draft.question, draft.result.hits
    if not hits:
        return compose_topic(ctx, draft)
    relevant = on_topic(ctx, draft, hits) or list(hits)
    # A date is looked for in the best measure only: another measure's date (a 運動 of the DV measure for
    # 「あいさつ運動はいつ」) would answer a different question.
    same_measure = [h for h in relevant if h.measure.measure_id == relevant[0].measure.measure_id]
    hit = hit or (dated_hit(same_measure) if q.quantity and q.quantity.date else None) or relevant[0]
    newest = max(hit.bullet_ids, key=lambda i: ctx.corpus.bullets[i].fiscal_year)
    b = ctx.corpus.bullets[newest]
    n = draft.book.cite(hit.bullet_ids)
    lead = msg.FACT_QUOTE.format(
        subject=q.topic, year=wareki_label(b.fiscal_year), text=draft.book.citations[n - 1].text, n=n
    )
    groups = topic_groups(ctx, draft, hits, headline=False)
    return draft.done(lead, groups, intent=Intent.FACT)


def compose_compare(ctx: Context, draft: Draft) -> Answer:
    """Both years' figures in the lead (403回 → 203回), the chart of the series, the bullets of each year."""
    q = draft.question
    years = list(q.years)
    match = _match(ctx, draft)
    if match is None or not match.confident:
        groups = topic_groups(ctx, draft, draft.result.hits, headline=False)
        if not groups:
            return compose_topic(ctx, draft)
        return draft.done(msg.COMPARE_TOPIC.format(topic=q.topic, years="と".join(map(wareki_label, years))), groups)
    by_year = same_series(match.figure, ctx.insights)
    subject = _subject(q.topic, match.figure)
    if len(years) == 1:  # 「平成29年度と比べて」: with the newest year reported as done
        years = sorted({years[0], latest_done(by_year, ctx.corpus).fiscal_year})
    have = [by_year[y] for y in years if y in by_year]
    sentences = []
    if len(have) >= 2:
        first, last = have[0], have[-1]
        direction = (
            msg.INCREASED if last.value > first.value else msg.DECREASED if last.value < first.value else msg.UNCHANGED
        )
        sentences.append(
            msg.COMPARE.format(
                subject=subject, first=_values(draft, [first]), last=_values(draft, [last]), direction=direction
            )
        )
    else:
        for y in years:
            if y not in by_year:
                sentences.append(msg.FACT_MISSING_YEAR.format(year=wareki_label(y), subject=subject))
        if have:
            sentences.append(msg.FACT_NEAREST.format(values=_values(draft, have)))
    series = series_of(match.figure, ctx.insights)
    chart: tuple[Series, ...] = (series,) if series else ()
    numbers = tuple(tuple(draft.book.cite([p.bullet_id]) for p in s.points) for s in chart)
    items = [draft.book.item([f.bullet_id]) for f in have]
    groups = [draft.book.group(match.figure.measure_id, items)] if items else []
    return draft.done("".join(sentences), groups, series=chart, series_citations=numbers)


def trend_summary(series: Series, first_citation: int, last_citation: int) -> str:
    """「パトロール回数は、平成29年度の589回[1]から令和5年度の203回[4]へと減っています。」: the answer to
    「増えている？」 or 「推移は？」 in one sentence, each figure cited."""
    first, last = series.points[0], series.points[-1]
    if last.value > first.value:
        direction = "増えています"
    elif last.value < first.value:
        direction = "減っています"
    else:
        direction = "変わっていません"
    return msg.TREND_SUMMARY.format(
        label=series.label,
        first_year=wareki_label(first.fiscal_year),
        first=figure_text(first),
        last_year=wareki_label(last.fiscal_year),
        last=figure_text(last),
        direction=direction,
        a=first_citation,
        b=last_citation,
    )


def compose_trend(ctx: Context, draft: Draft) -> Answer:
    """The direction of a figure over the years in the lead, then every year's bullet, oldest first, cited."""
    q = draft.question
    series = pick_series(q.resolved, draft.result.hits, ctx.insights, q.text if q.resolved != q.text else "")
    if series is None:
        return compose_topic(ctx, draft)
    items = [draft.book.item([p.bullet_id]) for p in series.points]
    group = draft.book.group(series.measure_id, items)
    # The direction first (it answers 「増えている？」), then the table of years below.
    lead = msg.TREND_FIRST.format(summary=trend_summary(series, items[0].citation, items[-1].citation))
    gaps = [
        y
        for y in range(series.points[0].fiscal_year, series.points[-1].fiscal_year)
        if y not in ctx.corpus.fiscal_years
    ]
    if gaps:
        draft.notes.append(msg.TREND_GAPS.format(years=year_range_label(gaps)))
    numbers = (tuple(i.citation for i in items),)
    return draft.done(lead, [group], series=(series,), series_citations=numbers)
