"""The words that give a question its shape, as one table of data: which words mean a trend, a comparison,
who is responsible, a department's list, something new, a cumulative figure, plans, crime statistics.

Every entry is matched on the question as written (NFKC) by plain substring search, so no cue can cost more
than linear time on any input (issue 17). What a question is *about* is never read here: that is its content
words (:mod:`assistant.answer.analysis`). Cues only decide the intent; their priority is the order of
:data:`INTENT_RULES` in :mod:`assistant.answer.question`.

The lists were chosen by reading the questions of ../shared/eval/*.jsonl, tests/data/*.jsonl and
data/relevance_calibration.tsv for the words people use for each shape; none of those questions is listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Cue(StrEnum):
    TREND = "trend"  # the shape of a series: 推移, 経年, 毎年
    DIRECTION = "direction"  # 増えた, 減っている: a trend only when a figure is asked for
    COMPARE = "compare"  # 比べ, 違い, どう変わった
    COMPARE_WITH = "compare_with"  # 「令和4年度と比べて」: one year against the one in play
    PREVIOUS = "previous"  # 「前の年」: the reported year before the one in play
    RESPONSIBLE = "responsible"  # 担当はどこ, どこの課
    LIST = "list"  # 一覧, 何をしている: everything of a department or year
    NEW = "new"  # 新しい取組み, 新たに
    CUMULATIVE = "cumulative"  # 累計, これまでに
    PLANNED = "planned"  # 予定
    REQUEST = "request"  # 教えて, 知りたい: a request, not a yes/no question
    CONCERN = "concern"  # 心配, 不安: a worry to answer with what the city does
    NEGATIVE = "negative"  # 「どうにかならないの」: no はい/いいえ answers a negative question


CUE_WORDS: dict[Cue, tuple[str, ...]] = {
    Cue.TREND: ("推移", "経年", "年ごと", "年度ごと", "毎年", "トレンド", "伸び", "グラフ", "移り変わり", "ずっと"),
    Cue.DIRECTION: ("増え", "減っ", "減り", "減る", "増加", "減少", "伸び", "増減"),
    Cue.COMPARE: ("比べ", "比較", "くらべ", "違い", "違う", "ちがい", "どう変わ", "変わった", "変化", "差は", "増減"),
    Cue.COMPARE_WITH: ("と比べ", "と比較", "とくらべ", "から比べ"),
    Cue.PREVIOUS: ("前の年", "前年", "その前", "前回"),
    Cue.RESPONSIBLE: ("担当", "部署", "どこの課", "どの課", "誰が", "だれが", "どこが", "所管", "問い合わせ"),
    Cue.LIST: ("一覧", "すべて", "全て", "全部", "何をして", "なにをして", "何をやって", "何して", "なにして",
               "何やって", "どんな取", "どんな施策", "どんなこと", "担当している", "している取", "している施策"),
    Cue.NEW: ("新しい取", "新しい施策", "新しい事業", "新しい活動", "新しく", "新たに", "新たな", "新規の取",
              "新規取", "初めて", "はじめて"),
    Cue.CUMULATIVE: ("累計", "これまでに", "今までに", "通算", "延べ"),
    Cue.PLANNED: ("予定",),
    Cue.REQUEST: ("教え", "知りたい", "見たい", "ください", "下さい", "ほしい", "欲しい"),
    Cue.CONCERN: ("心配", "不安", "怖い", "こわい", "困って", "気になる"),
    Cue.NEGATIVE: ("ならないの", "ないの", "ませんか", "ないか", "ないです"),
}  # fmt: skip

# Crime statistics, which the reports do not hold: a subject of these followed (directly or after の) by a
# measure of these — 犯罪件数, 被害の状況, 詐欺の被害額.
STATISTICS_SUBJECTS = ("犯罪", "被害", "事件", "事故", "認知", "発生", "検挙", "逮捕", "刑法犯", "空き巣", "窃盗",
                       "盗難", "詐欺", "ひったくり", "万引き", "治安")  # fmt: skip
STATISTICS_MEASURES = ("件数", "数", "状況", "統計", "率", "額", "推移")

# Words of asking that carry no topic: a question made only of these (and years, departments, cue words) is a
# follow-up that takes the topic of the conversation.
FILLER_WORDS = frozenset({
    "担当", "部署", "課", "どこ", "だれ", "誰", "いつ", "何", "なに", "どう", "それ", "その", "これ", "この", "あれ",
    "じゃあ", "では", "また", "ほか", "他", "年度", "年", "予定", "実績", "結果", "数字", "詳しく", "もっと", "前",
    "次", "去年", "昨年", "今年", "最新", "最近", "過去", "比較", "違い", "変化", "推移", "前の年", "前年", "数値",
    "件数", "数", "方", "ところ", "所", "取組", "取組み", "取り組み", "とりくみ", "取り組", "施策", "活動", "事業",
    "一覧", "様子", "状況",
})  # fmt: skip

# Nouns of a question that say how it is asked or when, never what it is about: they never make a question
# "not in the reports" (「本当」, 「近所」, 「夜」 were read as topics by the reader's review). Shape nouns (推移,
# 比較) are cues above; these are the incidental ones.
INCIDENTAL_NOUNS = frozenset({
    "本当", "近所", "夜", "昼", "朝", "夕方", "毎日", "今日", "明日", "最近", "普段", "いつも", "周り", "まわり",
    "うち", "家族", "自分", "私", "僕", "みんな", "皆", "人", "方々", "話", "噂", "うわさ", "ニュース", "感じ",
    "くらい", "ぐらい", "程度", "具体", "詳細", "情報", "年末", "年始", "季節",
})  # fmt: skip


def cues_in(text: str) -> frozenset[Cue]:
    """The cues whose words appear in ``text`` (already NFKC)."""
    return frozenset(cue for cue, words in CUE_WORDS.items() if any(w in text for w in words))


def asks_statistics(text: str) -> bool:
    return any(s + m in text or f"{s}の{m}" in text for s in STATISTICS_SUBJECTS for m in STATISTICS_MEASURES)


def any_in(words: Iterable[str], text: str) -> bool:
    return any(w in text for w in words)


# The predicates that ask how a figure moved, by dictionary form (or サ変 noun): 「自動通話録音機は増えてる？」 asks
# for its series even without a count noun. Only as the question's own predicate: in 「年末に犯罪が増えるって本当？
# 市は何か呼びかけていますか」 the predicate is 呼びかける, and no figure is asked.
DIRECTION_VERBS = frozenset({"増える", "減る", "伸びる", "増す", "増加", "減少"})

# Words that open a question by pointing back (「それは無料？」, 「その担当は？」): the question is about the topic of
# the conversation, whatever else it names. Read in its first REFERRING_SPAN morphemes only: further in, 「その」
# modifies a noun of the question's own (「防犯カメラのその後は？」 is rare, 「それは…」 at the start is not).
REFERRING_WORDS = frozenset({"それ", "その", "これ", "この", "そちら", "こちら", "そこ"})
REFERRING_SPAN = 2

# Nouns that end the name of a place, so a bullet holding one tells where (「栗山公園に5台の…を設置した」,
# 「…を経済課窓口、1階受付にて配布」): what a どこ question is answered from. Read off the seeds' bullets.
PLACE_HEADS = ("公園", "駅", "学校", "通学路", "窓口", "受付", "駐車場", "施設", "庁舎", "公共機関", "商店会")

# Verbs that only ask (「…について知りたい」, 「…はどうなっていますか」), by Sudachi's normalised form. Any other verb
# says what about the topic is asked (「子どもの見守りの取組み」: 見守り is a verb to Sudachi) and decides.
ASKING_VERBS = frozenset(
    {"知る", "教える", "付く", "つく", "成る", "為る", "有る", "居る", "聞く", "見る", "頂く", "下さる"}
)
