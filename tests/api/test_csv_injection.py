"""CSV formula injection: export cells that a spreadsheet would run as formulas are neutralised in CSV (a leading
single quote, OWASP's advice) and kept verbatim in JSON."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from assistant.api import views
from assistant.api.app import create_app
from assistant.api.routers import export as export_module
from assistant.service import Assistant

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_export_neutralises_formulas_in_csv_and_keeps_json_verbatim(
    assistant: Assistant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def rows(corpus, insights, ids):
        real = views.export_rows(corpus, insights, ids[:1])[0]
        return [{**real, "text": f, "measure": f} for f in FORMULAS]

    monkeypatch.setattr(export_module, "export_rows", rows)
    c = TestClient(create_app(assistant.settings, assistant))
    text = c.get("/api/export", params={"format": "csv"}).content.decode("utf-8-sig")
    cells = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["text"] for r in cells] == ["'" + f for f in FORMULAS]
    assert [r["measure"] for r in cells] == ["'" + f for f in FORMULAS]
    assert all(r["fiscal_year"].isdigit() and r["new"] in ("0", "1") for r in cells)
    body = c.get("/api/export", params={"format": "json"}).json()
    assert [r["text"] for r in body["rows"]] == FORMULAS


def test_plain_cells_are_unchanged() -> None:
    assert views.csv_cell("パトロール回数 203回") == "パトロール回数 203回"
    assert views.csv_cell("A-1") == "A-1" and views.csv_cell(2023) == 2023 and views.csv_cell(True) == "1"
