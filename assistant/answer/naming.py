"""How a lead names what it cites: an activity by a phrase of its bullet, a figure by its corpus label.

One place builds each presented name, always from the reports' words: the phrase cut from the bullet
(:mod:`assistant.answer.phrases`), the figures table's label, or the measure's name verbatim when neither
reads as a noun phrase.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from assistant.answer.cite import CitationBook
from assistant.answer.claims import Activity, Value
from assistant.answer.context import Context
from assistant.answer.facts import QUALIFIERS, figure_text
from assistant.answer.phrases import (
    Morphemes,
    activity_phrase,
    counted_after,
    figure_label,
    first_noun_run,
    is_action,
    says_nothing_done,
    strip_notes,
)
from assistant.answer.select import FIGURE
from assistant.domain import messages as msg
from assistant.domain.figures import Figure
from assistant.domain.normalize import nfkc
from assistant.domain.view import department_label

# Bullet texts whose activity phrase is kept: every bullet of both seeds (383) several times over.
PHRASE_CACHE = 4096
# A figure label this short (車両数, 距離, 配信数) says what is counted but not of what: it is qualified by the
# activity (「CoCoパトロール隊の距離」). Longer labels of both seeds (カンガルーポケット登録件数) stand alone.
SHORT_LABEL = 5
# A noun run of a bullet shorter than this (自治会, 市報) names a party or a medium, not an activity; 「DV相談カード」
# (7) does.
MIN_NAMED_CHUNK = 5
_SPACES = re.compile(r"[\s/]")
# A phrase shorter than this share of its bullet (notes in brackets aside) has dropped what the bullet is
# about: 「防犯ブザーの貸与」 keeps 8 of 「防犯ブザーの貸与 1,987件」's 15, 「広報の実施」 5 of 27.
PHRASE_SHARE = 0.4
# A quoted bullet longer than this is cut at its first 、 (a reader's single glance; the whole is below).
MAX_QUOTE_CHARS = 60
# A first clause shorter than this is an item of a list (「市報」), no statement to quote.
MIN_QUOTE_CHARS = 12
_CONTENT_POS = frozenset({"名詞", "動詞"})
_PREDICATE_POS = frozenset({"動詞", "助動詞", "形容詞"})
# A name shorter than this (家, 協議) says too little of the activity on its own.
MIN_SHORT_NAME = 4
# A Sino-Japanese action (実施, 貸与) compounds with these (実施回数, 貸与件数, 作成時期); パトロール takes の.
_KANJI = re.compile(r"[\u4e00-\u9fff]+")
_COMPOUNDING = frozenset({"回数", "件数", "台数", "枚数", "個数", "点数", "校数", "時期"})


def phrase_of(ctx: Context, bullet_id: int, words: Sequence[str] = ()) -> str:
    """The bullet's activity as a noun phrase of its words; else the longest of ``words`` (the question's) that
    the bullet writes verbatim (「DV相談カード」 in a list of leaflets); else its measure's name."""
    b = ctx.corpus.bullets[bullet_id]
    text = ctx.corrections.apply(b.text)
    phrase = _phrase(text, ctx.morphemes)
    if phrase:
        return phrase
    # The bullet's own word that holds the question's (「DV相談カード」 for 「相談カード」).
    chunks = ctx.headlines.noun_chunks(text) if ctx.headlines else []
    used = sorted(
        (c for c in chunks for w in words if len(c) >= MIN_NAMED_CHUNK and nfkc(w) in nfkc(c)), key=len, reverse=True
    )
    return used[0] if used else ctx.corpus.measure(b.measure_id).name


@lru_cache(maxsize=PHRASE_CACHE)
def _phrase(text: str, morphemes: Morphemes) -> str:
    """activity_phrase, once per bullet text: Sudachi over a bullet is most of an answer's own cost."""
    return activity_phrase(text, morphemes)


def first_figure(ctx: Context, bullet_id: int) -> str:
    figures = ctx.insights.by_bullet.get(bullet_id, ())
    return figure_text(figures[0]) if figures else ""


def department_of(ctx: Context, bullet_id: int) -> str:
    """The block the bullet stands in (【学務課】), else its measure's departments."""
    b = ctx.corpus.bullets[bullet_id]
    if b.department:
        return b.department
    measure = ctx.corpus.measure(b.measure_id)
    return department_label(tuple(dict.fromkeys(d.name for d in measure.latest.departments)))


def activity(
    ctx: Context, book: CitationBook, bullet_ids: Sequence[int], words: Sequence[str] = (), heads: Sequence[str] = ()
) -> Activity:
    """An activity claim for the newest of ``bullet_ids`` (one text over several years), cited. A quote is cut
    after the clause that holds one of ``words`` or their ``heads`` (講習会 of 防犯講習会: a Japanese compound
    names its kind last)."""
    newest = max(bullet_ids, key=lambda i: ctx.corpus.bullets[i].fiscal_year)
    b = ctx.corpus.bullets[newest]
    phrase = phrase_of(ctx, newest, words)
    text = ctx.corrections.apply(b.text)
    done = not says_nothing_done(text)
    # A bullet that reports nothing done is quoted whole: a phrase of it (「コロナウイルス感染症」) names no activity.
    whole = text_as_written(text, nfkc(text).strip().lstrip("・").strip())
    quote = _quote_if_thin(text, phrase, (*words, *heads)) if done else whole
    return Activity(
        phrase=phrase,
        action=is_action(phrase, ctx.morphemes),
        year=b.fiscal_year,
        status=b.status,
        department=department_of(ctx, newest),
        figure=first_figure(ctx, newest),
        citation=book.cite(bullet_ids),
        quote=quote,
        done=done,
    )


def _quote_if_thin(text: str, phrase: str, words: Sequence[str] = ()) -> str:
    """The bullet's first sentence (or its clauses up to the first that holds a word of the question, when the
    sentence is long) when the phrase keeps less than PHRASE_SHARE of its words: 「広報の実施」 of
    「青色防犯パトロール車両によるパトロール時に広報を実施」 loses what the question asked about."""
    plain = nfkc(text).strip().lstrip("・").strip()
    sentence = plain.split("。")[0]
    content = _SPACES.sub(
        "", FIGURE.sub("", nfkc(strip_notes(sentence)))
    )  # 「12団体/支給資機材 299個」: figures are no words
    if len(phrase) >= PHRASE_SHARE * len(content):
        return ""
    if len(sentence) > MAX_QUOTE_CHARS:
        sentence = _clauses_to_word(sentence, words)
        if len(sentence) < MIN_QUOTE_CHARS:
            return ""  # 「市報、市ホームページ、…」: a list, better named by the word it holds
    return text_as_written(text, sentence)


def _clauses_to_word(sentence: str, words: Sequence[str]) -> str:
    """The sentence's clauses (split at 、) up to the first that holds one of ``words``: 「小金井警察署より講師を招い
    て市内の犯罪情勢、犯罪被害防止について講習会」 for 講習会, not a first clause without it. The first clause when
    none holds one, or when that clause is past MAX_QUOTE_CHARS."""
    clauses = sentence.split("、")
    for k, clause in enumerate(clauses):
        if any(nfkc(w) in clause for w in words):
            cut = "、".join(clauses[: k + 1])
            return cut if len(cut) <= MAX_QUOTE_CHARS else clauses[0]
    return clauses[0]


def text_as_written(text: str, plain: str) -> str:
    """``plain`` (NFKC) as the bullet writes it, so a quote stays verbatim: the same span of ``text``."""
    start = nfkc(text).find(plain)
    if start < 0 or len(nfkc(text)) != len(text):
        return plain if plain in text else ""
    return text[start : start + len(plain)]


def restates(subject: str, quote: str, morphemes: Morphemes) -> bool:
    """True when the quote names the subject in the same words: every content word of ``subject`` (nouns and
    verbs by normalised form, so brackets do not count) stands in ``quote``, whatever else the quote adds (its
    dates, figures, notes). 「「女性に対する暴力をなくす運動」に合わせたDV防止普及啓発パネル展の実施」 is its
    bullet less 「(11月13日～25日)」; 「「悪質な訪問販売お断り」シールの配布」 is in 「「悪質な訪問販売お断り」シールを
    経済課窓口、1階受付にて配布」 word for word. Saying it before the quote would say it twice."""
    return _content(subject, morphemes) <= _content(quote, morphemes)


def _content(text: str, morphemes: Morphemes) -> frozenset[str]:
    return frozenset(m.normalized for m in morphemes(nfkc(text)) if m.pos[0] in _CONTENT_POS)


_BRACKETS = (("「", "」"), ("（", "）"), ("(", ")"), ("『", "』"))


def short_name(phrase: str, morphemes: Morphemes) -> str:
    """The phrase from its last predicate on, for a sentence right before a quote that gives it whole: 「高齢者見守り
    協力者育成講座として…をテーマとした消費者講座」 → 「消費者講座」. The phrase itself when nothing of a name is left
    after the predicate (「子どもを見守る家(…)」 → 「家」 is no name)."""
    words = morphemes(phrase)
    cut = max((i for i, m in enumerate(words) if m.pos[0] in _PREDICATE_POS), default=-1)
    tail = words[cut + 1 :]
    # An opening bracket stays: 「「防犯市民のつどい」の開催」, not 「防犯市民のつどい」の開催」.
    while tail and tail[0].pos[0] in ("助詞", "補助記号") and tail[0].pos[1] != "括弧開":
        tail = tail[1:]
    name = "".join(m.surface for m in tail)
    balanced = all(name.count(o) == name.count(c) for o, c in _BRACKETS)
    return name if balanced and len(strip_notes(name)) >= MIN_SHORT_NAME else phrase


def missing_label(phrase: str, noun: str, morphemes: Morphemes, *, title: bool = False) -> str:
    """What the reports do not give, named by the bullet's phrase and the noun asked for, as a reader would
    write it. A count noun compounds with a Sino-Japanese action, as the reports write 「パトロール回数」:
    「セーフティー教室の実施」 + 回数 or the asked 実施回数 (実施 said once) → 「セーフティー教室の実施回数」,
    「…の作成時期」; a noun that does not (人数: not 「実施人数」) drops 実施, which says only that it was done
    (「セーフティー教室の参加人数」); else it follows の. A measure's name (``title``) is quoted as the title it is:
    「女性の犯罪被害防止の推進」 + 枚数 is no 「推進枚数」."""
    if title:
        return f"「{phrase}」の{noun}"
    words = morphemes(phrase)
    last = words[-1].surface if words else ""
    action = bool(last) and bool(_KANJI.fullmatch(last)) and is_action(phrase, morphemes)
    head = next((h for h in _COMPOUNDING if noun.endswith(h)), "")
    if action and head:
        return phrase + head  # 掲出 + 実施回数 → 掲出回数: the reports' action, the count asked for
    if action and noun.startswith(last):
        return phrase + noun.removeprefix(last)
    if phrase.endswith(msg.DONE_SUFFIX) and len(phrase) > len(msg.DONE_SUFFIX):
        phrase = phrase.removesuffix(msg.DONE_SUFFIX)
    return f"{phrase}の{noun}"


def value(book: CitationBook, ctx: Context, f: Figure) -> Value:
    status = ctx.corpus.bullets[f.bullet_id].status
    return Value(f.fiscal_year, figure_text(f), f.value, status, book.cite([f.bullet_id]))


def label_of(ctx: Context, words: Sequence[str], f: Figure) -> str:
    """The figure's label from the figures table (without its qualifier 累計), qualified when short by a word of
    the question that its bullet or measure uses verbatim, else by the opening words of its measure's name; the
    bullet's activity phrase when the label does not read as a noun phrase (「市内 協定を継続」)."""
    bare = " ".join(p for p in f.label.split(" ") if p not in QUALIFIERS)
    label = figure_label(bare, ctx.morphemes)
    measure = ctx.corpus.measure(f.measure_id).name
    source = nfkc(ctx.corpus.bullets[f.bullet_id].text + measure)
    counted = counted_after(ctx.corpus.bullets[f.bullet_id].text, f.span.strip(), ctx.morphemes)
    if label and counted and counted not in label:
        return f"{label}の{counted}"  # 「三幸公園」 + 「2台の防犯カメラ」 → 三幸公園の防犯カメラ
    phrase = phrase_of(ctx, f.bullet_id)
    if not label or (phrase.startswith(label) and phrase != measure):
        return phrase  # 「自動通話録音機」 → 「自動通話録音機の貸与」: the bullet says what was done with it
    if len(label) > SHORT_LABEL:
        return label
    used = sorted((w for w in words if nfkc(w) in source and nfkc(w) not in label), key=len, reverse=True)
    qualifier = used[0] if used else first_noun_run(measure, ctx.morphemes)
    return f"{qualifier}の{label}" if len(qualifier) >= 2 and qualifier not in label else label
