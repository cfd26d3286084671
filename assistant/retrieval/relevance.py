"""Is a question about what the reports cover at all? A gate fitted on labelled questions, not a magic number.

Dense cosines of multilingual-e5 sit in a narrow band (0.80–0.92 here) whatever the question, and
BM25 fires on any shared word (ごみ, 保育園). Neither alone separates 「今日の天気は？」 from
「夜道が暗くて怖い」, so the gate combines them, ``cosine + weight · log1p(bm25) ≥ threshold``, and
fits weight and threshold on ``data/relevance_calibration.tsv`` with the embedder actually in use.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

from assistant.domain.normalize import tsv_lines
from assistant.tuning import WEIGHTS


@dataclass(frozen=True)
class Gate:
    weight: float
    threshold: float
    accuracy: float  # balanced accuracy on the calibration questions
    n_in: int
    n_out: int

    def score(self, cosine: float, bm25: float) -> float:
        return cosine + self.weight * math.log1p(max(bm25, 0.0))

    def accepts(self, cosine: float, bm25: float) -> bool:
        return self.score(cosine, bm25) >= self.threshold


def read_calibration(path: Path) -> list[tuple[bool, str]]:
    rows = []
    for n, cells in tsv_lines(path):
        label, question = cells[0], "\t".join(cells[1:])
        if label not in ("in", "out") or not question.strip():
            raise ValueError(f"{path}:{n}: expected 'in' or 'out', a tab, and a question")
        rows.append((label == "in", question.strip()))
    return rows


def fit_gate(points: list[tuple[bool, float, float]]) -> Gate:
    """Choose weight and threshold maximising balanced accuracy on (is_in, cosine, bm25) points.

    The threshold sits midway between the two scores it separates, so a new question that scores like
    the lowest in-domain example is still accepted. Ties prefer the smaller weight (fewer assumptions).
    """
    ins = [(c, b) for is_in, c, b in points if is_in]
    outs = [(c, b) for is_in, c, b in points if not is_in]
    if not ins or not outs:
        raise ValueError("calibration needs both 'in' and 'out' questions")
    best: Gate | None = None
    for w in WEIGHTS:
        s_in = sorted(c + w * math.log1p(max(b, 0.0)) for c, b in ins)
        s_out = sorted(c + w * math.log1p(max(b, 0.0)) for c, b in outs)
        candidates = sorted(set(s_in + s_out))
        cuts = [(a + b) / 2 for a, b in itertools.pairwise(candidates)] or candidates
        for t in cuts:
            tpr = sum(s >= t for s in s_in) / len(s_in)
            tnr = sum(s < t for s in s_out) / len(s_out)
            acc = (tpr + tnr) / 2
            if best is None or acc > best.accuracy + 1e-12:
                best = Gate(w, t, acc, len(s_in), len(s_out))
    assert best is not None
    return best
