"""Which figure a question asks for, and that figure in every year it was reported. Pure functions.

A fact question (「青パトは何台ありますか」) is matched against the figures table (label and unit) of
the bullets retrieval ranked highest: the counter asked for (何台 → 台, 件数 → 件) must match, and the
label's overlap with the question (「配信数」, 「距離」) decides between figures of one bullet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.analysis import count_stem
from assistant.answer.cues import PLACE_HEADS
from assistant.answer.question import Quantity
from assistant.answer.select import text_bigrams
from assistant.domain.corpus import Corpus
from assistant.domain.figures import Figure, Insights, Series, series_key
from assistant.domain.model import Status
from assistant.domain.normalize import nfkc
from assistant.retrieval.search import Hit
from assistant.tuning import CONFIDENT_LABEL, FIGURE_DEPTH, LABEL_WEIGHT, UNIT_WEIGHT

# A figure qualified by one of these (「累計990台」) answers only a question that says it, and vice versa.
QUALIFIERS = ("累計", "合計", "延べ", "平均")
_DATE = re.compile(r"\d{1,2}月\d{1,2}日|\d{1,2}月|\d{1,2}日")


@dataclass(frozen=True)
class FigureMatch:
    figure: Figure
    score: float
    confident: bool


def label_share(label: str, question: str) -> float:
    grams = text_bigrams(series_key(label))
    return len(grams & text_bigrams(question)) / len(grams) if grams else 0.0


def match_figure(question: str, quantity: Quantity, hits: Sequence[Hit], insights: Insights) -> FigureMatch | None:
    """The figure of the top hits that best answers a fact question, or None when none has a figure."""
    best: FigureMatch | None = None
    for h in hits[:FIGURE_DEPTH]:
        for f in insights.by_bullet.get(h.bullet_id, ()):
            unit_ok = f.unit in quantity.units
            if quantity.units and not unit_ok:
                continue
            if any((w in f.label) != (w in question) for w in QUALIFIERS):
                continue
            share = label_share(f.label, question)
            score = h.score + UNIT_WEIGHT * unit_ok + LABEL_WEIGHT * share
            if best is None or score > best.score:
                best = FigureMatch(f, score, unit_ok or share >= CONFIDENT_LABEL)
    return best


def same_series(figure: Figure, insights: Insights) -> dict[int, Figure]:
    """The figure in each year it was reported: same measure, label (qualifiers aside) and counter."""
    key = series_key(figure.label)
    out: dict[int, Figure] = {}
    for f in insights.figures:
        if f.measure_id == figure.measure_id and f.unit == figure.unit and series_key(f.label) == key:
            out.setdefault(f.fiscal_year, f)
    out[figure.fiscal_year] = out.get(figure.fiscal_year, figure)
    return dict(sorted(out.items()))


def status_of(corpus: Corpus, figure: Figure) -> Status:
    return corpus.bullets[figure.bullet_id].status


def latest_done(by_year: dict[int, Figure], corpus: Corpus) -> Figure:
    """The newest figure reported as done (実績); the newest of any status when none is."""
    done = [f for f in by_year.values() if status_of(corpus, f) is Status.ACTUAL]
    return (done or list(by_year.values()))[-1]


def nearest_years(by_year: dict[int, Figure], year: int, n: int = 2) -> list[Figure]:
    """The figures of the years closest to ``year`` (a year the figure is missing from), oldest first."""
    closest = sorted(by_year.values(), key=lambda f: (abs(f.fiscal_year - year), -f.fiscal_year))[:n]
    return sorted(closest, key=lambda f: f.fiscal_year)


def figure_text(f: Figure) -> str:
    """The figure as printed in its bullet (「1,034件」, 「約650セット」), without a bracket it closed."""
    span = f.span.strip()
    if span.count(")") + span.count("）") > span.count("(") + span.count("（"):
        span = span.rstrip(")）").strip()
    return span


def dated_hit(hits: Sequence[Hit]) -> Hit | None:
    """The best hit that states a date (「11月6日開催予定」), for いつ questions."""
    return next((h for h in hits[:FIGURE_DEPTH] if _DATE.search(h.bullet.text)), None)


def placed_hit(hits: Sequence[Hit], words: Sequence[str]) -> Hit | None:
    """The best hit whose bullet names a place (a noun of PLACE_HEADS: 栗山公園, 経済課窓口) and holds every word
    of the question (防犯カメラ and 設置), for どこ questions: 「…講習会の実施(小学校)」 is no answer to where the
    防犯講習会 is held."""
    for h in hits[:FIGURE_DEPTH]:
        text = nfkc(h.bullet.text)
        if any(p in text for p in PLACE_HEADS) and all(nfkc(w) in text for w in words):
            return h
    return None


def pick_series(
    question: str,
    hits: Sequence[Hit],
    insights: Insights,
    asked: str = "",
    units: Sequence[str] = (),
    nouns: Sequence[str] = (),
) -> Series | None:
    """The series a trend question asks about, among the measures of the top hits.

    Ranked first by whether its unit is one the question asks for (``units``: km of 「走行距離の推移」, which shares
    fewer characters with 距離 than with パトロール回数) or its label holds a count noun of it (``nouns``: 配信数,
    not the longer 安全・安心メール加入登録数), then by how much of the words just asked (``asked``:
    「配信数の推移は？」 after 「安全・安心メール」) and then of the whole question its label and unit share (「回数」 →
    パトロール回数, 「台数」 → 台), then by whether it contains a top hit, then by its measure's rank.
    """
    top_bullets = {i for h in hits[:5] for i in h.bullet_ids}
    # A count noun names its series by what it counts, not by 数: 配信 of 配信数 is in no other label of the
    # mail's measure, while 登録 of 登録数 is in カンガルーポケット登録件数 and 加入登録数 alike (then the
    # question's other words decide).
    stems = [s for s in (count_stem(n) for n in nouns) if len(s) >= 2]
    best: tuple[int, int, int, int, int] | None = None
    chosen = None
    for rank, mid in enumerate(dict.fromkeys(h.measure.measure_id for h in hits[:10])):
        for series in insights.series_for(mid):
            contains = any(p.bullet_id in top_bullets for p in series.points)
            own = len(text_bigrams(asked) & text_bigrams(series.label)) if asked else 0
            overlap = len(text_bigrams(question) & text_bigrams(series.label)) + (series.unit in question)
            named = any(stem in series.label for stem in stems)
            key = (int(series.unit in units or named), own, overlap, int(contains), -rank)
            if best is None or key > best:
                best, chosen = key, series
    return chosen


def series_of(figure: Figure, insights: Insights) -> Series | None:
    """The charted series a figure belongs to, if it forms one."""
    key = series_key(figure.label)
    return next(
        (s for s in insights.series_for(figure.measure_id) if s.unit == figure.unit and series_key(s.label) == key),
        None,
    )
