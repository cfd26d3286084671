"""Does LibreOffice Calc split a row taller than the printed page across pages? (issue 21's fixture question)

    .venv/bin/python scripts/lo_tall_row.py OUT_DIR      # needs soffice (Debian libreoffice-calc)

One workbook row of 119 numbered bullet lines (A4, wrapped), at the largest height Excel stores (409 pt) and
at 800 pt (taller than the page), converted by LibreOffice headless and read back with pdfplumber: which
bullet lines each page prints. Measured with LibreOffice 7.4.7 (Debian 12): 409 pt → 1 page, lines 1–26;
800 pt → 2 pages, nothing of the row on page 1 and lines 1–50 on page 2. Calc moves a tall row to a new page
and clips it there; it never continues a row on the next page, so the issue's "LibreOffice export with a row
taller than a page (Calc then splits the row)" cannot be made with it.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path


def probe(out: Path) -> list[str]:
    import pdfplumber
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    out.mkdir(parents=True, exist_ok=True)
    report = []
    for height in (409, 800):
        wb = Workbook()
        ws = wb.active
        ws["A1"], ws["B1"] = "主要な施策", "本文"
        ws["A2"] = "虐待防止"
        ws["B2"] = "\n".join(f"・第{i}行目の取組みを実施した。" for i in range(1, 120))
        ws["B2"].alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions["B"].width = 60
        ws.row_dimensions[2].height = height
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        xlsx = out / f"tall-{height}.xlsx"
        wb.save(xlsx)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                ["soffice", f"-env:UserInstallation=file://{tmp}/p", "--headless", "--convert-to", "pdf",
                 "--outdir", str(out), str(xlsx)],
                check=True, capture_output=True, timeout=300,
            )  # fmt: skip
        with pdfplumber.open(out / f"tall-{height}.pdf") as pdf:
            pages = [[ln for ln in (p.extract_text() or "").splitlines() if "行目" in ln] for p in pdf.pages]
        shown = ", ".join(f"p.{i}: {len(ls)} lines" + (f" ({ls[0][:6]}…{ls[-1][:7]})" if ls else "")
                          for i, ls in enumerate(pages, 1))  # fmt: skip
        report.append(f"{height} pt row of 119 lines: {len(pages)} page(s); {shown}")
    return report


if __name__ == "__main__":
    print("\n".join(probe(Path(sys.argv[1] if len(sys.argv) > 1 else "lo-tall-row"))))
