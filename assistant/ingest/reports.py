"""Report files → parsed reports: listing data/, reading each file, previewing an addition. No index work here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.domain.corpus import Corpus
from assistant.domain.model import ActivityBullet, Report
from assistant.domain.normalize import Corrections, normalize_text
from assistant.ingest.parse import ParseError, parse_table
from assistant.ingest.readers import REPORT_SUFFIXES, is_report, read_table
from assistant.ingest.readers.bounds import check_file_size


def read_report(path: Path, corrections: Corrections, name: str | None = None) -> Report:
    """Read and parse one report file (.txt, .pdf or .xlsx); :class:`ParseError` names the file and line/page."""
    name = name or path.name
    try:
        check_file_size(path.stat().st_size, name)  # before it is read into memory
        data = path.read_bytes()
    except OSError as e:
        raise ParseError(name, 0, f"cannot read the file: {e.strerror}") from None
    return parse_table(read_table(data, name), corrections)


def report_paths(data_dir: Path) -> list[Path]:
    """The report files in data/: text, PDF and workbook (not data/*.tsv, the tables of corrections)."""
    # Not Excel's lock files (~$report.xlsx) nor hidden ones (.report.pdf.tmp left by a killed copy). A missing
    # data/ has no reports (and a good index still serves: service.py).
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.iterdir() if is_report(p) and p.is_file() and not p.name.startswith(("~$", ".")))


def load_reports(paths: list[Path], corrections: Corrections) -> list[Report]:
    """Parse every file before anything is written: one bad file stops the whole ingest."""
    if not paths:
        raise ParseError("data/", 0, f"no report files ({', '.join('*' + s for s in REPORT_SUFFIXES)}) to ingest")
    reports = [read_report(p, corrections) for p in paths]
    names = [r.file for r in reports]
    if len(set(names)) != len(names):
        raise ParseError(names[0], 0, "two report files share one name")
    return reports


@dataclass(frozen=True)
class Preview:
    """What adding a report would change, shown before it is accepted."""

    file: str
    fiscal_years: tuple[int, ...]
    new_years: tuple[int, ...]
    replaced_years: tuple[int, ...]  # years already covered by an older report, now superseded
    new_measures: tuple[str, ...]
    matched_measures: tuple[str, ...]
    renamed_measures: tuple[tuple[str, str], ...]  # (new wording, earlier wording) with one id
    dropped_measures: tuple[str, ...]  # in the corpus but not in the new report


def preview_addition(corpus: Corpus, report: Report, corrections: Corrections) -> Preview:
    known_years = set(corpus.fiscal_years)
    new, matched, renamed = [], [], []
    for m in report.measures:
        if not corpus.has_measure(m.measure_id):
            new.append(m.name)
            continue
        matched.append(m.name)
        earlier = corpus.measure(m.measure_id).latest.name
        if normalize_text(earlier, corrections, squash=True) != normalize_text(m.name, corrections, squash=True):
            renamed.append((m.name, earlier))
    in_report = {m.measure_id for m in report.measures}
    return Preview(
        file=report.file,
        fiscal_years=report.fiscal_years,
        new_years=tuple(y for y in report.fiscal_years if y not in known_years),
        replaced_years=tuple(y for y in report.fiscal_years if y in known_years),
        new_measures=tuple(new),
        matched_measures=tuple(matched),
        renamed_measures=tuple(renamed),
        dropped_measures=tuple(m.name for m in corpus.measures if m.measure_id not in in_report),
    )


FIRST_BULLET_CHARS = 60  # enough to recognise an activity on the printed page, short enough for one line


def join_lines_of(report: Report) -> list[str]:
    """Every row read as one across a page break (or a repeated header), with where each part was printed, so
    that a person can hold the join against both printed pages."""
    if not report.joins:
        return ["  rows joined across a page: none"]
    lines = [f"  rows joined across a page ({len(report.joins)}):"]
    for join in report.joins:
        parts = " + ".join(
            f"line {p.line}" if p.page is None else p.label.removeprefix(f"{report.file} ")
            for p in (join.first, *join.rest)
        )
        lines.append(f"    {join.measure}: {parts}")
    return lines


def extraction_lines(report: Report) -> list[str]:
    """What a person checks against the printed report before accepting it: pages read, text that fitted no
    cell, the rows joined across a page, and each measure's first bullet with where it was read."""
    lines = []
    if report.pages_read is not None:
        unit = "sheets" if report.file.lower().endswith(".xlsx") else "pages"
        lines.append(f"  {unit} read: {report.pages_read}; table rows placed: measures {len(report.measures)}, "
                     f"bullets {len(report.bullets)}")  # fmt: skip
        if report.unplaced:
            lines.append(f"  could not place {len(report.unplaced)} text(s) in a cell:")
            lines.extend(f"    {u.source.label}: {u.text[:FIRST_BULLET_CHARS]}" for u in report.unplaced)
        else:
            lines.append("  could not place: none")
    if report.font_pages:
        pages = ", ".join(map(str, report.font_pages))
        lines.append(f"  font problem: text on page(s) {pages} may be misread (the PDF's fonts lack data); check them")
    lines.extend(join_lines_of(report))
    firsts: dict[str, ActivityBullet] = {}
    for b in report.bullets:
        firsts.setdefault(b.measure_id, b)
    lines.append("  first bullet of each measure:")
    for m in report.measures:
        first = firsts.get(m.measure_id)
        text = f"{first.text[:FIRST_BULLET_CHARS]}  ({first.source.label})" if first else "(no bullet)"
        lines.append(f"    {m.name}: {text}")
    return lines
