"""Which words of a question the reports use at all: the evidence for "the reports say nothing about 万引き".

Retrieval always returns *something*; whether the reports mention what was asked is a different
question, answered here from the index's own vocabulary. A question's content nouns (Sudachi mode-C
units) are looked up in the BM25 vocabulary, directly or through a group of ``data/synonyms.tsv``
that the reports use. Generic nouns (対策, 取組み, 市 …) say nothing about the topic and are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from assistant.retrieval.tokenize import SynonymTable, expand_query
from assistant.tuning import RARE_SHARE

# Distinct topic strings whose words are kept: a few answers' worth of questions and follow-ups.
TOPIC_WORDS_CACHE = 1024

# Nouns that name no topic of their own in a question about these reports: the reports' whole domain
# (防犯), kinds of action (対策, 取組み, 防止), the city, and words of asking. Chosen by reading the content
# nouns of the calibration and retrieval question files: none of these decides what a question is about.
GENERIC_NOUNS = frozenset(
    {
        "対策", "取り組み", "取組", "防止", "施策", "活動", "事業", "実施", "予定", "実績", "内容", "状況", "方法",
        "行為", "市", "市内", "小金井", "小金井市", "心配", "不安", "幾つ", "何", "方", "為", "件数",
        "数", "回数", "台数", "人数", "今", "現在", "最近", "最新", "一覧", "担当", "課", "部署", "防犯", "犯罪",
        "被害", "安全", "安心", "取り組む", "様子", "支援", "整備", "推進", "とき", "時", "場合", "本当", "全部",
        "事", "こと",  # 「防犯カメラのことを教えて」: こと names no topic
    }
)  # fmt: skip


@dataclass(frozen=True)
class TermCheck:
    """A question's content nouns, split by whether the reports use them."""

    present: tuple[str, ...]  # normalised forms
    missing: tuple[str, ...]  # as the question wrote them (ひったくり), to be named in the answer
    rare: tuple[str, ...]  # present and specific (see RARE_SHARE)

    @property
    def all_missing(self) -> bool:
        return bool(self.missing) and not self.present

    @property
    def mostly_missing(self) -> bool:
        return len(self.missing) > len(self.present)


class Vocabulary:
    """The words the indexed passages use, with how many passages use each."""

    def __init__(
        self,
        document_frequency: Mapping[str, int],
        documents: int,
        nouns: Callable[[str], list[tuple[str, str]]],
        tokens: Callable[[str], list[str]],
        synonyms: SynonymTable,
    ) -> None:
        self.df, self.documents, self.nouns, self.tokens = document_frequency, max(documents, 1), nouns, tokens
        self.synonyms = synonyms
        # Every noun of a synonym group counts as used when the reports use one of the group's terms:
        # 青パト is in no report, but CoCoパトロール is.
        covered: set[str] = set()
        for group in synonyms.groups:
            if any(all(t in self.df for t in tokens(term)) and tokens(term) for term in group):
                for term in group:
                    covered.update(norm for _, norm in nouns(term))
        self.covered = frozenset(covered)
        self._used: frozenset[str] | None = None
        self._last_chars: frozenset[str] | None = None
        # Asked several times per answer (ordering the lead, matching figures, the responsible department).
        self.topic_words = lru_cache(maxsize=TOPIC_WORDS_CACHE)(self._topic_words)  # type: ignore[method-assign]

    @classmethod
    def from_bm25(
        cls,
        vocab: Mapping[str, int],
        indptr: object,
        documents: int,
        nouns: Callable[[str], list[tuple[str, str]]],
        tokens: Callable[[str], list[str]],
        synonyms: SynonymTable,
    ) -> Vocabulary:
        """From a bm25s index: its vocabulary and, per term, the column pointers of its score matrix."""
        ptr = list(indptr)  # type: ignore[call-overload]
        df = {t: int(ptr[i + 1] - ptr[i]) if i + 1 < len(ptr) else 1 for t, i in vocab.items() if t}
        return cls(df, documents, nouns, tokens, synonyms)

    def is_used(self, noun: str) -> bool:
        return noun in self.df or noun in self.covered

    def uses_any_part(self, word: str) -> bool:
        """Whether the reports use the word or any of its parts (search-mode tokens): 登録者数 shares 登録 with
        加入登録数; 補助額 shares nothing."""
        parts = [t for t in self.tokens(word) if t not in GENERIC_NOUNS and len(t) > 1]
        nouns = [n for _, n in self.nouns(word)]
        return any(self.is_used(t) for t in parts) or any(self.is_used(n) or self._ends_a_word(n) for n in nouns)

    def _ends_a_word(self, noun: str) -> bool:
        """A one-character noun the index never holds alone but that ends a word of the reports: 車 of 庁用車 and
        パトロール車 (a Japanese compound names its kind last), so 「青色回転灯のついた車」 is not absent."""
        if len(noun) != 1:
            return False
        if self._last_chars is None:
            self._last_chars = frozenset(t[-1] for t in self.df if len(t) >= 2)
        return noun in self._last_chars

    @property
    def nouns_used(self) -> frozenset[str]:
        """The words the passages use, as the index holds them (normalised): the candidates for a typo."""
        if self._used is None:
            self._used = frozenset(t for t in self.df if len(t) >= 2 and not t.isascii())
        return self._used

    def specificity(self, word: str) -> float:
        """How specific a word is to few passages: the largest log(N / df) of its parts the reports use (0 for a
        word they never use): 防犯ブザー outweighs 児童."""
        dfs = [self.df[t] for t in self.tokens(word) if t in self.df and self.df[t] > 0]
        return max((math.log(self.documents / d) for d in dfs), default=0.0)

    def topic_words(self, text: str) -> tuple[str, ...]:
        return self._topic_words(text)

    def _topic_words(self, text: str) -> tuple[str, ...]:
        """The question's non-generic nouns as written, with those of its synonym groups: the words a bullet
        about the same thing would use (「青パトの車両数」 → 青, パト, CoCoパトロール, …)."""
        expanded = expand_query(text, self.synonyms)
        return tuple(w for w, n in self.nouns(expanded) if n not in GENERIC_NOUNS and len(w) > 1)

    def check(self, text: str) -> TermCheck:
        content = [(w, n) for w, n in self.nouns(text) if n not in GENERIC_NOUNS and not n.startswith("何")]
        present = tuple(n for _, n in content if self.is_used(n) or self._ends_a_word(n))
        missing = _merge_adjacent([w for w, n in content if not (self.is_used(n) or self._ends_a_word(n))], text)
        rare = tuple(n for n in present if 0 < self.df.get(n, 0) <= RARE_SHARE * self.documents)
        return TermCheck(present, missing, rare)


def _merge_adjacent(words: list[str], text: str) -> tuple[str, ...]:
    """Missing nouns written next to each other are one word to a reader: 花火 + 大会 → 花火大会."""
    merged: list[str] = []
    for w in words:
        if merged and merged[-1] + w in text:
            merged[-1] += w
        else:
            merged.append(w)
    return tuple(merged)
