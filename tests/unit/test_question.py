"""Reading a question: the analysis of its morphemes, intent, quantity asked for, topic words, follow-ups
(pure functions over real Sudachi, no model)."""

from __future__ import annotations

import pytest

from assistant.answer.analysis import Interrogative, SentenceType
from assistant.answer.question import Intent, Question, Role, Turn, parse_question, read_text
from assistant.answer.question import quantity_of as quantity_of_analysis
from assistant.retrieval.tokenize import SudachiTokenizer

YEARS = (2017, 2018, 2022, 2023, 2024)
DEPARTMENTS = ("地域安全課", "健康課", "学務課", "交通対策課")
TOKENIZER = SudachiTokenizer()


def parse(text: str, history: tuple[Turn, ...] = ()) -> Question:
    return parse_question(text, history, YEARS, DEPARTMENTS, TOKENIZER.morphemes)


def quantity_of(text: str):  # type: ignore[no-untyped-def]
    return quantity_of_analysis(read_text(text, DEPARTMENTS, TOKENIZER.morphemes))


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
    ("text", "words"),
    [
        ("高齢者の詐欺対策は？", ("高齢者", "詐欺対策")),
        ("令和5年度の青パトは何台？", ("青パト",)),
        ("三幸公園には防犯カメラが何台ありますか", ("三幸公園", "防犯カメラ")),
        ("子どもたちに防犯ブザーを配っていますか", ("子どもたち", "防犯ブザー")),
        ("街路灯の新設件数はどう推移していますか", ("街路灯", "新設件数")),
        ("前の年と比べて増えた？", ()),
        ("学務課の取組みは？", ()),
    ],
)
def test_topic_is_a_set_of_content_words_never_a_substring(text: str, words: tuple[str, ...]) -> None:
    assert parse(text).words == words


def test_followup_keeps_its_own_year_and_the_earlier_topic_and_intent() -> None:
    history = (Turn(Role.USER, "CoCoパトロールの回数は？"), Turn(Role.ASSISTANT, "…"))
    q = parse("平成29年度は？", history)
    assert q.years == (2017,) and q.intent is Intent.FACT
    assert "CoCoパトロール" in q.resolved and q.words == ("CoCoパトロール",)


def test_followup_responsible_takes_the_topic_of_history() -> None:
    q = parse("担当はどこ？", (Turn(Role.USER, "防犯ブザーの貸与について"),))
    assert q.intent is Intent.RESPONSIBLE and q.words == ("防犯ブザー", "貸与")


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


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("子どもたちに防犯ブザーを配っていますか", SentenceType.YES_NO),
        ("DVの相談カードはありますか", SentenceType.YES_NO),
        ("小学校に非常通報装置はついていますか", SentenceType.YES_NO),
        ("青色回転灯のパトロールカーで広報はしていますか", SentenceType.YES_NO),
        ("年末に犯罪が増えるって本当？市は何か呼びかけていますか", SentenceType.YES_NO),  # 何か: "something"
        ("高齢者の見守りで事業者と協定を結んでいますか", SentenceType.YES_NO),
        ("自治会で防犯グッズをもらえますか", SentenceType.YES_NO),
        ("パトロールってしてるの？", SentenceType.YES_NO),
        ("お年寄りをだます電話ってどうにかならないの？", SentenceType.TOPIC),  # negative: no はい/いいえ
        ("青パトは何台ありますか", SentenceType.WH),
        ("防犯講習会はいつありますか", SentenceType.WH),
        ("シールはどこでもらえますか", SentenceType.WH),
        ("登録件数はどう推移していますか", SentenceType.WH),
        ("どんな取組みがありますか", SentenceType.WH),
        ("子どもの見守りについて教えてください", SentenceType.REQUEST),
        ("防犯カメラの設置について知りたい", SentenceType.REQUEST),
        ("地域安全課の施策を一覧で見たい", SentenceType.REQUEST),
        ("お年寄りを狙った電話の詐欺が心配", SentenceType.CONCERN),
        ("夜道が不安です", SentenceType.CONCERN),
        ("高齢者の詐欺対策は？", SentenceType.TOPIC),
        ("小学校の安全マップ作りについて", SentenceType.TOPIC),
        ("防犯カメラ", SentenceType.TOPIC),
        # A verb inside, but ending on a particle or a noun: how or what is asked, not whether.
        ("お年寄りをねらう詐欺の電話を防ぐには？", SentenceType.TOPIC),
        ("暴力団をなくすための取組みは？", SentenceType.TOPIC),
        ("防犯カメラは設置されているの？", SentenceType.YES_NO),
        ("防犯ブザーは貸してくれる？", SentenceType.YES_NO),
        ("放置自転車はどれくらい撤去されましたか", SentenceType.WH),  # どれ + くらい
    ],
)
def test_sentence_type(text: str, sentence: SentenceType) -> None:
    assert read_text(text, DEPARTMENTS, TOKENIZER.morphemes).sentence is sentence


@pytest.mark.parametrize(
    ("text", "interrogative", "counter"),
    [
        ("青パトは何台ありますか", Interrogative.HOW_MANY, "台"),
        ("講座は何回開かれた？", Interrogative.HOW_MANY, "回"),
        ("走行距離は何キロ？", Interrogative.HOW_MANY, "km"),
        ("メールは何件くらい配信してるの？", Interrogative.HOW_MANY, "件"),
        ("事業者はいくつありますか", Interrogative.HOW_MANY, ""),
        ("講習会は何月ですか", Interrogative.WHEN, ""),
        ("つどいはいつ開催されますか", Interrogative.WHEN, ""),
        ("シールはどこでもらえますか", Interrogative.WHERE, ""),
        ("件数はどう変わった？", Interrogative.HOW, ""),
        ("市は何か呼びかけていますか", None, ""),
        ("どうにかならないの？", None, ""),
        ("高齢者の詐欺対策は？", None, ""),
        ("放置自転車はどれくらい撤去されましたか", Interrogative.HOW_MANY, ""),
        ("どのぐらい配ったの？", Interrogative.HOW_MANY, ""),
    ],
)
def test_interrogative_and_counter(text: str, interrogative: Interrogative | None, counter: str) -> None:
    a = read_text(text, DEPARTMENTS, TOKENIZER.morphemes)
    assert a.interrogative is interrogative and a.counter == counter


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("年末に犯罪が増えるって本当？市は何か呼びかけていますか", Intent.TOPIC),  # 増える of no figure
        ("街路灯の新設件数はどう推移していますか", Intent.TREND),
        ("カンガルーポケットの登録件数はずっと減っていますか", Intent.TREND),
        ("配信数は増えていますか", Intent.TREND),
        ("学務課の取組みは？", Intent.DEPARTMENT_LIST),
        ("学務課って防犯で何してるの", Intent.DEPARTMENT_LIST),
        ("子どもたちに防犯ブザーを配っていますか", Intent.TOPIC),
        ("令和4年度に高齢者向けの消費者被害の講座は何回開かれた？", Intent.FACT),
        ("自動通話録音機は令和4年度までに累計何台？", Intent.FACT),
        ("それってどこの課？", Intent.RESPONSIBLE),
        # Whether something is done every year: yes or no, not a series (no figure, no direction asked).
        ("防犯講習会は毎年やっていますか", Intent.TOPIC),
        ("防犯講習会の参加者数は毎年どうですか", Intent.TREND),
        ("毎年の配信数は増えていますか", Intent.TREND),
    ],
)
def test_intent_of_everyday_questions(text: str, intent: Intent) -> None:
    assert parse(text).intent is intent


def test_cumulative_is_read() -> None:
    q = quantity_of("自動通話録音機は令和4年度までに累計何台？")
    assert q is not None and q.cumulative and q.units == ("台",)


def test_a_followup_naming_a_word_of_the_same_kind_swaps_it() -> None:
    q = parse("じゃあ栗山公園は？", (Turn(Role.USER, "三幸公園の防犯カメラは何台？"),))
    assert q.resolved == "栗山公園の防犯カメラは何台?" and q.intent is Intent.FACT
    assert q.quantity is not None and q.quantity.units == ("台",)


def test_previous_year_resolves_to_the_reported_year_before_the_one_in_play() -> None:
    q = parse("前の年と比べて増えた？", (Turn(Role.USER, "令和5年度の防犯資機材の支給は？"),))
    assert q.intent is Intent.COMPARE and q.years == (2022, 2023)


def test_white_space_runs_are_collapsed_before_reading() -> None:
    assert read_text("青パト" + " " * 400 + "は何台？", DEPARTMENTS, TOKENIZER.morphemes).text == "青パト は何台?"


def test_a_mistyped_department_is_read_as_the_one_department_one_edit_away() -> None:
    q = parse("学務化の取組みは？")
    assert q.departments == ("学務課",) and q.intent is Intent.DEPARTMENT_LIST and q.corrected == ("学務課",)
    assert parse("学務課の取組みは？").corrected == ()
    # A span ending inside a compound is no slip: 「地域安全マ」 of 地域安全マップ is not 地域安全課.
    assert parse("地域安全マップ作りの担当はどこ？").corrected == ()


def test_typo_corrections_are_single_and_one_edit_away() -> None:
    from assistant.answer.typos import correction, department_in, within_one_edit

    assert within_one_edit("不審社", "不審者") and within_one_edit("カンガルーポケト", "カンガルーポケット")
    assert not within_one_edit("不審社", "不審者対応")
    assert correction("不審社", ["不審者", "防犯"]) == "不審者"
    assert correction("不審社", ["不審者", "不審物"]) is None  # two ways to read it: none taken
    assert correction("課長", ["課題"]) is None  # too short to correct
    assert department_in("地域安全か は何をしていますか", ("地域安全課", "健康課")) == ("地域安全か", "地域安全課")
    assert department_in("青パトは何台", ("地域安全課", "健康課")) is None
