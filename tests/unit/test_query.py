"""Reading fiscal years and departments from questions, and the 和暦 helpers they rest on. Pure functions."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.domain.corpus import year_range_label
from assistant.domain.model import era_to_western, fiscal_year_label, parse_era_year, wareki_label, western_to_era
from assistant.retrieval.query import find_departments, find_years, understand

AVAILABLE = (2017, 2018, 2022, 2023, 2024)
NEWEST = 2024
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")  # as a phone keyboard may type them


def years_in(question: str, newest: int | None = NEWEST) -> list[int]:
    return [y for mention in find_years(question, newest) for y in mention.years]


# ================================================================ find_years


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("令和5年度のパトロール", [2023]),
        ("令和５年度のパトロール", [2023]),  # full-width digit
        ("R5のパトロール", [2023]),
        ("Ｒ５のパトロール", [2023]),  # full-width letter and digit
        ("r5の実績", [2023]),
        ("R5年度の実績", [2023]),
        ("H30の実績", [2018]),
        ("平成30年の実績", [2018]),
        ("平成30年度の実績", [2018]),
        ("平成31年の実績", [2019]),  # 平成31年 = 令和元年
        ("令和元年の実績", [2019]),
        ("令和元年度の実績", [2019]),
        ("2023年度の実績", [2023]),
        ("2023年の実績", [2023]),
        ("FY2023の実績", [2023]),
        ("ｆｙ２０２３の実績", [2023]),
        ("令和4〜6年度の推移", [2022, 2023, 2024]),
        ("令和4～6年度の推移", [2022, 2023, 2024]),  # full-width tilde
        ("令和4年度から令和6年度まで", [2022, 2023, 2024]),
        ("平成29年度から平成30年度", [2017, 2018]),
        ("2022〜2024年度の推移", [2022, 2023, 2024]),
        ("令和元〜2年度", [2019, 2020]),
    ],
)
def test_year_forms(question: str, expected: list[int]) -> None:
    assert years_in(question) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("昨年度のパトロール", [2023]),
        ("前年度の実績", [2023]),
        ("去年の実績", [2023]),
        ("最新の取組み", [2024]),
        ("今年度の予定", [2024]),
        ("本年度の予定", [2024]),
        ("一昨年度の実績", [2022]),  # not also 昨年度 inside it
    ],
)
def test_relative_years_follow_the_newest_year(question: str, expected: list[int]) -> None:
    assert years_in(question) == expected
    # Relative to another newest year, they move with it.
    assert years_in(question, newest=2030) == [y - NEWEST + 2030 for y in expected]


def test_relative_years_need_a_newest_year() -> None:
    assert years_in("昨年度の実績", newest=None) == []
    assert years_in("最新の取組み", newest=None) == []


@pytest.mark.parametrize(
    "question",
    [
        "CoCoパトロールの車両数",
        "DV防止の取組み",
        "デートDVのパンフレット",
        "SNS相談の周知",
        "HP掲載等による周知",
        "R5.12.15号の市報",  # an issue date of the city newsletter, not a year filter (documented behaviour)
        "(R4.7月)開催",
        "防犯ブザーの貸与 2,045件",
        "メール加入登録数 10,554人",
        "6年生のみ",
        "11月13日～25日",
        "月に1回安全指導",
        "市内11の事業者",
        "累計990台貸与",
    ],
)
def test_things_that_are_not_years(question: str) -> None:
    assert find_years(question, NEWEST) == []


def test_mentions_keep_their_words_in_order() -> None:
    question = "令和5年度と平成30年度、それにR6"
    mentions = find_years(question, NEWEST)
    assert [m.years for m in mentions] == [(2023,), (2018,), (2024,)]
    for m, start in zip(mentions, ("令和5年", "平成30年", "R6"), strict=True):
        assert m.text.startswith(start) and m.text in question
    (both,) = [m for m in find_years("令和4〜6年度", NEWEST)]
    assert both.years == (2022, 2023, 2024)


@pytest.mark.parametrize("question", ["令和0年度の実績", "R0の実績", "平成0年"])
def test_era_year_zero_is_ignored_not_a_crash(question: str) -> None:
    # A typo in a citizen's question must not become an exception in search (an HTTP 500 in the API).
    assert find_years(question, NEWEST) == []


def test_square_metres_are_not_a_meiji_year() -> None:
    assert find_years("広さ100㎡の公園", NEWEST) == []


@pytest.mark.parametrize("question", ["R4〜R6の推移", "R4〜6年度の推移"])
def test_abbreviated_era_range(question: str) -> None:
    assert years_in(question) == [2022, 2023, 2024]


# ================================================================ understand / find_departments


def test_understand_splits_known_and_unknown_years() -> None:
    u = understand("令和2年度の地域安全課の取組み", AVAILABLE, ("地域安全課", "指導室"))
    assert u.years == ()
    assert u.unknown_years == (2020,)
    assert u.departments == ("地域安全課",)
    assert "令和2年" in u.year_text
    u = understand("平成30年度と令和2年度を比べて", AVAILABLE, ())
    assert (u.years, u.unknown_years) == ((2018,), (2020,))
    u = understand("令和4〜6年度のパトロール", AVAILABLE, ())
    assert (u.years, u.unknown_years) == ((2022, 2023, 2024), ())
    u = understand("平成29年度から令和元年度", AVAILABLE, ())
    assert (u.years, u.unknown_years) == ((2017, 2018), (2019,))


def test_understand_relative_to_the_data() -> None:
    assert understand("昨年度のパトロール", AVAILABLE, ()).years == (2023,)
    assert understand("一昨年度のパトロール", AVAILABLE, ()).years == (2022,)
    assert understand("最新のパトロール", AVAILABLE, ()).years == (2024,)
    assert understand("昨年度のパトロール", (), ()).years == ()
    plain = understand("パトロールの回数", AVAILABLE, ("地域安全課",))
    assert (plain.years, plain.unknown_years, plain.departments, plain.year_text) == ((), (), (), "")


DEPARTMENTS = ("地域安全課", "指導室", "子ども家庭センター", "交通対策課", "安全課", "ＩＴ推進課")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("地域安全課の取組み", ("地域安全課",)),  # not also the shorter 安全課 inside it
        ("安全課の取組み", ("安全課",)),
        ("指導室と交通対策課", ("交通対策課", "指導室")),  # longest names first
        ("子ども家庭ｾﾝﾀｰの予定", ("子ども家庭センター",)),  # half-width katakana
        ("IT推進課", ("ＩＴ推進課",)),  # the configured name is full width; the canonical name is returned
        ("ＩＴ推進課", ("ＩＴ推進課",)),
        ("パトロールの回数", ()),
    ],
)
def test_find_departments(question: str, expected: tuple[str, ...]) -> None:
    assert find_departments(question, DEPARTMENTS) == expected


def test_departments_of_the_real_corpus(corpus) -> None:
    assert find_departments("指導室のセーフティー教室", corpus.departments) == ("指導室",)
    assert find_departments("地域安全課の自動通話録音機", corpus.departments) == ("地域安全課",)
    assert find_departments("子ども家庭ｾﾝﾀｰ", corpus.departments) == ("子ども家庭センター",)


# ================================================================ model: 和暦


@pytest.mark.parametrize(
    ("era", "year", "western"),
    [("令和", 5, 2023), ("令和", 1, 2019), ("平成", 30, 2018), ("平成", 31, 2019), ("平成", 1, 1989), ("R", 6, 2024)],
)
def test_era_to_western(era: str, year: int, western: int) -> None:
    assert era_to_western(era, year) == western


@pytest.mark.parametrize(("era", "year"), [("令和", 0), ("平成", -1), ("天平", 1), ("X", 3)])
def test_era_to_western_rejects(era: str, year: int) -> None:
    with pytest.raises(ValueError, match="unknown era year"):
        era_to_western(era, year)


@pytest.mark.parametrize(
    ("western", "era"),
    [(2023, ("令和", 5)), (2019, ("令和", 1)), (2018, ("平成", 30)), (1989, ("平成", 1)), (1988, ("昭和", 63))],
)
def test_western_to_era(western: int, era: tuple[str, int]) -> None:
    assert western_to_era(western) == era
    assert era_to_western(*western_to_era(western)) == western


def test_western_to_era_before_meiji() -> None:
    with pytest.raises(ValueError):
        western_to_era(1867)


def test_labels() -> None:
    assert wareki_label(2019) == "令和元年度"
    assert wareki_label(1989) == "平成元年度"
    assert wareki_label(2023) == "令和5年度"
    assert wareki_label(2018) == "平成30年度"
    assert fiscal_year_label(2023) == "令和5年度（2023年度）"
    assert fiscal_year_label(2019) == "令和元年度（2019年度）"


def test_parse_era_year() -> None:
    assert parse_era_year("令和6年度の取組み（実施予定を含む）") == 2024
    assert parse_era_year("令和元年度の実績") == 2019
    assert parse_era_year("平成３０年度") == 2018
    assert parse_era_year("2023年度の取組み") is None


# ================================================================ corpus.year_range_label


@pytest.mark.parametrize(
    ("years", "label"),
    [
        ([2022, 2023, 2024], "令和4〜6年度"),
        ([2024, 2022, 2023, 2023], "令和4〜6年度"),  # unordered, repeated
        ([2017, 2018, 2022], "平成29〜30年度、令和4年度"),
        ([2017, 2018, 2022, 2023, 2024], "平成29〜30年度、令和4〜6年度"),
        ([2023], "令和5年度"),
        ([2022, 2024], "令和4年度、令和6年度"),
        ([2018, 2019], "平成30年度、令和元年度"),  # consecutive, but a new era starts
        ([2019, 2020], "令和元〜2年度"),
        ([], ""),
    ],
)
def test_year_range_label(years: list[int], label: str) -> None:
    assert year_range_label(years) == label


# ================================================================ properties


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_find_years_never_raises_and_stays_plausible(text: str) -> None:
    for mention in find_years(text, NEWEST):
        assert mention.years and all(1868 <= y <= 2200 for y in mention.years)
        assert list(mention.years) == sorted(mention.years)


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1989, max_value=2100), st.sampled_from(["{}", "{}の取組み", "{}は？", "　{}　"]))
def test_every_wareki_label_reads_back_as_its_year(year: int, template: str) -> None:
    label = wareki_label(year)
    assert years_in(template.format(label)) == [year]
    assert years_in(template.format(unicodedata.normalize("NFKC", label).translate(FULL_WIDTH))) == [year]


@pytest.mark.fuzz
@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=2017, max_value=2030), max_size=4), st.text(max_size=20))
def test_understand_splits_years_into_known_and_unknown(years: list[int], noise: str) -> None:
    question = noise + "、".join(f"{y}年度" for y in years)
    u = understand(question, AVAILABLE, DEPARTMENTS)
    assert set(u.years).isdisjoint(u.unknown_years)
    assert set(u.years) <= set(AVAILABLE)
    assert set(years) <= set(u.years) | set(u.unknown_years)
