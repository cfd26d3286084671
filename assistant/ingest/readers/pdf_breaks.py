"""Rules a generator leaves out where a page break cuts a table row, put back so each printed part is a row.

reportlab's ``LongTable(repeatRows=1, splitInRow=1)`` (measured with reportlab 5.1 and the R4–R6 seed) draws
the part of a row left at a page's foot with its vertical rules but no rule under it, and the part carried to
the next page with no rule between it and the repeated header. pdfplumber's table finder, which builds cells
from ruled lines, then drops the first (its cells have no bottom) and reads the second into the header's cells.

- :func:`closing_lines`: a table is closed where its vertical rules end, whether or not a rule is drawn there;
- :func:`header_cut`: a repeated header is as tall as the header of the first page (the generator draws the
  same row), so a header row taller than that holds the row continued under it: it is cut at that height.
"""

from __future__ import annotations

from typing import Any

# A header row taller than the first page's by more than this (pt) holds a continued row: row rules are
# ≥ 0.5 pt thick and pdfplumber snaps edges within 3 pt, so measured heights of one header differ by < 1 pt.
HEADER_SLACK = 2.0
# Vertical rules shorter than this (pt) are not the table's (a glyph drawn as strokes, a tick mark).
MIN_RULE = 10.0

BBox = tuple[float, float, float, float]


def closing_lines(page: Any) -> list[float]:
    """The tops and bottoms of the page's vertical rules, as horizontal lines for the table finder."""
    edges = [e for e in page.vertical_edges if e["bottom"] - e["top"] >= MIN_RULE]
    if not edges:
        return []
    return sorted({round(min(e["top"] for e in edges), 2), round(max(e["bottom"] for e in edges), 2)})


def table_settings(page: Any, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` (the line strategies) with the page's closing lines added."""
    return {**base, "explicit_horizontal_lines": closing_lines(page)}


def header_cut(cells: list[BBox | None], header_height: float | None) -> list[list[BBox | None]]:
    """A header row's cells → the header's, and the continued row's below it when the row is too tall."""
    boxes = [c for c in cells if c is not None]
    if header_height is None or not boxes:
        return [cells]
    top, bottom = min(b[1] for b in boxes), max(b[3] for b in boxes)
    if bottom - top <= header_height + HEADER_SLACK:
        return [cells]
    cut = top + header_height
    head = [None if c is None else (c[0], c[1], c[2], cut) for c in cells]
    rest = [None if c is None else (c[0], cut, c[2], c[3]) for c in cells]
    return [head, rest]


def row_height(cells: list[BBox | None]) -> float:
    boxes = [c for c in cells if c is not None]
    return max(b[3] for b in boxes) - min(b[1] for b in boxes) if boxes else 0.0
