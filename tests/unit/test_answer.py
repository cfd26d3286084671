"""The answer composer: grouping, year ranges, planned marking, no-result answers, follow-ups, trends."""

from __future__ import annotations

import pytest

from assistant.answer import Turn, answer_question, select_hits
from assistant.answer.question import is_followup
from assistant.answer.question import resolve as resolve_question
from assistant.domain.corpus import Corpus
from assistant.domain.figures import Insights
from assistant.domain.model import Status
from assistant.retrieval.relevance import Gate, fit_gate
from assistant.retrieval.search import Filters, Searcher
from assistant.retrieval.tokenize import SudachiTokenizer

MORPHEMES = SudachiTokenizer().morphemes

ACCEPT_ALL = Gate(weight=0.0, threshold=-2.0, accuracy=1.0, n_in=1, n_out=1)
REJECT_ALL = Gate(weight=0.0, threshold=2.0, accuracy=1.0, n_in=1, n_out=1)


@pytest.fixture(scope="module")
def insights(corpus: Corpus) -> Insights:
    return Insights.from_corpus(corpus)


def test_answer_groups_by_measure_with_numbered_citations(searcher: Searcher, insights: Insights) -> None:
    a = answer_question(searcher, "高齢者の詐欺対策は？", gate=ACCEPT_ALL, insights=insights)
    # The lead names activities in the reports' words, never the question: 「市の主な取組みは、…です。」
    assert a.found and a.lead.startswith("市の主な取組みは、") and "高齢者の詐欺対策" not in a.lead
    numbers = [i.citation for g in a.groups for i in g.items]
    assert numbers == list(range(1, len(a.citations) + 1))
    assert len({g.measure_id for g in a.groups}) == len(a.groups)  # one group per measure
    for c in a.citations:
        newest = c.occurrences[-1]
        assert any(
            b.text == c.text and b.fiscal_year == newest.fiscal_year and b.source.line == newest.source.line
            for b in searcher.corpus.bullets
        ), "a citation quotes its source bullet verbatim"
        assert c.measure and c.department and "年度" in c.fiscal_year_label and c.section
    assert "[1]" in a.text


def test_citations_are_verbatim_and_cite_every_year(searcher: Searcher) -> None:
    a = answer_question(searcher, "暴力団排除ののぼり旗", gate=ACCEPT_ALL)
    c = next(c for c in a.citations if c.text == "市施設等に暴力団排除活動啓発ののぼり旗を掲出")
    assert c.fiscal_years == (2017, 2018, 2022, 2023, 2024)
    assert c.years_label == "平成29〜30年度、令和4〜6年度"
    assert [o.fiscal_year for o in c.occurrences] == [2017, 2018, 2022, 2023, 2024]
    assert {o.source.file for o in c.occurrences} == {"koganei_bouhan_h29-h30.txt", "koganei_bouhan_r4-r6.txt"}
    item = next(i for g in a.groups for i in g.items if i.citation == c.number)
    assert item.years_label.startswith("平成29〜30年度、令和4〜6年度")


def test_planned_work_is_marked(searcher: Searcher) -> None:
    a = answer_question(searcher, "令和6年度の安全・安心まちづくり協議会", gate=ACCEPT_ALL)
    planned = [i for g in a.groups for i in g.items if i.status == Status.PLANNED.value]
    assert planned, a.text
    assert all(i.years_label.endswith("・予定") for i in planned)
    assert "予定" in a.text


def test_figures_are_kept_exactly(searcher: Searcher) -> None:
    a = answer_question(searcher, "令和5年度の安全・安心メールの加入登録数", gate=ACCEPT_ALL)
    assert "10,554人" in a.text


def test_out_of_scope_question_gets_a_plain_no_result_answer(searcher: Searcher) -> None:
    a = answer_question(searcher, "今日の天気は？", gate=REJECT_ALL)
    assert not a.found and not a.citations and not a.groups
    assert "見つかりませんでした" in a.lead
    assert any("平成29〜30年度、令和4〜6年度" in n for n in a.notes)  # names the years that exist
    assert 2 <= len(a.suggestions) <= 3


def test_year_without_a_report_is_said_plainly(searcher: Searcher) -> None:
    a = answer_question(searcher, "令和2年度の防犯カメラ", gate=ACCEPT_ALL)
    assert not a.found and not a.citations
    assert "令和2年度" in a.lead and "平成29〜30年度、令和4〜6年度" in a.lead


def test_filters_with_no_match_say_which_conditions(searcher: Searcher) -> None:
    # 子ども家庭センター exists only from 令和6年度: nothing of it can be in 平成29年度.
    f = Filters(years=(2017,), departments=("子ども家庭センター",))
    a = answer_question(searcher, "虐待防止", filters=f, gate=ACCEPT_ALL)
    assert not a.found and "子ども家庭センター" in a.lead and "平成29年度" in a.lead
    # An out-of-scope question is not blamed on the filters.
    b = answer_question(searcher, "今日の天気", filters=Filters(departments=("学務課",)), gate=REJECT_ALL)
    assert not b.found and "学務課" not in b.lead


def test_scope_is_judged_before_filters(searcher: Searcher) -> None:
    unfiltered = searcher.search("パトロール")
    filtered = searcher.search("パトロール", filters=Filters(years=(2023,)))
    assert (filtered.best_cosine, filtered.best_bm25) == (unfiltered.best_cosine, unfiltered.best_bm25)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("令和5年度は？", True),
        ("担当はどこ？", True),
        ("R5は?", True),
        ("それの予定は？", True),
        ("地域安全課は？", True),
        ("高齢者の詐欺対策は？", False),
        ("防犯カメラ", False),
    ],
)
def test_followup_detection(question: str, expected: bool) -> None:
    assert is_followup(question, ["地域安全課"], MORPHEMES) is expected


def test_followup_takes_the_topic_of_the_last_self_contained_question() -> None:
    history = [
        Turn("user", "高齢者の詐欺対策は？"),
        Turn("assistant", "…"),
        Turn("user", "令和5年度は？"),
        Turn("assistant", "…"),
    ]
    resolved, earlier = resolve_question("担当はどこ？", history, [], MORPHEMES)
    assert resolved == "高齢者の詐欺対策は? 担当はどこ?" and earlier is not None
    assert resolve_question("防犯カメラは？", history, [], MORPHEMES) == ("防犯カメラは?", None)
    assert resolve_question("令和5年度は？", [], [], MORPHEMES) == ("令和5年度は?", None)


def test_followup_answer_uses_the_earlier_topic_and_the_new_year(searcher: Searcher, insights: Insights) -> None:
    history = [Turn("user", "CoCoパトロールの回数は？"), Turn("assistant", "…")]
    a = answer_question(searcher, "令和5年度は？", history=history, gate=ACCEPT_ALL, insights=insights)
    assert a.found and a.result.filters.years == (2023,)
    assert all(c.fiscal_year == 2023 for c in a.citations)
    assert "203回" in a.text


def test_department_question_names_departments(searcher: Searcher) -> None:
    history = [Turn("user", "高齢者の詐欺対策は？")]
    a = answer_question(searcher, "担当はどこ？", history=history, gate=ACCEPT_ALL)
    # The lead names the measure and its departments (the block's alone when the best bullet names the topic,
    # which needs the vocabulary this searcher-only call does not have).
    first = a.citations[0]
    assert first.measure in a.lead and f"担当は{'・'.join(a.groups[0].departments)}です" in a.lead


def test_near_duplicate_wordings_are_shown_once(searcher: Searcher) -> None:
    pair = {
        "振り込め詐欺防止チラシ「還付金詐欺にご注意を！」を作成し、窓口で配布",
        "振込詐欺防止チラシ「還付金詐欺にご注意を！」を作成し、窓口に掲示",
    }
    hits = searcher.search("還付金詐欺にご注意を チラシ", top_k=20).hits
    assert pair <= {h.bullet.text for h in hits}, "both wordings are retrieved"
    shown = {h.bullet.text for h in select_hits(hits)}
    assert len(pair & shown) == 1, "only the better-ranked wording is shown"


def test_trend_question_answers_with_a_series(searcher: Searcher, insights: Insights) -> None:
    a = answer_question(searcher, "CoCoパトロールの回数の推移は？", gate=ACCEPT_ALL, insights=insights)
    assert a.found and len(a.series) == 1
    s = a.series[0]
    assert s.label == "パトロール回数"
    assert [p.fiscal_year for p in s.points] == [2017, 2018, 2022, 2023]
    assert [c.fiscal_year for c in a.citations] == [2017, 2018, 2022, 2023]  # oldest first, one per year
    assert "589回" in a.text and "203回" in a.text
    # The first sentence tells the latest change, then every reported year, each figure cited by its bullet.
    assert a.lead.startswith("パトロール回数は、令和4年度の403回[3]から令和5年度は203回[4]に減りました。")
    assert "平成29年度589回[1]、平成30年度472回[2]、令和4年度403回[3]、令和5年度203回[4]" in a.lead
    assert any("令和元〜3年度" in n for n in a.notes)  # the gap years are named, not hidden
    assert a.series_citations == ((1, 2, 3, 4),)


def test_new_this_year_lists_only_new_bullets_of_that_year(searcher: Searcher, insights: Insights) -> None:
    a = answer_question(searcher, "令和5年度の新しい取組みは？", gate=ACCEPT_ALL, insights=insights)
    assert a.found and a.citations
    bullets = searcher.corpus.bullets
    for c in a.citations:
        assert c.fiscal_year == 2023
        (bullet_id,) = [i for i, b in enumerate(bullets) if b.text == c.text_verbatim and b.fiscal_year == 2023][:1]
        assert bullet_id in insights.new_ids
    assert any(c.text == "小中学校を対象にセーフティー教室を実施" for c in a.citations)


def test_fit_gate_separates_and_puts_the_cut_between() -> None:
    points = [(True, 0.90, 5.0), (True, 0.88, 0.0), (False, 0.82, 0.0), (False, 0.80, 3.0)]
    gate = fit_gate(points)
    assert gate.accuracy == 1.0
    assert gate.accepts(0.88, 0.0) and not gate.accepts(0.82, 0.0)
    assert 0.82 < gate.score(0.85, 0.0) + (gate.threshold - gate.score(0.85, 0.0)) <= 0.88


def test_fit_gate_needs_both_labels() -> None:
    with pytest.raises(ValueError):
        fit_gate([(True, 0.9, 1.0)])
