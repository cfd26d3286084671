"""Citation numbers in reading order: a trend's points by year, then the lead's markers, the groups' items, the
related items and the choices, in the order a reader meets them.

Composers cite as they go (the lead's figure may be found after the list's first bullet), so a lead could read
「…[3]、…[1]」; renumbering once, after composing, keeps every composer simple and every answer in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from assistant.answer.question import Intent
from assistant.answer.records import CITATION_MARKER, Answer, AnswerGroup, cited_numbers


def _reading_order(answer: Answer) -> list[int]:
    count = len(answer.citations)
    seen: dict[int, None] = {}
    # A trend's chart first: its numbers then follow its years ([1] its oldest), which its lead tells in full
    # (「平成29年度589回[1]、平成30年度472回[2]、…」); a comparison's lead names its two years first.
    chart = [n for nums in answer.series_citations for n in nums]
    sources: list[Iterable[int]] = [
        chart if answer.intent is Intent.TREND else (),
        cited_numbers(answer.lead, count),
        (i.citation for g in answer.groups for i in g.items),
        (i.citation for g in answer.related for i in g.items),
        chart,
        (c.citation for c in answer.choices),
        *(cited_numbers(note, count) for note in answer.notes),
        range(1, count + 1),
    ]
    for numbers in sources:
        for n in numbers:
            seen.setdefault(n, None)
    return list(seen)


def _groups(groups: tuple[AnswerGroup, ...], new: dict[int, int]) -> tuple[AnswerGroup, ...]:
    return tuple(replace(g, items=tuple(replace(i, citation=new[i.citation]) for i in g.items)) for g in groups)


def in_reading_order(answer: Answer) -> Answer:
    """The same answer with its citations renumbered in reading order (a no-op when they already are)."""
    order = _reading_order(answer)
    new = {old: k for k, old in enumerate(order, 1)}
    if all(old == k for old, k in new.items()):
        return answer

    def text(s: str) -> str:
        return CITATION_MARKER.sub(lambda m: f"[{new.get(int(m.group(1)), int(m.group(1)))}]", s)

    citations = tuple(replace(answer.citations[old - 1], number=k) for k, old in enumerate(order, 1))
    return replace(
        answer,
        lead=text(answer.lead),
        notes=tuple(text(n) for n in answer.notes),
        groups=_groups(answer.groups, new),
        related=_groups(answer.related, new),
        citations=citations,
        series_citations=tuple(tuple(new[n] for n in nums) for nums in answer.series_citations),
        choices=tuple(replace(c, citation=new[c.citation]) for c in answer.choices),
    )
