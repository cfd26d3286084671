"""What a question asks for besides its topic: fiscal years and departments. Pure functions.

Years come in many forms: 令和5年度, 令和５年度, R5, Ｒ５年度, 2023年度, FY2023, 平成30年, 令和元年,
平成31年 (= 2019), 令和4〜6年度, 昨年度 / 最新 / 今年度 (relative to the newest year in the data).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from contextlib import suppress
from dataclasses import dataclass

from assistant.domain.model import ERA_ABBREVIATIONS, ERA_NAMES, era_to_western

_ERA_NAMES = ERA_NAMES
_NUM = r"(元|\d{1,2})"
# Linear on any input: no two unbounded quantifiers may match the same characters next to each other. The
# spaces around an optional 年度 are ``\s*(?:年度?\s*)?``, never ``\s*(?:年度?)?\s*`` (which tries every split of
# a run of spaces: quadratic, scripts/bench_adversarial.py).
# 令和4〜6年度 / 令和4年度から6年度 / 令和4年度～令和6年度
_ERA_RANGE = re.compile(
    rf"({_ERA_NAMES})\s*{_NUM}\s*(?:年度?\s*)?(?:〜|～|~|-|から)\s*(?:({_ERA_NAMES})\s*)?{_NUM}\s*年度?"
)
_ERA_YEAR = re.compile(rf"({_ERA_NAMES})\s*{_NUM}\s*年度?")
# R5, R5年度, H30, r5 — an era letter standing alone, so that "CoCo", "DV" or 100㎡ (NFKC: "100m2") never
# match; lower case only for the two eras people type that way (r5, h30).
_ABBR_YEAR = re.compile(r"(?<![A-Za-z0-9])([MTSHRrh])\s*(元|\d{1,2})(?:\s*年度?)?(?![\d.A-Za-z])")
# R4〜R6, R4〜6年度
_ABBR_RANGE = re.compile(
    r"(?<![A-Za-z0-9])([MTSHRrh])\s*(元|\d{1,2})\s*(?:年度?\s*)?(?:〜|～|~|-|から)\s*(?:([MTSHRrh])\s*)?(\d{1,2})(?:\s*年度?)?(?![\d.A-Za-z])"
)
# 「令和4年度と5年度」: a bare year after an era year belongs to the same era.
_BARE_YEAR = re.compile(r"(?<![\dA-Za-z元])(元|\d{1,2})\s*年度")
_WESTERN_RANGE = re.compile(r"((?:19|20)\d{2})\s*(?:年度?\s*)?(?:〜|～|~|-|から)\s*((?:19|20)\d{2})\s*年度?")
_WESTERN = re.compile(r"(?:FY\s*((?:19|20)\d{2}))|(?:((?:19|20)\d{2})\s*年度?)", re.IGNORECASE)
_RELATIVE = {
    "一昨年度": -2,
    "おととし": -2,
    "昨年度": -1,
    "前年度": -1,
    "去年": -1,
    "昨年": -1,
    "今年度": 0,
    "本年度": 0,
    "最新": 0,
    "今年": 0,
}


@dataclass(frozen=True)
class YearMention:
    years: tuple[int, ...]
    text: str  # the words that named them, for messages


@dataclass(frozen=True)
class QueryUnderstanding:
    """Filters read from a question. ``unknown_years`` were asked for but are not in the data."""

    years: tuple[int, ...] = ()
    unknown_years: tuple[int, ...] = ()
    departments: tuple[str, ...] = ()
    year_text: str = ""


def _n(value: str) -> int:
    return 1 if value == "元" else int(value)


def find_years(question: str, newest: int | None = None) -> list[YearMention]:
    """Every fiscal year the question names, in order of appearance."""
    text = unicodedata.normalize("NFKC", question)
    found: list[tuple[int, YearMention]] = []
    # Characters already read as a year, one flag each: a question naming 100 years costs 100 checks of a few
    # characters, not 100 × 100 comparisons of spans.
    taken = bytearray(len(text))

    def free(m: re.Match[str]) -> bool:
        return not any(taken[m.start() : m.end()])

    def add(m: re.Match[str], years: list[int]) -> None:
        taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        found.append((m.start(), YearMention(tuple(years), m.group(0))))

    def era(name: str) -> str:
        return ERA_ABBREVIATIONS.get(name.upper(), name)

    # A year the era does not have (令和0年) is a typo, not a year: it is skipped, never an error.
    for m in _ERA_RANGE.finditer(text):
        with suppress(ValueError):
            first = era_to_western(m.group(1), _n(m.group(2)))
            last = era_to_western(m.group(3) or m.group(1), _n(m.group(4)))
            if first <= last and last - first <= 50:
                add(m, list(range(first, last + 1)))
    for m in _ABBR_RANGE.finditer(text):
        if free(m):
            with suppress(ValueError):
                first = era_to_western(era(m.group(1)), _n(m.group(2)))
                last = era_to_western(era(m.group(3) or m.group(1)), _n(m.group(4)))
                if first <= last and last - first <= 50:
                    add(m, list(range(first, last + 1)))
    for m in _ERA_YEAR.finditer(text):
        if free(m):
            with suppress(ValueError):
                add(m, [era_to_western(m.group(1), _n(m.group(2)))])
    for m in _ABBR_YEAR.finditer(text):
        if free(m):
            with suppress(ValueError):
                add(m, [era_to_western(era(m.group(1)), _n(m.group(2)))])
    eras = sorted(
        [(m.start(), m.group(1)) for m in _ERA_YEAR.finditer(text)]
        + [(m.start(), era(m.group(1))) for m in _ABBR_YEAR.finditer(text)]
    )
    starts = [start for start, _ in eras]
    for m in _BARE_YEAR.finditer(text):
        before = bisect_left(starts, m.start())  # eras that start before this year
        if free(m) and before:
            with suppress(ValueError):
                add(m, [era_to_western(eras[before - 1][1], _n(m.group(1)))])
    for m in _WESTERN_RANGE.finditer(text):
        if free(m) and int(m.group(1)) <= int(m.group(2)) <= int(m.group(1)) + 50:
            add(m, list(range(int(m.group(1)), int(m.group(2)) + 1)))
    for m in _WESTERN.finditer(text):
        if free(m):
            add(m, [int(m.group(1) or m.group(2))])
    if newest is not None:
        for word, offset in _RELATIVE.items():
            for m in re.finditer(word, text):
                if free(m):
                    add(m, [newest + offset])
    return [mention for _, mention in sorted(found, key=lambda p: p[0])]


def find_departments(question: str, departments: tuple[str, ...]) -> tuple[str, ...]:
    """Department names (地域安全課, 指導室, …) that the question names, longest match first."""
    text = unicodedata.normalize("NFKC", question)
    hits: list[str] = []
    for name in sorted(departments, key=len, reverse=True):
        key = unicodedata.normalize("NFKC", name)
        if key in text and not any(key in h for h in hits):
            hits.append(name)
    return tuple(hits)


def understand(question: str, available_years: tuple[int, ...], departments: tuple[str, ...]) -> QueryUnderstanding:
    """Years and departments named in ``question``, split into those in the data and those not."""
    newest = max(available_years) if available_years else None
    mentions = find_years(question, newest)
    years = sorted({y for m in mentions for y in m.years})
    known = tuple(y for y in years if y in available_years)
    unknown = tuple(y for y in years if y not in available_years)
    return QueryUnderstanding(
        years=known,
        unknown_years=unknown,
        departments=find_departments(question, departments),
        year_text="、".join(m.text for m in mentions),
    )
