"""A typed slip still reaches what was meant: 「学務化」 is 学務課, 「不審社」 is 不審者. Pure functions.

Only words the reports do not use are corrected, only to one word of the corpus (a department or a noun of the
index vocabulary) one edit away, and only when that word is the single such candidate: a correction that could
go two ways is not made. What was read is said in the answer (「「不審者」として検索しました。」).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# Shortest word a correction applies to: one edit in a two-character word (課題 → 課長) changes its meaning.
MIN_TYPO_CHARS = 3
# Characters of a question searched for a mistyped department: a department is named near the start
# (「学務化の取組みは？」); the bound keeps a 500-character question linear and cheap.
DEPARTMENT_SCAN_CHARS = 80


def within_one_edit(a: str, b: str) -> bool:
    """One substitution, insertion or deletion turns ``a`` into ``b`` (or they are equal). Linear in length."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def correction(word: str, candidates: Iterable[str]) -> str | None:
    """The one candidate one edit from ``word`` (not ``word`` itself), or None when none or several are."""
    if len(word) < MIN_TYPO_CHARS:
        return None
    found = {c for c in candidates if c != word and len(c) >= MIN_TYPO_CHARS and within_one_edit(word, c)}
    return found.pop() if len(found) == 1 else None


def department_in(text: str, departments: Sequence[str]) -> tuple[str, str] | None:
    """(written, department) for a department typed with one slip (「学務化」, 「地域安全か」): a span of the text of a
    department's length ±1 that is one edit from it, the only department that matches."""
    hits: dict[str, str] = {}
    text = text[:DEPARTMENT_SCAN_CHARS]
    for d in departments:
        if len(d) < MIN_TYPO_CHARS or d in text:
            continue
        for size in (len(d), len(d) + 1, len(d) - 1):  # a slip of the same length first: 地域安全か, not 地域安全
            for start in range(0, max(len(text) - size + 1, 0)):
                span = text[start : start + size]
                if span[:1] == d[:1] and within_one_edit(span, d):
                    hits.setdefault(d, span)
                    break
            if d in hits:
                break
    if len(hits) != 1:
        return None
    department, written = next(iter(hits.items()))
    return written, department
