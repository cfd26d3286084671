"""What a reader may inflate and hold, checked before and after it reads: a report past a bound is refused in one
line naming where (page, sheet, row) and which bound.

A 2 MB PDF whose one page stream inflates to 1 GiB held ``ingest --dry-run`` for 300 s at 7.5 GB; a 1 MB workbook
holding one 1 GiB cell reached 2.1 GB; a 100 MB cell of a text report passed the dry run and stalled the embedder
(issue 17). So, before any library parses the file:

- PDF: every stream is inflated here, in 1 MiB steps that are counted and thrown away, and refused past
  ``decoded_stream_bytes`` (pdfminer would inflate it whole, in memory); page objects are counted;
- xlsx: the zip's members are refused past ``xlsx_member_bytes`` uncompressed (``zipfile`` never inflates past
  the size a member declares, so the declared size bounds what openpyxl can get), and the rows of each sheet are
  counted in its XML;
- text: the file's size.

After reading (the table is then bounded by the checks before): pages, characters per page, cells per table,
characters per cell, rows.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass

from assistant.ingest.readers.errors import ReaderError
from assistant.ingest.table import Table, TableRow

MIB = 1024 * 1024


@dataclass(frozen=True)
class ReaderBounds:
    """Measured on the seeds (both reports as LibreOffice PDFs, tests/data/*.lo.pdf, and as xlsx, reportlab, text):
    7 pages, 87 KB largest decoded stream, 2,231 characters on the fullest page, 265 cells, 1,066 characters in
    the longest cell, 45 rows, a 44 KB sheet XML, 31 KB of text. Each bound is 50–1,000 times that, so a report
    many times longer still passes and a bomb is refused in well under a second."""

    pages: int = 500
    decoded_stream_bytes: int = 32 * MIB  # one PDF stream, inflated
    chars_per_page: int = 100_000
    cells_per_table: int = 50_000
    chars_per_cell: int = 20_000
    rows: int = 20_000  # table rows of any format; xlsx: sheet rows
    xlsx_member_bytes: int = 64 * MIB  # one member of the zip, uncompressed
    text_bytes: int = 16 * MIB
    file_bytes: int = 128 * MIB  # any report file, before it is read (the PDF seeds: 250 KB)


BOUNDS = ReaderBounds()
_STREAM = re.compile(rb"stream\r?\n")
_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_FILTERS = re.compile(rb"/(FlateDecode|Fl|LZWDecode|LZW|RunLengthDecode|RL|ASCII85Decode|A85|ASCIIHexDecode|AHx)\b")
_OBJ = re.compile(rb"(\d+)\s+\d+\s+obj\b")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
STEP = MIB  # bytes inflated at a time


def refuse(file: str, where: str, what: str, bound: str, limit: int) -> ReaderError:
    return ReaderError(file, f"{where}: {what} (bound: {bound} {limit:,}); is it the city's report?")


# ---- before reading -----------------------------------------------------------------------------------------


def _inflated_size(raw: bytes, limit: int) -> int:
    """Bytes ``raw`` inflates to, counted up to ``limit`` + 1; raises zlib.error when it is no zlib stream."""
    inflater = zlib.decompressobj()
    total, pending = 0, raw
    while pending and total <= limit:
        total += len(inflater.decompress(pending, STEP))
        pending = inflater.unconsumed_tail
        if inflater.eof:
            break
    return total


def _decoded_size(header: bytes, raw: bytes, limit: int) -> int:
    """The decoded size of one stream, bounded: ASCII filters shrink, Flate is inflated in steps, RunLength
    grows at most 128 times, LZW is decoded in chunks. Image filters are not decoded for text: not counted."""
    filters = [f.decode() for f in _FILTERS.findall(header)]
    data = raw
    for name in filters:
        if name in ("ASCIIHexDecode", "AHx", "ASCII85Decode", "A85"):
            from pdfminer.ascii85 import ascii85decode, asciihexdecode

            data = asciihexdecode(data) if name in ("ASCIIHexDecode", "AHx") else ascii85decode(data)
        elif name in ("FlateDecode", "Fl"):
            return _inflated_size(data, limit)
        elif name in ("RunLengthDecode", "RL"):
            return len(data) * 128 if len(data) * 128 > limit else len(data)
        elif name in ("LZWDecode", "LZW"):
            import io

            from pdfminer.lzw import LZWDecoder

            total = 0
            for chunk in LZWDecoder(io.BytesIO(data)).run():
                total += len(chunk)
                if total > limit:
                    break
            return total
    return len(data)


def check_pdf_bytes(data: bytes, file: str, bounds: ReaderBounds = BOUNDS) -> None:
    """Refuse a PDF with too many pages or a stream that decodes past the bound, before pdfminer reads it."""
    pages = len(_PAGE_OBJECT.findall(data))
    if pages > bounds.pages:
        raise refuse(file, "the PDF", f"{pages:,} pages", "pages", bounds.pages)
    for m in _STREAM.finditer(data):
        end = data.find(b"endstream", m.end())
        if end < 0:
            break
        opened = max(data.rfind(b" obj", 0, m.start()), data.rfind(b"\nobj", 0, m.start()))
        header = data[max(0, opened) : m.start()]
        try:
            size = _decoded_size(header, data[m.end() : end], bounds.decoded_stream_bytes)
        except (zlib.error, ValueError, EOFError):
            continue  # damaged: pdfminer says so, or skips it, as before
        if size > bounds.decoded_stream_bytes:
            objects = _OBJ.findall(data, max(0, opened - 40), m.start())
            what = f"object {int(objects[-1])}" if objects else "a stream"
            raise refuse(
                file,
                _page_of(data, int(objects[-1])) if objects else "the PDF",
                f"{what} decodes to more than {bounds.decoded_stream_bytes // MIB} MiB",
                "decoded stream bytes",
                bounds.decoded_stream_bytes,
            )


def _page_of(data: bytes, objid: int) -> str:
    """「page N」 of the page whose /Contents is object ``objid``, else 「the PDF」 (a font, an object stream)."""
    ref = re.compile(rb"/Contents\s*(?:\[[^\]]*?\b|)" + str(objid).encode() + rb"\s+0\s+R")
    page_objects = [m.start() for m in _PAGE_OBJECT.finditer(data)]
    for number, start in enumerate(page_objects, 1):
        stop = data.find(b"endobj", start)
        opened = data.rfind(b"obj", 0, start)
        if ref.search(data, opened, stop if stop > 0 else len(data)):
            return f"page {number}"
    return "the PDF"


def check_xlsx_bytes(data: bytes, file: str, bounds: ReaderBounds = BOUNDS) -> None:
    """Refuse a workbook whose members inflate past the bound or whose sheets have too many rows."""
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the reader says it is no workbook, as before
    with archive:
        for info in archive.infolist():
            if info.file_size > bounds.xlsx_member_bytes:
                where = _sheet_name(info.filename)
                size = f"{info.filename} inflates to {info.file_size // MIB:,} MiB"
                raise refuse(file, where, size, "xlsx member bytes", bounds.xlsx_member_bytes)
        for info in archive.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                rows = len(_ROW_TAG.findall(archive.read(info)))
                if rows > bounds.rows:
                    where = _sheet_name(info.filename)
                    raise refuse(file, where, f"{rows:,} rows", "rows", bounds.rows)


def _sheet_name(member: str) -> str:
    m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", member)
    return f"sheet {m.group(1)}" if m else "the workbook"


def check_text_bytes(data: bytes, file: str, bounds: ReaderBounds = BOUNDS) -> None:
    if len(data) > bounds.text_bytes:
        size = f"{len(data) // MIB:,} MiB of text"
        raise refuse(file, "the file", size, "text bytes", bounds.text_bytes)


def check_file_size(size: int, file: str, bounds: ReaderBounds = BOUNDS) -> None:
    """Before the file is read into memory at all."""
    if size > bounds.file_bytes:
        raise refuse(file, "the file", f"{size // MIB:,} MiB", "file bytes", bounds.file_bytes)


# ---- after reading ------------------------------------------------------------------------------------------


def check_table(table: Table, bounds: ReaderBounds = BOUNDS) -> None:
    """Refuse a table past a bound, naming the page (or sheet) and row."""
    file = table.file
    if table.pages_read is not None and table.pages_read > bounds.pages:
        raise refuse(file, "the report", f"{table.pages_read:,} pages", "pages", bounds.pages)
    if len(table.rows) > bounds.rows:
        raise refuse(file, "the report", f"{len(table.rows):,} table rows", "rows", bounds.rows)
    cells = 0
    per_page: Counter[int] = Counter()
    for row in table.rows:
        cells += len(row.cells)
        if cells > bounds.cells_per_table:
            raise refuse(file, _where(table, row), f"more than {bounds.cells_per_table:,} cells", "cells per table",
                         bounds.cells_per_table)  # fmt: skip
        for cell in row.cells:
            if len(cell) > bounds.chars_per_cell:
                raise refuse(file, _where(table, row), f"a cell of {len(cell):,} characters", "characters per cell",
                             bounds.chars_per_cell)  # fmt: skip
        if row.source.page is not None:
            per_page[row.source.page] += sum(len(c) for c in row.cells)
            if per_page[row.source.page] > bounds.chars_per_page:
                raise refuse(file, f"page {row.source.page}", f"more than {bounds.chars_per_page:,} characters",
                             "characters per page", bounds.chars_per_page)  # fmt: skip


def _where(table: Table, row: TableRow) -> str:
    """「page 3 row 5」, 「sheet 1 row 9」 or 「line 12」."""
    page, line = row.source.page, row.source.line
    if page is None:
        return f"line {line}"
    return f"{'sheet' if table.file.lower().endswith('.xlsx') else 'page'} {page} row {line}"
