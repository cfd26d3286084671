"""activity_phrase over real bullets: a topic lead's name keeps what makes the activity one (「高齢者等見守り協定の
締結」, not 「協定の締結」), and the names that already read well stay as they are. Real Sudachi, no model."""

from __future__ import annotations

import unicodedata

import pytest

from assistant.answer.faithful import content_words
from assistant.answer.phrase import noun_phrase_rules
from assistant.answer.phrases import activity_phrase
from assistant.domain.corpus import Corpus
from assistant.domain.normalize import Corrections
from assistant.retrieval.tokenize import SudachiTokenizer

MORPHEMES = SudachiTokenizer(mode="search").morphemes


def bullet(corpus: Corpus, corrections: Corrections, start: str) -> str:
    """The first bullet of the seeds that opens with ``start``, as the answer layer reads it (corrected)."""
    texts = (corrections.apply(b.text) for b in corpus.bullets)
    return next(t for t in texts if unicodedata.normalize("NFKC", t).startswith(start))


@pytest.mark.parametrize(
    ("start", "phrase"),
    [
        # A verb's 連用形 compounds with the noun after it: 見守り協定, no relative clause.
        ("民間事業者と高齢者等見守り協定を締結", "高齢者等見守り協定の締結"),
        # 及び joins the two parties of 「…に対する」 into one object.
        ("関係機関の職員を通して", "障がい者施設利用者及び保護者に対する説明の実施"),
        # A 形状詞 with な says which 支援; おける (Sudachi: おけ + る) joins its place to the name.
        ("高齢者虐待の防止から個別支援に至る各段階で関連機関等と連携し、多面的な支援を実施した", "多面的な支援の実施"),
        ("指定管理者制度導入により", "公園緑地における定期的な巡回の実施"),
        # A bare 確認 keeps the means its clause gives it.
        ("民間事業者と高齢者等見守り協定に基づき", "声かけ等での確認の実施"),
        # The noun compounded with the action is what is done, not the object of 対象に.
        ("小中学校を対象にセーフティー教室実施", "セーフティー教室の実施"),
        # 化 is part of LED化.
        ("市立公園の公園灯をLED化し", "市立公園の公園灯のLED化"),
        # 「掲載等による周知」 ends no clause at 掲載: the center is not what is 掲載.
        ("障害者虐待防止センターを通して", "障害者虐待防止センター"),
        # A bare object's note in brackets says what it is about.
        ("市内3社と覚書(パトロール協力)を継続", "パトロール協力の覚書の継続"),
        # A whole 「NにV(サ変)した」 is the action toward N.
        ("空家等対策計画策定", "空家等対策計画策定への参画"),
        # The object of 行う / 周知を図る is the action itself.
        ("公園内の死角の排除のため、定期的に植栽の剪定を行った", "植栽の剪定"),
        ("友愛活動(ひとりぐらし高齢者等への訪問", "小金井市消費生活相談室の周知"),
    ],
)
def test_a_phrase_keeps_what_makes_the_activity(
    corpus: Corpus, corrections: Corrections, start: str, phrase: str
) -> None:
    text = bullet(corpus, corrections, start)
    assert activity_phrase(text, MORPHEMES) == phrase
    assert noun_phrase_rules(MORPHEMES(phrase)) == []
    # Built from the bullet's words: every content word of the phrase stands in it.
    written = {m.normalized for m in MORPHEMES(unicodedata.normalize("NFKC", text))}
    assert {m.normalized for m in content_words(MORPHEMES(phrase))} <= written


@pytest.mark.parametrize(
    ("start", "phrase"),
    [
        ("防犯ブザーの貸与(新小学1年生", "防犯ブザーの貸与"),
        ("自動通話録音機を116台貸与", "自動通話録音機の貸与"),  # 台 is a counter: 116台貸与 is no compound
        ("自動通話録音機を120台貸与", "自動通話録音機の貸与"),
        ("小中学校を対象にセーフティー教室を実施", "セーフティー教室の実施"),
        ("通学路防犯カメラの設置(小学校) 56台", "通学路防犯カメラの設置"),
        ("小金井市安全・安心まちづくり協議会を3回開催", "小金井市安全・安心まちづくり協議会の開催"),  # 3回 no compound
        ("高齢者向けの講座を16回実施", "高齢者向けの講座の実施"),
        ("高齢者の集まる機会を利用して、出前講座を実施予定", "出前講座の実施"),  # the main action, not the means
        ("「悪質な訪問販売お断り」シールを経済課窓口", "「悪質な訪問販売お断り」シールの配布"),
        ("空家等対策協議会を4回開催", "空家等対策協議会の開催"),
    ],
)
def test_good_phrases_are_unchanged(corpus: Corpus, corrections: Corrections, start: str, phrase: str) -> None:
    assert activity_phrase(bullet(corpus, corrections, start), MORPHEMES) == phrase
