"""Typed claims → Japanese: one test per claim type, a known plan rendered into exact sentences (no model, no
corpus)."""

from __future__ import annotations

from assistant.answer.claims import (
    Absent,
    Activities,
    Activity,
    Change,
    Choice,
    Clarify,
    Comparison,
    DepartmentMeasures,
    Figure,
    MissingFigure,
    Quote,
    Responsible,
    SeriesClaim,
    Value,
)
from assistant.answer.render import choice_question, render, then
from assistant.domain.model import Status


def v(year: int, text: str, number: float, n: int, status: Status = Status.ACTUAL) -> Value:
    return Value(year, text, number, status, n)


def act(phrase: str, n: int, *, action: bool = True, figure: str = "", quote: str = "", year: int = 2023) -> Activity:
    return Activity(phrase, action, year, Status.ACTUAL, "学務課", figure, n, quote)


def test_figure_done_planned_current_and_cumulative() -> None:
    assert render([Figure("CoCoパトロール隊の距離", v(2022, "9,432km", 9432, 1))]) == (
        "CoCoパトロール隊の距離は、令和4年度は9,432kmでした[1]。"
    )
    assert render([Figure("協議会", v(2024, "3回", 3, 2, Status.PLANNED))]) == "協議会は、令和6年度に3回の予定です[2]。"
    assert render([Figure("車両数", v(2024, "13台", 13, 3, Status.CURRENT))]) == (
        "車両数は、令和6年度（実施予定を含む）は13台です[3]。"
    )
    assert render([Figure("自動通話録音機の貸与", v(2022, "874台", 874, 1), cumulative=True)]) == (
        "自動通話録音機の貸与は、令和4年度の報告で累計874台です[1]。"
    )
    assert then(v(2024, "13台", 13, 2, Status.CURRENT)) == "令和6年度（実施予定を含む）は13台です[2]。"


def test_missing_figure_names_the_nearest_years() -> None:
    claim = MissingFigure("空き家の相談件数", 2022, (v(2017, "37件", 37, 1), v(2018, "38件", 38, 2)))
    assert render([claim]) == (
        "令和4年度の報告には、空き家の相談件数の数値はありません。近い年度では、平成29年度の37件[1]、平成30年度の38件[2]です。"
    )


def test_comparison_says_the_direction() -> None:
    claim = Comparison("パトロール回数", v(2022, "403回", 403, 1), v(2023, "203回", 203, 2))
    assert claim.change is Change.DOWN
    assert render([claim]) == "パトロール回数は、令和4年度の403回[1]から令和5年度は203回[2]に減りました。"
    same = Comparison("配布", v(2022, "100枚", 100, 1), v(2023, "100枚", 100, 2))
    assert render([same]).endswith("に変わりませんでした（同じ数値です）。")


def test_series_tells_the_latest_change_and_every_year() -> None:
    points = (v(2017, "10,278人", 10278, 1), v(2022, "10,730人", 10730, 2), v(2023, "10,554人", 10554, 3))
    assert render([SeriesClaim("こがねい安全・安心メール加入登録数", points)]) == (
        "こがねい安全・安心メール加入登録数は、令和4年度の10,730人[2]から令和5年度は10,554人[3]に減りました。"
        "報告のある年度の数値は、平成29年度10,278人[1]、令和4年度10,730人[2]、令和5年度10,554人[3]です。"
    )
    falling = (v(2017, "35件", 35, 1), v(2018, "34件", 34, 2), v(2023, "24件", 24, 3))
    assert "報告のある年度では、毎年減っています。" in render([SeriesClaim("街路灯新規設置件数", falling)])


def test_activities_name_up_to_three_and_say_more() -> None:
    items = (act("防犯ブザーの貸与", 1, figure="1,987件"), act("地域安全マップ作り", 2), act("非常通報装置の保守", 3))
    assert render([Activities(items)]) == (
        "市の主な取組みは、防犯ブザーの貸与（令和5年度、1,987件）[1]、地域安全マップ作り（令和5年度）[2]、"
        "非常通報装置の保守（令和5年度）[3]です。"
    )
    more = (*items, act("セーフティー教室の実施", 4))
    assert render([Activities(more)]).endswith("非常通報装置の保守（令和5年度）[3]などです。")
    assert render([Activities(items[:1], years=(2023,))]) == (
        "令和5年度の主な取組みは、防犯ブザーの貸与（令和5年度、1,987件）[1]です。"
    )


def test_yes_with_an_action_a_name_or_the_bullets_words() -> None:
    assert render([Activities((act("防犯ブザーの貸与", 1, figure="1,987件"),), yes=True)]) == (
        "はい。学務課が防犯ブザーの貸与を行っています（令和5年度、1,987件）[1]。"
    )
    assert render([Activities((act("セーフティー教室の実施", 2),), yes=True)]) == (
        "はい。学務課がセーフティー教室を行っています（令和5年度）[2]。"
    )
    assert render([Activities((act("DV相談カード", 1, action=False),), yes=True)]) == (
        "はい。学務課の取組みに「DV相談カード」があります（令和5年度）[1]。"
    )
    quoted = act("広報の実施", 1, quote="青色防犯パトロール車両によるパトロール時に広報を実施", figure="3回")
    assert render([Activities((quoted,), yes=True)]) == (
        "はい。報告書には「青色防犯パトロール車両によるパトロール時に広報を実施」とあります（学務課、令和5年度）[1]。"
    )


def test_responsible_department_absent_and_quote() -> None:
    assert render([Responsible("防犯ブザーの貸与", "学務課", "学校等における安全対策", 1)]) == (
        "防犯ブザーの貸与の担当は学務課です（施策「学校等における安全対策」）[1]。"
    )
    assert render([Responsible("街路灯の整備", "交通対策課", "街路灯の整備", 2)]) == (
        "施策「街路灯の整備」の担当は交通対策課です[2]。"
    )
    assert render([DepartmentMeasures("健康課", ("ポスター・標語の募集",), (1,), more=False)]) == (
        "健康課は、ポスター・標語の募集[1]を担当しています。"
    )
    assert render(
        [DepartmentMeasures("学務課", ("防犯ブザーの貸与", "通学路防犯カメラの設置"), (1, 2), more=True)]
    ) == ("学務課は、防犯ブザーの貸与[1]、通学路防犯カメラの設置[2]などを担当しています。")
    assert render([Absent("万引き")]) == "報告書には「万引き」に関する記載はありません。"
    assert render([Absent("", statistics=True)]).startswith("報告書は市の防犯の取組みをまとめたもので、")
    assert render([Quote("CoCoパトロール隊による地域パトロール", 2023, "パトロール回数 203回", 1)]) == (
        "CoCoパトロール隊による地域パトロールについて、令和5年度の報告には「パトロール回数 203回」とあります[1]。"
    )
    # The composer leaves the subject out when the quote names it (naming.restates): no 「…について」.
    assert render([Quote("", 2024, "市民防犯講習会 11月6日開催予定", 1)]) == (
        "令和6年度の報告には「市民防犯講習会 11月6日開催予定」とあります[1]。"
    )
    # What the question asked for and the reports lack comes first; it names the activity, so no 「…について」.
    text = "小中学校を対象にセーフティー教室を市内及び近隣の学校で実施した。"
    assert render([Quote("セーフティー教室の実施", 2022, text, 1, missing="セーフティー教室の実施回数")]) == (
        f"報告書には、セーフティー教室の実施回数の記載はありません。令和4年度の報告には「{text}」とあります[1]。"
    )


def test_clarify_asks_one_question_and_cites_each_choice() -> None:
    choices = (Choice("通学路防犯カメラの設置", "m-1", 1), Choice("栗山公園に5台の防犯カメラを設置した", "m-2", 2))
    assert render([Clarify("防犯カメラ", choices)]) == (
        "どの防犯カメラについてお知りになりたいですか。"
        "報告書には、通学路防犯カメラの設置[1]、栗山公園に5台の防犯カメラを設置した[2]があります。"
    )
    assert render([Clarify("", choices[:1])]).startswith("どの取組みについてお知りになりたいですか。")
    # A noun phrase is asked as it is; a sentence is quoted, so the question still reads.
    assert choice_question("通学路防犯カメラの設置") == "通学路防犯カメラの設置について教えてください"
    assert (
        choice_question("栗山公園に5台の防犯カメラを設置した")
        == "「栗山公園に5台の防犯カメラを設置した」について教えてください"
    )
