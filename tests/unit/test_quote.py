"""The quote lead of a fact question no figure answers: what the reports lack said first, nothing said twice.

Pure parts (naming.restates, naming.missing_label) over real Sudachi; whole answers over the session's
fake-embedder assistant, held to the phrase check and the faithfulness of their words.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.answer import Answer, answer
from assistant.answer.faithful import template_words, unsupported_words
from assistant.answer.naming import missing_label, restates, short_name
from assistant.answer.phrase import phrase_problems, report_texts
from assistant.retrieval.tokenize import SudachiTokenizer
from assistant.service import Assistant

MORPHEMES = SudachiTokenizer().morphemes
DV = "「女性に対する暴力をなくす運動」に合わせたDV防止普及啓発パネル展の実施"
Ask = Callable[[str], Answer]
DV_BULLET = "「女性に対する暴力をなくす運動」(11月13日～25日)に合わせたDV防止普及啓発パネル展の実施"


@pytest.mark.parametrize(
    ("subject", "quote", "said_twice"),
    [
        (DV, DV_BULLET, True),  # the bullet less its dates in brackets
        ("「悪質な訪問販売お断り」シールの配布", "「悪質な訪問販売お断り」シールを経済課窓口、1階受付にて配布", True),
        ("市民防犯講習会", "市民防犯講習会 11月6日開催予定", True),
        ("防犯ブザーの貸与", "防犯ブザーの貸与 1,987件", True),  # the same words and a figure
        ("DV相談カードの配布", "DV相談カードの配布", True),  # the bullet is its phrase
        ("CoCoパトロール隊による地域パトロール", "パトロール回数 203回", False),  # the subject says whose
        ("駅周辺放置自転車対策", "武蔵小金井駅西側自転車駐車場が竣工し", False),
    ],
)
def test_a_subject_the_quote_names_in_its_own_words_is_said_twice(subject: str, quote: str, said_twice: bool) -> None:
    assert restates(subject, quote, MORPHEMES) is said_twice


@pytest.mark.parametrize(
    ("phrase", "noun", "title", "label"),
    [
        ("セーフティー教室の実施", "実施回数", False, "セーフティー教室の実施回数"),  # 実施 said once
        ("セーフティー教室の実施", "回数", False, "セーフティー教室の実施回数"),  # as 「パトロール回数」
        ("ポスターの掲出", "実施回数", False, "ポスターの掲出回数"),  # the reports' action, the count asked
        ("セーフティー教室の実施", "参加人数", False, "セーフティー教室の参加人数"),  # no 「実施参加人数」
        ("市民防犯講習会", "回数", False, "市民防犯講習会の回数"),
        ("CoCoパトロール隊による地域パトロール", "時期", True, "「CoCoパトロール隊による地域パトロール」の時期"),
        ("女性の犯罪被害防止の推進", "枚数", True, "「女性の犯罪被害防止の推進」の枚数"),  # no 「推進枚数」
    ],
)
def test_what_is_missing_is_named_as_a_reader_writes_it(phrase: str, noun: str, title: bool, label: str) -> None:
    assert missing_label(phrase, noun, MORPHEMES, title=title) == label


@pytest.mark.parametrize(
    ("phrase", "short"),
    [
        ("高齢者見守り協力者育成講座として高齢者消費者被害未然防止をテーマとした消費者講座", "消費者講座"),
        (DV, "DV防止普及啓発パネル展の実施"),
        ("セーフティー教室の実施", "セーフティー教室の実施"),  # no predicate: the phrase
        ("子どもを見守る家(カンガルーのポケット)", "子どもを見守る家(カンガルーのポケット)"),  # 「家」 is no name
        # The name's opening bracket is kept with it: never 「防犯市民のつどい」の開催」.
        ("小金井国分寺防犯協会が主催する「防犯市民のつどい」の開催", "「防犯市民のつどい」の開催"),
    ],
)
def test_a_phrase_the_quote_gives_whole_is_named_short_before_it(phrase: str, short: str) -> None:
    assert short_name(phrase, MORPHEMES) == short


@pytest.fixture(scope="module")
def ask(assistant: Assistant) -> Ask:
    texts = report_texts(assistant.searcher.corpus, assistant.searcher.corrections)
    templates = template_words(MORPHEMES)

    def _ask(q: str) -> Answer:
        """The answer, held to the phrase check and to words its citations (or its absent word) hold."""
        a = answer(assistant.context, q)
        assert not phrase_problems(a.lead, texts, MORPHEMES), a.lead
        assert not unsupported_words(a, MORPHEMES, templates), a.lead
        return a

    return _ask


def test_a_count_the_reports_do_not_give_is_said_to_be_missing_first(ask: Ask) -> None:
    a = ask("セーフティ教室の実施回数は？")
    assert a.lead == (
        "報告書には、セーフティー教室の実施回数の記載はありません。"
        "令和4年度の報告には「小中学校を対象にセーフティー教室を市内及び近隣の学校で実施した。」とあります[1]。"
    )
    assert a.absent_terms == ("実施回数",)  # the one word of the user's, marked as theirs


def test_a_quote_that_names_its_activity_is_not_preceded_by_it(ask: Ask) -> None:
    assert ask("DVの相談はどこにすればいい？").lead == f"令和4年度の報告には「{DV_BULLET}」とあります[1]。"
    assert (
        ask("防犯講習会はいつ開かれましたか").lead
        == "令和6年度の報告には「市民防犯講習会 11月6日開催予定」とあります[1]。"
    )


def test_a_quote_that_gives_what_was_asked_says_nothing_is_missing(ask: Ask) -> None:
    # 「推進月間中」 answers いつ without a day.
    a = ask("あいさつ運動はいつやっていますか")
    assert a.lead.startswith(("令和", "平成")) and "記載はありません" not in a.lead and not a.absent_terms
    # 1,987件 of loans answers 何個: as the figure itself (quantities.kindred), nothing called missing.
    b = ask("防犯ブザーは何個配りましたか")
    assert b.lead == "防犯ブザーの貸与は、令和5年度は1,987件でした[1]。" and not b.absent_terms


def test_a_figure_that_answers_is_the_lead_unchanged(ask: Ask) -> None:
    a = ask("令和5年度に自動通話録音機は何台貸し出しましたか")
    assert a.lead == "自動通話録音機の貸与は、令和5年度は116台でした[1]。" and not a.absent_terms
