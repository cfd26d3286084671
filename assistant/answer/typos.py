"""A typed slip still reaches what was meant: 「学務化」 is 学務課, 「不審社」 is 不審者. Pure functions.

Only words the reports do not use are corrected, only to one word of the corpus (a department or a noun of the
index vocabulary) one edit away, and only when that word is the single such candidate: a correction that could
go two ways is not made. A katakana word of the vocabulary typed in hiragana (「防犯かめら」, which Sudachi
reads as 防犯 + か + めら) is written as the reports write it before the question is read (防犯カメラ). What was
read is said in the answer (「「不審者」として検索しました。」).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

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


_WORD_CHAR = re.compile(r"[\u4e00-\u9fff\u30a0-\u30ffー]")


def _continues(text: str, end: int) -> bool:
    """A kanji or katakana right after a span means the span ends inside a compound: 「地域安全マ」 of
    「地域安全マップ作り」 is no slip of 地域安全課; 「学務化の」 ends before の."""
    return end < len(text) and bool(_WORD_CHAR.match(text[end]))


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
                if span[:1] == d[:1] and within_one_edit(span, d) and not _continues(text, start + size):
                    hits.setdefault(d, span)
                    break
            if d in hits:
                break
    if len(hits) != 1:
        return None
    department, written = next(iter(hits.items()))
    return written, department


# ---- katakana typed in hiragana ------------------------------------------------------------------------------

# Shortest katakana word folded from its hiragana spelling: a two-kana one is mostly an ordinary word in
# hiragana (かめ is 亀, わん a bowl, けあ is nothing a reader means as ケア); from three kana on, the hiragana
# spelling of a word of the reports' vocabulary (かめら, ぶざー, めーる) is that word.
MIN_KANA_FOLD_CHARS = 3
# A morpheme a hiragana spelling cuts into, from this length on, is a word the reader wrote (ところ holds ころ of
# ころな); a shorter one is mostly a particle Sudachi fused to the word's edge (の+ち in 「のちーむ」, ど+の in
# 「がーどの」). Measured on the 51 katakana words of the index × 4 question frames: this folds 203/204 and still
# none of 「どんなところなの」, 「こころない」; requiring both edges at morpheme boundaries folded 188/204.
MIN_CUT_WORD_CHARS = 3
# Katakana ァ..ヶ (U+30A1..U+30F6) sit 0x60 above hiragana ぁ..ゖ; ー (U+30FC) is written in both.
KATAKANA_FIRST, KATAKANA_LAST, KANA_OFFSET = "ァ", "ヶ", 0x60
# Characters of a written compound around a folded word: kanji, katakana, ー and ・ (防犯 + カメラ, 安全・安心 +
# メール), no hiragana.
_COMPOUND = re.compile(r"[\u3400-\u9fff\u30a1-\u30fc々]+")


def to_hiragana(word: str) -> str:
    """The hiragana spelling of a katakana word: カメラ → かめら, パトロール → ぱとろーる (ー kept)."""
    return "".join(chr(ord(c) - KANA_OFFSET) if KATAKANA_FIRST <= c <= KATAKANA_LAST else c for c in word)


def is_katakana_word(word: str) -> bool:
    """All katakana (ー allowed), at least :data:`MIN_KANA_FOLD_CHARS` long, not only ー."""
    return (
        len(word) >= MIN_KANA_FOLD_CHARS
        and all(KATAKANA_FIRST <= c <= KATAKANA_LAST or c == "ー" for c in word)
        and to_hiragana(word) != word
    )


@lru_cache(maxsize=4)  # one vocabulary per index; a frozenset caches its hash, so a lookup is cheap
def katakana_words(vocabulary: frozenset[str]) -> tuple[str, ...]:
    """The vocabulary's katakana words (:func:`is_katakana_word`): the words to fold."""
    return tuple(w for w in vocabulary if is_katakana_word(w))


def morpheme_spans(surfaces: Iterable[str]) -> tuple[tuple[int, int], ...]:
    """(start, end) offsets of each morpheme, from the surfaces of every morpheme of a text, in order."""
    spans, at = [], 0
    for s in surfaces:
        spans.append((at, at + len(s)))
        at += len(s)
    return tuple(spans)


def cuts_a_word(spans: Iterable[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``text[start:end]`` cuts into a morpheme of :data:`MIN_CUT_WORD_CHARS` or more on either edge."""
    return any(
        b - a >= MIN_CUT_WORD_CHARS and (a < start < b or a < end < b) for a, b in spans if a < end and b > start
    )


def fold_katakana(
    text: str, words: Iterable[str], spans: Iterable[tuple[int, int]] | None = None
) -> tuple[str, tuple[str, ...]]:
    """(text, words folded): every hiragana spelling in ``text`` of a katakana word (:func:`is_katakana_word`)
    written as the word, longest word first (「ころなういるす」 is コロナウイルス, not コロナ + ういるす).

    With ``spans`` (:func:`morpheme_spans` of ``text``), a spelling that cuts into a word (:func:`cuts_a_word`)
    stays as written: 「どんなところなの」 holds ころな inside ところ. A word already written in katakana has no
    hiragana spelling in the text and is left alone. Folding keeps the text's length, so the offsets hold."""
    cut = tuple(spans) if spans is not None else ()
    folded: list[str] = []
    for word in sorted({w for w in words if is_katakana_word(w)}, key=lambda w: (-len(w), w)):
        spelling, at = to_hiragana(word), 0
        while (at := text.find(spelling, at)) >= 0:
            end = at + len(spelling)
            if not cuts_a_word(cut, at, end):
                text = text[:at] + word + text[end:]
                folded.append(word)
            at = end
    return text, tuple(dict.fromkeys(folded))


def compound_of(text: str, word: str) -> str:
    """The written compound holding the first ``word`` of ``text``, for saying what was searched:
    「防犯カメラはどこに」 → 防犯カメラ; 「ぼうはんブザー」 → ブザー. ``word`` itself when it is not in ``text``."""
    at = text.find(word)
    if at < 0:
        return word
    for m in _COMPOUND.finditer(text):
        if m.start() <= at < m.end():
            return m.group()
    return word
