"""Citations in reading order (answer/order.py): a lead reads [1], [2], … as a reader meets them."""

from __future__ import annotations

import re

from test_answer_files import JUDGEMENTS

from assistant.answer import answer
from assistant.answer.question import Intent
from assistant.service import Assistant


def _first_appearances(text: str) -> list[int]:
    return list(dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", text)))


def test_every_lead_of_both_answer_files_cites_in_reading_order(assistant: Assistant) -> None:
    ctx = assistant.context
    out_of_order = []
    for j in JUDGEMENTS:
        a = answer(ctx, j.q, j.history)
        assert [c.number for c in a.citations] == list(range(1, len(a.citations) + 1))
        seen = _first_appearances(a.lead)
        if a.intent is Intent.TREND:  # a trend's numbers follow its years
            assert [n for nums in a.series_citations for n in nums][:1] in ([], [1])
            continue
        if seen != list(range(1, len(seen) + 1)):
            out_of_order.append(f"{j.id}: {a.lead}")
        # The groups after the lead go on counting: no item cites a number before every lower one was met.
        met = set(seen)
        for n in (i.citation for g in a.groups for i in g.items):
            assert n <= max(met, default=0) + 1, (j.id, a.text)
            met.add(n)
    assert out_of_order == []


def test_renumbering_keeps_each_marker_on_its_bullet(assistant: Assistant) -> None:
    a = answer(assistant.context, "令和4年度と令和5年度のCoCoパトロールの回数を比べて")
    assert _first_appearances(a.lead) == [1, 2]
    for g in a.groups:
        for item in g.items:
            assert a.citations[item.citation - 1].text == item.text
