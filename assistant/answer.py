"""Ranked hits → a short Japanese answer with numbered citations. Deterministic, offline, no LLM.

The answer is built only from verbatim bullets: a lead sentence, the activities grouped by measure
(newest year first), each ending with a citation marker. Text repeated word for word over several
years is shown once with its years as a range; its citation lists every year and source line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from . import messages as msg
from .corpus import Corpus, year_range_label
from .figures import Insights, Series, format_value
from .model import Status, fiscal_year_label, wareki_label
from .query import find_years
from .relevance import Gate
from .search import Filters, Hit, Ranking, Searcher, SearchResult

MAX_GROUPS = 3
MAX_ITEMS_PER_GROUP = 4
MAX_ITEMS = 8
SEARCH_DEPTH = 20
# Two bullets whose character bigrams overlap this much say the same thing in other words
# (「振り込め詐欺防止チラシ…配布」 / 「振込詐欺防止チラシ…掲示」): the answer shows the better-ranked one.
NEAR_DUPLICATE = 0.5
# A hit joins the answer when its fused score is within this fraction of the best one: the fused score
# is normalised per question, so this is relative to the best evidence, not an absolute cut.
RELATIVE_CUT = 0.75

_DEPARTMENT_INTENT = re.compile(r"担当|部署|どこの課|どの課|誰が|だれが|どこが")
_TREND_INTENT = re.compile(r"推移|増え|減っ|増加|減少|変化|経年|年ごと|年度ごと|毎年|比較|比べ|トレンド|伸び|グラフ")
_NEW_INTENT = re.compile(r"新し|新規|新た|初めて|はじめて")
# Words that carry no topic of their own: a question made only of these (after removing years and
# department names) is a follow-up that inherits the previous question's topic.
_FOLLOWUP_WORDS = re.compile(
    r"担当|部署|課|どこ|だれ|誰|いつ|何|なに|どう|それ|その|これ|この|あれ|じゃあ|では|また|ほか|他|"
    r"年度|年|予定|実績|結果|数字|詳しく|もっと|教えて|ください|下さい|知りたい|ですか|ますか|でしょうか|"
    r"前|次|去年|昨年|今年|最新|最近|過去|比較|比べ|違い|変化|推移|について|は|の|を|に|が|で|と|も|か|？|\?|。|、|!|！|\s"
)
_QUESTION_TAIL = re.compile(
    r"((について|に関して)?(を)?(教えてください|教えて下さい|教えて|知りたい|は何ですか|はありますか|"
    r"はどうなっていますか|はどうですか|していますか|いますか|しますか|ありますか|ですか|ますか|でしょうか)|"
    r"について|に関して|とは|は)?[？?。!！\s]*$"
)


@dataclass(frozen=True)
class Turn:
    role: str  # "user" or "assistant"
    content: str


@dataclass(frozen=True)
class Occurrence:
    fiscal_year: int
    fiscal_year_label: str
    status: str
    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Citation:
    number: int
    measure_id: str
    measure: str
    section: str
    department: str
    departments: tuple[str, ...]
    fiscal_year: int  # the newest year of the text
    fiscal_year_label: str
    fiscal_years: tuple[int, ...]
    years_label: str
    status: str
    text: str  # verbatim
    occurrences: tuple[Occurrence, ...]  # every year this text was reported, with its source line
    bullet_ids: tuple[int, ...] = ()  # the bullets quoted, oldest first (sent back with feedback)

    @property
    def source_file(self) -> str:
        return self.occurrences[-1].file

    @property
    def source_line(self) -> int:
        return self.occurrences[-1].line


@dataclass(frozen=True)
class AnswerItem:
    text: str
    years_label: str
    status: str
    citation: int


@dataclass(frozen=True)
class AnswerGroup:
    measure_id: str
    measure: str
    departments: tuple[str, ...]
    items: tuple[AnswerItem, ...]


@dataclass(frozen=True)
class Answer:
    question: str
    resolved_question: str  # the question with the topic of earlier turns, for follow-ups
    found: bool
    lead: str
    groups: tuple[AnswerGroup, ...]
    citations: tuple[Citation, ...]
    notes: tuple[str, ...]  # sentences after the groups (scope, unknown years, a trend's summary)
    suggestions: tuple[str, ...]
    result: SearchResult
    series: tuple[Series, ...] = ()  # figures by year, for a chart (trend questions)
    series_citations: tuple[tuple[int, ...], ...] = ()  # citation number of each point, per series

    @property
    def text(self) -> str:
        """The answer as plain text with [n] markers, as the CLI prints it."""
        lines = [self.lead]
        for g in self.groups:
            dept = f"（{msg.DEPARTMENT_PREFIX}{'・'.join(g.departments)}）" if g.departments else ""
            lines.append(f"\n■ {g.measure}{dept}")
            lines.extend(f"・{i.text}（{i.years_label}）[{i.citation}]" for i in g.items)
        if self.notes:
            lines.append("")
            lines.extend(self.notes)
        if self.suggestions:
            lines.extend(f"・{s}" for s in self.suggestions)
        return "\n".join(lines)


# ---- follow-ups ---------------------------------------------------------------------------------


def is_followup(question: str, departments: Sequence[str]) -> bool:
    """True when nothing is left of the question once years, departments and filler words are removed."""
    text = unicodedata.normalize("NFKC", question)
    for mention in find_years(text, newest=9999):
        text = text.replace(mention.text, " ")
    for d in departments:
        text = text.replace(unicodedata.normalize("NFKC", d), " ")
    return not _FOLLOWUP_WORDS.sub("", text).strip()


def resolve_question(question: str, history: Sequence[Turn], departments: Sequence[str]) -> tuple[str, str]:
    """(question to search, question that names the topic).

    An elliptical follow-up (「令和5年度は？」, 「担当はどこ？」) takes the topic of the latest
    self-contained user turn; the client sends the turns, the server keeps no conversation state.
    """
    if not is_followup(question, departments):
        return question, question
    for turn in reversed(history):
        if turn.role == "user" and turn.content.strip() and not is_followup(turn.content, departments):
            return f"{turn.content.strip()} {question.strip()}", turn.content.strip()
    return question, question


def topic_of(question: str) -> str:
    """「高齢者の詐欺対策は？」 → 「高齢者の詐欺対策」, for the lead sentence."""
    topic = _QUESTION_TAIL.sub("", question.strip()).strip()
    return topic or question.strip()


# ---- composing ----------------------------------------------------------------------------------


def _citation(number: int, bullet_ids: Sequence[int], corpus: Corpus) -> Citation:
    """A citation for one displayed text and every year it was reported (``bullet_ids``, oldest first)."""
    bullets = [corpus.bullets[i] for i in bullet_ids]
    occurrences = tuple(
        Occurrence(
            b.fiscal_year,
            fiscal_year_label(b.fiscal_year),
            b.status.value,
            b.source.file,
            b.source.line,
            b.source.column,
        )
        for b in bullets
    )
    b = bullets[-1]
    version = corpus.version_for(b.measure_id, b.fiscal_year)
    measure = corpus.measure(b.measure_id)
    years = tuple(x.fiscal_year for x in bullets)
    return Citation(
        number=number,
        measure_id=measure.measure_id,
        measure=measure.name,
        section=measure.section_path,
        department=b.department or "・".join(d.name for d in version.departments),
        departments=tuple(str(d) for d in version.departments),
        fiscal_year=b.fiscal_year,
        fiscal_year_label=fiscal_year_label(b.fiscal_year),
        fiscal_years=years,
        years_label=year_range_label(list(years)),
        status=b.status.value,
        text=b.text,
        occurrences=occurrences,
        bullet_ids=tuple(bullet_ids),
    )


def _years_label(years: Sequence[int], status: Status) -> str:
    label = year_range_label(list(years))
    if status is Status.PLANNED:
        return f"{label}・{msg.PLANNED}"
    if status is Status.CURRENT:
        return f"{label}・{msg.CURRENT}"
    return label


def _bigrams(text: str) -> set[str]:
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return {t[i : i + 2] for i in range(len(t) - 1)} or {t}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def select_hits(hits: Sequence[Hit]) -> list[Hit]:
    """The hits worth showing: close to the best score, at most MAX_GROUPS measures and MAX_ITEMS items."""
    if not hits:
        return []
    best = hits[0].score
    floor = best * RELATIVE_CUT if best > 0 else best
    chosen: list[Hit] = []
    shingles: list[set[str]] = []
    per_measure: dict[str, int] = {}
    for h in hits:
        if h.score < floor and chosen:
            break
        grams = _bigrams(h.bullet.text)
        if any(_jaccard(grams, other) >= NEAR_DUPLICATE for other in shingles):
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
    return chosen


def compose(
    question: str,
    resolved: str,
    topic_question: str,
    result: SearchResult,
    corpus: Corpus,
    *,
    relevant: bool,
    department_intent: bool = False,
) -> Answer:
    """Build the answer from a search result. ``relevant`` comes from the calibrated gate."""
    available = year_range_label(list(corpus.fiscal_years))
    scope = msg.SCOPE.format(years=available)
    suggestions = msg.EXAMPLE_QUESTIONS[:3]
    if "unknown_year" in result.notices:
        asked = year_range_label(list(result.understanding.unknown_years))
        lead = msg.UNKNOWN_YEAR.format(asked=asked, years=available)
        return Answer(question, resolved, False, lead, (), (), (scope, msg.TRY_EXAMPLES), suggestions, result)
    chosen = select_hits(result.hits) if relevant else []
    if not chosen:
        lead = msg.NOT_FOUND
        # Blame the filters only when the question itself is in scope.
        if relevant and (result.filters.years or result.filters.departments):
            conditions = "、".join(
                [year_range_label(list(result.filters.years))] * bool(result.filters.years)
                + list(result.filters.departments)
            )
            lead = msg.FILTER_EMPTY.format(conditions=conditions)
        return Answer(question, resolved, False, lead, (), (), (scope, msg.TRY_EXAMPLES), suggestions, result)

    # Group by measure in order of each measure's best hit; inside a group, newest year first.
    order: dict[str, list[Hit]] = {}
    for h in chosen:
        order.setdefault(h.measure.measure_id, []).append(h)
    groups, citations = [], []
    for mid, hits in order.items():
        items = []
        for h in sorted(hits, key=lambda h: (-max(h.fiscal_years), h.rank)):
            number = len(citations) + 1
            citations.append(_citation(number, h.bullet_ids, corpus))
            items.append(
                AnswerItem(h.bullet.text, _years_label(h.fiscal_years, h.bullet.status), h.bullet.status.value, number)
            )
        measure = corpus.measure(mid)
        departments = tuple(dict.fromkeys(d.name for d in measure.latest.departments))
        groups.append(AnswerGroup(mid, measure.name, departments, tuple(items)))

    topic = topic_of(topic_question)
    if department_intent:
        lead = msg.LEAD_DEPARTMENT.format(topic=topic)
    elif result.filters.years:
        lead = msg.LEAD_WITH_YEARS.format(topic=topic, years=year_range_label(list(result.filters.years)))
    else:
        lead = msg.LEAD.format(topic=topic)
    return Answer(question, resolved, True, lead, tuple(groups), tuple(citations), (), (), result)


def _bigram_overlap(a: str, b: str) -> int:
    return len(_bigrams(a) & _bigrams(b))


def pick_series(question: str, result: SearchResult, insights: Insights) -> Series | None:
    """The series a trend question asks about, among the measures of the top hits.

    Ranked by how much of the question its label and unit share (「回数」 → パトロール回数, 「台数」 → 台),
    then by whether it contains a top hit, then by its measure's rank.
    """
    top_bullets = {i for h in result.hits[:5] for i in h.bullet_ids}
    best: tuple[int, int, int] | None = None
    chosen = None
    for rank, mid in enumerate(dict.fromkeys(h.measure.measure_id for h in result.hits[:10])):
        for series in insights.series_for(mid):
            contains = any(p.bullet_id in top_bullets for p in series.points)
            overlap = _bigram_overlap(question, series.label) + (series.unit in question)
            key = (overlap, int(contains), -rank)
            if best is None or key > best:
                best, chosen = key, series
    return chosen


def trend_summary(series: Series) -> str:
    first, last = series.points[0], series.points[-1]
    if last.value > first.value:
        direction = "増えています"
    elif last.value < first.value:
        direction = "減っています"
    else:
        direction = "変わっていません"
    return msg.TREND_SUMMARY.format(
        label=series.label,
        first_year=wareki_label(first.fiscal_year),
        first=format_value(first),
        last_year=wareki_label(last.fiscal_year),
        last=format_value(last),
        direction=direction,
    )


def compose_trend(
    question: str, resolved: str, topic_question: str, result: SearchResult, corpus: Corpus, series: Series
) -> Answer:
    """Figures by year, oldest first, each a verbatim bullet with its citation, and a one-line summary."""
    items, citations = [], []
    for point in series.points:
        number = len(citations) + 1
        citations.append(_citation(number, [point.bullet_id], corpus))
        b = corpus.bullets[point.bullet_id]
        items.append(AnswerItem(b.text, _years_label([b.fiscal_year], b.status), b.status.value, number))
    measure = corpus.measure(series.measure_id)
    group = AnswerGroup(
        measure.measure_id, measure.name, tuple(d.name for d in measure.latest.departments), tuple(items)
    )
    lead = msg.LEAD_TREND.format(topic=topic_of(topic_question), label=series.label, unit=series.unit)
    gaps = [
        y for y in range(series.points[0].fiscal_year, series.points[-1].fiscal_year) if y not in corpus.fiscal_years
    ]
    notes = [trend_summary(series)]
    if gaps:
        notes.append(msg.TREND_GAPS.format(years=year_range_label(gaps)))
    numbers = tuple(c.number for c in citations)
    return Answer(
        question, resolved, True, lead, (group,), tuple(citations), tuple(notes), (), result, (series,), (numbers,)
    )


def compose_new(
    question: str,
    resolved: str,
    result: SearchResult,
    corpus: Corpus,
    bullet_ids: Sequence[int],
    years: Sequence[int],
) -> Answer:
    """Bullets new in ``years`` (absent from the measure's previous reported year), grouped by measure."""
    label = year_range_label(list(years))
    if not bullet_ids:
        lead = msg.NEW_NONE.format(years=label)
        return Answer(question, resolved, False, lead, (), (), (), (), result)
    groups: dict[str, list[int]] = {}
    for i in bullet_ids[: MAX_ITEMS * 2]:
        groups.setdefault(corpus.bullets[i].measure_id, []).append(i)
    out_groups, citations = [], []
    for mid, ids in groups.items():
        items = []
        for i in ids:
            b = corpus.bullets[i]
            number = len(citations) + 1
            citations.append(_citation(number, [i], corpus))
            items.append(AnswerItem(b.text, _years_label([b.fiscal_year], b.status), b.status.value, number))
        m = corpus.measure(mid)
        out_groups.append(AnswerGroup(mid, m.name, tuple(d.name for d in m.latest.departments), tuple(items)))
    lead = msg.LEAD_NEW.format(years=label)
    return Answer(question, resolved, True, lead, tuple(out_groups), tuple(citations), (msg.NEW_RULE,), (), result)


def _has_topic(question: str, departments: Sequence[str]) -> bool:
    return not is_followup(_NEW_INTENT.sub("", re.sub(r"取り?組み?|施策|活動|事業", "", question)), departments)


def answer_question(
    searcher: Searcher,
    question: str,
    *,
    history: Sequence[Turn] = (),
    filters: Filters | None = None,
    gate: Gate | None = None,
    insights: Insights | None = None,
) -> Answer:
    """Search (with the topic of earlier turns for a follow-up) and compose the answer.

    Three kinds of question get their own shape: a trend (「回数の推移は？」) is answered with a
    series of figures by year; 「令和5年度の新しい取組みは？」 with the bullets new that year; any
    other with the best-matching bullets grouped by measure.
    """
    corpus = searcher.corpus
    resolved, topic_question = resolve_question(question, history, corpus.departments)
    result = searcher.search(resolved, top_k=SEARCH_DEPTH, filters=filters)
    relevant = gate.accepts(result.best_cosine, result.best_bm25) if gate else bool(result.hits)
    asked = unicodedata.normalize("NFKC", question)
    department_intent = bool(_DEPARTMENT_INTENT.search(asked))
    if insights is not None and "unknown_year" not in result.notices:
        if _NEW_INTENT.search(asked):
            years = result.filters.years or (max(corpus.fiscal_years),)
            keep = searcher.mask(Filters(years, result.filters.departments, result.filters.sections))
            ids = [i for i in sorted(insights.new_ids) if keep is None or keep[i]]
            if _has_topic(resolved, corpus.departments) and ids:
                scores = searcher.scores(resolved, Ranking.FUSED, keep)
                ids = [i for i in sorted(ids, key=lambda i: -scores[i]) if scores[i] > -1][:MAX_ITEMS]
            return compose_new(question, resolved, result, corpus, ids, years)
        if relevant and _TREND_INTENT.search(asked):
            series = pick_series(resolved, result, insights)
            if series is not None:
                return compose_trend(question, resolved, topic_question, result, corpus, series)
    return compose(
        question, resolved, topic_question, result, corpus, relevant=relevant, department_intent=department_intent
    )
