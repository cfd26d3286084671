"""What a question asks: its topic, fiscal years, departments, intent and the quantity asked for. Pure functions.

Every regular expression that reads the *shape* of a question lives here (what it is about is left to
retrieval): 「青パトは何台ありますか」 is a fact asking for 台, 「回数の推移は？」 a trend, 「令和4年度と令和5年度で
どう変わった？」 a comparison, 「地域安全課は何をしていますか」 a department list. The answer layer
dispatches on :class:`Intent` and never looks at the question's wording again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from assistant.domain.figures import UNITS
from assistant.retrieval.query import QueryUnderstanding, find_years, understand


class Role(StrEnum):
    """Who said a turn of the conversation the client sends back."""

    USER = "user"
    ASSISTANT = "assistant"


class Intent(StrEnum):
    FACT = "fact"  # 何台・何回・何件・いくつ・いつ: one figure, date or place
    TOPIC = "topic"  # what does the city do about X
    TREND = "trend"  # 推移・増えている: a figure over every year
    COMPARE = "compare"  # two years side by side: 比べ・違い・どう変わった
    RESPONSIBLE = "responsible"  # 担当はどこ: the department of the topic's measure
    DEPARTMENT_LIST = "department_list"  # 〇〇課は何をしている: every measure of a department
    YEAR_LIST = "year_list"  # 令和6年度に予定されている取組み: everything of a year
    NEW = "new"  # 新しい取組み: bullets absent from the previous reported year


@dataclass(frozen=True)
class Turn:
    role: Role
    content: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))  # a plain "user" from JSON becomes the enum, or fails


@dataclass(frozen=True)
class Quantity:
    """What a fact question asks for: a counter (台, 回 …), any count (いくつ), a date (いつ) or a place (どこ)."""

    units: tuple[str, ...] = ()  # counters the answer's figure may have; empty = any
    nouns: tuple[str, ...] = ()  # what is counted, as the question says it: 件数, 配信数, 距離
    counted: str = ""  # the noun before いくつ: 「事業者はいくつ」 → 事業者
    date: bool = False
    place: bool = False


@dataclass(frozen=True)
class Question:
    text: str  # as asked
    resolved: str  # searched: a follow-up carries the topic of the latest self-contained turn
    topic: str  # the subject, for sentences: 「青パト」, 「高齢者の詐欺対策」
    intent: Intent
    understanding: QueryUnderstanding  # years and departments named, those in the data and not
    quantity: Quantity | None = None
    statistics: bool = False  # asks for crime statistics, which the reports do not hold

    @property
    def years(self) -> tuple[int, ...]:
        return self.understanding.years

    @property
    def departments(self) -> tuple[str, ...]:
        return self.understanding.departments


# ---- the words of a question's shape ------------------------------------------------------------

_RESPONSIBLE = re.compile(r"担当|部署|どこの課|どの課|誰が|だれが|どこが|所管")
_TREND = re.compile(r"推移|増え|減っ|増加|減少|経年|年ごと|年度ごと|毎年|トレンド|伸び|グラフ|変化")
_COMPARE = re.compile(r"比べ|比較|違い|違う|ちがい|どう変わ|変わった|変化|差は|増減")
# 「新しい取組み」, 「新たに始めた」; not 「街路灯新規設置件数」, a figure's label.
_COMPARE_WITH = re.compile(r"と(比べ|比較|くらべ)|から(どう|どれだけ|どのくらい)(変わ|増え|減)")
_NEW = re.compile(
    r"新しい?(取り?組|施策|事業|活動|こと|もの)|新しく|新たに|新たな|新規(の)?(取り?組|施策|事業|活動)|初めて|はじめて"
)
_LIST = re.compile(
    r"一覧|すべて|全て|全部|何をして|なにをして|何をやって|どんな(取組|施策|こと)|担当している|している(取組|施策|こと)"
)
_COUNTER_QUESTION = re.compile(rf"(?:何|なん)\s*({'|'.join(UNITS)}|ヵ所|カ所|ケ所|キロ)")
_HOW_MANY = re.compile(r"いくつ|どのくらい|どれくらい|どれぐらい|どのぐらい|何か所|いくら")
# 件数, 台数, 回数, 人数, 配信数, 応募数, 登録者数, 距離: a noun that names a count
_COUNT_NOUN = re.compile(
    r"([\w・]{0,6}?(?:件数|台数|回数|人数|団体数|者数|校数|数|距離|総数|実績))(?:は|を|が|って|も)?"
)
_DATE = re.compile(r"いつ|何月|何日|日程|開催日")
_PLACE = re.compile(r"どこで|どこに|場所")
_UNIT_OF_NOUN = {"件数": "件", "台数": "台", "回数": "回", "人数": "人", "団体数": "団体", "校数": "校", "距離": "km"}
_STATISTICS = re.compile(
    r"(犯罪|被害|事件|事故|認知|発生|検挙|逮捕|刑法犯|空き巣|窃盗|盗難|詐欺|ひったくり|万引き)(の)?(件数|数|状況|統計|率|額|推移)"
    r"|治安の(状況|統計)|犯罪率"
)
# Words that carry no topic of their own: a question made only of these (after removing years and
# department names) is a follow-up that inherits the previous question's topic.
_FILLER = re.compile(
    r"担当|部署|課|どこ|だれ|誰|いつ|何|なに|どう|それ|その|これ|この|あれ|じゃあ|では|また|ほか|他|"
    r"年度|年|予定|実績|結果|数字|詳しく|もっと|教えて|ください|下さい|知りたい|ですか|ますか|でしょうか|"
    r"前|次|去年|昨年|今年|最新|最近|過去|比較|比べ|違い|変化|推移|について|は|の|を|に|が|で|と|も|か|？|\?|。|、|!|！|\s"
)
_GENERIC = re.compile(
    r"取り?組み?|施策|活動|事業|一覧|見たい|行われて|行って|やって|実施|されている|している|されて|して|され|い(る|ます)|担当"
)
_QUESTION_TAIL = re.compile(
    r"((について|に関して)?(を)?(教えてください|教えて下さい|教えて|知りたい|とは何ですか|とは何|は何ですか|はありますか|"
    r"はどうなっていますか|はどうですか|していますか|いますか|しますか|ありますか|ですか|ますか|でしょうか)|"
    r"について|に関して|とは|は)?[？?。!！\s]*$"
)
# 「は何台ありますか」, 「はいくつ？」, 「の数は？」: what a fact question says after its subject.
_FACT_TAIL = re.compile(
    rf"(は|が|を|も|って)?\s*(全部で|合計で?|累計で?|延べ|今|現在|最近|これまでに)?\s*((何|なん)\s*(?:{'|'.join(UNITS)}|か所|カ所|キロ|月|日)"
    r"|いくつ|どのくらい|どれくらい|いつ|どこ)"
    r"[^？?。]*[？?。!！\s]*$"
)


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def strip_years_and_departments(text: str, departments: Sequence[str]) -> str:
    text = _normal(text)
    for mention in find_years(text, newest=9999):
        text = text.replace(mention.text, " ")
    for d in departments:
        text = text.replace(_normal(d), " ")
    return text


def is_followup(question: str, departments: Sequence[str]) -> bool:
    """True when nothing is left of the question once years, departments and filler words are removed."""
    return not _FILLER.sub("", strip_years_and_departments(question, departments)).strip()


def has_topic(question: str, departments: Sequence[str]) -> bool:
    """False for 「令和6年度に予定されている取組みは？」 or 「地域安全課の施策を一覧で」: no subject of its own."""
    return not is_followup(_NEW.sub("", _GENERIC.sub("", _normal(question))), departments)


def resolve(
    question: str, history: Sequence[Turn], departments: Sequence[str], *, elliptical: bool = False
) -> tuple[str, str]:
    """(question to search, question that names the topic).

    An elliptical follow-up (「令和5年度は？」, 「担当はどこ？」, or any question the caller found elliptical:
    「何台貸し出した？」) takes the topic of the latest self-contained user turn; the client sends the turns,
    the server keeps no conversation state.
    """
    if not (elliptical or is_followup(question, departments)):
        return question, question
    for turn in reversed(history):
        if turn.role is Role.USER and turn.content.strip() and not is_followup(turn.content, departments):
            return f"{turn.content.strip()} {question.strip()}", turn.content.strip()
    return question, question


# 「…の整備は進んで」, 「…をもらえ」, 「…はとでどう違う」: a predicate after the last は/を/が, ending in kana.
_PREDICATE = re.compile(r"^(?P<head>.{2,}?)(は|を|が)(?P<tail>[^はをが]{1,12})$")


def topic_of(question: str, departments: Sequence[str] = ()) -> str:
    """「高齢者の詐欺対策は？」 → 「高齢者の詐欺対策」; 「令和5年度の青パトは何台？」 → 「青パト」;
    「駅の駐輪場の整備は進んでいますか」 → 「駅の駐輪場の整備」."""
    text = strip_years_and_departments(question, departments).strip()
    text = _FACT_TAIL.sub("", text)
    text = _QUESTION_TAIL.sub("", text).strip()
    text = re.sub(r"^([のにはでとを、\s]|から|まで)+", "", text).strip()
    text = re.sub(r"には", "の", text)
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"(の|は)?(担当(課|部署)?|所管(課)?)$", "", text)  # 「防犯ブザーの担当課」: the topic is 防犯ブザー
    text = re.sub(r"の?(推移|経年変化|移り変わり)$", "", text)  # 「応募数の推移」: the topic is 応募数
    m = _PREDICATE.match(text)
    if m and re.search(r"[ぁ-ん]$", m.group("tail")):
        text = m.group("head")
    return text or _QUESTION_TAIL.sub("", _normal(question)).strip() or question.strip()


def quantity_of(question: str) -> Quantity | None:
    """The quantity a fact question asks for, or None when it asks for none."""
    text = _normal(question)
    units = [m.group(1) for m in _COUNTER_QUESTION.finditer(text)]
    units = ["ヶ所" if u in ("ヵ所", "カ所", "ケ所") else "km" if u == "キロ" else u for u in units]
    nouns = [m.group(1) for m in _COUNT_NOUN.finditer(text)]
    for noun in nouns:
        units.extend(u for key, u in _UNIT_OF_NOUN.items() if noun.endswith(key))
    how_many = _HOW_MANY.search(text)
    counted = ""
    if how_many and not units:
        # 「地域団体はいくつ？」: a counter named just before いくつ is the unit asked for; else the noun there
        # (「事業者はいくつ」) is what is counted.
        before = re.sub(r"(は|が|を|も|って|の数)?\s*$", "", text[: how_many.start()])
        units.extend(u for u in UNITS if before.endswith(u))
        found = re.search(r"[一-龥々ァ-ヴー]{2,8}$", before)
        counted = found.group(0) if found and not units else ""
    date, place = bool(_DATE.search(text)), bool(_PLACE.search(text))
    if not (units or nouns or date or place or how_many):
        return None
    return Quantity(tuple(dict.fromkeys(units)), tuple(dict.fromkeys(nouns)), counted, date, place)


def intent_of(text: str, understanding: QueryUnderstanding, departments: Sequence[str]) -> Intent:
    """The question's intent, most specific first."""
    asked = _normal(text)
    topical = has_topic(asked, departments)
    if _NEW.search(asked):
        return Intent.NEW
    if understanding.departments and not topical:
        return Intent.DEPARTMENT_LIST  # 「健康課は何をしていますか」, 「まちづくり推進課は何を担当していますか」
    if _RESPONSIBLE.search(asked) and not understanding.departments:
        return Intent.RESPONSIBLE
    mentioned = len(find_years(asked, newest=9999))
    named = len(understanding.years) + len(understanding.unknown_years)
    # Two years and 比べ・違い・増えた (「平成29年度と令和5年度でどれだけ増えた？」), or one year 「と比べて」
    # (compared with the newest year).
    if mentioned >= 2 and named >= 2 and (_COMPARE.search(asked) or _TREND.search(asked)):
        return Intent.COMPARE
    if mentioned == 1 and named == 1 and _COMPARE_WITH.search(asked):
        return Intent.COMPARE
    if _TREND.search(asked):
        return Intent.TREND
    if quantity_of(asked) is not None:
        return Intent.FACT
    if (understanding.years or understanding.unknown_years) and not topical:
        return Intent.YEAR_LIST
    return Intent.TOPIC


def parse_question(
    text: str,
    history: Sequence[Turn],
    available_years: tuple[int, ...],
    departments: tuple[str, ...],
    *,
    elliptical: bool = False,
) -> Question:
    """Read one question (with the earlier turns the client sent) into a :class:`Question`.

    A follow-up takes its topic from history, but its intent and years from what was just asked:
    「担当はどこ？」 after 「防犯ブザーの貸与について」 asks who is responsible for 防犯ブザーの貸与.
    ``elliptical`` marks a question the caller knows names no topic of its own (see the planner).
    """
    resolved, topic_question = resolve(text, history, departments, elliptical=elliptical)
    understanding = understand(resolved, available_years, departments)
    own = understand(text, available_years, departments)
    if resolved != text and (own.years or own.unknown_years):
        # 「平成29年度は？」 after a question about 令和5年度: the new year replaces the old one.
        understanding = QueryUnderstanding(own.years, own.unknown_years, understanding.departments, own.year_text)
    intent = intent_of(text, own, departments)
    if resolved != text and intent in (Intent.YEAR_LIST, Intent.TOPIC):
        # The follow-up inherits what the earlier question asked for (a figure, a trend).
        intent = intent_of(resolved, understanding, departments)
        if intent is Intent.COMPARE and not understanding.years:
            intent = Intent.FACT if quantity_of(resolved) else Intent.TOPIC
    quantity = quantity_of(resolved) if intent in (Intent.FACT, Intent.COMPARE, Intent.TREND) else None
    return Question(
        text=text,
        resolved=resolved,
        topic=topic_of(topic_question, departments),
        intent=intent,
        understanding=understanding,
        quantity=quantity,
        statistics=bool(_STATISTICS.search(_normal(resolved))),
    )
