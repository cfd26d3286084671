"""Parser tests: golden facts about both real reports (checked by reading the source files), every rule on tiny
inline reports, bad input, and a property test that the parser fails only with ParseError."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import DATA_DIR, H29_FILE, R4_FILE
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.domain.corpus import Corpus
from assistant.domain.model import Department, Measure, Report, Status, SubSection
from assistant.domain.normalize import Corrections
from assistant.ingest.parse import ParseError, decode_report, parse_report
from assistant.ingest.reports import read_report

SECTIONS = [
    (1, "日常生活における安全安心の確保", "日常生活における体感治安の低下を防ぐために"),
    (2, "市民の防犯意識づくり", "市民の防犯意識の啓発と防犯活動を支援するために"),
    (3, "地域における防犯ネットワークづくり", "市、市民、事業者、警察等との緊密な連携を深めるために"),
    (4, "犯罪を起こさせないまちづくり", "防犯の視点に立ったまちづくりのために"),
]

SUBSECTIONS_H29 = {
    (1, 1): "地域防犯力の向上",
    (1, 2): "子どもの安全確保",
    (1, 3): "犯罪弱者の安全対策",
    (2, 1): "市民の生活の安全に関する正確な情報提供",
    (2, 2): "安全に関する意識を高めるための啓発活動",
    (2, 3): "市民の自主的な防犯活動への支援",
}
SUBSECTIONS_R4 = {**SUBSECTIONS_H29, (2, 1): "市民の生活の安全に関する正確で迅速な情報提供"}

AISATSU_H29 = "こがねいし安全・安心あいさつ運動(こきんちゃんあいさつ運動)"
AISATSU_R4 = "こがねいし安全・安心あいきつ運動(こきんちゃんあいきつ運動)"
AKIYA = "空き家の適正な管理の推進"
ELDERLY = "高齢者や障がい者の犯罪被害防止啓発活動の推進"
YOUTH = "青少年の犯罪被害防止と健全育成活動の推進"
SCHOOLS = "学校等における安全対策"

# (name, section, sub-section or None, source line), in source order; read off the files line by line.
MEASURES_H29 = [
    ("CoCoパトロール隊による地域パトロール", 1, 1, 7),
    ("地域ボランティアによる防犯パトロール", 1, 1, 8),
    ("事業者による地域パトロール", 1, 1, 9),
    (AISATSU_H29, 1, 2, 11),
    ("CoCoパトロール車による子ども見守りパトロール", 1, 2, 12),
    ("子どもを見守る家(カンガルーのポケット)", 1, 2, 13),
    (SCHOOLS, 1, 2, 14),
    (YOUTH, 1, 3, 18),
    ("女性の犯罪被害防止の推進", 1, 3, 19),
    (ELDERLY, 1, 3, 20),
    ("こがねい安全・安心メール、ツイッター", 2, 1, 25),
    ("市報やホームページ等の活用", 2, 1, 26),
    ("CoCoパトロール車による広報", 2, 1, 27),
    ("防災行政無線の活用", 2, 1, 28),
    ("市民防犯講習会の開催", 2, 2, 30),
    ("自主防犯組織等への防犯資機材の支給", 2, 3, 32),
    ("防犯ネットワークの充実", 3, None, 34),
    ("小金井市安全・安心まちづくり協議会", 3, None, 35),
    ("虐待防止のための対応ネットワークづくりの推進", 3, None, 36),
    ("街路灯の整備", 4, None, 40),
    ("公園・道路等の防犯性の向上", 4, None, 41),
    ("駅周辺放置自転車対策", 4, None, 42),
    ("公共の場所における防犯カメラの設置", 4, None, 43),
    (AKIYA, 4, None, 44),
    ("暴力団排除活動の推進", 4, None, 45),
]
MEASURES_R4 = [
    ("CoCoパトロール隊による地域パトロール", 1, 1, 8),
    ("地域ボランティアによる防犯パトロール", 1, 1, 9),
    ("事業者による地域パトロール", 1, 1, 10),
    (AISATSU_R4, 1, 2, 12),
    ("CoCoパトロール車による子ども見守りパトロール", 1, 2, 13),
    ("子どもを見守る家(カンガルーのポケット)", 1, 2, 14),
    (SCHOOLS, 1, 2, 15),
    (YOUTH, 1, 3, 17),
    ("女性の犯罪被害防止の推進", 1, 3, 18),
    (ELDERLY, 1, 3, 19),
    ("こがねい安全・安心メール、ツイッター", 2, 1, 25),
    ("市報やホームページ等の活用", 2, 1, 26),
    ("CoCoパトロール車による広報", 2, 1, 27),
    ("防災行政無線の活用", 2, 1, 28),
    ("市民防犯講習会の開催", 2, 2, 30),
    ("自主防犯組織等への防犯資機材の支給", 2, 3, 32),
    ("防犯ネットワークの充実", 3, None, 35),
    ("小金井市安全・安心まちづくり協議会", 3, None, 36),
    ("虐待防止のための対応ネットワークづくりの推進", 3, None, 37),
    ("街路灯の整備", 4, None, 39),
    ("公園・道路等の防犯性の向上", 4, None, 40),
    ("駅周辺放置自転車対策", 4, None, 41),
    ("公共の場所における防犯カメラの設置", 4, None, 42),
    ("暴力団排除活動の推進", 4, None, 43),
]


def measure(report: Report, name: str) -> Measure:
    found = [m for m in report.measures if m.name == name]
    assert len(found) == 1, f"{name!r} in {report.file}: {len(found)} measures"
    return found[0]


def bullets_with(report: Report, text: str) -> list:
    return [b for b in report.bullets if b.text == text]


# ================================================================ golden: the real reports


def test_titles(h29: Report, r4: Report) -> None:
    assert h29.title == "小金井市防犯指針に基づく平成30年度の取組み等について"
    assert r4.title == "小金井市防犯指針に基づく令和5年度及び令和6年度の取組み等について"


def test_columns_fiscal_years_and_plans(h29: Report, r4: Report) -> None:
    assert [(c.index, c.fiscal_year, c.includes_plans) for c in h29.columns] == [(4, 2017, False), (5, 2018, False)]
    assert [(c.index, c.fiscal_year, c.includes_plans) for c in r4.columns] == [
        (4, 2022, False),
        (5, 2023, False),
        (6, 2024, True),
    ]
    assert r4.columns[2].header == "令和6年度の取組み（実施予定を含む）"
    assert h29.fiscal_years == (2017, 2018)
    assert r4.fiscal_years == (2022, 2023, 2024)


@pytest.mark.parametrize(("file", "lines"), [(H29_FILE, [6, 23, 33, 39]), (R4_FILE, [6, 23, 33, 38])])
def test_sections_titles_purposes_and_lines(seed_reports: list[Report], file: str, lines: list[int]) -> None:
    report = next(r for r in seed_reports if r.file == file)
    assert [(s.number, s.title, s.purpose) for s in report.sections] == SECTIONS
    assert [s.source.line for s in report.sections if s.source] == lines


def test_purpose_on_its_own_row_reaches_the_measures(r4: Report) -> None:
    # R4-R6 line 33 is 「3 地域における防犯ネットワークづくり」 alone; line 34 is its purpose, alone in the first cell.
    for name in ("防犯ネットワークの充実", "小金井市安全・安心まちづくり協議会"):
        m = measure(r4, name)
        assert m.section.number == 3
        assert m.section.purpose == "市、市民、事業者、警察等との緊密な連携を深めるために"


@pytest.mark.parametrize(
    ("file", "expected", "subsections"),
    [(H29_FILE, MEASURES_H29, SUBSECTIONS_H29), (R4_FILE, MEASURES_R4, SUBSECTIONS_R4)],
)
def test_measures_in_order_with_sections_and_lines(
    seed_reports: list[Report], file: str, expected: list, subsections: dict
) -> None:
    report = next(r for r in seed_reports if r.file == file)
    got = [
        (m.name, m.section.number, m.subsection.number if m.subsection else None, m.source.line)
        for m in report.measures
    ]
    assert got == expected
    for m in report.measures:
        if m.subsection:
            assert m.subsection.title == subsections[(m.section.number, m.subsection.number)]


def test_measure_counts(h29: Report, r4: Report, corpus: Corpus) -> None:
    assert len(h29.measures) == 25
    assert len(r4.measures) == 24
    assert len(corpus.measures) == 25  # R4-R6 continues every H29 measure except 空き家


def test_bullet_counts_per_fiscal_year(h29: Report, r4: Report, corpus: Corpus) -> None:
    assert Counter(b.fiscal_year for b in h29.bullets) == {2017: 80, 2018: 85}
    assert Counter(b.fiscal_year for b in r4.bullets) == {2022: 75, 2023: 75, 2024: 68}
    # The reports share no year, so merging keeps every bullet.
    assert Counter(b.fiscal_year for b in corpus.bullets) == {2017: 80, 2018: 85, 2022: 75, 2023: 75, 2024: 68}
    assert len(corpus.bullets) == 383
    assert corpus.fiscal_years == (2017, 2018, 2022, 2023, 2024)


@pytest.mark.parametrize("file", [H29_FILE, R4_FILE])
def test_bullet_counts_match_a_token_count_of_every_cell(seed_reports: list[Report], file: str) -> None:
    """An independent oracle: in every year cell, count white-space separated tokens that start with ・, plus
    one free-text item for each 【…】 block whose next token is neither ・… nor another block."""
    report = next(r for r in seed_reports if r.file == file)
    parsed = Counter((b.source.line, b.source.column) for b in report.bullets)
    expected: Counter = Counter()
    for n, line in enumerate((DATA_DIR / file).read_text(encoding="utf-8").splitlines(), 1):
        cells = line.split("\t")
        if len(cells) < 4 or cells[0] == "主要な施策":
            continue
        for col, cell in enumerate(cells[3:], start=4):
            tokens = cell.split()
            count = sum(t.startswith("・") for t in tokens)
            count += sum(
                1
                for i, t in enumerate(tokens[:-1])
                if re.fullmatch(r"【[^】]+】", t) and not tokens[i + 1].startswith(("・", "【"))
            )
            if count:
                expected[(n, col)] = count
    assert parsed == expected


# 学校等における安全対策, FY2024 (R4-R6 line 15, column 6): bullets per 【…】 block, counted by hand.
BLOCKS_2024 = {"学務課": 7, "交通対策課": 1, "指導室": 3, "児童青少年課": 2, "生涯学習課": 1, "保育課": 2}


def test_department_blocks_of_one_cell(h29: Report, r4: Report) -> None:
    schools = measure(h29, SCHOOLS).measure_id
    fy2017 = [b.department for b in h29.bullets if b.measure_id == schools and b.fiscal_year == 2017]
    assert Counter(fy2017) == {
        "学務課": 8,
        "交通対策課": 1,
        "指導室": 3,
        "児童青少年課": 2,
        "生涯学習課": 1,
        "保育課": 2,
    }
    # Blocks come in source order, and ordinals number the measure's bullets of the year from 1.
    assert fy2017[:8] == ["学務課"] * 8 and fy2017[-2:] == ["保育課", "保育課"]
    ordinals = [b.ordinal for b in h29.bullets if b.measure_id == schools and b.fiscal_year == 2017]
    assert ordinals == list(range(1, 18))
    fy2024 = [
        b.department for b in r4.bullets if b.measure_id == measure(r4, SCHOOLS).measure_id and b.fiscal_year == 2024
    ]
    assert Counter(fy2024) == {
        "学務課": 7,
        "交通対策課": 1,
        "指導室": 3,
        "児童青少年課": 2,
        "生涯学習課": 1,
        "保育課": 2,
    }


def test_continuation_row_bullet(r4: Report) -> None:
    (b,) = bullets_with(r4, "自動通話録音機を116台貸与（平成27年度から累計990台貸与）")
    elderly = measure(r4, ELDERLY)
    assert b.measure_id == elderly.measure_id
    assert b.department == "地域安全課"
    assert b.fiscal_year == 2023
    assert (b.source.file, b.source.line, b.source.column) == (R4_FILE, 22, 5)
    assert b.status is Status.ACTUAL
    assert b.bulleted
    # It continues the measure of line 19 (15 bullets in FY2023 there), so it comes last.
    same_year = [x for x in r4.bullets if x.measure_id == elderly.measure_id and x.fiscal_year == 2023]
    assert [x.source.line for x in same_year].count(19) == 15
    assert b.ordinal == 16 == max(x.ordinal for x in same_year)
    (b22,) = bullets_with(r4, "自動通話録音機を120台貸与（平成27年度から累計874台貸与）")
    assert (b22.fiscal_year, b22.source.line, b22.source.column, b22.measure_id) == (2022, 22, 4, elderly.measure_id)
    # The continuation row's FY2024 cell is empty: no bullet from (22, 6).
    assert not [x for x in r4.bullets if (x.source.line, x.source.column) == (22, 6)]


def test_middle_dot_inside_words_never_splits(h29: Report, r4: Report) -> None:
    (mail,) = bullets_with(r4, "こがねい安全・安心メール加入登録数 10,554人 配信数 341件")
    assert mail.fiscal_year == 2023 and mail.department == "地域安全課"
    school = "放課後の子どもたちの安全・安心な居場所作りとして「放課後子ども教室推進事業」を実施(全小学校区)"
    assert {b.fiscal_year for b in bullets_with(h29, school)} == {2017, 2018}
    assert len(bullets_with(r4, "非常通報装置の保守(学童保育所・児童館)")) == 3
    for report in (h29, r4):
        # A split inside 安全・安心 / ポスター・標語 / 小・中学校 would leave a bullet starting with the second word.
        assert not [b.text for b in report.bullets if b.text.startswith(("安心", "標語", "中学校)", "児童館)"))]


def test_free_text_block_keeps_middle_dot_words(r4: Report) -> None:
    (b,) = bullets_with(r4, "薬物乱用防止の講演会やポスター・標語の募集を実施予定。")
    assert not b.bulleted
    assert (b.department, b.fiscal_year, b.status) == ("健康課", 2024, Status.PLANNED)
    assert b.measure_id == measure(r4, YOUTH).measure_id


def test_plans_column_statuses(r4: Report, h29: Report) -> None:
    (planned,) = bullets_with(r4, "市民防犯講習会 11月6日開催予定")
    assert (planned.fiscal_year, planned.status, planned.source.line, planned.source.column) == (
        2024,
        Status.PLANNED,
        30,
        6,
    )
    current = [b for b in bullets_with(r4, "市施設等に暴力団排除活動啓発ののぼり旗を掲出") if b.fiscal_year == 2024]
    assert [b.status for b in current] == [Status.CURRENT]
    assert [b.status for b in bullets_with(r4, "自動通話録音機を貸与")] == [Status.CURRENT]
    # The rule over the whole file: only the plans column has 予定/実施中, and 予定 exactly when the text says so.
    for b in r4.bullets + h29.bullets:
        if b.fiscal_year == 2024:
            assert b.status is (Status.PLANNED if "予定" in b.text else Status.CURRENT), b.text
        else:
            assert b.status is Status.ACTUAL, b.text
    assert Counter(b.status for b in r4.bullets if b.fiscal_year == 2024)[Status.PLANNED] == 17


def test_none_applicable_is_a_non_bulleted_record(r4: Report) -> None:
    records = bullets_with(r4, "該当なし")
    assert [b.fiscal_year for b in records] == [2022, 2023, 2024]
    for b in records:
        assert not b.bulleted
        assert b.department == "児童青少年課"
        assert b.measure_id == measure(r4, YOUTH).measure_id
        assert b.source.line == 17


def test_glued_department_marker_stays_in_the_bullet(h29: Report, r4: Report, corpus: Corpus) -> None:
    text = "小学校全9校の通学路点検【交通対策課所管】"
    found = [b for b in corpus.bullets if b.text == text]
    assert [b.fiscal_year for b in found] == [2017, 2018, 2022, 2023, 2024]
    assert {b.department for b in found} == {"学務課"}
    for report in (h29, r4):
        assert not [b for b in report.bullets if "所管" in b.department]
    assert "交通対策課所管" not in corpus.departments


def test_department_qualifiers(h29: Report, r4: Report) -> None:
    assert measure(r4, "CoCoパトロール隊による地域パトロール").departments == (
        Department("地域安全課", "全庁", "地域安全課【全庁】"),
    )
    assert measure(r4, "暴力団排除活動の推進").departments[0].qualifier == "全庁"
    women = measure(h29, "女性の犯罪被害防止の推進").departments
    assert women == (Department("企画政策課", "男女共同参画室", "企画政策課 （男女共同参画室）"),)
    assert str(women[0]) == "企画政策課 （男女共同参画室）"
    abuse = measure(r4, "虐待防止のための対応ネットワークづくりの推進").departments
    assert [d.name for d in abuse] == ["自立生活支援課", "介護福祉課", "子育て支援課", "子ども家庭センター"]
    assert abuse[-1] == Department("子ども家庭センター", "令和6年度から", "子ども家庭センター(令和6年度から)")
    assert [d.name for d in measure(h29, SCHOOLS).departments] == [
        "保育課",
        "児童青少年課",
        "交通対策課",
        "庶務課",
        "学務課",
        "指導室",
        "生涯学習課",
    ]
    assert all(d.qualifier == "" for d in measure(h29, SCHOOLS).departments)


def test_repeated_header_rows_are_not_measures(h29: Report, r4: Report) -> None:
    for report, header_lines in ((h29, {5, 16, 22, 38}), (r4, {5, 21})):
        assert not [m for m in report.measures if m.name == "主要な施策"]
        assert not {m.source.line for m in report.measures} & header_lines
        assert not {b.source.line for b in report.bullets} & header_lines


def test_typo_measure_shares_its_id_but_keeps_its_name(h29: Report, r4: Report, corpus: Corpus) -> None:
    old, new = measure(h29, AISATSU_H29), measure(r4, AISATSU_R4)
    assert old.measure_id == new.measure_id
    canonical = corpus.measure(new.measure_id)
    assert [v.name for v in canonical.versions] == [AISATSU_H29, AISATSU_R4]  # verbatim, oldest first
    assert canonical.name == AISATSU_H29  # newest wording with the typo corrected
    assert next(b.text for b in r4.bullets if b.measure_id == new.measure_id).startswith("あいきつ")  # verbatim
    # It is the corrections table that joins them: without it the two spellings are two measures.
    plain = parse_report((DATA_DIR / R4_FILE).read_text(encoding="utf-8"), R4_FILE, Corrections())
    assert measure(plain, AISATSU_R4).measure_id != old.measure_id


def test_vacant_house_measure_only_in_h29(h29: Report, r4: Report, corpus: Corpus) -> None:
    akiya = measure(h29, AKIYA)
    assert AKIYA not in {m.name for m in r4.measures}
    canonical = corpus.measure(akiya.measure_id)
    assert [v.source.file for v in canonical.versions] == [H29_FILE]
    assert {b.fiscal_year for b in corpus.bullets if b.measure_id == akiya.measure_id} == {2017, 2018}
    # Every other measure has one version per report.
    assert Counter(len(m.versions) for m in corpus.measures) == {2: 24, 1: 1}


def test_free_text_without_bullet_in_h29(h29: Report) -> None:
    akiya = measure(h29, AKIYA).measure_id
    free = [b for b in h29.bullets if b.measure_id == akiya and not b.bulleted]
    assert [(b.fiscal_year, b.department, b.text) for b in free] == [
        (2017, "環境政策課", "相談件数37件 現地確認を行い、所有者が判明した場合は改善を要請した。"),
        (2018, "環境政策課", "相談件数38件 現地確認を行い、所有者が判明した場合は文書による改善を要請した。"),
    ]


# ================================================================ rules, on tiny inline reports

HEADER = "主要な施策\t担当課\t施策の内容\t令和5年度の取組み\t令和6年度の取組み（実施予定を含む）"
SECTION_1 = "1 日常生活における安全安心の確保 日常生活における体感治安の低下を防ぐために"


def row(*cells: str, width: int = 5) -> str:
    return "\t".join([*cells, *[""] * (width - len(cells))])


def report(*rows: str, title: str | None = "■ テスト報告", header: str = HEADER) -> str:
    lines = ([title] if title is not None else []) + [header, *rows]
    return "\n".join(lines) + "\n"


def parse(text: str, corrections: Corrections | None = None) -> Report:
    return parse_report(text, "t.txt", corrections or Corrections())


def parse_error(text: str, corrections: Corrections | None = None) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text, corrections)
    assert str(info.value).startswith(f"t.txt:{info.value.line}: ")
    return info.value


MEASURE_A = row("施策A", "課A", "内容A", "【課A】 ・取組み1", "【課A】 ・取組み2")


def test_minimal_report() -> None:
    r = parse(report(row(SECTION_1), MEASURE_A))
    assert r.title == "テスト報告"
    assert [m.name for m in r.measures] == ["施策A"]
    assert [(b.fiscal_year, b.department, b.text, b.status) for b in r.bullets] == [
        (2023, "課A", "取組み1", Status.ACTUAL),
        (2024, "課A", "取組み2", Status.CURRENT),
    ]
    assert r.measures[0].source.line == 4
    assert [(b.source.line, b.source.column) for b in r.bullets] == [(4, 4), (4, 5)]


def test_title_is_optional_and_blank_lines_are_skipped() -> None:
    r = parse(report(row(SECTION_1), MEASURE_A, title=None))
    assert r.title == ""
    r = parse("\n\n" + report("", row(SECTION_1), "", MEASURE_A, title="□ 別の表題"))
    assert r.title == "別の表題"
    assert r.measures[0].source.line == 8  # blank lines still count


def test_header_cells_may_carry_spaces() -> None:
    header = " 主要な施策 \t担当課\t 施策の内容\t令和5年度の取組み\t令和6年度の取組み（実施予定を含む）"
    assert len(parse(report(row(SECTION_1), MEASURE_A, header=header)).measures) == 1


def test_a_second_text_line_before_the_header_is_an_error() -> None:
    e = parse_error("■ 表題\n前書き\n" + HEADER + "\n")
    assert e.line == 2
    assert "header" in e.message


def test_wrong_column_count_names_the_line() -> None:
    e = parse_error(report(row(SECTION_1), MEASURE_A, row("施策B", "課B", "内容", "【課B】 ・x", width=4)))
    assert e.line == 5
    assert "5" in e.message and "4" in e.message


def test_continuation_row_before_any_measure() -> None:
    e = parse_error(report(row(SECTION_1), row("", "", "", "【課A】 ・宙に浮いた取組み")))
    assert e.line == 4
    assert "continuation" in e.message


def test_continuation_row_extends_the_previous_measure() -> None:
    r = parse(report(row(SECTION_1), MEASURE_A, row("", "", "", "", "【課B】 ・続き")))
    assert [(b.text, b.department, b.ordinal, b.source.line) for b in r.bullets if b.fiscal_year == 2024] == [
        ("取組み2", "課A", 1, 4),
        ("続き", "課B", 2, 5),
    ]


def test_section_with_purpose_and_subsection_in_one_cell() -> None:
    r = parse(report(row(SECTION_1 + " (1) 地域防犯力の向上"), MEASURE_A))
    (s,) = r.sections
    assert (s.number, s.title, s.purpose) == (
        1,
        "日常生活における安全安心の確保",
        "日常生活における体感治安の低下を防ぐために",
    )
    assert r.measures[0].subsection == SubSection(1, "地域防犯力の向上")
    r = parse(report(row("２ 市民の防犯意識づくり （３） 市民の自主的な防犯活動への支援"), MEASURE_A))
    assert (r.sections[0].number, r.sections[0].title, r.sections[0].purpose) == (2, "市民の防犯意識づくり", "")
    assert r.measures[0].subsection == SubSection(3, "市民の自主的な防犯活動への支援")


def test_purpose_on_a_row_of_its_own() -> None:
    purpose = "市、市民、事業者、警察等との緊密な連携を深めるために"
    r = parse(report(row("3 地域における防犯ネットワークづくり"), row(purpose), MEASURE_A))
    assert (r.sections[0].title, r.sections[0].purpose) == ("地域における防犯ネットワークづくり", purpose)
    assert r.measures[0].section.purpose == purpose
    assert r.measures[0].subsection is None


def test_subsection_rows_and_section_resets_them() -> None:
    r = parse(
        report(
            row(SECTION_1),
            row("(1) 地域防犯力の向上"),
            MEASURE_A,
            row("（2） 子どもの安全確保"),
            row("施策B", "課B", "内容", "【課B】 ・b"),
            row("2 市民の防犯意識づくり 市民の防犯意識の啓発と防犯活動を支援するために"),
            row("施策C", "課C", "内容", "【課C】 ・c"),
        )
    )
    assert [(m.name, m.section.number, m.subsection) for m in r.measures] == [
        ("施策A", 1, SubSection(1, "地域防犯力の向上")),
        ("施策B", 1, SubSection(2, "子どもの安全確保")),
        ("施策C", 2, None),
    ]


@pytest.mark.parametrize(
    "rows",
    [
        (row(SECTION_1), MEASURE_A, row("注記のような行")),  # after a measure
        (row(SECTION_1), row("二つ目の目的の行")),  # the section already has its purpose
        (row("どこにも属さない行"),),  # before any section
    ],
)
def test_a_first_cell_only_row_that_is_not_a_section_is_an_error(rows: tuple[str, ...]) -> None:
    e = parse_error(report(*rows))
    assert e.line == 2 + len(rows)
    assert "first cell" in e.message


def test_measure_before_any_section_or_without_department() -> None:
    assert parse_error(report(MEASURE_A)).line == 3
    e = parse_error(report(row(SECTION_1), row("施策A", "", "内容", "【課A】 ・x")))
    assert e.line == 4 and "担当課" in e.message


def test_department_blocks_and_text_before_any_block() -> None:
    cell = "前書き ・頭の取組み 【課A】 ・a1 ・a2 【課B】 ・b1"
    r = parse(report(row(SECTION_1), row("施策A", "課A 課B", "内容", cell)))
    assert [(b.department, b.text, b.bulleted) for b in r.bullets] == [
        ("", "前書き", False),
        ("", "頭の取組み", True),
        ("課A", "a1", True),
        ("課A", "a2", True),
        ("課B", "b1", True),
    ]


def test_glued_brackets_are_text_not_a_block() -> None:
    r = parse(report(row(SECTION_1), row("施策A", "課A", "内容", "【課A】 ・通学路点検【交通対策課所管】 ・次")))
    assert [(b.department, b.text) for b in r.bullets] == [("課A", "通学路点検【交通対策課所管】"), ("課A", "次")]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("・はじめ ・半角スペースの後", ["はじめ", "半角スペースの後"]),
        ("【課A】\u3000・全角スペースの後\u3000・もう一つ", ["全角スペースの後", "もう一つ"]),
        ("【課A】 ・安全・安心メール ・ポスター・標語の募集", ["安全・安心メール", "ポスター・標語の募集"]),
        ("【課A】 ・月に1回安全指導(小・中学校)・続けて書いた文", ["月に1回安全指導(小・中学校)・続けて書いた文"]),
        ("【課A】 ・末尾に点 ・", ["末尾に点"]),
    ],
)
def test_bullet_splitting_rules(cell: str, expected: list[str]) -> None:
    r = parse(report(row(SECTION_1), row("施策A", "課A", "内容", cell)))
    assert [b.text for b in r.bullets] == expected
    assert all(b.bulleted for b in r.bullets)


def test_free_text_without_bullet() -> None:
    r = parse(report(row(SECTION_1), row("施策A", "課A", "内容", "【課A】 該当なし", "【課A】 講習会を実施予定。")))
    assert [(b.text, b.bulleted, b.status) for b in r.bullets] == [
        ("該当なし", False, Status.ACTUAL),
        ("講習会を実施予定。", False, Status.PLANNED),
    ]


def test_duplicate_measure_in_one_report() -> None:
    e = parse_error(report(row(SECTION_1), MEASURE_A, row("施策Ｂ", "課B", "内容"), row("施策B", "課B", "内容")))
    assert e.line == 6  # NFKC: 施策Ｂ and 施策B are one measure
    # Spellings joined by the corrections table are one measure too.
    corr = Corrections((("あいきつ", "あいさつ"),))
    e = parse_error(report(row(SECTION_1), row("あいさつ運動", "課A", "x"), row("あいきつ運動", "課A", "y")), corr)
    assert e.line == 5


@pytest.mark.parametrize(
    "header",
    [
        "主要な施策\t担当課\t施策の内容",
        "主要な施策\t担当課\t施策の内容\t備考",
        "主要な施策\t担当課\t施策の内容\t令和5年度の取組み\t令和5年度の実績",
    ],
)
def test_header_without_usable_year_columns(header: str) -> None:
    e = parse_error(report(row(SECTION_1, width=header.count("\t") + 1), header=header))
    assert e.line == 2


def test_repeated_header_must_name_the_same_years() -> None:
    same_years = "主要な施策\t担当課\t施策の内容\t令和5年度の実績\t令和6年度の実績"
    assert len(parse(report(row(SECTION_1), MEASURE_A, same_years, row("施策B", "課B", "内容"))).measures) == 2
    other = "主要な施策\t担当課\t施策の内容\t令和6年度の取組み\t令和7年度の取組み"
    assert parse_error(report(row(SECTION_1), MEASURE_A, other)).line == 5


@pytest.mark.parametrize(
    ("headers", "years"),
    [
        (("2025年度の取組み",), (2025,)),
        (("２０２５年度の取組み", "2026年度の取組み（実施予定を含む）"), (2025, 2026)),
        (("令和元年度の取組み",), (2019,)),
        (("平成30年度の実績", "令和元年度の実績"), (2018, 2019)),
    ],
)
def test_year_headers(headers: tuple[str, ...], years: tuple[int, ...]) -> None:
    width = 3 + len(headers)
    header = "\t".join(["主要な施策", "担当課", "施策の内容", *headers])
    r = parse(report(row(SECTION_1, width=width), row("施策A", "課A", "内容", width=width), header=header))
    assert r.fiscal_years == years
    assert [c.includes_plans for c in r.columns] == ["実施予定を含む" in h for h in headers]


def test_no_measure_rows() -> None:
    assert "no measure" in parse_error(report(row(SECTION_1))).message


def test_era_year_zero_in_header_is_a_parse_error() -> None:
    header = "主要な施策\t担当課\t施策の内容\t令和0年度の取組み"
    e = parse_error(report(row(SECTION_1, width=4), header=header))
    assert e.line == 2


def test_form_feed_page_break_does_not_shift_line_numbers() -> None:
    # pdftotext marks page breaks with a form feed; editors, grep -n and decode_report count only \n.
    text = report(row(SECTION_1), "\x0c" + row("施策A", "課A", "内容", "【課A】 ・x"))
    assert parse(text).measures[0].source.line == 4


# ================================================================ bad input files


def test_empty_file() -> None:
    with pytest.raises(ParseError) as info:
        decode_report(b"", "empty.txt")
    assert str(info.value).startswith("empty.txt:1: ")


def test_whitespace_only_file() -> None:
    with pytest.raises(ParseError) as info:
        decode_report(b" \n\t\r\n  \n", "blank.txt")
    assert str(info.value).startswith("blank.txt:1: ")


def test_binary_file_with_nul_bytes() -> None:
    with pytest.raises(ParseError) as info:
        decode_report(b"first line\nsecond\x00\x01\x02 line\n", "blob.bin")
    assert info.value.line == 2
    assert str(info.value).startswith("blob.bin:2: ")


def test_shift_jis_file_names_the_first_bad_line() -> None:
    lines = (DATA_DIR / R4_FILE).read_text(encoding="utf-8").splitlines()[:6]
    data = "\n".join(lines).encode("shift_jis")  # lines 1-2 are empty, line 3 is the ■ title
    with pytest.raises(ParseError) as info:
        decode_report(data, "sjis.txt")
    assert info.value.line == 3
    assert str(info.value).startswith("sjis.txt:3: ")
    assert "UTF-8" in info.value.message


def test_utf16_file() -> None:
    data = (DATA_DIR / R4_FILE).read_text(encoding="utf-8").encode("utf-16")
    with pytest.raises(ParseError) as info:
        decode_report(data, "utf16.txt")
    assert info.value.line >= 1
    assert str(info.value).startswith(f"utf16.txt:{info.value.line}: ")


def test_utf8_bom_is_accepted(corrections: Corrections) -> None:
    data = (DATA_DIR / R4_FILE).read_bytes()
    text = decode_report(b"\xef\xbb\xbf" + data, R4_FILE)
    assert len(parse_report(text, R4_FILE, corrections).measures) == 24


def _read_bad(tmp_path: Path, name: str, data: bytes, corrections: Corrections) -> ParseError:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ParseError) as info:
        read_report(path, corrections)
    assert str(info.value).startswith(f"{name}:{info.value.line}: ")
    assert info.value.file == name
    return info.value


def test_read_report_bad_files(tmp_path: Path, corrections: Corrections) -> None:
    real = (DATA_DIR / R4_FILE).read_text(encoding="utf-8")
    assert _read_bad(tmp_path, "empty.txt", b"", corrections).line == 1
    assert _read_bad(tmp_path, "spaces.txt", b"   \n\n", corrections).line == 1
    assert _read_bad(tmp_path, "nul.txt", b"\n\x00", corrections).line == 2
    assert _read_bad(tmp_path, "sjis.txt", real.encode("shift_jis", errors="replace"), corrections).line == 3
    assert _read_bad(tmp_path, "utf16.txt", real.encode("utf-16"), corrections).line >= 1
    # A CSV export: the header at line 5 is one cell, so no header row is found.
    csv = _read_bad(tmp_path, "report.csv", real.replace("\t", ",").encode("utf-8"), corrections)
    assert csv.line == 5 and "header" in csv.message
    only_header = _read_bad(tmp_path, "header.txt", (HEADER + "\n").encode("utf-8"), corrections)
    assert only_header.line == 1 and "no measure" in only_header.message


# ================================================================ property: only ParseError escapes

CORRECTIONS = Corrections((("あいきつ", "あいさつ"),))
REAL_LINES = {f: (DATA_DIR / f).read_text(encoding="utf-8").splitlines() for f in (H29_FILE, R4_FILE)}


def check_invariants(result: Report) -> None:
    assert isinstance(result, Report)
    ids = {m.measure_id for m in result.measures}
    years = set(result.fiscal_years)
    per_key: dict = {}
    for b in result.bullets:
        assert b.measure_id in ids and b.fiscal_year in years and b.text == b.text.strip() and b.text
        per_key.setdefault((b.measure_id, b.fiscal_year), []).append(b.ordinal)
    for ordinals in per_key.values():
        assert ordinals == list(range(1, len(ordinals) + 1))


@pytest.mark.fuzz
@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_parses_or_raises_parse_error(text: str) -> None:
    try:
        result = parse_report(text, "any.txt", CORRECTIONS)
    except ParseError as e:
        assert str(e).startswith("any.txt:")
        return
    check_invariants(result)


mutation = st.one_of(
    st.tuples(st.just("drop"), st.integers(0, 100)),
    st.tuples(st.just("duplicate"), st.integers(0, 100)),
    st.tuples(st.just("swap"), st.integers(0, 100), st.integers(0, 100)),
    st.tuples(st.just("tab_to_space"), st.integers(0, 100), st.integers(0, 10)),
)


def mutate(lines: list[str], ops: list[tuple]) -> list[str]:
    lines = list(lines)
    for op in ops:
        if not lines:
            break
        i = op[1] % len(lines)
        if op[0] == "drop":
            del lines[i]
        elif op[0] == "duplicate":
            lines.insert(i, lines[i])
        elif op[0] == "swap":
            j = op[2] % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        else:
            tabs = [k for k, ch in enumerate(lines[i]) if ch == "\t"]
            if tabs:
                k = tabs[op[2] % len(tabs)]
                lines[i] = lines[i][:k] + " " + lines[i][k + 1 :]
    return lines


@pytest.mark.fuzz
@settings(max_examples=200, deadline=None)
@given(st.sampled_from([H29_FILE, R4_FILE]), st.lists(mutation, min_size=1, max_size=6))
def test_mutated_real_report_parses_or_raises_parse_error(file: str, ops: list[tuple]) -> None:
    text = "\n".join(mutate(REAL_LINES[file], ops))
    try:
        result = parse_report(text, file, CORRECTIONS)
    except ParseError as e:
        assert str(e).startswith(f"{file}:{e.line}: ")
        assert 0 <= e.line <= len(text.splitlines()) + 1
        return
    check_invariants(result)
