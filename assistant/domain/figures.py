"""Numeric facts in the bullets (「パトロール回数 403回」) as records, and series of them across years.

A figure is a number with a counter (台, 回, km, 件, 人, 団体, 個, …). Dates (11月13日～25日), era
years (令和6年度から, 平成27年度), issue numbers (R5.12.15号), grades (6年生), ages and frequencies
(週1回, 月に1回) are not figures. The label is the phrase the number belongs to: the text before it
back to the previous delimiter, with its particles trimmed; a bare 「累計」 borrows the label of the
figure before it (「自動通話録音機を120台貸与（平成27年度から累計874台貸与）」 → two figures).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from assistant.domain.corpus import Corpus, new_bullet_ids
from assistant.domain.model import ERA_NAMES, Status

UNITS = (
    "km",
    "団体",
    "セット",
    "ヶ所",
    "か所",
    "箇所",
    "機関",
    "台",
    "回",
    "件",
    "人",
    "名",
    "個",
    "点",
    "枚",
    "社",
    "組",
    "校",
)
_UNIT = "|".join(UNITS)
# 約 is kept as a flag; the unit may be wrapped in parentheses (「86(機関)」).
_FIGURE = re.compile(rf"(約)?(\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)\s*(?:[(（]\s*)?({_UNIT})(?:\s*[)）])?")
# ・ is not a delimiter: inside a bullet it joins words (安全・安心メール).
_DELIMITERS = "、。,，/／「」:：\n"
_OPEN, _CLOSE = "(（", ")）"
_RATE_BEFORE = re.compile(r"(週|月に|年に|毎月|毎週|毎年)$")
_ERA_PHRASE = re.compile(rf"({ERA_NAMES}|R|H)\s*(元|\d{{1,2}})\s*年度?(から|まで|末)?")
_TRAILING_PARTICLES = re.compile(
    r"(として|とした|により|において|にて|では|には|への|から|まで|を|に|は|が|で|と|の|へ)+$"
)
_LEADING_JUNK = re.compile(r"^[\s・、。]+|^(のうち|うち|と|の|を|に|は|が|で)")
# Longer particles first: at one position 「にて」 must win over 「に」.
_CLAUSE_BREAK = re.compile(r"(として|とした|により|において|について|への|にて|を|に|は|が)")
# Words that only point elsewhere: the phrase after the figure says what was counted.
_DEICTIC = frozenset({"", "市内", "上記", "全", "計", "うち"})
MIN_CLAUSE = 4
MAX_LABEL = 24


@dataclass(frozen=True)
class RawFigure:
    label: str
    value: float
    unit: str
    approximate: bool
    span: str  # the matched words, verbatim, e.g. 「1,034件」
    start: int


@dataclass(frozen=True)
class Figure:
    label: str
    value: float
    unit: str
    approximate: bool
    span: str
    fiscal_year: int
    measure_id: str
    department: str
    bullet_id: int
    text: str  # the whole verbatim bullet
    planned: bool = False  # from a bullet that states a plan (予定): a target, not a count


@dataclass(frozen=True)
class Series:
    measure_id: str
    label: str
    unit: str
    points: tuple[Figure, ...]  # one per fiscal year, oldest first

    @property
    def fiscal_years(self) -> tuple[int, ...]:
        return tuple(p.fiscal_year for p in self.points)


def _is_excluded(text: str, start: int, end: int, unit: str) -> bool:
    before, after = text[:start], text[end:]
    if _RATE_BEFORE.search(before):
        return True  # 週1回, 月に1回: a frequency, not a count
    if re.search(r"[.．]\d*$", before) or re.match(r"[.．]\d", after):
        return True  # R5.12.15号, H29.10.15号
    return bool(unit == "回" and re.match(r"目", after))  # 第3回目-like ordinals


def _clean_label(segment: str) -> str:
    segment = _ERA_PHRASE.sub("", segment)
    segment = _LEADING_JUNK.sub("", segment).strip()
    segment = _TRAILING_PARTICLES.sub("", segment).strip()
    if len(segment) > MAX_LABEL:
        # Keep the last clause that still says something (≥ MIN_CLAUSE characters).
        cuts = [m.end() for m in _CLAUSE_BREAK.finditer(segment) if len(segment) - m.end() >= MIN_CLAUSE]
        if cuts:
            segment = segment[cuts[-1] :]
        segment = segment[-MAX_LABEL:]
    return segment.strip()


def _segment_before(text: str, start: int, floor: int = 0) -> str:
    """The words before ``start`` back to the previous delimiter, an unclosed parenthesis, or ``floor``.

    A closed parenthetical is part of the phrase (「防犯ブザーの貸与(小中学校) 1,572件」). When nothing is
    left (「(100枚程度)」, 「フェスタにて、341人」), the phrase before that parenthesis or comma is taken.
    """

    def back(i: int) -> int:
        depth = 0
        while i > floor:
            ch = text[i - 1]
            if ch in _CLOSE:
                depth += 1
            elif ch in _OPEN:
                if depth == 0:
                    break
                depth -= 1
            elif ch in _DELIMITERS and depth == 0:
                break
            i -= 1
        return i

    i = back(start)
    if not _clean_label(text[i:start]) and i > floor and text[i - 1] in _OPEN + "、":
        j = back(i - 1)
        return text[j : i - 1]
    return text[i:start]


def _segment_after(text: str, end: int) -> str:
    j = end
    while j < len(text) and text[j] not in _DELIMITERS:
        j += 1
    return text[end:j]


def extract_figures(text: str) -> list[RawFigure]:
    """Every figure in one bullet's text, in order."""
    norm = unicodedata.normalize("NFKC", text)
    out: list[RawFigure] = []
    previous_end = 0
    for m in _FIGURE.finditer(norm):
        approx, number, unit = m.group(1), m.group(2), m.group(3)
        start = m.start(2) if not approx else m.start(1)
        if _is_excluded(norm, m.start(2), m.end(), unit):
            continue
        # A number glued to letters or digits before it is part of a name (R5, 1階): not a count.
        if m.start(2) > 0 and re.match(r"[A-Za-z]", norm[m.start(2) - 1]):
            continue
        label = _clean_label(_segment_before(norm, start, previous_end))
        if label in ("累計", "合計") and out:
            label = f"{out[-1].label} {label}"
        elif not label and out and norm[previous_end:start].strip() in _OPEN:
            label = out[-1].label  # 「地域生活センター1回（12人）」: the same subject
        elif label in _DEICTIC:
            after = _clean_label(_segment_after(norm, m.end()))
            label = f"{label} {after}".strip() if after and not re.search(r"\d", after) else (label or unit)
        out.append(RawFigure(label, float(number.replace(",", "")), unit, bool(approx), m.group(0), start))
        previous_end = m.end()
    return out


def corpus_figures(corpus: Corpus) -> list[Figure]:
    figures = []
    for i, b in enumerate(corpus.bullets):
        for f in extract_figures(b.text):
            figures.append(
                Figure(
                    f.label,
                    f.value,
                    f.unit,
                    f.approximate,
                    f.span,
                    b.fiscal_year,
                    b.measure_id,
                    b.department,
                    i,
                    b.text,
                    b.status is Status.PLANNED,
                )
            )
    return figures


def series_key(label: str) -> str:
    """Labels that differ only in a parenthesised qualifier or spacing form one series."""
    key = re.sub(r"[(（][^)）]*[)）]", "", unicodedata.normalize("NFKC", label))
    return re.sub(r"\s+", "", key)


def build_series(figures: list[Figure], min_years: int = 2) -> list[Series]:
    """Figures of one measure with the same label and unit over ≥ ``min_years`` fiscal years.

    A label that occurs twice in one year (two different things counted alike) is ambiguous and
    forms no series. Planned figures (「3回開催予定」) are targets, not counts, and are left out.
    """
    groups: dict[tuple[str, str, str], dict[int, list[Figure]]] = {}
    for f in figures:
        if f.planned:
            continue
        groups.setdefault((f.measure_id, series_key(f.label), f.unit), {}).setdefault(f.fiscal_year, []).append(f)
    out = []
    for (mid, _, unit), by_year in groups.items():
        if len(by_year) < min_years or any(len(v) > 1 for v in by_year.values()):
            continue
        points = tuple(by_year[y][0] for y in sorted(by_year))
        out.append(Series(mid, points[-1].label, unit, points))
    return out


def format_value(f: Figure) -> str:
    """The figure as printed: 「1,034件」, 「約650セット」."""
    number = f"{int(f.value):,}" if f.value == int(f.value) else f"{f.value:g}"
    return f"{'約' if f.approximate else ''}{number}{f.unit}"


@dataclass(frozen=True)
class Insights:
    """Derived facts computed once per loaded corpus: figures, their series, and new-that-year bullets."""

    figures: tuple[Figure, ...]
    series: tuple[Series, ...]
    new_ids: frozenset[int]

    @classmethod
    def from_corpus(cls, corpus: Corpus) -> Insights:
        figures = corpus_figures(corpus)
        return cls(tuple(figures), tuple(build_series(figures)), new_bullet_ids(corpus))

    def series_for(self, measure_id: str) -> list[Series]:
        return [s for s in self.series if s.measure_id == measure_id]

    @cached_property
    def by_bullet(self) -> dict[int, tuple[Figure, ...]]:
        """The figures of each bullet, built once (every fact question looks up its hits' figures)."""
        out: dict[int, list[Figure]] = {}
        for f in self.figures:
            out.setdefault(f.bullet_id, []).append(f)
        return {i: tuple(fs) for i, fs in out.items()}
