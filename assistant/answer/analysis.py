"""A question read by its morphemes: content words, the interrogative, the counter asked for, the predicate and
the sentence type. Pure functions over Sudachi morphemes (:class:`~assistant.retrieval.tokenize.Morph`).

Sudachi already tells what regular expressions used to guess: 何 followed by 台 is a counter question, 何か is
"something", 件数 is a count noun, 「…配っていますか」 without an interrogative is a yes/no question. The topic of
a question is the set of its content words (noun compounds as written), never a substring of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from assistant.answer.cues import FILLER_WORDS, Cue, cues_in
from assistant.domain.figures import UNITS
from assistant.retrieval.tokenize import Morph


class SentenceType(StrEnum):
    WH = "wh"  # 何台, いつ, どこ, どう
    YES_NO = "yes_no"  # 「…配っていますか」, 「…はありますか」, 「…してる？」
    REQUEST = "request"  # 教えて, 知りたい
    CONCERN = "concern"  # 「…が心配」
    TOPIC = "topic"  # 「高齢者の詐欺対策は？」, 「…について」


class Interrogative(StrEnum):
    WHAT = "what"  # 何, なに
    HOW_MANY = "how_many"  # 何台, いくつ, どのくらい, いくら
    WHEN = "when"  # いつ, 何月
    WHERE = "where"  # どこ
    HOW = "how"  # どう, どんな, どのよう
    WHO = "who"  # 誰, どの課


# Count nouns: a noun that ends in one of these names a figure (件数, 配信数, 走行距離, 登録者数), with the
# counter it implies where there is one.
COUNT_NOUN_UNITS: dict[str, str] = {
    "件数": "件", "台数": "台", "回数": "回", "人数": "人", "団体数": "団体", "校数": "校", "距離": "km",
    "者数": "人", "数": "", "総数": "", "実績": "", "累計": "", "額": "円", "金額": "円", "費用": "円",
}  # fmt: skip
_INTERROGATIVES = {
    "何": Interrogative.WHAT, "なに": Interrogative.WHAT, "なん": Interrogative.WHAT, "いつ": Interrogative.WHEN,
    "どこ": Interrogative.WHERE, "どちら": Interrogative.WHERE, "どう": Interrogative.HOW,
    "どんな": Interrogative.HOW, "どのよう": Interrogative.HOW, "誰": Interrogative.WHO, "だれ": Interrogative.WHO,
    "いくつ": Interrogative.HOW_MANY, "いくら": Interrogative.HOW_MANY, "どのくらい": Interrogative.HOW_MANY,
    "どれくらい": Interrogative.HOW_MANY, "どれぐらい": Interrogative.HOW_MANY, "どのぐらい": Interrogative.HOW_MANY,
    "どれだけ": Interrogative.HOW_MANY, "どの": Interrogative.WHO,
}  # fmt: skip
_COUNTERS = frozenset(UNITS) | {"か所", "カ所", "ヵ所", "ケ所", "キロ", "月", "日"}
_INDEFINITE = frozenset({"か", "かしら"})  # 何か, どうにか: "something", "somehow"
_DEGREE = frozenset({"くらい", "ぐらい", "位", "だけ", "程"})  # どれ + くらい: how many, how much


@dataclass(frozen=True)
class Analysis:
    """What the morphemes of a question say about its shape. ``words`` are its content noun compounds as
    written (NFKC), in order: 「三幸公園の防犯カメラは何台？」 → 三幸公園, 防犯カメラ."""

    text: str  # the question, NFKC, white space collapsed
    morphemes: tuple[Morph, ...]
    words: tuple[str, ...]
    heads: tuple[str, ...]  # the last morpheme of each word: 公園 for 三幸公園, the kind of thing it names
    interrogative: Interrogative | None
    counter: str  # 台 of 何台, km of 何キロ; empty when none
    count_nouns: tuple[str, ...]  # 件数, 配信数, 距離
    predicate: str  # the dictionary form of the main verb (配る, 比べる), or a サ変 noun before する (配信)
    sentence: SentenceType
    cues: frozenset[Cue]

    @property
    def yes_no(self) -> bool:
        return self.sentence is SentenceType.YES_NO

    def has(self, cue: Cue) -> bool:
        return cue in self.cues


def _compounds(morphs: Sequence[Morph]) -> list[tuple[str, str]]:
    """Noun runs as (written, head): nouns, their suffixes and a 「・」 or prefix inside, numbers excluded."""
    out: list[tuple[str, str]] = []
    current, head = "", ""
    for i, m in enumerate(morphs):
        joins = m.noun or (m.pos[0] == "接尾辞" and current)
        inner_dot = m.surface == "・" and current and i + 1 < len(morphs) and morphs[i + 1].noun
        if joins or inner_dot:
            current += m.surface
            head = m.surface if joins else head
            continue
        if current:
            out.append((current, head))
        current, head = "", ""
    if current:
        out.append((current, head))
    return out


def _interrogative(morphs: Sequence[Morph]) -> tuple[Interrogative | None, str]:
    """The question word and, for 何 + counter, the counter: indefinite 何か and どうにか are no question."""
    for i, m in enumerate(morphs):
        word = m.surface
        if word[:1] == "何" and word[1:] in _COUNTERS:  # 「何回」 as one morpheme
            return (Interrogative.WHEN, "") if word[1:] in ("月", "日") else (Interrogative.HOW_MANY, word[1:])
        nxt = morphs[i + 1] if i + 1 < len(morphs) else None
        if word in ("どれ", "どの") and nxt is not None and nxt.surface in _DEGREE:
            return Interrogative.HOW_MANY, ""  # Sudachi splits どれくらい into どれ + くらい
        kind = _INTERROGATIVES.get(word)
        if kind is None:
            continue
        if nxt is not None and nxt.surface in _INDEFINITE:
            continue
        if nxt is not None and nxt.surface == "に" and i + 2 < len(morphs) and morphs[i + 2].surface == "か":
            continue  # どうにか
        if word in ("何", "なに", "なん") and nxt is not None and nxt.surface in _COUNTERS:
            unit = {"キロ": "km", "か所": "ヶ所", "カ所": "ヶ所", "ヵ所": "ヶ所", "ケ所": "ヶ所"}.get(nxt.surface)
            if nxt.surface in ("月", "日"):
                return Interrogative.WHEN, ""
            return Interrogative.HOW_MANY, unit or nxt.surface
        return kind, ""
    return None, ""


def _predicate(morphs: Sequence[Morph]) -> str:
    """The last content verb (not いる/ある/する as auxiliaries), or the サ変 noun a する follows."""
    found = ""
    for i, m in enumerate(morphs):
        if m.pos[0] == "動詞" and m.pos[1] != "非自立可能":
            found = m.dictionary
        elif m.pos[0] == "動詞" and m.normalized == "為る" and i > 0 and morphs[i - 1].pos[1] == "普通名詞":
            found = morphs[i - 1].surface
        elif m.pos[0] == "動詞" and not found:
            found = m.dictionary  # 「してるの？」, 「もらえますか」: an auxiliary verb is a predicate too
    return found


def _sentence(morphs: Sequence[Morph], text: str, cues: frozenset[Cue], wh: bool, predicate: str) -> SentenceType:
    if Cue.REQUEST in cues:
        return SentenceType.REQUEST
    if Cue.CONCERN in cues:
        return SentenceType.CONCERN
    if wh:
        return SentenceType.WH
    # A yes/no question has a predicate of its own (配っていますか, ありますか, してる？) that ends it, and is not
    # negative (no はい/いいえ answers 「どうにかならないの？」 well). 「詐欺の電話を防ぐには？」 and
    # 「なくすための取組みは？」 have a verb too, but end on a particle or a noun: they ask how or what, and はい
    # would answer nothing.
    asking = text.rstrip().endswith(("か", "?", "の")) or any(m.pos[1] == "終助詞" for m in morphs[-3:])
    if asking and predicate and _ends_on_predicate(morphs) and Cue.NEGATIVE not in cues:
        return SentenceType.YES_NO
    return SentenceType.TOPIC


_PREDICATE_POS = frozenset({"動詞", "助動詞", "形容詞"})


def _ends_on_predicate(morphs: Sequence[Morph]) -> bool:
    """The last morpheme before the sentence-final particles (か, の, ね) and punctuation is a verb, an auxiliary
    or an adjective: 「配っていますか」 (ます), 「ある？」 (ある), not 「防ぐには？」 (は)."""
    for m in reversed(morphs):
        if m.pos[0] == "補助記号" or m.pos[1] == "終助詞" or m.surface == "の":
            continue
        return m.pos[0] in _PREDICATE_POS
    return False


def analyse(text: str, morphs: Sequence[Morph]) -> Analysis:
    """Read a question (NFKC, white space collapsed) from its morphemes."""
    cues = cues_in(text)
    kind, counter = _interrogative(morphs)
    asked = [(w, h) for w, h in _compounds(morphs) if w not in _COUNTERS and w not in _INTERROGATIVES]
    asked = [(w, h) for w, h in asked if not w.startswith("何")]
    compounds = [(w, h) for w, h in asked if w not in FILLER_WORDS]
    # A count noun names a figure even when it names no topic: 「防犯ブザーの数は？」 (数, 件数 are filler words).
    count_nouns = tuple(w for w, _ in asked if any(w.endswith(n) for n in COUNT_NOUN_UNITS))
    predicate = _predicate(morphs)
    sentence = _sentence(morphs, text, cues, kind is not None, predicate)
    return Analysis(
        text=text,
        morphemes=tuple(morphs),
        words=tuple(w for w, _ in compounds),
        heads=tuple(h for _, h in compounds),
        interrogative=kind,
        counter=counter,
        count_nouns=count_nouns,
        predicate=predicate,
        sentence=sentence,
        cues=cues,
    )


def unit_of_count_noun(noun: str) -> str:
    """件 for 登録件数, km for 走行距離; empty for a count noun with no counter of its own (配信数)."""
    for suffix, unit in sorted(COUNT_NOUN_UNITS.items(), key=lambda kv: -len(kv[0])):
        if noun.endswith(suffix):
            return unit
    return ""


def count_stem(noun: str) -> str:
    """What a count noun counts: 配信 of 配信数, 登録 of 登録件数, 走行 of 走行距離; empty for 件数 itself."""
    suffix = max((s for s in COUNT_NOUN_UNITS if noun.endswith(s)), key=len, default="")
    return noun[: len(noun) - len(suffix)]
