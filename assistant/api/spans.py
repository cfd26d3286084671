"""The lead as structured spans: plain text, or a citation marker the server put there (issue 17 item 8).

The page turns a span into a citation button only when the server says it is one; it never looks for 「[7]」 in
the text, so a question that types 「[7]」 and is echoed into a lead stays text. A marker is a citation span when
its number is one of the answer's citations and it is not inside text that came from the user: the question as
asked and the absent words the lead names (render.py: nothing else the user typed reaches a sentence).
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from assistant.answer.records import CITATION_MARKER


class LeadSpan(BaseModel):
    text: str = Field(description="verbatim text of the lead; the spans joined are the lead")
    citation: int | None = Field(default=None, description="set when this span is the marker of citation n")


def _user_ranges(lead: str, user_texts: Iterable[str]) -> list[tuple[int, int]]:
    ranges = []
    for text in {t for t in user_texts if t and "[" in t}:
        start = lead.find(text)
        while start >= 0:
            ranges.append((start, start + len(text)))
            start = lead.find(text, start + 1)
    return ranges


def lead_spans(lead: str, citation_numbers: Iterable[int], user_texts: Iterable[str] = ()) -> list[LeadSpan]:
    """``lead`` cut into text and citation spans (see the module docstring)."""
    numbers = set(citation_numbers)
    user = _user_ranges(lead, user_texts)
    spans: list[LeadSpan] = []
    at = 0
    for m in CITATION_MARKER.finditer(lead):
        n = int(m.group(1))
        if n not in numbers or any(a <= m.start() and m.end() <= b for a, b in user):
            continue
        if m.start() > at:
            spans.append(LeadSpan(text=lead[at : m.start()]))
        spans.append(LeadSpan(text=m.group(0), citation=n))
        at = m.end()
    if at < len(lead):
        spans.append(LeadSpan(text=lead[at:]))
    return spans
