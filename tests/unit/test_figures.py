"""Figures extracted from the bullets, their series over years, and "new that year"."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from assistant.domain.corpus import Corpus, new_bullet_ids
from assistant.domain.figures import Insights, build_series, corpus_figures, extract_figures, format_value

ROOT = Path(__file__).resolve().parents[2]


def _labels(text: str) -> list[tuple[str, float, str]]:
    return [(f.label, f.value, f.unit) for f in extract_figures(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("車両数 13台", [("車両数", 13, "台")]),
        ("パトロール回数 403回", [("パトロール回数", 403, "回")]),
        ("距離 9,432km", [("距離", 9432, "km")]),
        ("カンガルーポケット登録件数 1,034件", [("カンガルーポケット登録件数", 1034, "件")]),
        ("防犯資機材支給 5団体/支給資機材 96個", [("防犯資機材支給", 5, "団体"), ("支給資機材", 96, "個")]),
        (
            "自動通話録音機を120台貸与（平成27年度から累計874台貸与）",
            [("自動通話録音機", 120, "台"), ("自動通話録音機 累計", 874, "台")],
        ),
        (
            "介護福祉課事業のさくら体操参加者に5回実施、参加者82人。",
            [("介護福祉課事業のさくら体操参加者", 5, "回"), ("参加者", 82, "人")],
        ),
        ("防犯ブザーの貸与(小中学校) 1,572件", [("防犯ブザーの貸与(小中学校)", 1572, "件")]),
        ("シニア元氣フェスタ(敬老会)にて、341人。", [("シニア元氣フェスタ(敬老会)", 341, "人")]),
        ("要保護児童対策地域協議会構成機関への巡回訪問を実施 86(機関)し", [("巡回訪問を実施", 86, "機関")]),
    ],
)
def test_figures_are_extracted_with_their_labels(text: str, expected: list[tuple[str, float, str]]) -> None:
    assert _labels(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "「女性に対する暴力をなくす運動」(11月13日～25日)に合わせたDV防止普及啓発パネル展の実施",
        "子ども家庭センター(令和6年度から)",
        "年末の犯罪多発時期についての注意喚起(R5.12.15号掲載)",
        "振り込み詐欺対策「自動通話録音機」を無料で貸与についての広報(H29.10.15号)",
        "ポスター・標語の作品を図柄にしたカレンダーを作成し、市内中学校と小学校(6年生のみ)及び関係機関へ配布した。",
        "春、秋のあいさつ運動推進月間の実施及び週1回の登校パトロールの実施",
        "月に1回安全指導(小・中学校)",
        "東小金井駅東側高架下自転車駐車場が竣工し、平成30年2月1日より供用開始をした。",
        "市民防犯講習会 11月6日開催予定",
        "小金井市安全・安心まちづくり協議会を1回開催（11月）".replace("1回", "開催"),
    ],
)
def test_dates_years_issue_numbers_grades_and_frequencies_are_not_figures(text: str) -> None:
    assert extract_figures(text) == []


def test_meeting_months_are_not_figures_but_the_count_is() -> None:
    figures = extract_figures("実務者会議を4回(5、8、11、3月)開催")
    assert [(f.label, f.value, f.unit) for f in figures] == [("実務者会議", 4, "回")]


def test_approximate_figures_keep_their_mark() -> None:
    (f,) = extract_figures("啓発グッズ約650セットを当日全て配布")
    assert f.approximate and f.value == 650 and f.unit == "セット"


def test_every_figure_in_both_reports_matches_the_golden_list(corpus: Corpus) -> None:
    spec = importlib.util.spec_from_file_location("regen_golden", ROOT / "scripts" / "regen_golden.py")
    assert spec and spec.loader
    regen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(regen)
    golden = (ROOT / "tests" / "golden" / "figures.tsv").read_text(encoding="utf-8")
    current = regen.figures_tsv()
    assert current == golden, (
        "figures extracted from data/ differ from tests/golden/figures.tsv. If the change is intended, run "
        "`.venv/bin/python scripts/regen_golden.py` and review `git diff tests/golden/figures.tsv`."
    )


def _series(corpus: Corpus, label: str) -> dict[int, str]:
    for s in build_series(corpus_figures(corpus)):
        if s.label == label:
            return {p.fiscal_year: format_value(p) for p in s.points}
    raise AssertionError(f"no series {label!r}")


def test_series_across_years(corpus: Corpus) -> None:
    assert _series(corpus, "パトロール回数") == {2017: "589回", 2018: "472回", 2022: "403回", 2023: "203回"}
    assert _series(corpus, "距離") == {2017: "9,588km", 2018: "7,714km", 2022: "9,432km", 2023: "2,416km"}
    assert _series(corpus, "カンガルーポケット登録件数") == {
        2017: "1,166件",
        2018: "1,157件",
        2022: "1,034件",
        2023: "1,016件",
    }
    assert _series(corpus, "自動通話録音機 累計") == {2022: "874台", 2023: "990台"}
    # The population of 防犯ブザー changed (小中学校 → 新1年生) but it is one activity counted in 件.
    assert _series(corpus, "防犯ブザーの貸与(新小学1年生及び新中学1年生)") == {
        2017: "1,572件",
        2018: "1,579件",
        2022: "2,045件",
        2023: "1,987件",
    }


def test_planned_figures_are_not_charted(corpus: Corpus) -> None:
    # 令和6年度: 「小金井市安全・安心まちづくり協議会を3回開催予定」 is a plan, not a count.
    assert _series(corpus, "小金井市安全・安心まちづくり協議会") == {2017: "3回", 2018: "2回", 2022: "1回", 2023: "1回"}


def test_a_label_counted_twice_in_one_year_forms_no_series(corpus: Corpus) -> None:
    labels = {s.label for s in build_series(corpus_figures(corpus))}
    # 「参加者」 is counted for several events in one year: charting it would mix them.
    assert "参加者" not in labels


def _new_texts(corpus: Corpus, year: int) -> set[str]:
    return {corpus.bullets[i].text for i in new_bullet_ids(corpus) if corpus.bullets[i].fiscal_year == year}


def test_new_that_year_is_derived_from_the_previous_reported_year(corpus: Corpus) -> None:
    new_2023 = _new_texts(corpus, 2023)
    assert "小中学校を対象にセーフティー教室を実施" in new_2023
    assert "小金井国分寺防犯協会が主催する「防犯市民のつどい」の開催" in new_2023
    # A changed figure is not a new activity; an unchanged text is not new either.
    assert not any(t.startswith("防犯資機材支給") for t in new_2023)
    assert "市施設等に暴力団排除活動啓発ののぼり旗を掲出" not in new_2023
    # The first reported year has nothing to compare with.
    assert _new_texts(corpus, 2017) == set()
    # 2022 is compared with 2018, the previous year that has a report.
    assert "三幸公園に2台の防犯カメラを設置した。" in _new_texts(corpus, 2022)


def test_insights_bundle_matches_the_parts(corpus: Corpus) -> None:
    insights = Insights.from_corpus(corpus)
    assert insights.new_ids == new_bullet_ids(corpus)
    assert {s.label for s in insights.series_for(corpus.measures[0].measure_id)} == {"車両数", "パトロール回数", "距離"}
