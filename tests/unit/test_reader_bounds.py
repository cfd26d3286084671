"""Issue 17 item 2: decompression bombs and oversized reports are refused in one line naming where and which bound,
before a reader inflates them. Every bomb is generated here, in tmp_path; none is committed."""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from assistant.domain.model import SourceRef
from assistant.domain.normalize import load_corrections
from assistant.ingest.parse import ParseError
from assistant.ingest.readers import read_table
from assistant.ingest.readers.bounds import BOUNDS, MIB, ReaderBounds, check_table
from assistant.ingest.reports import read_report
from assistant.ingest.table import Table, TableRow

ROOT = Path(__file__).resolve().parents[2]
# A hang guard, not a speed target: refusing a bomb costs well under a second; inflating one costs minutes.
GUARD_SECONDS = 20.0


def deflate_zeros(size: int) -> bytes:
    """``size`` bytes of spaces, deflated (1 GiB → ~1 MB), without ever holding them."""
    packer, chunk, out = zlib.compressobj(9), b" " * MIB, []
    for _ in range(size // MIB):
        out.append(packer.compress(chunk))
    out.append(packer.flush())
    return b"".join(out)


def pdf_with_stream(content: bytes, *, filters: bytes = b"/FlateDecode", pages: int = 1) -> bytes:
    """A minimal PDF: ``pages`` pages, the first drawing ``content`` (a stream with ``filters``)."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>"]
    kids = b" ".join(f"{3 + i} 0 R".encode() for i in range(pages))
    objects.append(b"<</Type/Pages/Kids[" + kids + b"]/Count " + str(pages).encode() + b">>")
    contents = 3 + pages
    for i in range(pages):
        extra = f"/Contents {contents} 0 R".encode() if i == 0 else b""
        objects.append(b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]" + extra + b">>")
    objects.append(
        b"<</Length " + str(len(content)).encode() + b"/Filter" + filters + b">>stream\n" + content + b"\nendstream"
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.writelines(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out.write(f"trailer\n<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _refused(data: bytes, name: str) -> str:
    started = time.perf_counter()
    with pytest.raises(ParseError) as caught:
        read_table(data, name)
    assert time.perf_counter() - started < GUARD_SECONDS
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{name}: ")
    return message


# ---- PDF ------------------------------------------------------------------------------------------------------


# The bombs inflate to 1 GiB (generating one takes ~3 s: the slow tier); 128 MiB is past every bound.
SIZES = [128 * MIB, pytest.param(1024 * MIB, marks=pytest.mark.slow)]


@pytest.mark.parametrize("size", SIZES, ids=["128MiB", "1GiB"])
def test_a_pdf_whose_page_stream_inflates_to_1_gib_is_refused_naming_the_page(size: int) -> None:
    bomb = pdf_with_stream(deflate_zeros(size))
    assert len(bomb) < 3 * MIB  # the 2 MB file
    message = _refused(bomb, "bomb.pdf")
    assert "page 1" in message and "decoded stream bytes" in message and "object 4" in message


def test_an_ascii85_wrapped_bomb_is_refused_too() -> None:
    import base64

    wrapped = base64.a85encode(deflate_zeros(64 * MIB)) + b"~>"
    message = _refused(pdf_with_stream(wrapped, filters=b"[/ASCII85Decode/FlateDecode]"), "a85.pdf")
    assert "decoded stream bytes" in message


def test_a_pdf_with_too_many_pages_is_refused() -> None:
    message = _refused(pdf_with_stream(zlib.compress(b"BT ET"), pages=BOUNDS.pages + 1), "many.pdf")
    assert f"{BOUNDS.pages + 1:,} pages" in message and "bound: pages" in message


def test_the_seed_pdfs_are_within_every_bound() -> None:
    for pdf in (ROOT / "tests" / "data").glob("*.lo.pdf"):
        table = read_table(pdf.read_bytes(), pdf.name)
        assert table.rows


# ---- xlsx -----------------------------------------------------------------------------------------------------


def _workbook(tmp_path: Path) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "防犯"
    out = tmp_path / "small.xlsx"
    wb.save(out)
    return out.read_bytes()


def _replace_member(xlsx: bytes, member: str, content_chunks: list[bytes] | bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != member:
                dst.writestr(info, src.read(info))
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w", force_zip64=True) as f:
            for chunk in content_chunks if isinstance(content_chunks, list) else [content_chunks]:
                f.write(chunk)
    return out.getvalue()


@pytest.mark.parametrize("size", SIZES, ids=["128MiB", "1GiB"])
def test_a_workbook_holding_a_1_gib_cell_is_refused_before_openpyxl(tmp_path: Path, size: int) -> None:
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    chunks = [head] + [b"a" * MIB] * (size // MIB) + [b"</t></si></sst>"]
    bomb = _replace_member(_workbook(tmp_path), "xl/sharedStrings.xml", chunks)
    assert len(bomb) < 3 * MIB  # the 1 MB workbook
    message = _refused(bomb, "bomb.xlsx")
    assert "xl/sharedStrings.xml" in message and "xlsx member bytes" in message


def test_a_sheet_of_a_million_rows_is_refused_naming_the_sheet(tmp_path: Path) -> None:
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    rows = b"".join(b'<row r="%d"/>' % i for i in range(1, 1_000_001))
    sheet = head + b"<sheetData>" + rows + b"</sheetData></worksheet>"
    message = _refused(_replace_member(_workbook(tmp_path), "xl/worksheets/sheet1.xml", sheet), "rows.xlsx")
    assert "sheet 1" in message and "1,000,000 rows" in message and "bound: rows" in message


def test_a_long_cell_is_refused_naming_sheet_and_row(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A3"] = "防" * (BOUNDS.chars_per_cell + 1)
    out = tmp_path / "long.xlsx"
    wb.save(out)
    message = _refused(out.read_bytes(), "long.xlsx")
    assert "sheet 1 row 3" in message and "characters per cell" in message


# ---- text -----------------------------------------------------------------------------------------------------


def test_a_100_mb_text_report_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.write("主要な施策\t担当課\t".encode())
        for _ in range(100):
            f.write(b"a" * MIB)
    with pytest.raises(ParseError) as caught:
        read_report(big, load_corrections(ROOT / "data"))
    assert "bound: text bytes" in str(caught.value)


def test_a_long_cell_of_a_text_report_is_refused_naming_the_line() -> None:
    data = ("タイトル\n主要な施策\t担当課\n" + "x\t" + "防" * (BOUNDS.chars_per_cell + 1) + "\n").encode()
    message = _refused(data, "long.txt")
    assert "line 3" in message and "characters per cell" in message


def test_table_bounds_name_the_page() -> None:
    rows = tuple(TableRow(("防" * 60,), SourceRef("a.pdf", n, page=2)) for n in range(1, 30))
    with pytest.raises(ParseError, match=r"page 2: more than 1,000 characters \(bound: characters per page"):
        check_table(Table("a.pdf", rows, "x", 2), ReaderBounds(chars_per_page=1000))
    with pytest.raises(ParseError, match="cells per table"):
        check_table(Table("a.pdf", rows, "x", 2), ReaderBounds(cells_per_table=10))
