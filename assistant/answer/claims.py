"""What a lead says, as typed claims, each with its citations; :mod:`assistant.answer.render` writes them in
Japanese. Every string in a claim comes from the reports (a label, a phrase of a bullet, a measure's name, a
department) or from the corpus' own year labels; the only text of the user's a claim may hold is the one
content word the reports lack, in :class:`Absent`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from assistant.domain.model import Status


class Change(StrEnum):
    UP = "up"
    DOWN = "down"
    SAME = "same"


def change_of(first: float, last: float) -> Change:
    return Change.UP if last > first else Change.DOWN if last < first else Change.SAME


@dataclass(frozen=True)
class Value:
    """One figure of one year as printed in its bullet (「1,034件」), with the citation of that bullet."""

    year: int
    text: str
    number: float
    status: Status
    citation: int


@dataclass(frozen=True)
class Figure:
    """「CoCoパトロール隊の距離は、令和4年度は9,432kmでした[1]。」; ``cumulative`` keeps 累計 in the sentence."""

    label: str
    value: Value
    cumulative: bool = False
    asked_year: bool = False  # the year was asked for; otherwise it is the latest reported


@dataclass(frozen=True)
class MissingFigure:
    """The year asked for has no such figure; the nearest years do."""

    label: str
    year: int
    nearest: tuple[Value, ...]


@dataclass(frozen=True)
class Comparison:
    label: str
    first: Value
    last: Value

    @property
    def change(self) -> Change:
        return change_of(self.first.number, self.last.number)


@dataclass(frozen=True)
class SeriesClaim:
    """Every reported year of a figure, and the latest change (the last two points)."""

    label: str
    points: tuple[Value, ...]

    @property
    def latest(self) -> Comparison:
        return Comparison(self.label, self.points[-2], self.points[-1])

    @property
    def overall(self) -> Change:
        return change_of(self.points[0].number, self.points[-1].number)

    def monotonic(self, change: Change) -> bool:
        pairs = zip(self.points, self.points[1:], strict=False)
        return all(change_of(a.number, b.number) is change for a, b in pairs)


@dataclass(frozen=True)
class Activity:
    """An activity named by a phrase of its bullet (or its measure's name), with its latest year."""

    phrase: str
    action: bool  # the phrase ends in something done (貸与, 実施): 「…を行っています」 reads
    year: int
    status: Status
    department: str  # the block the bullet stands in (【学務課】), or the measure's departments
    figure: str  # the bullet's first figure (「1,987件」), or empty
    citation: int
    quote: str = ""  # the bullet's own words (its first sentence), when the phrase says too little of them
    done: bool = True  # False when the bullet reports nothing done (「…の影響で中止」): then ``quote`` is set


@dataclass(frozen=True)
class Activities:
    """「市では、…に取り組んでいます。」, or with ``yes`` 「はい。…」; ``years`` when the question named years."""

    items: tuple[Activity, ...]
    yes: bool = False
    years: tuple[int, ...] = ()


@dataclass(frozen=True)
class Responsible:
    subject: str  # the activity's phrase or its measure's name
    departments: str
    measure: str
    citation: int


@dataclass(frozen=True)
class DepartmentMeasures:
    """A department's activities (when it runs one measure) or measures, named in the first sentence."""

    department: str
    names: tuple[str, ...]
    citations: tuple[int, ...]
    more: bool  # more are listed below than named here


@dataclass(frozen=True)
class Absent:
    word: str  # one content word of the question the reports never use
    statistics: bool = False


@dataclass(frozen=True)
class Quote:
    """No figure answers: the bullet that does, quoted. ``subject`` is empty when the quote names its activity
    in the same words (the lead would say it twice); ``missing`` names what the question asked for that the
    bullet does not give (「セーフティー教室の実施回数」), said first, from the bullet's phrase and the one absent
    word (回数)."""

    subject: str  # a phrase of the bullet or its measure's name, or empty
    year: int
    text: str
    citation: int
    missing: str = ""


@dataclass(frozen=True)
class Choice:
    """One thing an ambiguous question may mean: an activity named by its bullet's phrase, cited, and the
    question that asks for it (built from the same phrase)."""

    phrase: str
    measure_id: str
    citation: int


@dataclass(frozen=True)
class Clarify:
    """「どの防犯カメラについてお知りになりたいですか。」: ``subject`` is the word every choice's bullet writes
    (taken from the bullet, so from the reports), or empty."""

    subject: str
    choices: tuple[Choice, ...]


Claim = (
    Figure
    | MissingFigure
    | Comparison
    | SeriesClaim
    | Activities
    | Responsible
    | DepartmentMeasures
    | Absent
    | Quote
    | Clarify
)
