"""Regenerate the golden files under tests/golden/ from data/ — review the diff before committing it.

.venv/bin/python scripts/regen_golden.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.domain.corpus import merge_reports  # noqa: E402
from assistant.domain.figures import corpus_figures, format_value  # noqa: E402
from assistant.domain.normalize import load_corrections  # noqa: E402
from assistant.ingest.reports import load_reports, report_paths  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"


def figures_tsv() -> str:
    corrections = load_corrections(ROOT / "data")
    corpus = merge_reports(load_reports(report_paths(ROOT / "data"), corrections), corrections)
    lines = ["# fiscal_year\tmeasure_id\tlabel\tvalue\tunit\tdisplay\tbullet text (verbatim)"]
    for f in corpus_figures(corpus):
        lines.append(f"{f.fiscal_year}\t{f.measure_id}\t{f.label}\t{f.value:g}\t{f.unit}\t{format_value(f)}\t{f.text}")
    return "\n".join(lines) + "\n"


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    (GOLDEN / "figures.tsv").write_text(figures_tsv(), encoding="utf-8")
    print(f"wrote {GOLDEN / 'figures.tsv'}")


if __name__ == "__main__":
    main()
