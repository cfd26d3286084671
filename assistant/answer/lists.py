"""Answers that list from the corpus rather than from the top hits: a department's measures, a year's
activities, and what is new in a year."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answer.claims import DepartmentMeasures
from assistant.answer.context import Context, Draft
from assistant.answer.naming import phrase_of
from assistant.answer.records import Answer, AnswerGroup
from assistant.answer.select import is_elliptical
from assistant.domain import messages as msg
from assistant.domain.corpus import year_range_label
from assistant.domain.model import Status
from assistant.retrieval.search import Filters
from assistant.tuning import MAX_ITEMS

# Measures or activities a department's lead names before the list: three read in one breath.
LEAD_NAMES = 3


def _measure_order(ctx: Context, measure_ids: Sequence[str]) -> list[str]:
    """Report order (section, then the order printed), which is the corpus order of measures."""
    wanted = set(measure_ids)
    return [m.measure_id for m in ctx.corpus.measures if m.measure_id in wanted]


def _latest_activity(ctx: Context, ids: Sequence[int]) -> list[int]:
    """The newest bullet of a measure worth reading alone: finished years before plans, then report order."""
    corpus = ctx.corpus
    readable = [i for i in ids if not is_elliptical(corpus.bullets[i].text)] or list(ids)
    newest = max(readable, key=lambda i: (corpus.bullets[i].status is Status.ACTUAL, corpus.bullets[i].fiscal_year, -i))
    headline = [i for i in (ctx.headlines.of(corpus.bullets[newest].measure_id) if ctx.headlines else ()) if i in ids]
    year = corpus.bullets[newest].fiscal_year
    same_year = [i for i in headline if corpus.bullets[i].fiscal_year == year]
    return same_year[:1] or [newest]


def _department_bullets(ctx: Context, department: str) -> dict[str, list[int]]:
    """Per measure, the bullets of the department's block (【学務課】), or every bullet of a measure that names
    the department but writes no blocks."""
    keep = ctx.searcher.mask(Filters(departments=(department,)))
    listed = {m.measure_id for m in ctx.corpus.measures if department in m.departments}
    by_measure: dict[str, list[int]] = {}
    for i, b in enumerate(ctx.corpus.bullets):
        if keep is not None and keep[i]:
            by_measure.setdefault(b.measure_id, []).append(i)
    # A measure that names the department but whose bullets all stand in other blocks is still its measure.
    for i, b in enumerate(ctx.corpus.bullets):
        if (b.measure_id in listed and b.measure_id not in by_measure) or (b.measure_id in listed and not b.department):
            by_measure.setdefault(b.measure_id, []).append(i)
    return by_measure


def _latest_year_activities(ctx: Context, ids: Sequence[int]) -> list[int]:
    """Every readable bullet of the newest year reported as done (plans only when nothing is done)."""
    corpus = ctx.corpus
    readable = [i for i in ids if not is_elliptical(corpus.bullets[i].text)] or list(ids)
    done = [i for i in readable if corpus.bullets[i].status is Status.ACTUAL] or readable
    year = max(corpus.bullets[i].fiscal_year for i in done)
    return [i for i in done if corpus.bullets[i].fiscal_year == year][:MAX_ITEMS]


def compose_department(ctx: Context, draft: Draft) -> Answer:
    """Every measure of the department named, grouped by section. A department of one measure (学務課 in
    学校等における安全対策) lists every activity of its block and names them in the lead; one of several
    measures names its measures and shows each one's latest activity."""
    department = draft.question.departments[0]
    by_measure = _department_bullets(ctx, department)
    if not by_measure:
        return draft.done(msg.DEPARTMENT_NONE.format(department=department))
    groups: list[AnswerGroup] = []
    order = _measure_order(ctx, list(by_measure))
    single = len(order) == 1
    for mid in order:
        ids = _latest_year_activities(ctx, by_measure[mid]) if single else _latest_activity(ctx, by_measure[mid])
        items = [draft.book.item([i]) for i in ids]
        groups.append(draft.book.group(mid, items, section=ctx.corpus.measure(mid).section_path))
    if single:
        named: list[tuple[str, int]] = []
        for item in groups[0].items:
            name = phrase_of(ctx, draft.book.citations[item.citation - 1].bullet_ids[-1])
            if all(name != other for other, _ in named):
                named.append((name, item.citation))
    else:
        named = [(g.measure, g.items[0].citation) for g in groups]
    shown = named[:LEAD_NAMES]
    claim = DepartmentMeasures(
        department, tuple(n for n, _ in shown), tuple(c for _, c in shown), more=len(named) > len(shown)
    )
    return draft.done([claim], groups)


def compose_year_list(ctx: Context, draft: Draft) -> Answer:
    """Everything reported for the years asked, one or two activities a measure; plans only when asked."""
    years = draft.result.filters.years
    planned_only = draft.question.planned
    keep = ctx.searcher.mask(draft.result.filters)
    by_measure: dict[str, list[int]] = {}
    for i, b in enumerate(ctx.corpus.bullets):
        if (keep is None or keep[i]) and (not planned_only or b.status is not Status.ACTUAL):
            by_measure.setdefault(b.measure_id, []).append(i)
    groups = []
    for mid in _measure_order(ctx, list(by_measure)):
        ids = [i for i in by_measure[mid] if not is_elliptical(ctx.corpus.bullets[i].text)][:2]
        if ids:
            groups.append(draft.book.group(mid, [draft.book.item([i]) for i in ids]))
    label = year_range_label(list(years))
    if not groups:
        return draft.done(msg.FILTER_EMPTY.format(conditions=label))
    template = msg.YEAR_LIST_PLANNED if planned_only else msg.YEAR_LIST
    return draft.done(template.format(years=label), groups)


def compose_new(ctx: Context, draft: Draft, bullet_ids: Sequence[int], years: Sequence[int]) -> Answer:
    """Bullets new in ``years`` (absent from the measure's previous reported year), grouped by measure."""
    label = year_range_label(list(years))
    if not bullet_ids:
        return draft.done(msg.NEW_NONE.format(years=label))
    by_measure: dict[str, list[int]] = {}
    for i in bullet_ids[: MAX_ITEMS * 2]:
        by_measure.setdefault(ctx.corpus.bullets[i].measure_id, []).append(i)
    groups = [draft.book.group(mid, [draft.book.item([i]) for i in ids]) for mid, ids in by_measure.items()]
    draft.notes.append(msg.NEW_RULE)
    return draft.done(msg.LEAD_NEW.format(years=label), groups)
