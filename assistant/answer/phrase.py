"""The phrase check: does the lead name things in words a reader accepts as a name?

A lead names what it is about in two places: its subject (the words before について, は、 or の担当は in the
first sentence) and every 「…」 it quotes. Each must be report text verbatim (a substring, after NFKC, of a
bullet, a measure's name or description, or a department), or a noun phrase by Sudachi:

- it starts with a content word and ends in a noun (名詞, or a nominal 接尾辞 such as 等 or 灯);
- it holds no interrogative (何, どう, どんな, どこ, いくら, …);
- no sentence-final or colloquial form (ですか, ます, って, てる, ん, か, 終助詞);
- no topic particle は/も, no のの;
- no case particle (に, を, が, で, から, へ) without a predicate (動詞, 形容詞) after it inside the phrase that
  modifies a noun: 「栗山公園に防犯カメラ」 and 「夜道が暗くて不安」 are the question's wording left in,
  「防犯資機材を支給した団体数」 is a name. A case particle followed by の (への, からの, での) modifies the noun
  after it, so 「DV被害者への支援」 is a name too.

These are the fragments users met when the question's text was pasted into a template (「じゃあ栗山公園」,
「青パトのの走行距離」, 「が担当しているこ」). Pure functions: the morphemes come from the caller's tokenizer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from assistant.domain.corpus import Corpus
from assistant.domain.normalize import Corrections
from assistant.retrieval.tokenize import Morph

Morphemes = Callable[[str], Sequence[Morph]]

# Question words, by surface and by Sudachi's normalised form (いくら → 幾ら, いくつ → 幾つ).
INTERROGATIVES = frozenset(
    {"何", "なに", "なん", "どう", "どんな", "どこ", "いくら", "幾ら", "いくつ", "幾つ", "いつ", "どの", "どれ",
     "どちら", "誰", "だれ"}
)  # fmt: skip
# Forms that end a spoken sentence; ですか is です + か. 終助詞 of any surface also counts.
_COLLOQUIAL = frozenset({"ます", "って", "てる", "ん", "か"})
_CASE_PARTICLES = frozenset({"に", "を", "が", "で", "から", "へ", "にて"})
_TOPIC_PARTICLES = frozenset({"は", "も"})
_PREDICATES = frozenset({"動詞", "形容詞"})
# A noun phrase never opens with these: 「じゃあ栗山公園」, 「が担当しているこ」.
_NOT_OPENING = frozenset({"助詞", "助動詞", "接続詞", "感動詞", "接尾辞"})
_FRAME = frozenset({"補助記号", "空白"})
_ANSWER_WORDS = re.compile(r"^(?:はい|いいえ)[。、]\s*")
_SUBJECT_MARKERS = re.compile(r"について|の担当は|は、")
_OPEN, _CLOSE = "「", "」"
_SETTING_ENDINGS = frozenset({"で", "に", "と", "まで", "から"})


class PhraseRule(StrEnum):
    """The rule a phrase breaks (it is not report text verbatim either)."""

    EMPTY = "empty"
    OPENS_WITH_FUNCTION_WORD = "opens_with_function_word"
    NOT_NOUN_FINAL = "not_noun_final"
    INTERROGATIVE = "interrogative"
    SENTENCE_FINAL = "sentence_final"
    TOPIC_PARTICLE = "topic_particle"
    DOUBLE_NO = "double_no"
    CASE_PARTICLE_WITHOUT_PREDICATE = "case_particle_without_predicate"


class PhraseRole(StrEnum):
    SUBJECT = "subject"  # the words before について / は、 / の担当は
    QUOTE = "quote"  # a 「…」 of the lead


@dataclass(frozen=True)
class PhraseProblem:
    phrase: str
    role: PhraseRole
    rule: PhraseRule


def first_sentence(lead: str) -> str:
    """The lead up to and including its first 。; a leading はい。 or いいえ。 keeps the sentence after it, which
    is where the answer is (「はい。学務課が…貸与しています。」)."""
    opening = _ANSWER_WORDS.match(lead)
    start = opening.end() if opening else 0
    end = lead.find("。", start)
    return lead if end < 0 else lead[: end + 1]


def quotes(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the outermost 「…」 in ``text``, brackets excluded; nested quotes stay inside."""
    spans, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == _OPEN:
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch == _CLOSE and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i))
    return spans


def subject(lead: str, morphemes: Morphemes) -> str | None:
    """The first sentence's subject: the words before its first について, の担当は or は、 outside quotes, from
    the last 、 before it. 「…報告には、」 and 「…では、」 are settings, not subjects, so the next marker is read."""
    sentence = first_sentence(lead)
    body_start = m.end() if (m := _ANSWER_WORDS.match(sentence)) else 0
    spans = quotes(sentence)
    for marker in _SUBJECT_MARKERS.finditer(sentence, body_start):
        if any(s - 1 <= marker.start() <= e for s, e in spans):
            continue
        before = sentence[body_start : marker.start()]
        cut = max(before.rfind("、"), before.rfind("。"))
        candidate = before[cut + 1 :].strip()
        words = [w for w in morphemes(candidate) if w.pos[0] not in _FRAME]
        # 「市では、」: Sudachi reads this で as the copula's 助動詞 as often as a 格助詞; either way a setting.
        setting = words and (words[-1].pos[1] in ("格助詞", "副助詞") or words[-1].surface in _SETTING_ENDINGS)
        if marker.group() == "は、" and setting:
            continue  # には、 / では、 / までは、
        return candidate.replace(_OPEN, "").replace(_CLOSE, "")
    return None


def noun_phrase_rules(words: Sequence[Morph]) -> list[PhraseRule]:
    """The rules the morphemes of one phrase break, as listed at the top of this module; [] for a noun phrase."""
    words = [w for w in words if w.pos[0] not in _FRAME or w.surface == "・"]
    while words and words[-1].pos[0] in _FRAME:
        words.pop()
    if not words:
        return [PhraseRule.EMPTY]
    broken: list[PhraseRule] = []
    if words[0].pos[0] in _NOT_OPENING:
        broken.append(PhraseRule.OPENS_WITH_FUNCTION_WORD)
    last = words[-1]
    if not (last.pos[0] == "名詞" or (last.pos[0] == "接尾辞" and last.pos[1] == "名詞的")):
        broken.append(PhraseRule.NOT_NOUN_FINAL)
    if any(w.surface in INTERROGATIVES or w.normalized in INTERROGATIVES for w in words):
        broken.append(PhraseRule.INTERROGATIVE)
    if any(w.surface in _COLLOQUIAL or w.pos[1] == "終助詞" for w in words):
        broken.append(PhraseRule.SENTENCE_FINAL)
    if any(w.pos[:2] == ("助詞", "係助詞") and w.surface in _TOPIC_PARTICLES for w in words):
        broken.append(PhraseRule.TOPIC_PARTICLE)
    if any(a.surface == b.surface == "の" and a.pos[0] == b.pos[0] == "助詞" for a, b in pairwise(words)):
        broken.append(PhraseRule.DOUBLE_NO)
    for i, w in enumerate(words):
        if w.pos[1] != "格助詞" or w.surface not in _CASE_PARTICLES:
            continue
        rest = words[i + 1 :]
        adnominal = bool(rest) and rest[0].surface == "の"  # への, からの, での: 「DV被害者への支援」 is a name
        if not adnominal and not _modifying_predicate(rest):
            broken.append(PhraseRule.CASE_PARTICLE_WITHOUT_PREDICATE)
            break
    return broken


def _modifying_predicate(words: Sequence[Morph]) -> bool:
    """A verb or adjective, with its auxiliaries, right before a noun: 「支給した団体数」, 「見守る家」. A predicate
    that ends a clause instead (「夜道が暗くて不安」) leaves the particle before it in a sentence, not a name."""
    for k, w in enumerate(words):
        if w.pos[0] not in _PREDICATES:
            continue
        after = next((v for v in words[k + 1 :] if v.pos[0] != "助動詞"), None)
        if after is not None and after.pos[0] in ("名詞", "接頭辞"):
            return True
    return False


def lead_phrases(lead: str, morphemes: Morphemes) -> list[tuple[PhraseRole, str]]:
    """The subject of the lead's first sentence and every 「…」 of the lead, each once, subject first."""
    found: dict[str, PhraseRole] = {}
    if (s := subject(lead, morphemes)) is not None:
        found[s] = PhraseRole.SUBJECT
    for start, end in quotes(lead):
        found.setdefault(lead[start:end], PhraseRole.QUOTE)
    return [(role, phrase) for phrase, role in found.items()]


def phrase_problems(lead: str, corpus_texts: Iterable[str], morphemes: Morphemes) -> list[PhraseProblem]:
    """Every rule each phrase of the lead breaks; a phrase that is report text verbatim breaks none.
    ``corpus_texts`` are NFKC-normalised report texts (see :func:`report_texts`)."""
    texts = corpus_texts if isinstance(corpus_texts, (list, tuple)) else list(corpus_texts)
    problems: list[PhraseProblem] = []
    for role, phrase in lead_phrases(lead, morphemes):
        plain = unicodedata.normalize("NFKC", phrase).strip()
        if plain and any(plain in t for t in texts):
            continue
        problems.extend(PhraseProblem(phrase, role, rule) for rule in noun_phrase_rules(morphemes(phrase)))
    return problems


def report_texts(corpus: Corpus, corrections: Corrections | None = None) -> tuple[str, ...]:
    """What a phrase may quote verbatim: every bullet (verbatim and as displayed), measure name and description
    (every report's wording) and department, NFKC-normalised."""
    texts: dict[str, None] = {}
    for b in corpus.bullets:
        texts.setdefault(b.text, None)
        if corrections is not None:
            texts.setdefault(corrections.apply(b.text), None)
    for m in corpus.measures:
        for v in m.versions:
            texts.setdefault(v.name, None)
            texts.setdefault(v.description, None)
    for d in corpus.departments:
        texts.setdefault(d, None)
    return tuple(unicodedata.normalize("NFKC", t) for t in texts if t)
