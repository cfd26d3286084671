"""Adding a report to data/: which names it may have, and exactly what it replaces (issue 17, items 3 and 13).

A report supplies the fiscal years it covers unless a report ending later covers them too (domain/corpus.py:
merge_reports). So a new report takes over the shared years of every report that ends before it (next year's
report takes 令和6年度 from the R4–R6 report, as done work instead of plans), and nothing else. Any other overlap
is refused: a report ending the same year would win or lose by its file name, and one ending earlier would add
only measures with no bullets (「a_draft r4-r6.txt」 once printed "replacing years: [2022, 2023, 2024]", replaced
nothing and added 4 empty measures). ``--replace NAME`` says which report of data/ the new one replaces: that one
is then left out (and removed from data/ once the new index is built).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.domain.model import Report
from assistant.ingest.parse import ParseError
from assistant.ingest.readers import REPORT_SUFFIXES, is_report

# The tables of data/ that are not reports (retrieval/index.py QUERY_DATA_FILES, plus the departments table):
# a report given one of these names would overwrite it, and every endpoint would then answer 503.
DATA_TABLES = frozenset(
    {"corrections.tsv", "measure_aliases.tsv", "synonyms.tsv", "relevance_calibration.tsv", "departments.tsv"}
)


def check_report_name(report: Path, data_dir: Path) -> None:
    """Refuse a file that must not become data/<its name>: a data table, any other file of data/ that is not a
    report, a name report_paths would never list again (Excel's lock files ~$…, hidden .…), a suffix that is
    not a report's."""
    name = report.name
    existing = data_dir / name
    if name in DATA_TABLES or (existing.exists() and not (existing.is_file() and is_report(existing))):
        raise ParseError(name, 0, f"data/{name} is a data table or another file, not a report: rename the report")
    if name.startswith("~$"):
        raise ParseError(name, 0, "an Excel lock file (~$…), not the workbook: give the workbook itself")
    if name.startswith("."):
        raise ParseError(name, 0, "a hidden file name (.…) is never read from data/: rename the report")
    if not is_report(report):
        suffixes = ", ".join(REPORT_SUFFIXES)
        raise ParseError(name, 0, f"not a report file name (a report ends in {suffixes}): rename it")


@dataclass(frozen=True)
class Addition:
    """What adding ``file`` does to data/, decided before anything is written."""

    file: str
    same_name: bool  # data/<file> exists and is replaced by the new bytes
    replaced: str | None  # --replace: the report left out and removed
    taken_over: tuple[tuple[int, str], ...]  # (year, report ending earlier that supplied it)
    new_years: tuple[int, ...]

    def lines(self) -> list[str]:
        """Exactly what will replace what, for the dry run and the ingest."""
        out = []
        if self.same_name:
            out.append(f"  replaces data/{self.file} (same name) with the new file")
        if self.replaced is not None:
            out.append(f"  replaces data/{self.replaced} (--replace): it is removed from data/")
        for year, file in self.taken_over:
            out.append(f"  {year}: from this report instead of {file} (which ends earlier)")
        return out


def plan_addition(existing: Sequence[Report], new: Report, replace: str | None = None) -> Addition:
    """What ``new`` replaces among ``existing`` (the reports of data/), or :class:`ParseError` when it would
    overlap a report it does not supersede and ``replace`` does not name that report."""
    same_name = any(r.file == new.file for r in existing)
    others = [r for r in existing if r.file != new.file]
    if replace is not None and replace not in {r.file for r in others}:
        names = ", ".join(r.file for r in others) or "none"
        raise ParseError(new.file, 0, f"--replace {replace}: no such report in data/ (reports: {names})")
    kept = [r for r in others if r.file != replace]
    last = max(new.fiscal_years)
    taken: list[tuple[int, str]] = []
    blocking: list[tuple[Report, list[int]]] = []
    for r in kept:
        shared = sorted(set(r.fiscal_years) & set(new.fiscal_years))
        if not shared:
            continue
        if max(r.fiscal_years) < last:
            taken.extend((y, r.file) for y in shared)
        else:
            blocking.append((r, shared))
    if blocking:
        r, shared = blocking[0]
        years = ", ".join(str(y) for y in shared)
        raise ParseError(
            new.file,
            0,
            f"covers {years}, already supplied by {r.file}, which does not end earlier ({max(r.fiscal_years)} ≥ "
            f"{last}); if this report replaces it, ingest with --replace {r.file}",
        )
    known = {y for r in kept for y in r.fiscal_years}
    new_years = tuple(y for y in new.fiscal_years if y not in known)
    return Addition(new.file, same_name, replace, tuple(sorted(taken)), new_years)


def check_no_ties(reports: Sequence[Report]) -> None:
    """Two reports of data/ that share a year and end the same year: which supplies it would depend on their file
    names. Refused (start-up keeps serving the previous index and says so)."""
    for i, a in enumerate(reports):
        for b in reports[i + 1 :]:
            shared = sorted(set(a.fiscal_years) & set(b.fiscal_years))
            if shared and max(a.fiscal_years) == max(b.fiscal_years):
                first, second = sorted((a.file, b.file))
                raise ParseError(
                    second,
                    0,
                    f"covers {', '.join(map(str, shared))} as {first} does, ending the same year: keep one of "
                    f"them in data/ (assistant ingest --replace says which one a new report replaces)",
                )
