"""The faithfulness rules every answer keeps, as one helper the planner tests and the answer-file tests share.

1. every figure in the lead is in a bullet the lead cites;
2. every [n] resolves to a citation whose verbatim text is in the source line it names, and the displayed text
   is the verbatim text with data/corrections.tsv applied;
3. every content word of the lead is in what the answer cites, or is the absent word
   (:func:`assistant.answer.faithful.unsupported_words`, which `assistant eval` reports too).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from assistant.answer import Answer
from assistant.answer.faithful import unsupported_words
from assistant.answer.phrase import Morphemes
from assistant.domain.figures import UNITS
from assistant.domain.normalize import Corrections

FIGURE = re.compile(rf"\d[\d,.]*(?:{'|'.join(UNITS)})")
MARKER = re.compile(r"\[(\d+)\]")


def faithfulness_failures(
    a: Answer, data_dir: Path, corrections: Corrections, morphemes: Morphemes, templates: Iterable[str]
) -> list[str]:
    """What breaks the rules above, one line each; [] for a faithful answer."""
    failures = []
    numbers = {c.number: c for c in a.citations}
    unknown = sorted({int(n) for n in MARKER.findall(a.text)} - numbers.keys())
    if unknown:
        return [f"markers without a citation: {unknown}"]
    lead_cited = [numbers[int(n)] for n in MARKER.findall(a.lead)]
    for figure in FIGURE.findall(unicodedata.normalize("NFKC", a.lead)):
        if not any(figure in unicodedata.normalize("NFKC", c.text) for c in lead_cited):
            failures.append(f"figure {figure} is in no bullet the lead cites")
    for n in sorted({int(n) for n in MARKER.findall(a.text)}):
        c = numbers[n]
        for o in c.occurrences:
            line = (data_dir / o.source.file).read_text(encoding="utf-8").splitlines()[o.source.line - 1]
            if c.text_verbatim not in line:
                failures.append(f"[{n}] is not verbatim in {o.source.file}:{o.source.line}")
        if c.text != corrections.apply(c.text_verbatim):
            failures.append(f"[{n}] displays other text than its verbatim text corrected")
    words = unsupported_words(a, morphemes, templates)
    if words:
        failures.append(f"lead words in nothing it cites: {'、'.join(words)}")
    return list(dict.fromkeys(failures))  # a text reported in two columns names the same line twice
