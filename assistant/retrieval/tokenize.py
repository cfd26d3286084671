"""Japanese tokenisation for retrieval (Sudachi), and the reviewable query-synonym table.

Tokens are Sudachi normalised forms, lower-cased, after NFKC, so spelling variants
(街路燈/街路灯, 引越し/引っ越し, full-width digits) meet in one term for BM25.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sudachipy import Dictionary, Morpheme, SplitMode, Tokenizer

from assistant.domain.normalize import tsv_lines

SplitModeName = Literal["A", "B", "C", "search"]

# Dropped parts of speech, as POS prefixes (a prefix matches every POS that starts with it).
# Kept: 名詞 (common, proper, numerals and counters), 動詞, 形容詞, 形状詞.
# Function words and punctuation carry no topic; 代名詞/副詞/連体詞/接続詞 are question
# boilerplate (どこ, どのくらい, その, また); 接頭辞 is mostly お/御/新/全, which would otherwise
# make お年寄り and 年寄り differ. Standalone 接尾辞 (等, 隊, 者) are noise, but they still
# join the noun before them (see ``compounds``).
DEFAULT_STOP_POS: frozenset[tuple[str, ...]] = frozenset(
    {
        ("助詞",),
        ("助動詞",),
        ("補助記号",),
        ("記号",),
        ("空白",),
        ("接頭辞",),
        ("接尾辞",),
        ("代名詞",),
        ("副詞",),
        ("連体詞",),
        ("接続詞",),
        ("感動詞",),
        ("形状詞", "助動詞語幹"),  # よう, そう
    }
)

# Light verbs that match nearly every row (パトロールを行います) or only carry politeness or
# negation, formal nouns (こと, ため) and 何 (何回, 何台: a question word Sudachi calls a numeral).
# Compared with normalised forms, so する is 為る and いる is 居る.
DEFAULT_STOP_LEMMAS: frozenset[str] = frozenset(
    {
        "為る", "有る", "在る", "居る", "成る", "出来る", "行う", "致す", "言う",
        "下さる", "頂く", "貰う", "呉れる", "御座る", "無い", "欲しい",
        "事", "こと", "物", "為", "様", "所", "何",
    }
)  # fmt: skip

# Bound suffixes that would only glue noise onto the noun before them (事業所等, 子ども達).
_NON_JOINING_SUFFIXES = frozenset({"等", "達", "ら", "向け"})


@dataclass(frozen=True)
class Morph:
    """One Sudachi morpheme as plain data: what was written, its part of speech, its normalised and dictionary
    forms. The answer layer reads a question's shape and cuts phrases with these; judging reads a lead's."""

    surface: str
    pos: tuple[str, ...]  # every level: ("名詞", "普通名詞", "一般", "*", "*", "*")
    normalized: str  # Sudachi's normalised form: 為る for し, 子供達 for 子どもたち
    dictionary: str = ""  # the dictionary form: 配る for 配っ
    known: bool = True  # in Sudachi's dictionary (not an unknown word it guessed)

    @property
    def noun(self) -> bool:
        return self.pos[0] == "名詞" and self.pos[1] != "数詞"

    @property
    def number(self) -> bool:
        return self.pos[1] == "数詞"

    @property
    def particle(self) -> bool:
        return self.pos[0] == "助詞"


class SudachiTokenizer:
    """Callable ``tok(text) -> list[str]`` that is safe to share between threads.

    ``mode="search"`` (default) emits each mode-C unit and, when it splits, its mode-A sub-units,
    so a compound and its parts both match (暴力団 → 暴力団, 暴力), as Elasticsearch's
    analysis-sudachi "search" mode does. On the dev questions over bullet-sized documents it
    ranked the right measure first more often than plain A or C did (0.98 against 0.95).

    ``compounds`` also emits a noun joined with the bound units that follow it: suffixes
    (街路+燈 → 街路灯, 自転車+盗 → 自転車盗) and, after a number, its counter (203+回 → 203回),
    so 「203回」 matches that figure rather than every 203 and every 回. Joining noun+noun too
    (防犯+カメラ) was measured and dropped: its extra terms pushed the right bullet down.
    """

    def __init__(
        self,
        mode: SplitModeName = "search",
        stop_pos: Collection[tuple[str, ...]] = DEFAULT_STOP_POS,
        stop_lemmas: Collection[str] = DEFAULT_STOP_LEMMAS,
        *,
        compounds: bool = True,
    ) -> None:
        if mode not in ("A", "B", "C", "search"):
            raise ValueError(f"unknown split mode {mode!r}")
        self.mode: SplitModeName = mode
        self.stop_pos = frozenset(tuple(p) for p in stop_pos)
        self.stop_lemmas = frozenset(stop_lemmas)
        self.compounds = compounds
        # Loaded on first call, never at import or construction: processes that only import the
        # package (tests, CLI --help, workers serving cached answers) should not pay for it.
        self._dictionary: Dictionary | None = None
        self._lock = threading.Lock()
        # A Sudachi Tokenizer refuses concurrent use ("Already borrowed" in 0.6, "already in use"
        # in 0.7), so each thread gets its own; the Dictionary is shared (see the threaded test).
        self._local = threading.local()
        self._stop_cache: dict[tuple[str, ...], bool] = {}

    def _sudachi(self) -> Tokenizer:
        tok: Tokenizer | None = getattr(self._local, "tokenizer", None)
        if tok is None:
            with self._lock:
                if self._dictionary is None:
                    self._dictionary = Dictionary()
            mode = {"A": SplitMode.A, "B": SplitMode.B}.get(self.mode, SplitMode.C)
            # 0.7 deprecates create() in favour of tokenizer(); 0.6 only has create().
            make = getattr(self._dictionary, "tokenizer", None) or self._dictionary.create
            tok = self._local.tokenizer = make(mode)
        return tok

    def _keep(self, m: Morpheme) -> bool:
        pos = m.part_of_speech()
        stop = self._stop_cache.get(pos)
        if stop is None:
            stop = any(pos[: len(p)] == p for p in self.stop_pos)
            self._stop_cache[pos] = stop  # benign race: every thread computes the same value
        return not stop and m.normalized_form() not in self.stop_lemmas

    def __call__(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text)
        if not text.strip():
            return []
        out: list[str] = []
        left: str | None = None  # the preceding noun, which a suffix or counter may join
        after_number = False
        for m in self._sudachi().tokenize(text):
            norm = m.normalized_form().lower()
            kept = self._keep(m)
            if kept:
                out.append(norm)
                if self.mode == "search":
                    subs = m.split(SplitMode.A)
                    if len(subs) > 1:
                        out.extend(s.normalized_form().lower() for s in subs if self._keep(s))
            if not self.compounds:
                continue
            pos = m.part_of_speech()
            if pos[0] == "接尾辞" and norm not in _NON_JOINING_SUFFIXES:
                # A suffix belongs to its word, so the chain grows: 庁+用 → 庁用, +車 → 庁用車.
                left = self._join(out, left, norm)
            elif pos[0] == "名詞" and pos[1] != "数詞":
                if after_number:
                    self._join(out, left, norm)  # 203+回 → 203回, 2024+年度 → 2024年度
                left = norm
            else:
                left = norm if kept and pos[1] == "数詞" else None
            after_number = kept and pos[1] == "数詞"
        return out

    def nouns(self, text: str) -> list[tuple[str, str]]:
        """The content nouns of ``text`` as whole words (mode-C units), each as (written, normalised form):
        「客引き行為の防止」 → 客引き, 行為, 防止; 「ひったくり」 → (ひったくり, 引っ手繰り). Numerals and counters are
        left out. Used to tell what a question is about."""
        text = unicodedata.normalize("NFKC", text)
        if not text.strip():
            return []
        out: dict[str, str] = {}
        for m in self._sudachi().tokenize(text):
            pos = m.part_of_speech()
            if pos[0] == "名詞" and pos[1] != "数詞" and "助数詞" not in pos[2] and self._keep(m):
                out.setdefault(m.normalized_form().lower(), m.surface())
        return [(written, norm) for norm, written in out.items()]

    def noun_chunks(self, text: str) -> list[str]:
        """Runs of nouns and their suffixes as written (NFKC): 「自動通話録音機の貸与や関係機関と連携」 →
        自動通話録音機, 貸与, 関係機関, 連携. The names of things a text talks about."""
        chunks, current = [], ""
        for m in self._sudachi().tokenize(unicodedata.normalize("NFKC", text)):
            pos = m.part_of_speech()
            if pos[0] in ("名詞", "接尾辞") and (current or pos[0] == "名詞"):
                current += m.surface()
            else:
                if current:
                    chunks.append(current)
                current = m.surface() if pos[0] == "名詞" else ""
        if current:
            chunks.append(current)
        return list(dict.fromkeys(chunks))

    def morphemes(self, text: str) -> list[Morph]:
        """Every mode-C morpheme of ``text`` (NFKC), nothing dropped: the answer layer reads a question's shape
        (its interrogative, counter, predicate and particles) and cuts phrases from bullets with these."""
        text = unicodedata.normalize("NFKC", text)
        if not text.strip():
            return []
        out = []
        for m in self._sudachi().tokenize(text):
            pos = m.part_of_speech()
            out.append(Morph(m.surface(), tuple(pos), m.normalized_form(), m.dictionary_form(), not m.is_oov()))
        return out

    @staticmethod
    def _join(out: list[str], left: str | None, norm: str) -> str | None:
        if left is None:
            return None
        out.append(left + norm)
        return left + norm

    def __getstate__(self) -> dict[str, object]:
        # Sudachi objects do not pickle; a copy sent to a worker process reloads lazily.
        return {k: v for k, v in self.__dict__.items() if k not in ("_dictionary", "_lock", "_local")}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._dictionary = None
        self._lock = threading.Lock()
        self._local = threading.local()


# ---------------------------------------------------------------- synonyms


@dataclass(frozen=True)
class SynonymTable:
    """Groups of interchangeable terms, each NFKC-normalised; built by :func:`load_synonyms`."""

    groups: tuple[tuple[str, ...], ...] = ()


def load_synonyms(path: str | Path) -> SynonymTable:
    """Read one group per line, terms tab-separated; ``#`` starts a comment, blank lines are skipped."""
    groups: list[tuple[str, ...]] = []
    for n, cells in tsv_lines(Path(path), inline_comments=True):
        terms = [unicodedata.normalize("NFKC", t).strip() for t in cells]
        terms = list(dict.fromkeys(t for t in terms if t))
        if not terms:
            continue
        if len(terms) < 2:
            # A lone term is almost always spaces typed instead of a tab: fail rather than ignore it.
            raise ValueError(f"{path}:{n}: a synonym group needs at least two tab-separated terms")
        groups.append(tuple(terms))
    return SynonymTable(tuple(groups))


def _occurs(term: str, text: str) -> bool:
    """``text`` as written (NFKC, not case-folded)."""
    if term.isascii() and term.isalnum():
        # Latin terms must stand alone, or "X" would fire inside "Excel" and "DV" inside "DVD"; a one-letter
        # term must also match its case, or the x of 「src=x」 would be the service X.
        if len(term) == 1:
            return re.search(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", text) is not None
        t = term.casefold()
        return re.search(rf"(?<![a-z0-9]){re.escape(t)}(?![a-z0-9])", text.casefold()) is not None
    # 「ドメスティックバイオレンス」 is 「ドメスティック・バイオレンス」, 「安全安心メール」 is 「安全・安心メール」.
    return term.replace("・", "").casefold() in text.replace("・", "").casefold()


def expand_query(text: str, table: SynonymTable) -> str:
    """Return the NFKC-normalised ``text`` followed by the other terms of every group it mentions.

    The result stays plain text, so the same string serves BM25 (via the tokenizer) and a dense
    embedder. Terms already present are not repeated.
    """
    text = unicodedata.normalize("NFKC", text)
    extra: list[str] = []
    for group in table.groups:
        if any(_occurs(t, text) for t in group):
            extra.extend(t for t in group if t not in extra and not _occurs(t, text))
    return " ".join([text, *extra]) if extra else text
