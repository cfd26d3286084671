"""Reading a question: intent, quantity asked for, topic, years (pure functions, no model)."""

from __future__ import annotations

import pytest

from assistant.answer.question import Intent, Role, Turn, parse_question, quantity_of, topic_of

YEARS = (2017, 2018, 2022, 2023, 2024)
DEPARTMENTS = ("地域安全課", "健康課", "学務課", "交通対策課")


def parse(text: str, history: tuple[Turn, ...] = ()):
    return parse_question(text, history, YEARS, DEPARTMENTS)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("青パトは何台ありますか", Intent.FACT),
        ("令和4年度のCoCoパトロールの回数は？", Intent.FACT),
        ("防犯講習会はいつありますか", Intent.FACT),
        ("事業者はいくつありますか", Intent.FACT),
        ("高齢者の詐欺対策は？", Intent.TOPIC),
        ("CoCoパトロールの回数の推移は？", Intent.TREND),
        ("パトロール回数は令和4年度と令和5年度でどう変わりましたか", Intent.COMPARE),
        ("配信数は令和4年度と5年度で比べてどう？", Intent.COMPARE),
        ("防犯ブザーの担当はどこ？", Intent.RESPONSIBLE),
        ("地域安全課が担当している取組みを教えて", Intent.DEPARTMENT_LIST),
        ("健康課は何をしていますか", Intent.DEPARTMENT_LIST),
        ("令和6年度に予定されている取組みは？", Intent.YEAR_LIST),
        ("令和5年度の新しい取組みは？", Intent.NEW),
        # A figure's label that says 新規 is not a question about new activities.
        ("平成29年度の街路灯の新規設置件数は？", Intent.FACT),
    ],
)
def test_intent(text: str, intent: Intent) -> None:
    assert parse(text).intent is intent


def test_compare_needs_two_years_and_a_compare_word() -> None:
    assert parse("令和4年度と令和5年度のパトロール").intent is not Intent.COMPARE
    assert parse("パトロール回数は令和5年度でどう変わった").intent is not Intent.COMPARE


@pytest.mark.parametrize(
    ("text", "units", "counted"),
    [
        ("青パトは何台ありますか", ("台",), ""),
        ("登録件数は？", ("件",), ""),
        ("走行距離は？", ("km",), ""),
        ("地域団体はいくつ？", ("団体",), ""),
        ("市内で地域パトロールをしている事業者はいくつありますか", (), "事業者"),
    ],
)
def test_quantity(text: str, units: tuple[str, ...], counted: str) -> None:
    q = quantity_of(text)
    assert q is not None and q.units == units and q.counted == counted


def test_no_quantity_in_a_topic_question() -> None:
    assert quantity_of("高齢者の詐欺対策は？") is None


def test_when_asks_for_a_date() -> None:
    q = quantity_of("防犯市民のつどいはいつ開催されますか")
    assert q is not None and q.date


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("高齢者の詐欺対策は？", "高齢者の詐欺対策"),
        ("子どもを見守る家とは何ですか", "子どもを見守る家"),
        ("駅の駐輪場の整備は進んでいますか", "駅の駐輪場の整備"),
        ("令和5年度の青パトは何台？", "青パト"),
        ("三幸公園には防犯カメラが何台ありますか", "三幸公園の防犯カメラ"),
        ("カンガルーポケットの登録件数は平成29年度と令和5年度でどう違う？", "カンガルーポケットの登録件数"),
    ],
)
def test_topic_is_the_subject_without_years_or_question_words(text: str, topic: str) -> None:
    assert topic_of(text) == topic


def test_followup_keeps_its_own_year_and_the_earlier_topic_and_intent() -> None:
    history = (Turn(Role.USER, "CoCoパトロールの回数は？"), Turn(Role.ASSISTANT, "…"))
    q = parse("平成29年度は？", history)
    assert q.years == (2017,) and q.intent is Intent.FACT
    assert "CoCoパトロール" in q.resolved and q.topic == "CoCoパトロールの回数"


def test_followup_responsible_takes_the_topic_of_history() -> None:
    q = parse("担当はどこ？", (Turn(Role.USER, "防犯ブザーの貸与について"),))
    assert q.intent is Intent.RESPONSIBLE and q.topic == "防犯ブザーの貸与"


def test_turn_role_from_json_becomes_the_enum_and_unknown_roles_fail() -> None:
    assert Turn("user", "x").role is Role.USER  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Turn("system", "x")  # type: ignore[arg-type]


def test_statistics_questions_are_flagged() -> None:
    assert parse("市内の振り込め詐欺の被害件数は？").statistics
    assert parse("市内の犯罪の認知件数は？").statistics
    assert not parse("令和4年度に高齢者向けの消費者被害の講座は何回開かれた？").statistics


def test_bare_year_after_an_era_year_takes_its_era() -> None:
    assert parse("配信数は令和4年度と5年度でどう変わった？").years == (2022, 2023)
