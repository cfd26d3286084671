"""The phrase check on leads (answer/phrase.py) and the reader's checks of `assistant eval` (lead_any on the first
sentence, yes_no), on hand-built answers: real Sudachi and the real report texts, no planner."""

from __future__ import annotations

import pytest

from assistant.answer import Answer, Coverage
from assistant.answer.evaluate import AnswerJudgement, AnswerKind, Check, Wording, YesNo, judge, verdict, wording
from assistant.answer.phrase import (
    PhraseProblem,
    PhraseRole,
    PhraseRule,
    first_sentence,
    noun_phrase_rules,
    phrase_problems,
    subject,
)
from assistant.domain.corpus import Corpus
from assistant.domain.normalize import Corrections
from assistant.retrieval.query import QueryUnderstanding
from assistant.retrieval.search import Filters, SearchResult
from assistant.retrieval.tokenize import SudachiTokenizer


@pytest.fixture(scope="module")
def words(corpus: Corpus, corrections: Corrections, tokenizer: SudachiTokenizer) -> Wording:
    return wording(corpus, corrections, tokenizer.morphemes)


def problems(lead: str, w: Wording) -> list[PhraseProblem]:
    return phrase_problems(lead, w.texts, w.morphemes)


@pytest.mark.parametrize(
    ("phrase", "rule"),
    [
        ("子どもたちに防犯ブザー", PhraseRule.CASE_PARTICLE_WITHOUT_PREDICATE),
        ("お年寄りをだます電話ってどうにかならないの", PhraseRule.SENTENCE_FINAL),
        ("お年寄りをだます電話ってどうにかならないの", PhraseRule.INTERROGATIVE),
        ("お年寄りをだます電話ってどうにかならないの", PhraseRule.NOT_NOUN_FINAL),
        ("じゃあ栗山公園", PhraseRule.OPENS_WITH_FUNCTION_WORD),
        ("青パトのの走行距離", PhraseRule.DOUBLE_NO),
        ("栗山公園に防犯カメラ", PhraseRule.CASE_PARTICLE_WITHOUT_PREDICATE),
        ("街路灯の新規設置件数はとでどう違", PhraseRule.TOPIC_PARTICLE),
        ("街路灯の新規設置件数はとでどう違", PhraseRule.INTERROGATIVE),
        ("が担当しているこ", PhraseRule.OPENS_WITH_FUNCTION_WORD),
        ("安全・安心メールって何件", PhraseRule.SENTENCE_FINAL),
        ("パトロールも防犯カメラ", PhraseRule.TOPIC_PARTICLE),
        ("栗山公園に防犯カメラを設置", PhraseRule.CASE_PARTICLE_WITHOUT_PREDICATE),
        ("栗山公園に防犯カメラを設置する", PhraseRule.NOT_NOUN_FINAL),
        ("いくらの補助金", PhraseRule.INTERROGATIVE),
        ("夜道が暗くて不安", PhraseRule.CASE_PARTICLE_WITHOUT_PREDICATE),  # the predicate ends a clause
        ("学校にさすまた", PhraseRule.CASE_PARTICLE_WITHOUT_PREDICATE),
    ],
)
def test_question_fragments_are_not_noun_phrases(words: Wording, phrase: str, rule: PhraseRule) -> None:
    assert not any(phrase in t for t in words.texts)  # or it would pass as report text
    assert rule in noun_phrase_rules(words.morphemes(phrase))
    assert PhraseProblem(phrase, PhraseRole.QUOTE, rule) in problems(f"「{phrase}」に関する記載はありません。", words)


@pytest.mark.parametrize(
    "phrase",
    [
        "防犯資機材を支給した団体数",
        "CoCoパトロールの走行距離",
        "自動通話録音機の貸与",
        "防犯ブザーの貸与",
        "万引き",
        "DV被害者への支援",  # a case particle before の modifies the noun after it
        "子どもを見守る家",
        "自転車を盗まれない工夫",
        "民間事業者との見守り協定",
    ],
)
def test_names_are_noun_phrases(words: Wording, phrase: str) -> None:
    assert noun_phrase_rules(words.morphemes(phrase)) == []
    assert problems(f"「{phrase}」について、市では主に次の取組みを行っています。", words) == []


def test_report_text_verbatim_passes_even_when_it_is_not_a_noun_phrase(corpus: Corpus, words: Wording) -> None:
    bullet = next(b.text for b in corpus.bullets if "にて配布" in b.text)
    fragment = bullet[: bullet.index("にて配布") + len("にて配布")]  # ends in a noun after a case particle
    assert PhraseRule.CASE_PARTICLE_WITHOUT_PREDICATE in noun_phrase_rules(words.morphemes(fragment))
    assert problems(f"{fragment}は、令和5年度の報告で100枚です[1]。", words) == []
    altered = fragment.replace("にて", "に")  # no longer in the reports
    assert [p.rule for p in problems(f"{altered}は、令和5年度の報告で100枚です[1]。", words)] == [
        PhraseRule.CASE_PARTICLE_WITHOUT_PREDICATE
    ]


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("CoCoパトロールの走行距離は、令和4年度は9,432kmでした[1]。", "CoCoパトロールの走行距離"),
        ("「子どもたちに防犯ブザー」について、市では主に次の取組みを行っています。", "子どもたちに防犯ブザー"),
        ("「空き家対策」の担当は地域安全課です（施策「空き家の適正な管理の推進」）[1]。", "空き家対策"),
        ("はい、青パトの車両数は、令和5年度の報告で13台です[1]。", "青パトの車両数"),
        ("令和4年度の報告には、空き家の相談件数の数値はありません。", None),  # には、 is a setting, not a subject
        ("はい。学務課が新小学1年生と新中学1年生に防犯ブザーを貸与しています（令和5年度1,987件）[1]。", None),
        ("報告書には「万引き」に関する記載はありません。", None),
        ("報告書には「子どもは、」に関する記載はありません。", None),  # は、 inside a quote is not a marker
    ],
)
def test_the_subject_of_a_lead(words: Wording, lead: str, expected: str | None) -> None:
    assert subject(lead, words.morphemes) == expected


@pytest.mark.parametrize(
    "lead",
    [
        "はい。学務課が新小学1年生と新中学1年生に防犯ブザーを貸与しています（令和5年度1,987件）[1]。",
        "報告書には「万引き」に関する記載はありません。",
        "CoCoパトロールの走行距離は、令和4年度は9,432kmでした[1]。",
        "令和4年度の報告には、空き家の相談件数の数値はありません。近い年度では、平成30年度の38件です[1]。",
        "「空き家対策」の担当は地域安全課です（施策「空き家の適正な管理の推進」）[1]。",
    ],
)
def test_well_formed_leads_pass(words: Wording, lead: str) -> None:
    assert problems(lead, words) == []


def test_an_empty_quote_is_no_name(words: Wording) -> None:
    assert problems("「」について、市では主に次の取組みを行っています。", words) == [
        PhraseProblem("", PhraseRole.SUBJECT, PhraseRule.EMPTY)
    ]


def test_a_subject_left_with_the_questions_particles_fails(words: Wording) -> None:
    assert problems("栗山公園に防犯カメラは、令和5年度の報告で5台です[1]。", words) == [
        PhraseProblem("栗山公園に防犯カメラ", PhraseRole.SUBJECT, PhraseRule.CASE_PARTICLE_WITHOUT_PREDICATE)
    ]
    found = problems("「じゃあ栗山公園」について、市では主に次の取組みを行っています。「が担当しているこ」", words)
    assert {(p.phrase, p.rule) for p in found} == {
        ("じゃあ栗山公園", PhraseRule.OPENS_WITH_FUNCTION_WORD),
        ("が担当しているこ", PhraseRule.OPENS_WITH_FUNCTION_WORD),
    }


# ================================================================ lead_any and yes_no


def made(lead: str, coverage: Coverage = Coverage.DIRECT, absent: tuple[str, ...] = ()) -> Answer:
    return Answer(
        question="?",
        resolved_question="?",
        found=coverage is Coverage.DIRECT,
        lead=lead,
        groups=(),
        citations=(),
        notes=(),
        suggestions=(),
        result=SearchResult(query="?", filters=Filters(), understanding=QueryUnderstanding(), hits=()),
        coverage=coverage,
        absent_terms=absent,
    )


def test_first_sentence() -> None:
    assert first_sentence("13台です[1]。令和6年度は15台の予定です[2]。") == "13台です[1]。"
    assert first_sentence("はい。学務課が防犯ブザーを貸与しています[1]。ほかに…。") == (
        "はい。学務課が防犯ブザーを貸与しています[1]。"
    )
    assert first_sentence("句点のない一文") == "句点のない一文"


def test_lead_any_is_judged_on_the_first_sentence_for_every_kind() -> None:
    fact = AnswerJudgement("f", "?", AnswerKind.FACT, lead_any=("2,416km",))
    assert judge(fact, made("CoCoパトロールの走行距離は、令和5年度の報告で2,416kmです[1]。"))
    late = made("CoCoパトロールの走行距離の数値は次のとおりです。令和5年度は2,416kmです[1]。")
    assert verdict(fact, late).failed == (Check.LEAD_ANY,)
    topic = AnswerJudgement("t", "?", AnswerKind.TOPIC, lead_any=("自動通話録音機",), must_all=("自動通話録音機",))
    assert judge(topic, made("自動通話録音機の貸与を行っています[1]。"))
    assert verdict(topic, made("次の取組みがあります。自動通話録音機の貸与[1]。")).failed == (Check.LEAD_ANY,)


def test_yes_no() -> None:
    yes = AnswerJudgement("y", "?", AnswerKind.TOPIC, yes_no=YesNo.YES)
    assert judge(yes, made("はい。学務課が防犯ブザーを貸与しています[1]。"))
    assert verdict(yes, made("「防犯ブザー」について、市では主に次の取組みを行っています。")).failed == (Check.YES_NO,)
    assert not judge(yes, made("いいえ。報告書には記載がありません。"))
    no = AnswerJudgement("n", "?", AnswerKind.ABSENT, yes_no=YesNo.NO)
    assert judge(no, made("いいえ。報告書には「万引き」に関する記載はありません。", Coverage.NONE, ("万引き",)))
    assert judge(no, made("報告書には「万引き」に関する記載はありません。", Coverage.NONE, ("万引き",)))
    assert verdict(no, made("はい。万引き防止の取組みがあります[1]。")).failed == (Check.KIND, Check.YES_NO)


def test_a_phrase_problem_fails_the_outcome(words: Wording) -> None:
    j = AnswerJudgement("p", "?", AnswerKind.ABSENT)
    good = made("報告書には「万引き」に関する記載はありません。", Coverage.NONE, ("万引き",))
    bad = made("報告書には「万引きってどう」に関する記載はありません。", Coverage.NONE, ("万引きってどう",))
    assert verdict(j, good, words).passed
    v = verdict(j, bad, words)
    assert v.failed == (Check.PHRASE,) and {p.rule for p in v.phrases} >= {PhraseRule.SENTENCE_FINAL}
    assert judge(j, bad)  # without the report's wording only the kind's checks run
