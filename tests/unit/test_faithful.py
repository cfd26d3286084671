"""The lead's content words come from what the answer cites (answer/faithful.py), on hand-built answers."""

from __future__ import annotations

import pytest

from assistant.answer import Answer, Citation, Coverage, Occurrence
from assistant.answer.faithful import template_strings, template_words, unsupported_words
from assistant.domain import messages
from assistant.domain.model import SourceRef
from assistant.retrieval.query import QueryUnderstanding
from assistant.retrieval.search import Filters, SearchResult
from assistant.retrieval.tokenize import SudachiTokenizer

BULLET = "新小学1年生及び新中学1年生に防犯ブザーを貸与（1,987件）"


@pytest.fixture(scope="module")
def templates(tokenizer: SudachiTokenizer) -> frozenset[str]:
    return template_words(tokenizer.morphemes)


def cited(text: str, measure: str = "児童・生徒の安全確保", department: str = "学務課") -> Citation:
    source = SourceRef("koganei_bouhan_r4-r6.txt", 10, 5)
    return Citation(
        number=1,
        measure_id="m",
        measure=measure,
        section="",
        department=department,
        departments=(department,),
        fiscal_year=2023,
        fiscal_year_label="令和5年度",
        fiscal_years=(2023,),
        years_label="令和5年度",
        status="実績",
        text=text,
        text_verbatim=text,
        occurrences=(Occurrence(2023, "令和5年度", "実績", source),),
    )


def made(lead: str, citations: tuple[Citation, ...] = (), absent: tuple[str, ...] = ()) -> Answer:
    return Answer(
        question="?",
        resolved_question="?",
        found=bool(citations),
        lead=lead,
        groups=(),
        citations=citations,
        notes=(),
        suggestions=(),
        result=SearchResult(query="?", filters=Filters(), understanding=QueryUnderstanding(), hits=()),
        coverage=Coverage.DIRECT if citations else Coverage.NONE,
        absent_terms=absent,
    )


def test_template_words_come_from_the_messages_module_without_placeholders(templates: frozenset[str]) -> None:
    assert {"報告書", "記載", "関する", "取り組み", "担当", "施策"} <= templates
    assert not {"topic", "terms", "department"} & templates  # placeholder names are removed, not tokenised
    assert not any("{" in t for t in template_strings())
    assert messages.ERR_EMPTY_QUESTION not in template_strings()  # errors are never part of a lead


def test_a_lead_in_the_words_of_its_bullet_is_supported(tokenizer: SudachiTokenizer, templates: frozenset[str]) -> None:
    lead = "はい。学務課が新小学1年生と新中学1年生に防犯ブザーを貸与しています（令和5年度1,987件）[1]。"
    a = made(lead, (cited(BULLET),))
    assert unsupported_words(a, tokenizer.morphemes, templates) == []


def test_words_typed_by_the_user_are_not_supported(tokenizer: SudachiTokenizer, templates: frozenset[str]) -> None:
    a = made("「子どもたちに防犯ブザー」について、市では主に次の取組みを行っています。", (cited(BULLET),))
    assert unsupported_words(a, tokenizer.morphemes, templates) == ["子どもたち"]
    dept = made("指導室が防犯ブザーを貸与しています[1]。", (cited(BULLET),))
    assert unsupported_words(dept, tokenizer.morphemes, templates) == ["指導室"]  # not the cited department


def test_the_absent_word_is_supported(tokenizer: SudachiTokenizer, templates: frozenset[str]) -> None:
    lead = "報告書には「万引き」に関する記載はありません。"
    assert unsupported_words(made(lead, absent=("万引き",)), tokenizer.morphemes, templates) == []
    assert unsupported_words(made(lead), tokenizer.morphemes, templates) == ["万引き"]


def test_figures_years_and_question_words_are_left_to_the_figure_rule(
    tokenizer: SudachiTokenizer, templates: frozenset[str]
) -> None:
    a = made("防犯ブザーの貸与は、令和5年度の報告で1,987件です[1]。", (cited(BULLET),))
    assert unsupported_words(a, tokenizer.morphemes, templates) == []
    measure = made("児童・生徒の安全確保として防犯ブザーを貸与しています[1]。", (cited(BULLET),))
    assert unsupported_words(measure, tokenizer.morphemes, templates) == []  # the measure's name
