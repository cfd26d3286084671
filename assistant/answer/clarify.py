"""聞き返し (asking back): a question that fits several activities equally and names nothing that decides between
them is answered with the choices, each cited and each a question the server answers.

「防犯カメラについて知りたい」 fits cameras on school routes, cameras in parks and the subsidy for local groups.
The question's content words then all stand in bullets of several measures among its hits; a year, a
department, a place or a figure asked for decides, and so does a yes/no question (its answer is はい either way).
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answer.claims import Choice, Clarify
from assistant.answer.context import Context, Draft
from assistant.answer.cues import ASKING_VERBS
from assistant.answer.naming import phrase_of
from assistant.answer.question import Intent, Question, absence_words
from assistant.answer.records import Answer, AnswerChoice
from assistant.answer.render import choice_question, render
from assistant.answer.topic import hit_groups
from assistant.domain.normalize import nfkc
from assistant.retrieval.search import Hit
from assistant.tuning import CHOICE_CHARS, CLARIFY_CHOICES, CLARIFY_MIN_MEASURES, CLARIFY_SCORE_SHARE


def open_question(q: Question) -> bool:
    """A topic question that names no year, department or figure, asks no yes/no and has no verb of its own."""
    if q.intent is not Intent.TOPIC or q.yes_no or q.years or q.departments or q.quantity or q.corrected:
        return False
    verbs = [m for m in q.analysis.morphemes if m.pos[0] == "動詞"]
    return all(m.normalized in ASKING_VERBS for m in verbs)


def ambiguous_hits(q: Question, hits: Sequence[Hit]) -> list[Hit]:
    """The best hit of each measure whose bullet writes every content word of the question, in rank order, when
    there are several and the runner-up scores near the best; else nothing."""
    words = [nfkc(w) for w in absence_words(q.words)]
    if not words:
        return []
    best: dict[str, Hit] = {}
    for h in hits:
        if h.measure.measure_id not in best and all(w in nfkc(h.bullet.text) for w in words):
            best[h.measure.measure_id] = h
    found = list(best.values())
    if len(found) < CLARIFY_MIN_MEASURES or found[1].score < CLARIFY_SCORE_SHARE * found[0].score:
        return []
    return found[:CLARIFY_CHOICES]


def subject_of(q: Question, hit: Hit) -> str:
    """The one content word, as the first choice's bullet writes it (the reports' word, not the user's)."""
    words = absence_words(q.words)
    if len(words) != 1:
        return ""
    text = hit.bullet.text
    start = nfkc(text).find(nfkc(words[0]))
    same_length = len(nfkc(text)) == len(text)
    return text[start : start + len(words[0])] if start >= 0 and same_length else ""


def compose_clarify(ctx: Context, draft: Draft, hits: Sequence[Hit]) -> Answer:
    """「どの防犯カメラについてお知りになりたいですか。報告書には、…[1]、…[2]があります。」 and one group per choice."""
    groups = hit_groups(ctx, draft.book, hits, headline=False)
    words = [nfkc(w) for w in absence_words(draft.question.words)]
    phrases = [_label(ctx, h, words) for h in hits]
    if len(set(phrases)) < len(phrases):  # two choices named alike would ask the same again
        phrases = [h.measure.name for h in hits]
    choices = tuple(
        Choice(p, h.measure.measure_id, g.items[0].citation) for p, h, g in zip(phrases, hits, groups, strict=True)
    )
    claim = Clarify(subject_of(draft.question, hits[0]), choices)
    out = tuple(AnswerChoice(c.phrase, choice_question(c.phrase), c.measure_id, c.citation) for c in choices)
    return draft.done(render([claim]), groups, choices=out)


def _newest(ctx: Context, hit: Hit) -> int:
    return max(hit.bullet_ids, key=lambda i: ctx.corpus.bullets[i].fiscal_year)


def _label(ctx: Context, hit: Hit, words: Sequence[str]) -> str:
    """The bullet's activity phrase when it keeps every word asked about (so choosing it cannot be ambiguous in
    the same way); else the bullet's first sentence (「栗山公園に5台の防犯カメラを設置した」, whose phrase is
    only 「栗山公園」)."""
    phrase = phrase_of(ctx, _newest(ctx, hit))
    if all(w in nfkc(phrase) for w in words):
        return phrase
    sentence = _sentence(ctx, hit)
    return sentence if len(sentence) <= CHOICE_CHARS else hit.measure.name


def _sentence(ctx: Context, hit: Hit) -> str:
    """The bullet's first sentence; past CHOICE_CHARS, the measure's name (its own label, always distinct)."""
    text = ctx.corrections.apply(ctx.corpus.bullets[_newest(ctx, hit)].text)
    return text.strip().lstrip("・").strip().split("。")[0]
