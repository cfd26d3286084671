"""Section 6 of scripts/bench.py: reading the report as the city publishes it (PDF, xlsx). Also runs alone:

    .venv/bin/python scripts/bench_readers.py

Fixtures: both seeds rendered by reportlab (scripts/make_report_fixtures.py) and converted by LibreOffice
(tests/data/*.lo.pdf), and written as xlsx. Figures:

- the whole ingest of the seeds' PDFs without embedding (read + parse + merge + BM25/Sudachi + store, with the
  ``fake`` embedder) into a fresh index — target < 10 s;
- read + parse per file, per format;
- the choice of library: pdfplumber alone (what assistant/readers/pdf.py does) against its parts — characters
  with boxes from pdfplumber vs from pypdfium2 (the faster text layer), and pdfplumber's table finder alone —
  to see what a pypdfium2-text + pdfplumber-cells hybrid could save.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.domain.normalize import load_corrections  # noqa: E402
from assistant.ingest.reports import read_report  # noqa: E402
from assistant.pipeline import ingest  # noqa: E402
from assistant.retrieval.embed import load_embedder  # noqa: E402
from assistant.service import make_tokenizer  # noqa: E402

SEEDS = ("koganei_bouhan_h29-h30", "koganei_bouhan_r4-r6")
REPEATS = 3  # best of 3: the machine is shared, the minimum is the least disturbed run


def _fixture_script():
    spec = importlib.util.spec_from_file_location("make_report_fixtures", ROOT / "scripts" / "make_report_fixtures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def best_s(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def make_fixtures(folder: Path) -> dict[str, list[Path]]:
    script = _fixture_script()
    files: dict[str, list[Path]] = {"reportlab pdf": [], "libreoffice pdf": [], "xlsx": []}
    for seed in SEEDS:
        text = (ROOT / "data" / f"{seed}.txt").read_text(encoding="utf-8")
        pdf, xlsx = folder / f"{seed}.pdf", folder / f"{seed}.xlsx"
        script.render_pdf(text, pdf, script.diff_new_bullets(text, f"{seed}.txt"))
        script.write_xlsx(text, xlsx)
        files["reportlab pdf"].append(pdf)
        files["libreoffice pdf"].append(ROOT / "tests" / "data" / f"{seed}.lo.pdf")
        files["xlsx"].append(xlsx)
    return files


def pdfplumber_chars(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return sum(len(p.chars) for p in pdf.pages)


def pdfplumber_tables(path: Path) -> int:
    import pdfplumber

    from assistant.ingest.readers.pdf import TABLE_SETTINGS

    with pdfplumber.open(path) as pdf:
        return sum(len(p.find_tables(TABLE_SETTINGS)) for p in pdf.pages)


def pypdfium2_chars(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    n = 0
    for page in pdf:
        text = page.get_textpage()
        for i in range(text.count_chars()):
            text.get_charbox(i)
            n += 1
    pdf.close()
    return n


def bench_ingest_pdf(report, files: dict[str, list[Path]], folder: Path) -> None:
    """The seeds' PDFs in place of their text in a copy of data/, ingested with the fake embedder."""
    data = folder / "data"
    shutil.copytree(ROOT / "data", data)
    for txt in data.glob("*.txt"):
        txt.unlink()
    for pdf in files["reportlab pdf"]:
        shutil.copyfile(pdf, data / pdf.name)
    settings = Settings(data_dir=data, index_dir=folder / "index", embedder="fake")
    embedder, tokenizer = load_embedder("fake"), make_tokenizer(settings)
    started = time.perf_counter()
    corpus, _ = ingest(
        data, folder / "index", embedder=embedder, tokenizer=tokenizer, sudachi_mode=settings.sudachi_mode
    )
    report.add(
        "ingest_seed_pdfs_s",
        time.perf_counter() - started,
        "s",
        f"`ingest` of both seeds as reportlab PDFs ({len(corpus.bullets)} bullets): read, parse, merge, Sudachi "
        "+ BM25, store; fake embedder (no model)",
        limit=10.0,
    )


def bench_readers(report) -> None:
    report.section("6. reading the city's PDF / xlsx")
    corrections = load_corrections(ROOT / "data")
    folder = Path(tempfile.mkdtemp(prefix="bench-readers-"))
    try:
        files = make_fixtures(folder)
        bench_ingest_pdf(report, files, folder)
        for kind, paths in files.items():
            pages = sum(read_report(p, corrections).pages_read or 0 for p in paths)
            seconds = best_s(lambda paths=paths: [read_report(p, corrections) for p in paths])
            unit = "sheets" if kind == "xlsx" else "pages"
            report.add(
                f"read_parse_{kind.replace(' ', '_')}_s",
                seconds,
                "s",
                f"read + parse both seeds ({pages} {unit}), best of {REPEATS}",
            )
        pdfs = files["reportlab pdf"] + files["libreoffice pdf"]
        for key, fn, how in (
            ("pdfplumber_chars_s", pdfplumber_chars, "pdfplumber: every character with its box"),
            ("pdfplumber_tables_s", pdfplumber_tables, "pdfplumber: the table finder alone (ruled lines)"),
            ("pypdfium2_chars_s", pypdfium2_chars, "pypdfium2: every character with its box (text layer)"),
        ):
            count = sum(fn(p) for p in pdfs)
            report.add(key, best_s(lambda fn=fn: [fn(p) for p in pdfs]), "s", f"{how}; 4 PDFs, {count:,} items")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    from bench import Report

    report = Report(as_json=False)
    bench_readers(report)
