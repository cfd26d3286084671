"""CSV for staff who open it in Excel: UTF-8 with a BOM, CRLF line ends, and no cell that runs as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection): a report cell or a
# comment such as 「=HYPERLINK(...)」 would run when staff open the export. OWASP's advice: prefix a single quote,
# which makes the cell text. Only CSV is changed; JSON keeps the text verbatim.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The rows as CSV: UTF-8 with a BOM, so that Excel reads the Japanese text right, and CRLF line ends."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
