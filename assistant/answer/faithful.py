"""Faithfulness of the lead's words: every content word a reader meets in the lead comes from the reports.

A content word is a Sudachi noun or verb, compared by normalised form. It is supported when it stands in a
bullet the answer cites (verbatim or as displayed), a cited measure's name or department, or the absent word
the lead names (``Answer.absent_terms``). Left out: numbers and the counter after them (the figure rule of the
faithfulness test checks those against the cited bullet), era names before a number (令和5年度), question
words, and the words of the fixed sentences in :mod:`assistant.domain.messages` — computed by tokenising its
constants with their {placeholders} removed, so a new template needs no list kept by hand.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from assistant.answer.phrase import INTERROGATIVES, Morphemes
from assistant.answer.records import Answer
from assistant.domain import messages
from assistant.retrieval.tokenize import Morph

CONTENT_POS = frozenset({"名詞", "動詞"})
_ERAS = frozenset({"令和", "平成", "昭和"})
# Error and feedback messages are never part of a lead; their words (件数, 上限) must not excuse one.
_NOT_LEAD_TEMPLATES = ("ERR_", "FEEDBACK_")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def template_strings() -> list[str]:
    """The sentence templates of the messages module, placeholders replaced by a space."""
    return [
        _PLACEHOLDER.sub(" ", value)
        for name, value in vars(messages).items()
        if name.isupper() and isinstance(value, str) and not name.startswith(_NOT_LEAD_TEMPLATES)
    ]


def template_words(morphemes: Morphemes) -> frozenset[str]:
    """Normalised forms of the content words of every template (市, 取組み, 報告, 記載, 為る, 居る, …)."""
    return frozenset(w.normalized for t in template_strings() for w in morphemes(t) if w.pos[0] in CONTENT_POS)


def content_words(words: Sequence[Morph]) -> list[Morph]:
    """The nouns and verbs of a text that are not figures, years or question words."""
    out = []
    for i, w in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else None
        figure = w.pos[1] == "数詞" or (i > 0 and words[i - 1].pos[1] == "数詞")  # 13台, 令和5年度
        era = w.surface in _ERAS and after is not None and after.pos[1] == "数詞"
        question = w.surface in INTERROGATIVES or w.normalized in INTERROGATIVES
        if w.pos[0] in CONTENT_POS and not (figure or era or question):
            out.append(w)
    return out


def _supporting_texts(answer: Answer) -> list[str]:
    texts: list[str] = []
    for c in answer.citations:
        texts.extend((c.text, c.text_verbatim, c.measure, c.department, *c.departments))
    return [unicodedata.normalize("NFKC", t) for t in texts if t]


def unsupported_words(answer: Answer, morphemes: Morphemes, templates: Iterable[str]) -> list[str]:
    """The content words of the lead (as written, each once) that no cited text, template or absent word holds."""
    texts = _supporting_texts(answer)
    known = set(templates)
    known.update(w.normalized for t in texts for w in morphemes(t) if w.pos[0] in CONTENT_POS)
    absent = [unicodedata.normalize("NFKC", t) for t in answer.absent_terms]
    known.update(w.normalized for t in absent for w in morphemes(t))
    missing: dict[str, None] = {}
    for w in content_words(morphemes(answer.lead)):
        if w.normalized in known or any(w.surface in t for t in texts) or any(w.surface in t for t in absent):
            continue
        missing.setdefault(w.surface, None)
    return list(missing)
