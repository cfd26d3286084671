"""Numbered citations and the items that point at them: one place builds every presented label of a bullet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.answer.records import AnswerGroup, AnswerItem, Citation, Occurrence
from assistant.domain import messages as msg
from assistant.domain.corpus import Corpus, year_range_label
from assistant.domain.model import ActivityBullet, Status
from assistant.domain.normalize import Corrections
from assistant.domain.view import view


def years_label(years: Sequence[int], status: Status) -> str:
    """「令和4〜6年度」, with 予定 / 予定を含む for the plans-including column."""
    label = year_range_label(list(years))
    if status is Status.PLANNED:
        return f"{label}・{msg.PLANNED}"
    if status is Status.CURRENT:
        return f"{label}・{msg.CURRENT}"
    return label


def display_text(bullet: ActivityBullet, corrections: Corrections) -> str:
    """The bullet as a reader sees it: verbatim, with the extraction typos of data/corrections.tsv corrected."""
    return corrections.apply(bullet.text)


@dataclass
class CitationBook:
    """Numbers citations in the order they are first used; the same bullets cited twice get one number."""

    corpus: Corpus
    corrections: Corrections
    citations: list[Citation] = field(default_factory=list)
    _numbers: dict[tuple[int, ...], int] = field(default_factory=dict)

    def cite(self, bullet_ids: Sequence[int]) -> int:
        """The number of a citation for one displayed text and every year it was reported (oldest first)."""
        key = tuple(bullet_ids)
        if key not in self._numbers:
            number = len(self.citations) + 1
            self.citations.append(self._citation(number, key))
            self._numbers[key] = number
        return self._numbers[key]

    def item(self, bullet_ids: Sequence[int]) -> AnswerItem:
        """An answer line for the bullets (identical text over ``bullet_ids``' years), with its citation."""
        b = self.corpus.bullets[bullet_ids[-1]]
        years = [self.corpus.bullets[i].fiscal_year for i in bullet_ids]
        number = self.cite(bullet_ids)
        return AnswerItem(display_text(b, self.corrections), years_label(years, b.status), b.status.value, number)

    def group(self, measure_id: str, items: Sequence[AnswerItem], section: str = "") -> AnswerGroup:
        measure = self.corpus.measure(measure_id)
        departments = tuple(dict.fromkeys(d.name for d in measure.latest.departments))
        return AnswerGroup(measure_id, measure.name, departments, tuple(items), section)

    def _citation(self, number: int, bullet_ids: tuple[int, ...]) -> Citation:
        views = [view(self.corpus, i) for i in bullet_ids]
        occurrences = tuple(Occurrence(v.fiscal_year, v.fiscal_year_label, v.status.value, v.source) for v in views)
        v = views[-1]
        years = tuple(x.fiscal_year for x in views)
        return Citation(
            number=number,
            measure_id=v.measure_id,
            measure=v.measure,
            section=v.section,
            department=v.department,
            departments=v.departments,
            fiscal_year=v.fiscal_year,
            fiscal_year_label=v.fiscal_year_label,
            fiscal_years=years,
            years_label=year_range_label(list(years)),
            status=v.status.value,
            text=self.corrections.apply(v.text),
            text_verbatim=v.text,
            occurrences=occurrences,
            bullet_ids=bullet_ids,
        )
