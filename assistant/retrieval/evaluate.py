"""Retrieval quality on judged questions: Hit@1, Hit@5, MRR@10 for each ranking, and the misses.

Question file: JSON lines with ``q``, relevant ``measures`` (names), optional ``fy`` (the answer's
fiscal year) and optional ``must`` (a substring the relevant bullet contains). A hit is relevant when
its measure is listed, ``fy`` is among its years, and its text contains ``must``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from assistant.domain.normalize import normalize_text
from assistant.retrieval.search import Hit, Ranking, Searcher

T = TypeVar("T")


@dataclass(frozen=True)
class Judgement:
    id: str
    q: str
    measures: tuple[str, ...]
    fy: int | None = None
    must: str | None = None


@dataclass(frozen=True)
class Outcome:
    judgement: Judgement
    rank: int | None  # 1-based rank of the first relevant hit, None if not in the top k
    top: tuple[str, ...]  # the first hits, for reading misses


@dataclass
class RankingScores:
    ranking: Ranking
    outcomes: list[Outcome] = field(default_factory=list)

    def hit_at(self, k: int) -> float:
        return sum(1 for o in self.outcomes if o.rank is not None and o.rank <= k) / max(len(self.outcomes), 1)

    def mrr(self, k: int = 10) -> float:
        return sum(1.0 / o.rank for o in self.outcomes if o.rank is not None and o.rank <= k) / max(
            len(self.outcomes), 1
        )


@dataclass
class EvalReport:
    file: str
    rankings: list[RankingScores]

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "questions": len(self.rankings[0].outcomes) if self.rankings else 0,
            "rankings": {
                r.ranking.value: {
                    "hit@1": round(r.hit_at(1), 4),
                    "hit@5": round(r.hit_at(5), 4),
                    "mrr@10": round(r.mrr(10), 4),
                    "misses": [
                        {"id": o.judgement.id, "q": o.judgement.q, "rank": o.rank, "top": list(o.top)}
                        for o in r.outcomes
                        if o.rank is None or o.rank > 1
                    ],
                }
                for r in self.rankings
            },
        }


def read_jsonl(path: Path, parse: Callable[[int, dict[str, Any]], T], what: str) -> list[T]:
    """One record per non-blank JSON line; a bad line is a ValueError naming its number and ``what`` it is not."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(parse(n, json.loads(line)))
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"line {n}: not {what} ({e})") from None
    if not out:
        raise ValueError("no questions in the file")
    return out


def _judgement(n: int, row: dict[str, Any]) -> Judgement:
    return Judgement(
        id=str(row.get("id", n)), q=row["q"], measures=tuple(row["measures"]), fy=row.get("fy"), must=row.get("must")
    )


def read_judgements(path: Path) -> list[Judgement]:
    return read_jsonl(path, _judgement, "a judged question")


def is_relevant(hit: Hit, j: Judgement) -> bool:
    names = {normalize_text(m, squash=True) for m in j.measures}
    if normalize_text(hit.measure.name, squash=True) not in names and not any(
        normalize_text(v.name, squash=True) in names for v in hit.measure.versions
    ):
        return False
    if j.fy is not None and j.fy not in hit.fiscal_years:
        return False
    return not (j.must and normalize_text(j.must) not in normalize_text(hit.bullet.text))


def evaluate(searcher: Searcher, judgements: list[Judgement], top_k: int = 10) -> list[RankingScores]:
    results = []
    for ranking in (Ranking.LEXICAL, Ranking.DENSE, Ranking.FUSED):
        scores = RankingScores(ranking)
        for j in judgements:
            hits = searcher.search(j.q, top_k=top_k, ranking=ranking).hits
            rank = next((h.rank for h in hits if is_relevant(h, j)), None)
            top = tuple(f"{h.measure.name} [{h.bullet.fiscal_year}] {h.bullet.text[:30]}" for h in hits[:3])
            scores.outcomes.append(Outcome(j, rank, top))
        results.append(scores)
    return results


def evaluate_file(searcher: Searcher, path: Path, top_k: int = 10) -> EvalReport:
    return EvalReport(str(path), evaluate(searcher, read_judgements(path), top_k))


def format_report(report: EvalReport) -> str:
    lines = [f"{report.file}: {len(report.rankings[0].outcomes)} questions", "", "ranking   Hit@1  Hit@5  MRR@10"]
    for r in report.rankings:
        lines.append(f"{r.ranking.value:<8} {r.hit_at(1):6.3f} {r.hit_at(5):6.3f} {r.mrr(10):7.3f}")
    for r in report.rankings:
        misses = [o for o in r.outcomes if o.rank is None or o.rank > 1]
        lines.append(f"\n{r.ranking.value}: not first ({len(misses)})")
        for o in misses:
            lines.append(f"  {o.judgement.id} rank={o.rank or '-'} {o.judgement.q}")
            lines.extend(f"      {t}" for t in o.top)
    return "\n".join(lines)
