"""Readers of the formats the city's report comes in. Each turns a file into a :class:`~assistant.ingest.table.Table`;
one parser (parse.parse_table) gives them meaning.

- ``.txt``: the tab-separated text of the tables (the seeds in data/);
- ``.pdf``: the published PDF (pdf.py, pdfplumber);
- ``.xlsx``: the Excel workbook it is made from (xlsx.py, openpyxl).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from assistant.ingest.parse import decode_report, text_rows
from assistant.ingest.readers.bounds import check_pdf_bytes, check_table, check_text_bytes, check_xlsx_bytes
from assistant.ingest.readers.errors import ReaderError
from assistant.ingest.table import Table

__all__ = ["REPORT_SUFFIXES", "ReaderError", "ReportFormat", "read_table"]


class ReportFormat(StrEnum):
    TEXT = ".txt"
    PDF = ".pdf"
    XLSX = ".xlsx"


REPORT_SUFFIXES = tuple(f.value for f in ReportFormat)


def report_format(name: str) -> ReportFormat:
    """By suffix; anything but .pdf and .xlsx is read as text, which refuses what is not a text report."""
    suffix = Path(name).suffix.lower()
    return ReportFormat(suffix) if suffix in REPORT_SUFFIXES else ReportFormat.TEXT


def read_table(data: bytes, file: str) -> Table:
    """A report file's bytes → its table rows, by the file's suffix, within the bounds of readers/bounds.py
    (checked before the reader inflates anything, and on the table it returns)."""
    table = _read_table(data, file)
    check_table(table)
    return table


def _read_table(data: bytes, file: str) -> Table:
    import hashlib

    fmt = report_format(file)
    if fmt is ReportFormat.PDF:
        from assistant.ingest.readers.pdf import read_pdf

        check_pdf_bytes(data, file)
        return read_pdf(data, file)
    if fmt is ReportFormat.XLSX:
        from assistant.ingest.readers.xlsx import read_xlsx

        check_xlsx_bytes(data, file)
        return read_xlsx(data, file)
    check_text_bytes(data, file)
    text = decode_report(data, file)
    return Table(file, tuple(text_rows(text, file)), hashlib.sha256(text.encode("utf-8")).hexdigest())


def is_report(path: Path) -> bool:
    return path.suffix.lower() in REPORT_SUFFIXES
