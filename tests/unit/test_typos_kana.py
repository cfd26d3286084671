"""Katakana typed in hiragana (「防犯かめら」) is read as the reports write it (防犯カメラ), and the answer says so."""

from __future__ import annotations

import pytest

from assistant.answer import Context, Coverage, Headlines, answer
from assistant.answer.question import Role, Turn
from assistant.answer.typos import (
    MIN_KANA_FOLD_CHARS,
    compound_of,
    fold_katakana,
    is_katakana_word,
    katakana_words,
    morpheme_spans,
    to_hiragana,
)
from assistant.domain import messages as msg
from assistant.domain.figures import Insights
from assistant.retrieval.relevance import Gate
from assistant.retrieval.search import Searcher
from assistant.retrieval.tokenize import SudachiTokenizer
from assistant.service import make_vocabulary

ACCEPT_ALL = Gate(weight=0.0, threshold=-2.0, accuracy=1.0, n_in=1, n_out=1)
WORDS = ("カメラ", "パトロール", "ブザー", "メール", "ポケット", "カンガルー", "コロナ", "コロナウイルス", "カメ")


@pytest.fixture(scope="module")
def ctx(searcher: Searcher, tokenizer: SudachiTokenizer) -> Context:
    corpus = searcher.corpus
    vocabulary = make_vocabulary(searcher.index, tokenizer, searcher.synonyms)
    return Context(
        searcher, Insights.from_corpus(corpus), ACCEPT_ALL, vocabulary, Headlines(corpus, tokenizer.noun_chunks)
    )


def test_hiragana_spelling_is_a_fixed_offset_and_keeps_the_long_vowel_mark() -> None:
    assert to_hiragana("カメラ") == "かめら"
    assert to_hiragana("パトロール") == "ぱとろーる"
    assert to_hiragana("ヴァイオリン防犯") == "ゔぁいおりん防犯"


def test_folds_a_hiragana_katakana_word() -> None:
    assert fold_katakana("防犯かめらはどこに設置されていますか", WORDS) == (
        "防犯カメラはどこに設置されていますか",
        ("カメラ",),
    )
    assert fold_katakana("ぱとろーるは何回?", WORDS) == ("パトロールは何回?", ("パトロール",))
    assert fold_katakana("かんがるーぽけっと", WORDS) == ("カンガルーポケット", ("カンガルー", "ポケット"))
    assert fold_katakana("かめらとかめら", WORDS)[0] == "カメラとカメラ"  # every occurrence


def test_a_text_without_a_hiragana_spelling_is_unchanged() -> None:
    for text in ("防犯カメラはどこに設置されていますか", "青パトは何台ありますか", "パトロールは何回?", ""):
        assert fold_katakana(text, WORDS) == (text, ())


def test_a_two_kana_word_is_not_folded() -> None:
    assert MIN_KANA_FOLD_CHARS == 3
    assert not is_katakana_word("カメ") and not is_katakana_word("ケア") and not is_katakana_word("ーー")
    assert is_katakana_word("カメラ") and not is_katakana_word("防犯カメラ") and not is_katakana_word("かめら")
    assert fold_katakana("かめの飼育", WORDS) == ("かめの飼育", ())
    assert katakana_words(frozenset({"カメ", "カメラ", "防犯", "パトロール車"})) == ("カメラ",)


def test_the_longest_word_is_folded_first() -> None:
    assert fold_katakana("ころなういるすの影響", WORDS) == ("コロナウイルスの影響", ("コロナウイルス",))
    assert fold_katakana("ころなういるすの影響", reversed(WORDS))[1] == ("コロナウイルス",)  # whatever the order


def _spans(tokenizer: SudachiTokenizer, text: str) -> tuple[tuple[int, int], ...]:
    spans = morpheme_spans(m.surface for m in tokenizer.morphemes(text))
    assert spans[-1][1] == len(text)
    return spans


def test_a_spelling_inside_a_word_the_reader_wrote_is_not_folded(tokenizer: SudachiTokenizer) -> None:
    for text in ("どんなところなの?", "こころない落書き"):  # ころな inside ところ, こころない
        assert fold_katakana(text, WORDS)[1] == ("コロナ",)  # what the morphemes prevent
        assert fold_katakana(text, WORDS, _spans(tokenizer, text)) == (text, ())
    text = "令和5年度のちーむの件数は?"  # Sudachi fuses の+ち into のち, a two-kana morpheme: still folded
    assert fold_katakana(text, ("チーム",), _spans(tokenizer, text))[1] == ("チーム",)
    text = "防犯かめらはどこに設置されていますか"
    assert fold_katakana(text, WORDS, _spans(tokenizer, text))[1] == ("カメラ",)


def test_the_note_names_the_compound_as_searched() -> None:
    assert compound_of("防犯カメラはどこに設置されていますか", "カメラ") == "防犯カメラ"
    assert compound_of("ぼうはんブザーの貸与", "ブザー") == "ブザー"
    assert compound_of("こがねい安全・安心メールの登録者数", "メール") == "安全・安心メール"
    assert compound_of("カメラ", "パトロール") == "パトロール"


def test_a_hiragana_katakana_word_is_answered_from_the_reports_with_the_note(ctx: Context) -> None:
    refuse = Gate(weight=0.0, threshold=2.0, accuracy=1.0, n_in=1, n_out=1)  # only the words decide the scope
    strict = Context(ctx.searcher, ctx.insights, refuse, ctx.vocabulary, ctx.headlines)
    a = answer(strict, "防犯かめらはどこに設置されていますか")
    assert a.coverage is Coverage.DIRECT and a.found, a.lead
    assert "防犯カメラ" in a.resolved_question
    assert any("防犯カメラ" in c.text for c in a.citations)
    assert msg.TYPO_READ.format(word="防犯カメラ") in a.notes


def test_an_earlier_turn_in_hiragana_is_folded_for_a_followup(ctx: Context) -> None:
    history = [Turn(Role.USER, "防犯かめらについて教えて"), Turn(Role.ASSISTANT, "…")]
    a = answer(ctx, "担当はどこ?", history)
    assert "防犯カメラ" in a.resolved_question, a.resolved_question
