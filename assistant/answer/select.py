"""Which bullets an answer shows: close to the best evidence, not near-duplicates, never out of context.

Three rules beyond the ranking:
- a bullet that shares no word with the question (BM25 zero, even with its measure's context) is dropped;
- an elliptical bullet (「シニア元氣フェスタ(敬老会)にて、341人。」: a venue and a count, meaningless without
  the bullet before it) is replaced by the bullet it depends on;
- the activity a measure's own description names (「自動通話録音機の貸与や…」) leads that measure's group.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

from assistant.domain.corpus import Corpus
from assistant.domain.figures import UNITS
from assistant.domain.model import ActivityBullet, Status
from assistant.domain.normalize import bigrams, jaccard
from assistant.retrieval.search import Hit
from assistant.tuning import (
    MAX_GROUPS,
    MAX_ITEMS,
    MAX_ITEMS_PER_GROUP,
    MIN_HEADLINE_CHARS,
    NEAR_DUPLICATE,
    RELATIVE_CUT,
)

FIGURE = re.compile(rf"約?\d[\d,.]*\s*(?:{'|'.join(UNITS)})?")  # 「約25名」, 「1,987件」: one figure as printed
_VENUE = re.compile(r"^(?P<venue>.+?)(にて|に|で)[、,]?(?P<rest>.*)$")
# What is left of an elliptical bullet once its venue and figures are gone: only these words.
_EMPTY_WORDS = re.compile(r"実施|開催|参加者?|合計|延べ|計|人数|回|[、。,.\s()（）]")


def text_bigrams(text: str) -> frozenset[str]:
    """Bigrams of a text as read (NFKC, white space removed), for comparing wordings."""
    return bigrams(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))


def is_elliptical(text: str) -> bool:
    """「シニア元氣フェスタ(敬老会)にて、341人。」: a venue and figures, with no activity of its own."""
    t = unicodedata.normalize("NFKC", text).strip()
    m = _VENUE.match(t)
    if not m or not re.search(r"\d", m.group("rest")):
        return False
    return not _EMPTY_WORDS.sub("", FIGURE.sub("", m.group("rest")))


def parent_of(corpus: Corpus, bullet_id: int) -> int | None:
    """The nearest earlier bullet of the same measure, year and department block that is not elliptical."""
    b = corpus.bullets[bullet_id]
    for i in range(bullet_id - 1, -1, -1):
        p = corpus.bullets[i]
        if (p.measure_id, p.fiscal_year, p.department) != (b.measure_id, b.fiscal_year, b.department):
            return None
        if not is_elliptical(p.text):
            return i
    return None


def select_hits(hits: Sequence[Hit], shares_words: Callable[[int], bool] = lambda _: True) -> list[Hit]:
    """The hits worth showing: close to the best score, at most MAX_GROUPS measures and MAX_ITEMS items."""
    if not hits:
        return []
    best = hits[0].score
    floor = best * RELATIVE_CUT if best > 0 else best
    chosen: list[Hit] = []
    shingles: list[frozenset[str]] = []
    per_measure: dict[str, int] = {}
    for h in hits:
        if h.score < floor and chosen:
            break
        if not shares_words(h.bullet_id) or is_elliptical(h.bullet.text):
            continue
        grams = text_bigrams(h.bullet.text)
        twin = next((k for k, other in enumerate(shingles) if jaccard(grams, other) >= NEAR_DUPLICATE), None)
        if twin is not None:
            # One activity in other years' words (「通学路防犯カメラの設置 40台」, 「… 62台」): the newest year
            # reported as done is shown, in the place of the better-ranked wording.
            if chosen[twin].measure.measure_id == h.measure.measure_id and _hit_recency(h) > _hit_recency(chosen[twin]):
                chosen[twin], shingles[twin] = h, grams
            continue
        mid = h.measure.measure_id
        if mid not in per_measure and len(per_measure) == MAX_GROUPS:
            continue
        if per_measure.get(mid, 0) == MAX_ITEMS_PER_GROUP:
            continue
        per_measure[mid] = per_measure.get(mid, 0) + 1
        chosen.append(h)
        shingles.append(grams)
        if len(chosen) == MAX_ITEMS:
            break
    return [_newest_twin(c, hits) for c in chosen]


def _newest_twin(chosen: Hit, hits: Sequence[Hit]) -> Hit:
    """The newest done wording of the chosen hit's activity among all hits, above the cut or not: 令和5年度's
    「…によるDV被害者の安全確保…」 for 平成30年度's 「…による被害者の安全確保…」."""
    grams = text_bigrams(chosen.bullet.text)
    twins = [
        h
        for h in hits
        if h.measure.measure_id == chosen.measure.measure_id
        and jaccard(grams, text_bigrams(h.bullet.text)) >= NEAR_DUPLICATE
        and not is_elliptical(h.bullet.text)
    ]
    return max([chosen, *twins], key=_hit_recency)


def recency(bullet: ActivityBullet) -> tuple[bool, int]:
    """Which wording of an activity to show: done (実績) before plans, then the newest year."""
    return (bullet.status is Status.ACTUAL, bullet.fiscal_year)


def _hit_recency(h: Hit) -> tuple[bool, int]:
    return recency(h.bullet)


def elliptical_parents(corpus: Corpus, hits: Sequence[Hit], chosen: Sequence[Hit]) -> list[int]:
    """Bullets that elliptical hits among the shown ones' neighbours depend on, not already shown."""
    shown = {i for h in chosen for i in h.bullet_ids}
    out: list[int] = []
    for h in hits[: len(chosen) + 2]:
        if is_elliptical(h.bullet.text) and h.score >= hits[0].score * RELATIVE_CUT:
            parent = parent_of(corpus, h.bullet_id)
            if parent is not None and parent not in shown and parent not in out:
                out.append(parent)
    return out


def newest_wording(corpus: Corpus, bullet_ids: tuple[int, ...]) -> tuple[int, ...]:
    """The newest done year's wording of the activity these bullets (one text over years) report, from the whole
    measure, ranked or not: 令和5年度's 「…によるDV被害者の安全確保…」 for 平成30年度's 「…による被害者の…」.
    Returned as that text's bullets over every year it was printed, oldest first."""
    chosen = corpus.bullets[bullet_ids[-1]]
    grams = text_bigrams(chosen.text)
    best = bullet_ids[-1]
    for i, b in enumerate(corpus.bullets):
        if b.measure_id != chosen.measure_id or b.status is not Status.ACTUAL or is_elliptical(b.text):
            continue
        newer = (b.fiscal_year, b.status is Status.ACTUAL) > (corpus.bullets[best].fiscal_year, True)
        if newer and jaccard(grams, text_bigrams(b.text)) >= NEAR_DUPLICATE:
            best = i
    if best == bullet_ids[-1]:
        return bullet_ids
    text = corpus.bullets[best].text
    return tuple(i for i, b in enumerate(corpus.bullets) if b.measure_id == chosen.measure_id and b.text == text)


class Headlines:
    """Per measure, the bullets of the activity its description (施策の内容) names, newest finished year first."""

    def __init__(self, corpus: Corpus, noun_chunks: Callable[[str], list[str]]) -> None:
        self.corpus, self.noun_chunks = corpus, noun_chunks
        self.of = lru_cache(maxsize=None)(self._of)

    def _of(self, measure_id: str) -> tuple[int, ...]:
        corpus = self.corpus
        description = corpus.measure(measure_id).latest.description
        ids = [i for i, b in enumerate(corpus.bullets) if b.measure_id == measure_id]
        texts = {i: unicodedata.normalize("NFKC", corpus.bullets[i].text) for i in ids}
        chunks = sorted(
            (c for c in self.noun_chunks(description) if len(c) >= MIN_HEADLINE_CHARS), key=len, reverse=True
        )
        for chunk in chunks:
            having = [i for i in ids if chunk in texts[i]]
            years = [corpus.bullets[i].fiscal_year for i in having]
            # One bullet a year: a particular activity, not a word every bullet of the measure repeats.
            if having and len(years) == len(set(years)):
                return tuple(sorted(having, key=lambda i: _recency(corpus, i), reverse=True))
        return ()


def _recency(corpus: Corpus, bullet_id: int) -> tuple[bool, int]:
    return recency(corpus.bullets[bullet_id])
