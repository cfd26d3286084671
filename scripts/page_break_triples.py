"""Does a PDF of the R4–R6 report that breaks rows across pages ingest to what its text ingests to?

    .venv/bin/python scripts/page_break_triples.py            # the page-break fixtures, rendered now
    .venv/bin/python scripts/page_break_triples.py a.pdf …    # any PDF (or xlsx) of the R4–R6 report

For each file: two data/ folders (the seeds as text; the same with the R4–R6 text replaced by the file), an
index built from each (the ``fake`` embedder: the export does not depend on it), and every bullet read back
through ``GET /api/export?format=json`` as (fiscal year, measure, text) triples. Printed: the share of the
text's triples the file gives and the share of the file's triples the text gives (multisets), with the text
as the project identifies it (domain/normalize.normalize_text: NFKC, the corrections, look-alikes such as the
CID fonts' WAVE DASH 〜 for the reports' ～, white space collapsed but kept) — the bar, ≥ 99 % both ways —
then verbatim, then with white space ignored (which tells a join or a split apart from a space put in).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = "koganei_bouhan_r4-r6"
TARGET = 0.99  # the issue's bar, both ways

Triple = tuple[int, str, str]


@dataclass(frozen=True)
class Agreement:
    file: str
    triples: int
    text_in_pdf: float  # share of the text's triples the file gives (normalised text)
    pdf_in_text: float  # share of the file's triples the text gives (normalised text)
    verbatim: tuple[float, float]  # the same, verbatim
    no_spaces: tuple[float, float]  # the same, white space ignored

    @property
    def passes(self) -> bool:
        return min(self.text_in_pdf, self.pdf_in_text) >= TARGET


def export_triples(data_dir: Path, index_dir: Path) -> Counter[Triple]:
    """Build an index of ``data_dir`` and read every bullet back through the export API."""
    from fastapi.testclient import TestClient

    from assistant.api.app import create_app
    from assistant.config import Settings
    from assistant.retrieval.embed import load_embedder
    from assistant.service import ingest_configured, open_assistant

    settings = Settings(data_dir=data_dir, index_dir=index_dir, embedder="fake", feedback=False)
    ingest_configured(settings, load_embedder("fake"))
    with TestClient(create_app(settings, open_assistant(settings, build=False))) as client:
        response = client.get("/api/export", params={"format": "json"})
        response.raise_for_status()
        rows = response.json()["rows"]
    return Counter((int(r["fiscal_year"]), str(r["measure"]), str(r["text"])) for r in rows)


def _share(a: Counter[Triple], b: Counter[Triple]) -> float:
    return sum((a & b).values()) / max(1, sum(a.values()))


def _recount(c: Counter[Triple], form) -> Counter[Triple]:  # type: ignore[no-untyped-def]
    out: Counter[Triple] = Counter()
    for (fy, m, t), n in c.items():
        out[(fy, form(m), form(t))] += n
    return out


def _both(a: Counter[Triple], b: Counter[Triple], form=None) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    if form is not None:
        a, b = _recount(a, form), _recount(b, form)
    return _share(a, b), _share(b, a)


def compare(report: Path, work: Path, text: Counter[Triple] | None = None) -> tuple[Agreement, Counter[Triple]]:
    """``report`` (named like the seed, any suffix) against the seeds' text; ``text``: the text side, if known."""
    if text is None:
        text = export_triples(_data(work / "text"), work / "text-index")
    data = _data(work / report.name)
    (data / f"{SEED}.txt").unlink()
    shutil.copyfile(report, data / f"{SEED}{report.suffix}")
    got = export_triples(data, work / f"{report.name}-index")
    from assistant.domain.normalize import load_corrections, normalize_text

    corrections = load_corrections(ROOT / "data")
    text_in_pdf, pdf_in_text = _both(text, got, lambda s: normalize_text(s, corrections))
    verbatim, no_spaces = _both(text, got), _both(text, got, lambda s: "".join(s.split()))
    return Agreement(report.name, sum(got.values()), text_in_pdf, pdf_in_text, verbatim, no_spaces), text


def _data(folder: Path) -> Path:
    shutil.copytree(ROOT / "data", folder)
    return folder


def _fixtures(folder: Path) -> list[Path]:
    spec = importlib.util.spec_from_file_location("make_report_fixtures", ROOT / "scripts" / "make_report_fixtures.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script
    spec.loader.exec_module(script)
    text = (ROOT / "data" / f"{SEED}.txt").read_text(encoding="utf-8")
    out = []
    for kind in ("longtable", "longtable-landscape", "pdf-block-break"):
        path = folder / kind / f"{SEED}.pdf"
        path.parent.mkdir(parents=True)
        if kind == "pdf-block-break":
            script.render_pdf(text, path, break_in=script.BLOCK_BREAK_MEASURE)
        else:
            script.render_longtable_pdf(text, path, portrait=kind == "longtable")
        out.append(path)
    return out


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = [Path(a) for a in argv] or _fixtures(work / "fixtures")
        text = None
        print(f"{'file':<46} {'triples':>7} {'text⊂pdf':>9} {'pdf⊂text':>9}   {'verbatim':>15}   {'no spaces':>15}")
        failed = 0
        for n, path in enumerate(files):
            named = work / f"in{n}" / f"{SEED}{path.suffix}"
            named.parent.mkdir()
            shutil.copyfile(path, named)
            a, text = compare(named, work / f"run{n}", text)
            label = f"{path.parent.name}/{path.name}"
            print(f"{label:<46} {a.triples:>7} {a.text_in_pdf:>9.1%} {a.pdf_in_text:>9.1%}   "
                  f"{a.verbatim[0]:>7.1%} {a.verbatim[1]:>7.1%}   {a.no_spaces[0]:>7.1%} {a.no_spaces[1]:>7.1%}"
                  f"{'' if a.passes else '  < 99 %'}")  # fmt: skip
            failed += not a.passes
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
