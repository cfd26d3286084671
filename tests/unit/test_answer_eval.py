"""The answer report of `assistant eval`: pass rate per kind, the checks each failure failed, phrase-check failures
and unsupported lead words, as text and as JSON (stub answers; the CLI on the session's fake-embedder index)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DATA_DIR
from typer.testing import CliRunner

from assistant.answer import Answer, Coverage, Turn
from assistant.answer.evaluate import (
    AnswerJudgement,
    AnswerKind,
    Check,
    Wording,
    YesNo,
    evaluate_answers,
    format_answer_report,
    read_answer_judgements,
    verdict,
    wording,
)
from assistant.config import get_settings
from assistant.domain.corpus import Corpus
from assistant.domain.normalize import Corrections
from assistant.retrieval.query import QueryUnderstanding
from assistant.retrieval.search import Filters, SearchResult
from assistant.retrieval.tokenize import SudachiTokenizer

LEADS = {
    "青パトは何台？": "青パトの車両数は、令和5年度の報告で13台です[1]。",
    "じゃあ栗山公園は？": "「じゃあ栗山公園」について、市では主に次の取組みを行っています。",
    "万引き防止は？": "報告書には「万引き」に関する記載はありません。",
    "防犯ブザーを配っていますか": "「防犯ブザーの貸与」について、市では主に次の取組みを行っています。",
    "詐欺の電話を防ぐには？": "はい。報告書には「自動通話録音機を116台貸与」とあります[1]。",
}


@pytest.fixture(scope="module")
def words(corpus: Corpus, corrections: Corrections, tokenizer: SudachiTokenizer) -> Wording:
    return wording(corpus, corrections, tokenizer.morphemes)


def stub(q: str, history: tuple[Turn, ...]) -> Answer:
    lead = LEADS[q]
    absent = ("万引き",) if "万引き" in q else ()
    return Answer(
        question=q,
        resolved_question=q,
        found=not absent,
        lead=lead,
        groups=(),
        citations=(),
        notes=(),
        suggestions=(),
        result=SearchResult(query=q, filters=Filters(), understanding=QueryUnderstanding(), hits=()),
        coverage=Coverage.NONE if absent else Coverage.DIRECT,
        absent_terms=absent,
    )


JUDGED = [
    AnswerJudgement("a", "青パトは何台？", AnswerKind.FACT, lead_any=("13台",)),
    AnswerJudgement("b", "じゃあ栗山公園は？", AnswerKind.FOLLOWUP),
    AnswerJudgement("c", "万引き防止は？", AnswerKind.ABSENT, yes_no=YesNo.NO),
    AnswerJudgement("d", "防犯ブザーを配っていますか", AnswerKind.TOPIC, yes_no=YesNo.YES),
]


def test_the_report_lists_phrase_failures_and_unsupported_words(words: Wording) -> None:
    report = evaluate_answers(stub, JUDGED, "stub.jsonl", wording=words)
    assert [o.failed for o in report.outcomes] == [(), (Check.PHRASE,), (), (Check.YES_NO,)]
    assert report.pass_rate() == 0.5 and report.pass_rate(AnswerKind.FOLLOWUP) == 0.0
    body = report.as_dict()
    assert body["phrase_failures"] == 1
    assert body["phrase_problems"] == [
        {
            "id": "b",
            "phrase": "じゃあ栗山公園",
            "role": "subject",
            "rule": "opens_with_function_word",
            "lead": LEADS["じゃあ栗山公園は？"],
        }
    ]
    assert [f["failed"] for f in body["failures"]] == [["phrase"], ["yes_no"]]  # type: ignore[index]
    # Nothing is cited, so the figure's label is unsupported; the absent word is not.
    unsupported = {u["id"]: u["words"] for u in body["unsupported_words"]}  # type: ignore[attr-defined]
    assert "c" not in unsupported and {"青", "パト", "車両"} <= set(unsupported["a"])
    assert body["by_kind"]["followup"] == {  # type: ignore[index]
        "n": 1,
        "pass_rate": 0.0,
        "phrase_failures": 1,
        "unsupported_failures": 1,  # 栗山, 公園: nothing is cited
    }
    text = format_answer_report(report)
    assert "phrase check: 1 answers fail" in text and "subject 「じゃあ栗山公園」: opens_with_function_word" in text
    assert "d [topic] 防犯ブザーを配っていますか  (yes_no)" in text


def test_neither_fails_a_lead_that_opens_with_yes_or_no() -> None:
    how = AnswerJudgement("e", "詐欺の電話を防ぐには？", AnswerKind.TOPIC, yes_no=YesNo.NEITHER)
    plain = AnswerJudgement("f", "防犯ブザーを配っていますか", AnswerKind.TOPIC, yes_no=YesNo.NEITHER)
    assert verdict(how, stub(how.q, ())).failed == (Check.YES_NO,)
    assert verdict(plain, stub(plain.q, ())).failed == ()


def test_without_wording_the_old_checks_still_run() -> None:
    report = evaluate_answers(stub, JUDGED, "stub.jsonl")
    assert [o.passed for o in report.outcomes] == [True, True, True, False]
    assert report.as_dict()["phrase_failures"] == 0


def test_a_bad_yes_no_value_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id":"x","kind":"topic","q":"?","yes_no":"maybe"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        read_answer_judgements(bad)


@pytest.fixture
def cli_env(index_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(index_copy))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(DATA_DIR))  # only read: `eval` never builds
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "fake")
    get_settings.cache_clear()
    yield index_copy
    get_settings.cache_clear()


def test_cli_eval_reports_the_phrase_check(cli_env: Path, tmp_path: Path) -> None:
    from assistant.cli import app

    path = tmp_path / "answers.jsonl"
    lines = [
        '{"id":"a","kind":"fact","q":"青パトは何台ありますか","lead_any":["13台"]}',
        '{"id":"b","kind":"topic","q":"しつこい訪問販売への対策は？","lead_any":["訪問販売お断り"]}',
        '{"id":"c","kind":"absent","q":"万引き防止の取組みはありますか","yes_no":"no"}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", str(path), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["questions"] == 3 and body.keys() >= {"phrase_failures", "phrase_problems", "unsupported_words"}
    assert body["by_kind"]["fact"]["pass_rate"] == 1.0 and body["by_kind"]["absent"]["pass_rate"] == 1.0
    text = CliRunner().invoke(app, ["eval", str(path)]).stdout
    assert "phrase check:" in text and "unsupported words" in text
