"""The next questions an answer offers (two or three buttons) and whom to contact, from the answer's own claims:
the figure its lead cites (another reported year, the trend), the measure it cites (who runs it, its timeline).

Every suggested question names a corpus label (a figure's label, a measure's name) and a corpus year label, so
asking it finds the same measure again; tests ask each one over both answer files.
"""

from __future__ import annotations

from dataclasses import replace

from assistant.answer.context import Context
from assistant.answer.facts import same_series
from assistant.answer.naming import department_of, label_of, phrase_of
from assistant.answer.order import in_reading_order
from assistant.answer.phrases import is_action
from assistant.answer.question import Intent
from assistant.answer.records import Answer, Citation, Coverage, Suggestion, SuggestionKind, cited_numbers
from assistant.domain import messages as msg
from assistant.domain.departments import Contact
from assistant.domain.figures import Figure
from assistant.domain.model import wareki_label
from assistant.tuning import SUGGESTIONS, TREND_POINTS

_NO_RESPONSIBLE = (Intent.RESPONSIBLE, Intent.DEPARTMENT_LIST)
_CONTACT_INTENTS = (Intent.RESPONSIBLE, Intent.DEPARTMENT_LIST)


def lead_citation(answer: Answer) -> Citation | None:
    """The citation the lead names first, else the first group's first item's."""
    numbers = cited_numbers(answer.lead, len(answer.citations))
    if not numbers and answer.groups and answer.groups[0].items:
        numbers = [answer.groups[0].items[0].citation]
    return answer.citations[numbers[0] - 1] if numbers else None


def _figure_of(ctx: Context, citation: Citation) -> Figure | None:
    figures = ctx.insights.by_bullet.get(citation.bullet_ids[-1], ())
    return figures[0] if figures else None


def _figure_suggestions(ctx: Context, answer: Answer, citation: Citation) -> list[Suggestion]:
    figure = _figure_of(ctx, citation)
    if figure is None or answer.intent not in (Intent.FACT, Intent.COMPARE, Intent.TREND):
        return []
    by_year = same_series(figure, ctx.insights)
    label = label_of(ctx, (), figure)
    shown = {c.fiscal_year for c in answer.citations}
    out = []
    others = [y for y in sorted(by_year, reverse=True) if y not in shown]
    if others and answer.intent is Intent.FACT:
        question = msg.SUGGEST_YEAR.format(year=wareki_label(others[0]), label=label)
        out.append(Suggestion(SuggestionKind.YEAR, question, question))
    if len(by_year) >= TREND_POINTS and answer.intent is not Intent.TREND:
        question = msg.SUGGEST_TREND.format(label=label)
        out.append(Suggestion(SuggestionKind.TREND, question, question))
    return out


def _department_year(ctx: Context, answer: Answer) -> list[Suggestion]:
    """A department's activities in the newest other year it reported (「令和4年度の学務課の取組みは？」)."""
    departments = answer.result.filters.departments
    if len(departments) != 1:
        return []
    shown = {c.fiscal_year for c in answer.citations}
    corpus = ctx.corpus
    runs = {m.measure_id for m in corpus.measures if departments[0] in m.departments}
    years = sorted({b.fiscal_year for b in corpus.bullets if b.measure_id in runs} - shown, reverse=True)
    if not years:
        return []
    question = msg.SUGGEST_DEPARTMENT_YEAR.format(year=wareki_label(years[0]), department=departments[0])
    return [Suggestion(SuggestionKind.YEAR, question, question)]


def _responsible_subject(ctx: Context, citation: Citation) -> str:
    """What 「…の担当はどこ？」 names: the cited activity when its bullet stands in a department block of a measure
    run by several (「通学路防犯カメラの設置」, 学務課 of the six departments of 学校等における安全対策), so the
    answer names that block; else the measure."""
    measure = ctx.corpus.measure(citation.measure_id)
    bullet = ctx.corpus.bullets[citation.bullet_ids[-1]]
    phrase = phrase_of(ctx, citation.bullet_ids[-1])
    # Only a phrase of something done names an activity: 「栗山公園の担当はどこ？」 would ask about a park.
    if bullet.department and len(measure.departments) > 1 and is_action(phrase, ctx.morphemes):
        return phrase
    return measure.name


def suggestions(ctx: Context, answer: Answer) -> tuple[Suggestion, ...]:
    """Two or three next steps for an answered question; none for one that asks back or finds nothing."""
    citation = lead_citation(answer)
    if answer.coverage is not Coverage.DIRECT or answer.choices or citation is None:
        return answer.suggestions
    out = _figure_suggestions(ctx, answer, citation)
    measure = ctx.corpus.measure(citation.measure_id)
    if answer.intent not in _NO_RESPONSIBLE:
        question = msg.SUGGEST_RESPONSIBLE.format(subject=_responsible_subject(ctx, citation))
        # Asked within the measure (as a choice is): its own words could find another measure's bullet first.
        out.append(Suggestion(SuggestionKind.RESPONSIBLE, question, question, citation.measure_id))
    elif answer.intent is Intent.RESPONSIBLE:
        question = msg.SUGGEST_MEASURE.format(measure=measure.name)
        out.append(Suggestion(SuggestionKind.MEASURE, question, question))
    else:
        out.extend(_department_year(ctx, answer))
    label = msg.SUGGEST_TIMELINE.format(measure=measure.name)
    out.append(Suggestion(SuggestionKind.TIMELINE, label, measure_id=citation.measure_id))
    return tuple(out[:SUGGESTIONS])


def contact(ctx: Context, answer: Answer) -> Contact | None:
    """「詳しくは〇〇課にお問い合わせください。」 for related and none answers and department answers, from the
    measure they cite (the block its bullet stands in, 【学務課】, where it has one); none without a citation."""
    citation: Citation | None = None
    if answer.coverage is Coverage.RELATED and answer.related:
        citation = answer.citations[answer.related[0].items[0].citation - 1]
    elif answer.coverage is Coverage.NONE or answer.intent in _CONTACT_INTENTS:
        citation = lead_citation(answer)
    if citation is None:
        return None
    department = department_of(ctx, citation.bullet_ids[-1])
    return ctx.departments.contact(department)


def finish(ctx: Context, answer: Answer) -> Answer:
    """The answer with its citations in reading order, its suggestions and its contact line."""
    answer = in_reading_order(answer)
    return replace(answer, suggestions=suggestions(ctx, answer), contact=contact(ctx, answer))
