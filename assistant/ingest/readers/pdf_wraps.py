"""Spaces a generator put into the text of a row it split at a page break, told from spaces in the text.

reportlab (``LongTable(splitInRow=1)`` with ``wordWrap="CJK"`` paragraphs, measured with reportlab 5.1 on
the R4–R6 seed) splits each paragraph of a row cut by a page break by joining its printed lines with a space
and laying the two halves out again: both parts of the row then carry a space wherever a line of the uncut
layout ended — at line ends, and mid-line (「剪定 を行った」, 「ボランティ」 / 「 アの協力」). Rows it did
not cut have none, nor do the rows other generators cut; so a cut row is despaced only when it shows them
(:func:`generator_spaces`). Japanese needs no space between two Japanese characters, and the seeds' bullets have one
in fewer than 1 in 100 (「10,730人 配信数」), so in the two parts of a row cut by a page break a space
between two Japanese characters is dropped, and so is any space printed at the end of a line that the next
line continues (table.line_separator still puts one between Latin words; a real one there is lost:
「支給資機材 」 / 「96個」). A space before a ・ bullet or a 【課】 block, or after a block's 】, stays: it
separates items. Mid-line spaces beside Latin letters and figures stay (「車両数 13台」), and so do
reportlab's there (「平成 27 年度」): the two cannot be told apart. Rows not at a break are read as printed.
"""

from __future__ import annotations

import re

from assistant.ingest.table import Line

# Japanese characters (kana, kanji, CJK and full-width punctuation): before a space, all but 】; after one,
# all but ・ and 【. A space between two of them is dropped.
_JA_BEFORE = "\u3001-\u3010\u3012-\u30fa\u30fc-\u30ff\u3400-\u9fff\uff01-\uff5e"
_JA_AFTER = "\u3001-\u300f\u3011-\u30fa\u30fc-\u30ff\u3400-\u9fff\uff01-\uff5e"
# Measured on the cut rows (spaces per wrapped line): reportlab's (R4–R6 and H29–H30, portrait and landscape)
# 0.17-1.1, but for two parts with 0 and 1 space in 4 and 5 wraps (missed); the project's own renderer's at
# most 0.04 (a real 「。 また」 in 27 wraps), LibreOffice's 0.
SPLIT_SPACE_SHARE = 0.15
MIN_WRAPS = 2
_JA_SPACE = re.compile(f"(?<=[{_JA_BEFORE}]) +(?=[{_JA_AFTER}])")
# A figure with a space after it before Japanese text (「参加者82 人」), or with spaces on both sides between
# Japanese text (「平成 27 年度」): neither occurs once in the year cells of the three seed reports (a real space
# comes before a figure: 「車両数 13台」), so in a cut row they are reportlab's.
_FIGURE_SPACE = re.compile(f"(?<=[0-9]) +(?=[{_JA_AFTER}])|(?<=[{_JA_BEFORE}]) +(?=[0-9][0-9,.]* +[{_JA_AFTER}])")


def generator_spaces(cells: list[list[Line]]) -> bool:
    """Whether a cut row shows reportlab's spaces: per wrapped line (one the next line of its cell continues),
    at least SPLIT_SPACE_SHARE spaces at a line end or between two Japanese characters."""
    wrapped = evidence = 0
    for lines in cells:
        for k, ln in enumerate(lines):
            evidence += len(_JA_SPACE.findall(ln.text))
            nxt = lines[k + 1].text.lstrip() if k + 1 < len(lines) else ""
            if nxt and not nxt.startswith(("・", "【")):
                wrapped += 1
                evidence += ln.text != ln.text.rstrip()
    return wrapped >= MIN_WRAPS and evidence / wrapped >= SPLIT_SPACE_SHARE


def _despace(line: Line) -> Line:
    """The line without spaces between two Japanese characters; underline offsets follow the text."""
    text, marks, shift, last = "", set[int](), 0, 0
    spaces = sorted([*_JA_SPACE.finditer(line.text), *_FIGURE_SPACE.finditer(line.text)], key=lambda m: m.start())
    for m in spaces:
        text += line.text[last : m.start()]
        marks.update(i - shift for i in line.underlined if last <= i < m.start())
        shift += m.end() - m.start()
        last = m.end()
    if not last:
        return line
    text += line.text[last:]
    marks.update(i - shift for i in line.underlined if i >= last)
    return Line(text, frozenset(marks))


def drop_split_spaces(lines: list[Line]) -> list[Line]:
    """A cell of a row cut by a page break, without the spaces its generator put in (module docstring)."""
    out = []
    for k, ln in enumerate(lines):
        nxt = lines[k + 1].text.lstrip() if k + 1 < len(lines) else ""
        ln = _despace(ln)
        if nxt and not nxt.startswith(("・", "【")) and ln.text != ln.text.rstrip():
            ln = Line(ln.text.rstrip(), ln.underlined)
        out.append(ln)
    return out
