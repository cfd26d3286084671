"""A space a generator prints at the end of every wrapped line of Japanese text, told from a space in the text.

A cell's printed line that ends in a space normally ends where the text had a space (「配信数 」 / 「269」), and
table.join_lines keeps it. reportlab (``wordWrap="CJK"``, measured with reportlab 5.1 on the R4–R6 seed) lays
out again the paragraphs of a row it splits at a page break, and then prints a space after the last character
of nearly every wrapped line of both parts, inside words (「内容」 → 「内 」 / 「容」); rows it did not split
have none. So it is decided per printed row: when most of its wrapped lines that end in Japanese end in a
space, those spaces are the generator's and are dropped. In the seeds' text fewer than 1 in 100 bullets has a
space between two Japanese characters, so real ones are never the majority of a row's wraps.
"""

from __future__ import annotations

import itertools

from assistant.ingest.table import Line

# Share of a row's wrapped lines ending in a space from which the spaces are the generator's: reportlab's
# split row parts give 0.25-0.87 (landscape R4–R6; the lowest are missed), its other rows at most 1 such line,
# the LibreOffice fixture's up to 0.4 (its real spaces: 「10,730人 」 / 「配信数」), so 0.25 would drop real ones.
GENERATOR_SPACE_SHARE = 0.5
MIN_WRAPS = 4  # fewer wrapped lines say nothing (one real space in three wraps is a third)
_ITEM_STARTS = ("・", "【")


def generator_spaces(cells: list[list[Line]]) -> bool:
    """Whether a row's wrapped lines mostly end in a space. A wrapped line: one the next line of
    its cell continues (not one ended by a new ・ bullet or 【課】 block, which the generator broke on purpose)."""
    wrapped = [
        ln.text
        for lines in cells
        for ln, nxt in itertools.pairwise(lines)
        if ln.text.strip() and not nxt.text.lstrip().startswith(_ITEM_STARTS)
    ]
    if len(wrapped) < MIN_WRAPS:
        return False
    return sum(1 for t in wrapped if t != t.rstrip()) / len(wrapped) >= GENERATOR_SPACE_SHARE


def drop_generator_spaces(lines: list[Line], *, every: bool) -> list[Line]:
    """With ``every``, the lines without the space printed at their end where the next line continues the text
    (table.line_separator still puts one between Latin words). LibreOffice prints real ones there
    (「10,730人 」 / 「配信数 269件」), so they are only dropped in a row whose wraps mostly have one."""
    out = []
    for k, ln in enumerate(lines):
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        text, after = ln.text.rstrip(), nxt.text.lstrip() if nxt is not None else ""
        if every and text != ln.text and after and not after.startswith(_ITEM_STARTS):
            ln = Line(text, ln.underlined)
        out.append(ln)
    return out
