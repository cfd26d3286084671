"""pdfminer's complaints about a PDF's fonts, kept out of the terminal and said once where they matter.

Some producers write font descriptors pdfminer cannot use (「Could not get FontBBox from font descriptor
because None cannot be parsed as 4 floats」), and pdfminer logs a warning per font it loads, which for some
producers is once per text run: a staff member's terminal fills with library warnings about a file that reads
correctly. The warnings are caught while a PDF is read and counted per page. A page is reported only when the
font problem shows in its text: characters pdfminer could not map to Unicode (「(cid:123)」) or without a
height (a missing font box gives them none, so lines and cells cannot be placed).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

_LOGGERS = ("pdfminer", "pdfplumber")


@dataclass
class FontLog:
    """Warnings caught while reading, and the pages on which they came."""

    count: int = 0
    pages: set[int] = field(default_factory=set)


class _Counter(logging.Handler):
    def __init__(self, log: FontLog) -> None:
        super().__init__(logging.WARNING)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        self.log.count += 1


@contextmanager
def quiet_pdf_logs() -> Iterator[FontLog]:
    """While reading: pdfminer's and pdfplumber's warnings counted, not printed."""
    log = FontLog()
    handler = _Counter(log)
    saved = []
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.propagate, logger.level))
        logger.addHandler(handler)
        logger.propagate = False
        logger.setLevel(logging.WARNING)
    try:
        yield log
    finally:
        for logger, propagate, level in saved:
            logger.removeHandler(handler)
            logger.propagate, logger.level = propagate, level


def text_damaged(chars: list[dict[str, Any]]) -> bool:
    """Whether a page's characters show a font problem: unmapped glyphs, or characters without a height."""
    return any(c["text"].startswith("(cid:") or c["bottom"] - c["top"] <= 0 for c in chars if c["text"].strip())
