"""The table every reader produces and the one parser (parse.py) consumes: rows of cell strings with their source.

A text report gives one row per line; a PDF or a workbook gives one row per table row, its cells' printed lines
joined by :func:`join_lines`, so that all three arrive in the form the text reports always had: the lines of a
cell joined by a space where a new item (・ bullet, 【課】 block, (1) sub-section) starts, else as one text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.domain.model import SourceRef, Unplaced


@dataclass(frozen=True)
class Continuation:
    """A part of a row printed after a page break (or a repeated header): where it was printed, and per cell
    the offset in the joined cell at which its text starts (None where it added nothing)."""

    source: SourceRef
    starts: tuple[int | None, ...]


@dataclass(frozen=True)
class TableRow:
    """One row: its cells (verbatim) and where it stands. ``source.column`` is unused (each cell is its column)."""

    cells: tuple[str, ...]
    source: SourceRef
    # Per cell, the offsets of underlined characters; None when the source cannot show underlines (text).
    underlined: tuple[frozenset[int], ...] | None = None
    # The later parts of a row a page break cut, joined into this one by ingest/continuation.py.
    continued: tuple[Continuation, ...] = ()


@dataclass(frozen=True)
class Table:
    """What a reader read from one file, before any table semantics."""

    file: str
    rows: tuple[TableRow, ...]
    checksum: str  # sha256 of the file's bytes
    pages_read: int | None = None  # None for a text report
    unplaced: tuple[Unplaced, ...] = field(default=())
    font_pages: tuple[int, ...] = ()  # PDF pages whose text a font problem damaged (readers/pdf_fonts.py)


@dataclass(frozen=True)
class Line:
    """One printed line of a cell, with the offsets of its underlined characters."""

    text: str
    underlined: frozenset[int] = frozenset()


# A printed line that starts a new item rather than continuing the one before: a ・ bullet, a 【課】 block,
# a sub-section 「(1)」 or a numbered section 「2 市民の…」.
_NEW_ITEM = re.compile(r"^(?:・|【|[(（]\d{1,2}[)）]|\d{1,2}\s)")
_LATIN = re.compile(r"[0-9A-Za-z,.%/)\-]$")
_LATIN_START = re.compile(r"^[0-9A-Za-z(]")


def _unclosed(text: str) -> bool:
    """「子ども家庭センター(令和」: a bracket still open, so the next line continues the same name."""
    return sum(text.count(c) for c in "(（【") > sum(text.count(c) for c in ")）】")


def line_separator(before: str, after: str, *, always_space: bool = False) -> str:
    """What stands between two printed lines of one cell once joined.

    A space where the next line starts a new item, where the wrap fell between Latin words or numbers
    (「Tokyo」/「Metro」), or where the line ended in a printed space; nothing inside Japanese text,
    which wraps between any two characters. ``always_space``: lines are separate items (one department per
    line, a section's title and purpose) unless a bracket is still open.
    """
    if not before or not after:
        return ""
    if before[-1].isspace() or _NEW_ITEM.match(after):
        return " "
    if always_space and not _unclosed(before):
        return " "
    if _LATIN.search(before) and _LATIN_START.match(after):
        return " "
    return ""


def join_lines(lines: list[Line], *, always_space: bool = False) -> tuple[str, frozenset[int]]:
    """A cell's printed lines → its text and the offsets of underlined characters in that text."""
    text = ""
    underlined: set[int] = set()
    for line in lines:
        stripped = line.text.strip()
        if not stripped:
            continue
        lead = len(line.text) - len(line.text.lstrip())
        sep = line_separator(text, stripped, always_space=always_space) if text else ""
        text = text.rstrip() + sep if sep == " " else text
        base = len(text)
        underlined.update(base + i - lead for i in line.underlined if lead <= i < lead + len(stripped))
        text += stripped
        if line.text.rstrip() != line.text:
            text += " "  # kept so that the next line's separator sees the printed space
    return text.strip(), frozenset(i for i in underlined if i < len(text.strip()))
