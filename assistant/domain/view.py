"""A bullet as the product presents it, built in one place: its measure, department label, year label, status and
source. Citations, search hits, export rows and the measure timeline all show a bullet through this view, so
chat, search and CSV say the same thing the same way."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assistant.domain.corpus import CanonicalMeasure, Corpus
from assistant.domain.model import ActivityBullet, Measure, SourceRef, Status, fiscal_year_label


def department_label(names: Iterable[str]) -> str:
    """The one way a list of departments is printed: 「地域安全課・経済課」."""
    return "・".join(names)


@dataclass(frozen=True)
class BulletView:
    bullet_id: int
    measure_id: str
    measure: str  # the measure's newest wording
    section: str  # 「1 日常生活における安全安心の確保 › (1) 地域防犯力の向上」
    department: str  # the 【…】 block the bullet stands in, else its measure's departments that year
    departments: tuple[str, ...]  # the measure's 担当課 as printed in the report of the bullet's year
    fiscal_year: int
    fiscal_year_label: str  # 令和5年度（2023年度）
    status: Status
    text: str  # verbatim
    source: SourceRef


def bullet_view(bullet_id: int, bullet: ActivityBullet, measure: CanonicalMeasure, version: Measure) -> BulletView:
    """The view of a bullet whose measure and year's version are at hand (a search hit carries them)."""
    return BulletView(
        bullet_id=bullet_id,
        measure_id=measure.measure_id,
        measure=measure.name,
        section=measure.section_path,
        department=bullet.department or department_label(d.name for d in version.departments),
        departments=tuple(str(d) for d in version.departments),
        fiscal_year=bullet.fiscal_year,
        fiscal_year_label=fiscal_year_label(bullet.fiscal_year),
        status=bullet.status,
        text=bullet.text,
        source=bullet.source,
    )


def view(corpus: Corpus, bullet_id: int) -> BulletView:
    b = corpus.bullets[bullet_id]
    return bullet_view(bullet_id, b, corpus.measure(b.measure_id), corpus.version_for(b.measure_id, b.fiscal_year))
