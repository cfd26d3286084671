"""Typed claims → the Japanese lead. One renderer, every sentence from :mod:`assistant.domain.messages`.

The subject of every sentence is a corpus label, a phrase of a cited bullet or a measure's name; years are the
corpus' 和暦 labels; figures are printed as their bullets print them. Nothing the user typed reaches a sentence
except the one absent word of :class:`~assistant.answer.claims.Absent`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import singledispatch

from assistant.answer.claims import (
    Absent,
    Activities,
    Activity,
    Change,
    Claim,
    Clarify,
    Comparison,
    DepartmentMeasures,
    Figure,
    MissingFigure,
    Quote,
    Responsible,
    SeriesClaim,
    Value,
)
from assistant.domain import messages as msg
from assistant.domain.corpus import year_range_label
from assistant.domain.model import Status, wareki_label

_CHANGE = {Change.UP: msg.CHANGE_UP, Change.DOWN: msg.CHANGE_DOWN, Change.SAME: msg.CHANGE_SAME}
# Activities named in a topic lead's first sentence: enough to answer, few enough to read in one breath.
LEAD_ACTIVITIES = 3


def render(claims: Sequence[Claim]) -> str:
    return "".join(_render(c) for c in claims)


def point(v: Value, short: bool = False) -> str:
    template = msg.POINT_SHORT if short else msg.POINT
    return template.format(year=wareki_label(v.year), value=v.text, n=v.citation)


@singledispatch
def _render(claim: object) -> str:
    raise TypeError(f"no sentence for {type(claim).__name__}")


@_render.register
def _(c: Figure) -> str:
    v = c.value
    year = wareki_label(v.year)
    if c.cumulative:
        template = msg.FIGURE_CUMULATIVE
    else:
        template = {Status.PLANNED: msg.FIGURE_PLANNED, Status.CURRENT: msg.FIGURE_CURRENT}.get(
            v.status, msg.FIGURE_DONE
        )
    return template.format(label=c.label, year=year, value=v.text, n=v.citation)


def then(v: Value) -> str:
    """The plan that follows a done figure, without repeating its label."""
    template = msg.THEN_PLANNED if v.status is Status.PLANNED else msg.THEN_CURRENT
    return template.format(year=wareki_label(v.year), value=v.text, n=v.citation)


@_render.register
def _(c: MissingFigure) -> str:
    out = msg.MISSING_FIGURE.format(year=wareki_label(c.year), label=c.label)
    if c.nearest:
        out += msg.NEAREST.format(values=msg.ITEM_SEPARATOR.join(point(v) for v in c.nearest))
    return out


@_render.register
def _(c: Comparison) -> str:
    last = c.last
    return msg.CHANGE.format(
        label=c.label,
        first=point(c.first),
        year=wareki_label(last.year),
        value=last.text,
        n=last.citation,
        change=_CHANGE[c.change],
    )


@_render.register
def _(c: SeriesClaim) -> str:
    out = _render(c.latest) if len(c.points) >= 2 else ""
    if len(c.points) >= 3:
        if c.monotonic(Change.UP):
            out += msg.SERIES_ALWAYS_UP
        elif c.monotonic(Change.DOWN):
            out += msg.SERIES_ALWAYS_DOWN
        out += msg.SERIES.format(points=msg.ITEM_SEPARATOR.join(point(v, short=True) for v in c.points))
    return out


def _detail(a: Activity) -> str:
    year = wareki_label(a.year)
    if a.figure:
        return msg.ACTIVITY_DETAIL_FIGURE.format(year=year, figure=a.figure)
    return msg.ACTIVITY_DETAIL.format(year=year)


@_render.register
def _(c: Activities) -> str:
    items = c.items[:LEAD_ACTIVITIES]
    if items and not items[0].done and not c.yes:  # nothing done: the report's own words, no はい
        a = items[0]
        year = wareki_label(a.year)
        return msg.REPORTED_QUOTE.format(text=a.quote, department=a.department, detail=year, n=a.citation)
    if c.yes and items and items[0].department:
        a = items[0]
        if a.quote:
            year = wareki_label(a.year)  # the quote holds its own figures
            return msg.YES_QUOTE.format(text=a.quote, department=a.department, detail=year, n=a.citation)
        template = msg.YES_ACTIVITY if a.action else msg.YES_NOUN
        # 「セーフティー教室の実施を行っています」 says 実施 twice: 「セーフティー教室を行っています」.
        phrase = a.phrase.removesuffix(msg.DONE_SUFFIX) if a.action else a.phrase
        return template.format(department=a.department, phrase=phrase or a.phrase, detail=_detail(a), n=a.citation)
    text = msg.ITEM_SEPARATOR.join(msg.ACTIVITY.format(phrase=a.phrase, detail=_detail(a), n=a.citation) for a in items)
    prefix = msg.YES if c.yes else ""
    if c.years:
        return prefix + msg.ACTIVITIES_YEARS.format(years=year_range_label(list(c.years)), items=text)
    template = msg.ACTIVITIES_MORE if len(c.items) > len(items) else msg.ACTIVITIES
    return prefix + template.format(items=text)


@_render.register
def _(c: Responsible) -> str:
    if c.subject == c.measure:
        return msg.RESPONSIBLE_MEASURE.format(measure=c.measure, departments=c.departments, n=c.citation)
    return msg.RESPONSIBLE_LEAD.format(subject=c.subject, departments=c.departments, measure=c.measure, n=c.citation)


@_render.register
def _(c: DepartmentMeasures) -> str:
    names = msg.ITEM_SEPARATOR.join(f"{name}[{n}]" for name, n in zip(c.names, c.citations, strict=True))
    template = msg.DEPARTMENT_NAMES_MORE if c.more else msg.DEPARTMENT_NAMES
    return template.format(department=c.department, names=names)


@_render.register
def _(c: Absent) -> str:
    if c.statistics:
        return msg.STATISTICS
    return msg.ABSENT.format(terms=c.word)


@_render.register
def _(c: Quote) -> str:
    year = wareki_label(c.year)
    # What is missing names the activity already: 「…について」 after it would say it twice.
    if c.missing or not c.subject:
        quote = msg.QUOTE_BARE.format(year=year, text=c.text, n=c.citation)
        return msg.QUOTE_MISSING.format(label=c.missing) + quote if c.missing else quote
    return msg.QUOTE.format(subject=c.subject, year=year, text=c.text, n=c.citation)


@_render.register
def _(c: Clarify) -> str:
    ask = msg.CLARIFY.format(subject=c.subject) if c.subject else msg.CLARIFY_ANY
    items = msg.ITEM_SEPARATOR.join(msg.CHOICE.format(phrase=x.phrase, n=x.citation) for x in c.choices)
    return ask + msg.CLARIFY_CHOICES.format(items=items)


def choice_question(phrase: str) -> str:
    """What choosing one of a :class:`Clarify`'s choices asks: the phrase is the bullet's."""
    # A sentence (「…を設置した」) is quoted: 「…を設置したについて」 would not read.
    ends_in_noun = not phrase.endswith(("た", "る", "う", "す", "い"))
    return (msg.CHOICE_QUESTION if ends_in_noun else msg.CHOICE_QUESTION_QUOTED).format(phrase=phrase)
