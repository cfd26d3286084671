"""What a question asks: its topic words, fiscal years, departments, intent and the quantity asked for.

A question is read by its morphemes (:mod:`assistant.answer.analysis`) and by the cue table
(:mod:`assistant.answer.cues`); the intent comes from :data:`INTENT_RULES`, routing rules as data, most
specific first. The answer layer dispatches on :class:`Intent` and never looks at the question's wording again:
its topic is a tuple of content words, never a substring to paste into a sentence.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from assistant.answer.analysis import Analysis, Interrogative, analyse, unit_of_count_noun
from assistant.answer.cues import (
    CUE_WORDS,
    DIRECTION_VERBS,
    INCIDENTAL_NOUNS,
    REFERRING_SPAN,
    REFERRING_WORDS,
    Cue,
    asks_statistics,
)
from assistant.answer.typos import correction, department_in
from assistant.domain.figures import UNITS
from assistant.domain.normalize import collapse_space
from assistant.retrieval.query import QueryUnderstanding, find_years, understand
from assistant.retrieval.tokenize import Morph
from assistant.retrieval.vocabulary import GENERIC_NOUNS

Morphemes = Callable[[str], list[Morph]]


class Role(StrEnum):
    """Who said a turn of the conversation the client sends back."""

    USER = "user"
    ASSISTANT = "assistant"


class Intent(StrEnum):
    FACT = "fact"  # 何台・何回・何件・いくつ・いつ: one figure, date or place
    TOPIC = "topic"  # what does the city do about X
    TREND = "trend"  # 推移・増えている: a figure over every year
    COMPARE = "compare"  # two years side by side: 比べ・違い・どう変わった
    RESPONSIBLE = "responsible"  # 担当はどこ: the department of the topic's measure
    DEPARTMENT_LIST = "department_list"  # 〇〇課は何をしている: every measure of a department
    YEAR_LIST = "year_list"  # 令和6年度に予定されている取組み: everything of a year
    NEW = "new"  # 新しい取組み: bullets absent from the previous reported year


@dataclass(frozen=True)
class Turn:
    role: Role
    content: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))  # a plain "user" from JSON becomes the enum, or fails


@dataclass(frozen=True)
class Quantity:
    """What a fact question asks for: a counter (台, 回 …), any count (いくつ), a date (いつ) or a place (どこ)."""

    units: tuple[str, ...] = ()  # counters the answer's figure may have; empty = any
    nouns: tuple[str, ...] = ()  # what is counted, as a count noun: 件数, 配信数, 距離
    counted: str = ""  # the noun before いくつ: 「事業者はいくつ」 → 事業者
    date: bool = False
    place: bool = False
    cumulative: bool = False  # 累計, これまでに


@dataclass(frozen=True)
class Question:
    text: str  # as asked
    resolved: str  # searched: a follow-up carries the topic (or the slot it replaces) of an earlier turn
    words: tuple[str, ...]  # the topic: content words of the resolved question, years and departments aside
    intent: Intent
    understanding: QueryUnderstanding  # years and departments named, those in the data and not
    analysis: Analysis  # of the question as asked
    quantity: Quantity | None = None
    statistics: bool = False  # asks for crime statistics, which the reports do not hold
    planned: bool = False  # asks for plans (予定)
    corrected: tuple[str, ...] = field(default=())  # corpus words a typo was read as

    @property
    def years(self) -> tuple[int, ...]:
        return self.understanding.years

    @property
    def departments(self) -> tuple[str, ...]:
        return self.understanding.departments

    @property
    def yes_no(self) -> bool:
        return self.analysis.yes_no

    @property
    def topic_text(self) -> str:
        """The topic words as one string, for vocabulary and lexical look-ups (never shown)."""
        return " ".join(self.words)


# ---- reading ----------------------------------------------------------------------------------------------


def normal(text: str) -> str:
    return collapse_space(unicodedata.normalize("NFKC", text))


def _without_years(text: str) -> str:
    """The text with every year it names taken out (a follow-up's own year replaces them)."""
    for mention in find_years(text, newest=9999):
        text = text.replace(mention.text, " ")
    return collapse_space(text)


def strip_years_and_departments(text: str, departments: Sequence[str]) -> str:
    text = normal(text)
    for mention in find_years(text, newest=9999):
        text = text.replace(mention.text, " ")
    for d in departments:
        text = text.replace(normal(d), " ")
    return text


_CUE_TERMS = frozenset(w for words in CUE_WORDS.values() for w in words)


def topic_words(a: Analysis) -> tuple[str, ...]:
    """Content words that name a topic: not generic (対策, 防犯), not a cue (推移), not a count noun alone."""
    out = []
    for w in a.words:
        if w in GENERIC_NOUNS or w in _CUE_TERMS or (w in a.count_nouns and unit_of_count_noun(w) == w):
            continue
        out.append(w)
    return tuple(out)


def absence_words(words: Sequence[str]) -> tuple[str, ...]:
    """The words that may show the reports do not cover a question: incidental ones (本当, 近所, 夜) never do."""
    return tuple(w for w in words if w not in INCIDENTAL_NOUNS)


def read_text(text: str, departments: Sequence[str], morphemes: Morphemes) -> Analysis:
    """The analysis of a question with its years and department names taken out (they are filters)."""
    stripped = strip_years_and_departments(text, departments)
    return replace(analyse(stripped, morphemes(stripped)), text=normal(text))


def quantity_of(a: Analysis) -> Quantity | None:
    """The quantity a question asks for, or None when it asks for none."""
    units = [a.counter] if a.counter else []
    units += [u for u in (unit_of_count_noun(n) for n in a.count_nouns) if u]
    how_many = a.interrogative is Interrogative.HOW_MANY
    counted = ""
    if how_many and not units:
        # 「地域団体はいくつ？」: the head of the word before いくつ is the counter (団体); else it is what is
        # counted (「事業者はいくつ」).
        before = _word_before_interrogative(a)
        units += [u for u in (_unit_head(before),) if u]
        counted = before if not units else ""
    date = a.interrogative is Interrogative.WHEN
    place = a.interrogative is Interrogative.WHERE and a.predicate not in ("", "有る", "居る")
    cumulative = a.has(Cue.CUMULATIVE)
    if not (units or a.count_nouns or date or place or how_many):
        return None
    nouns = tuple(dict.fromkeys(a.count_nouns))
    return Quantity(tuple(dict.fromkeys(units)), nouns, counted, date, place, cumulative)


def _word_before_interrogative(a: Analysis) -> str:
    text = a.text
    marks = [text.find(w) for w in ("いくつ", "いくら", "どのくらい", "どれくらい", "どれだけ") if w in text]
    cut = min(marks) if marks else len(text)
    before = [w for w in a.words if 0 <= text.find(w) < cut]
    return before[-1] if before else ""


def _unit_head(word: str) -> str:
    return next((u for u in sorted(UNITS, key=len, reverse=True) if word.endswith(u)), "")


@dataclass(frozen=True)
class Shape:
    """What the intent rules read: the cues, whether the question has a topic, the years named, a quantity."""

    cues: frozenset[Cue]
    topical: bool
    departments: int
    years: int  # years named and in the data or not
    quantity: bool
    yes_no: bool = False
    direction_asked: bool = False  # the predicate itself is 増える / 減る: 「…は増えてる？」 asks how a figure moved

    @property
    def asks_series(self) -> bool:
        """A trend cue asks for a series unless the question only asks whether something is done every year
        (「防犯講習会は毎年やっていますか」): no figure, no direction, a yes/no question."""
        return self.quantity or (self.years == 0 and not (self.yes_no and Cue.DIRECTION not in self.cues))


INTENT_RULES: tuple[tuple[Intent, Callable[[Shape], bool]], ...] = (
    (Intent.NEW, lambda s: Cue.NEW in s.cues),
    (Intent.DEPARTMENT_LIST, lambda s: bool(s.departments) and not s.topical),
    (Intent.RESPONSIBLE, lambda s: Cue.RESPONSIBLE in s.cues and not s.departments),
    (Intent.COMPARE, lambda s: s.years >= 2 and bool(s.cues & {Cue.COMPARE, Cue.TREND, Cue.DIRECTION})),
    (Intent.COMPARE, lambda s: s.years == 1 and Cue.COMPARE_WITH in s.cues),
    (Intent.COMPARE, lambda s: Cue.PREVIOUS in s.cues and bool(s.cues & {Cue.COMPARE, Cue.DIRECTION})),
    (Intent.TREND, lambda s: Cue.TREND in s.cues and s.asks_series),
    (Intent.TREND, lambda s: s.quantity and s.years == 0 and bool(s.cues & {Cue.DIRECTION, Cue.COMPARE})),
    (Intent.TREND, lambda s: s.direction_asked and s.yes_no and s.years == 0 and s.topical),
    (Intent.FACT, lambda s: s.quantity),
    (Intent.YEAR_LIST, lambda s: s.years > 0 and not s.topical),
    (Intent.TOPIC, lambda s: True),
)


def intent_of(a: Analysis, understanding: QueryUnderstanding, quantity: Quantity | None) -> Intent:
    named = len(understanding.years) + len(understanding.unknown_years)
    direction = a.predicate in DIRECTION_VERBS
    shape = Shape(
        a.cues, bool(topic_words(a)), len(understanding.departments), named, quantity is not None, a.yes_no, direction
    )
    return next(intent for intent, rule in INTENT_RULES if rule(shape))


# ---- follow-ups --------------------------------------------------------------------------------------------


def _self_contained(history: Sequence[Turn], departments: Sequence[str], morphemes: Morphemes) -> Analysis | None:
    for turn in reversed(history):
        if turn.role is Role.USER and turn.content.strip():
            a = read_text(turn.content, departments, morphemes)
            if topic_words(a) and not _points_back(a):  # 「それは無料？」 is about an earlier turn's topic
                return a
    return None


def _points_back(a: Analysis) -> bool:
    """「それは無料？」 after 「子どもに防犯ブザーは配られていますか」: 無料 is asked of 防犯ブザー."""
    return any(m.surface in REFERRING_WORDS for m in a.morphemes[:REFERRING_SPAN])


def _swap(own: Analysis, earlier: Analysis, earlier_text: str) -> str | None:
    """「じゃあ栗山公園は？」 after 「三幸公園の防犯カメラは何台？」: the word of the same kind (its head: 公園,
    駅, 小学校) is replaced, the rest of the earlier question kept. None when no slot matches."""
    words = topic_words(own)
    if not words or own.predicate not in ("", "有る", "居る"):
        return None
    text = normal(earlier_text)
    for word, head in zip(own.words, own.heads, strict=True):
        if word not in words:
            continue
        for old, old_head in zip(earlier.words, earlier.heads, strict=True):
            if old_head == head and old != word and len(old) > len(head) and old in text:
                return text.replace(old, word)
    return None


def resolve(
    text: str, history: Sequence[Turn], departments: Sequence[str], morphemes: Morphemes, *, elliptical: bool = False
) -> tuple[str, Analysis | None]:
    """(question to search, the earlier turn it builds on). An elliptical follow-up (「令和5年度は？」,
    「担当はどこ？」) takes the topic of the latest self-contained user turn; one that names a word of the same
    kind as a word of that turn replaces it. The client sends the turns; the server keeps no state."""
    own = read_text(text, departments, morphemes)
    earlier = _self_contained(history, departments, morphemes)
    if earlier is None:
        return normal(text), None
    swapped = _swap(own, earlier, earlier.text) if not elliptical else None
    if swapped is not None:
        return swapped, earlier
    if elliptical or not topic_words(own) or _points_back(own):
        # 「令和6年度は？」 after a question about 令和5年度: the new year replaces the old in what is searched.
        kept = _without_years(earlier.text) if find_years(normal(text), newest=9999) else earlier.text
        return f"{kept} {normal(text)}", earlier
    return normal(text), None


def is_followup(text: str, departments: Sequence[str], morphemes: Morphemes) -> bool:
    """True when the question names no topic of its own (years, departments and filler aside)."""
    return not topic_words(read_text(text, departments, morphemes))


def parse_question(
    text: str,
    history: Sequence[Turn],
    available_years: tuple[int, ...],
    departments: tuple[str, ...],
    morphemes: Morphemes,
    *,
    elliptical: bool = False,
) -> Question:
    """Read one question (with the earlier turns the client sent) into a :class:`Question`.

    A follow-up takes its topic from history, but its intent and years from what was just asked:
    「担当はどこ？」 after 「防犯ブザーの貸与について」 asks who is responsible for 防犯ブザーの貸与.
    """
    corrected: tuple[str, ...] = ()
    slip = department_in(normal(text), departments) if not understand(text, (), departments).departments else None
    if slip is not None:  # 「学務化の取組みは？」 is read as 学務課's, and the answer says so
        text, corrected = normal(text).replace(slip[0], slip[1]), (slip[1],)
    own = read_text(text, departments, morphemes)
    resolved, earlier = resolve(text, history, departments, morphemes, elliptical=elliptical)
    whole = read_text(resolved, departments, morphemes) if resolved != normal(text) else own
    understanding = understand(resolved, available_years, departments)
    own_years = understand(text, available_years, departments)
    if earlier is not None and (own_years.years or own_years.unknown_years):
        # 「平成29年度は？」 after a question about 令和5年度: the new year replaces the old one.
        understanding = QueryUnderstanding(
            own_years.years, own_years.unknown_years, understanding.departments, own_years.year_text
        )
    quantity = quantity_of(own)
    intent = intent_of(own, own_years, quantity)
    if earlier is not None and intent in (Intent.YEAR_LIST, Intent.TOPIC):
        # The follow-up inherits what the earlier question asked for (a figure, a trend).
        quantity = quantity_of(whole)
        intent = intent_of(whole, understanding, quantity)
        if intent is Intent.COMPARE and len(understanding.years) < 2:
            intent = Intent.FACT if quantity else Intent.TOPIC
    if intent is Intent.COMPARE and own.has(Cue.PREVIOUS) and len(understanding.years) == 1:
        understanding = _with_previous_year(understanding, available_years)
    figures = intent in (Intent.FACT, Intent.COMPARE, Intent.TREND)
    quantity = (quantity or quantity_of(whole)) if figures else None
    return Question(
        text=text,
        resolved=resolved,
        words=topic_words(whole) or topic_words(own),
        intent=intent,
        understanding=understanding,
        analysis=own,
        quantity=quantity,
        statistics=asks_statistics(whole.text),
        planned=own.has(Cue.PLANNED),
        corrected=corrected,
    )


def with_corrected_words(q: Question, known: Callable[[str], bool], vocabulary: Iterable[str]) -> Question:
    """The question with each topic word the reports never use (``known`` false) replaced by the one corpus
    word one edit away, if there is exactly one: 「不審社」 → 不審者. Unchanged when none is corrected."""
    words, resolved, corrected = list(q.words), q.resolved, list(q.corrected)
    # A word Sudachi's dictionary holds whole is a word, not a slip: 「空き巣」 is burglary, never 空き家.
    whole = {m.surface for m in q.analysis.morphemes if m.known}
    for k, w in enumerate(words):
        if known(w) or w in whole:
            continue
        fixed = correction(w, vocabulary)
        if fixed is not None:
            words[k], resolved = fixed, resolved.replace(w, fixed)
            corrected.append(fixed)
    if len(corrected) == len(q.corrected):
        return q
    return replace(q, words=tuple(words), resolved=resolved, corrected=tuple(corrected))


def _with_previous_year(u: QueryUnderstanding, available: tuple[int, ...]) -> QueryUnderstanding:
    """「前の年と比べて」: the reported year before the one in play joins it."""
    year = u.years[0]
    before = [y for y in available if y < year]
    years = (before[-1], year) if before else u.years
    return QueryUnderstanding(years, u.unknown_years, u.departments, u.year_text)
