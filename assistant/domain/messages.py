"""Every Japanese sentence a user reads, in one place so its wording is reviewed together."""

from __future__ import annotations

EXAMPLE_QUESTIONS = (
    "高齢者の詐欺対策は？",
    "子どもの見守りの取組みを教えて",
    "令和5年度のCoCoパトロールの回数は？",
    "防犯カメラの設置について知りたい",
    "空き家の対策は？",
)

# ---- leads, rendered from typed claims (assistant/answer/render.py); no template receives the user's text ----
YES = "はい。"
NO = "いいえ。"
FIGURE_DONE = "{label}は、{year}は{value}でした[{n}]。"
FIGURE_CUMULATIVE = "{label}は、{year}の報告で累計{value}です[{n}]。"
FIGURE_PLANNED = "{label}は、{year}に{value}の予定です[{n}]。"
FIGURE_CURRENT = "{label}は、{year}（実施予定を含む）は{value}です[{n}]。"
THEN_PLANNED = "{year}は{value}の予定です[{n}]。"
THEN_CURRENT = "{year}（実施予定を含む）は{value}です[{n}]。"
MISSING_FIGURE = "{year}の報告には、{label}の数値はありません。"
NEAREST = "近い年度では、{values}です。"
POINT = "{year}の{value}[{n}]"
POINT_SHORT = "{year}{value}[{n}]"
CHANGE = "{label}は、{first}から{year}は{value}[{n}]に{change}。"
CHANGE_UP = "増えました"
CHANGE_DOWN = "減りました"
CHANGE_SAME = "変わりませんでした（同じ数値です）"
SERIES = "報告のある年度の数値は、{points}です。"
SERIES_ALWAYS_UP = "報告のある年度では、毎年増えています。"
SERIES_ALWAYS_DOWN = "報告のある年度では、毎年減っています。"
ACTIVITY = "{phrase}（{detail}）[{n}]"
ACTIVITY_DETAIL = "{year}"
ACTIVITY_DETAIL_FIGURE = "{year}、{figure}"
ACTIVITIES = "市の主な取組みは、{items}です。"
ACTIVITIES_MORE = "市の主な取組みは、{items}などです。"
ACTIVITIES_YEARS = "{years}の主な取組みは、{items}です。"
YES_ACTIVITY = "はい。{department}が{phrase}を行っています（{detail}）[{n}]。"
YES_QUOTE = "はい。報告書には「{text}」とあります（{department}、{detail}）[{n}]。"
REPORTED_QUOTE = "報告書には「{text}」とあります（{department}、{detail}）[{n}]。"
DONE_SUFFIX = "の実施"
YES_NOUN = "はい。{department}の取組みに「{phrase}」があります（{detail}）[{n}]。"
ITEM_SEPARATOR = "、"
RESPONSIBLE_MEASURE = "施策「{measure}」の担当は{departments}です[{n}]。"
RESPONSIBLE_LEAD = "{subject}の担当は{departments}です（施策「{measure}」）[{n}]。"
DEPARTMENT_NAMES = "{department}は、{names}を担当しています。"
DEPARTMENT_NAMES_MORE = "{department}は、{names}などを担当しています。"
QUOTE = "{subject}について、{year}の報告には「{text}」とあります[{n}]。"
# The quote alone, when it names its own subject (「「女性に対する暴力をなくす運動」…パネル展の実施」).
QUOTE_BARE = "{year}の報告には「{text}」とあります[{n}]。"
# Before the quote, what the question asked for and the reports do not give (「セーフティー教室の実施回数」).
QUOTE_MISSING = "報告書には、{label}の記載はありません。"
# The noun that names what the reports do not give, after the counter asked (何回 → 回数) or いつ (時期). A dict,
# not a template, so its words support no lead by themselves (faithful.py): a lead lists the one it uses as its
# absent word.
ASKED_NOUNS = {
    "回": "回数", "件": "件数", "人": "人数", "名": "人数", "台": "台数", "団体": "団体数", "個": "個数", "点": "点数",
    "枚": "枚数", "校": "校数", "社": "社数", "組": "組数", "km": "距離", "機関": "機関数", "セット": "セット数",
    "か所": "か所数", "ヶ所": "か所数", "箇所": "か所数", "円": "金額", "いつ": "時期",
}  # fmt: skip
CLARIFY = "どの{subject}についてお知りになりたいですか。"
CLARIFY_ANY = "どの取組みについてお知りになりたいですか。"
CLARIFY_CHOICES = "報告書には、{items}があります。"
CHOICE = "{phrase}[{n}]"
CHOICE_QUESTION = "{phrase}について教えてください"
CHOICE_QUESTION_QUOTED = "「{phrase}」について教えてください"
CONTACT = "詳しくは{department}にお問い合わせください。"
CONTACT_DETAIL = "（{text}）"
SUGGEST_YEAR = "{year}の{label}は？"
SUGGEST_TREND = "{label}の推移は？"
SUGGEST_RESPONSIBLE = "{subject}の担当はどこ？"
SUGGEST_MEASURE = "{measure}の取組みは？"
SUGGEST_DEPARTMENT_YEAR = "{year}の{department}の取組みは？"
SUGGEST_TIMELINE = "「{measure}」の経年変化を見る"
TYPO_READ = "「{word}」として検索しました。"
SUGGESTIONS_HEADING = "次の質問の例："

SCOPE = "このアシスタントは、小金井市防犯指針に基づく取組みの報告書（{years}）についてお答えします。"
LEAD = "「{topic}」について、市では主に次の取組みを行っています。"
LEAD_WITH_YEARS = "「{topic}」について、{years}の主な取組みは次のとおりです。"
LEAD_DEPARTMENT = "「{topic}」を担当している課は次のとおりです。"
TREND_FIRST = "{summary}年度ごとの数値は次のとおりです。"
TREND_SUMMARY = "{label}は、{first_year}の{first}[{a}]から{last_year}の{last}[{b}]へと{direction}。"
TREND_GAPS = "{years}は報告書がないため、数値がありません。"
LEAD_NEW = "{years}に新しく報告された取組み（前の年度の報告になかったもの）は次のとおりです。"
NEW_NONE = "{years}に新しく報告された取組みは見つかりませんでした。"
NEW_RULE = "「新しい取組み」は、同じ施策の前の年度の報告に同じ（数値の違いを除いて、ほぼ同じ）記載がないものです。"
FACT = "{subject}は、{year}の報告で{value}です[{n}]。"
FACT_PLANNED = "{year}は{value}の予定です[{n}]。"
FACT_CURRENT = "{year}（実施予定を含む）の報告では{value}です[{n}]。"
FACT_PLANNED_ASKED = "{subject}は、{year}に{value}の予定です[{n}]。"
FACT_CURRENT_ASKED = "{subject}は、{year}（実施予定を含む）の報告で{value}です[{n}]。"
FACT_MISSING_YEAR = "{year}の報告には、{subject}の数値はありません。"
FACT_NEAREST = "近い年度では、{values}です。"
FACT_QUOTE = "{subject}について、{year}の報告には「{text}」とあります[{n}]。"
COMPARE = "{subject}は、{first}から{last}へ{direction}。"
COMPARE_POINT = "{year}の{value}[{n}]"
COMPARE_TOPIC = "「{topic}」について、{years}の取組みは次のとおりです。"
INCREASED = "増えました"
DECREASED = "減りました"
UNCHANGED = "変わりませんでした（同じ数値です）"
RESPONSIBLE = "「{topic}」の担当は{departments}です（施策「{measure}」）[{n}]。"
# No counts in these leads: every figure in an answer must stand in a bullet it cites.
DEPARTMENT_LIST = "{department}が担当している施策と、それぞれの最新の取組みは次のとおりです。"
DEPARTMENT_NONE = "{department}が担当している施策は、報告書にありません。"
YEAR_LIST = "{years}の取組みを、施策ごとに次のとおりまとめました。"
YEAR_LIST_PLANNED = "{years}に予定されている取組み（実施予定を含む）を、施策ごとに次のとおりまとめました。"
ABSENT = "報告書には「{terms}」に関する記載はありません。"
STATISTICS = "報告書は市の防犯の取組みをまとめたもので、犯罪や被害の件数などの統計は載っていません。"
RELATED_INTRO = "関連する取組みを下に示します（ご質問の内容そのものではありません）。"
RELATED_HEADING = "関連する取組み（ご質問の内容そのものは報告書に記載がありません）"
OUT_OF_SCOPE = "ご質問は、このアシスタントがお答えできる内容（市の防犯の取組み）ではないようです。"
NOT_FOUND = "ご質問に当てはまる取組みは、報告書の中に見つかりませんでした。"
UNKNOWN_YEAR = "{asked}の報告はありません。報告があるのは{years}です。"
FILTER_EMPTY = "指定された条件（{conditions}）に当てはまる取組みは見つかりませんでした。"
TRY_EXAMPLES = "例えば次のように質問してください。"
PLANNED = "予定"
CURRENT = "予定を含む"
DEPARTMENT_PREFIX = "担当："

# API errors, shown as they are in the web UI.
ERR_EMPTY_QUESTION = "質問を入力してください。"
ERR_QUESTION_TOO_LONG = "質問が長すぎます（{limit}文字まで）。短くして、もう一度お試しください。"
ERR_UNKNOWN_FILTER = "絞り込みの条件「{value}」はデータにありません。選べるのは：{allowed}"
ERR_BAD_REQUEST = "リクエストの形式が正しくありません。"
ERR_NOT_FOUND = "ページまたはデータが見つかりません。"
ERR_TOO_LARGE = "送信されたデータが大きすぎます。"
ERR_NOT_READY = "ただいま準備中です。しばらくしてから、もう一度お試しください。"
ERR_INTERNAL = "サーバーで問題が発生しました。しばらくしてから、もう一度お試しください。"
ERR_METHOD = "この操作はできません。"
ERR_BUSY = "ただいま混み合っています。少し時間をおいて、もう一度お試しください。"
NOTE_QUESTION_TRUNCATED = "ご質問が長いため、最初の部分だけで検索しました。短くすると、より的確にお答えできます。"

# Feedback on answers and the staff review page.
FEEDBACK_NOTICE = (
    "評価を送ると、回答の改善のため、質問・回答の出典・評価・コメントだけを市が保存します"
    "（IPアドレスなどは記録しません）。"
)
FEEDBACK_THANKS = "ご意見ありがとうございました。回答の改善に役立てます。"
ERR_COMMENT_TOO_LONG = "コメントが長すぎます（{limit}文字まで）。短くして、もう一度お試しください。"
ERR_FEEDBACK_RATE = "短い時間に多くの送信がありました。しばらく待ってから、もう一度お試しください。"
ERR_FEEDBACK_DAILY_LIMIT = (
    "本日受け付けできるご意見の件数の上限に達したため、保存できませんでした。明日以降にあらためてお送りください。"
)
ERR_FEEDBACK_UNAVAILABLE = "ただいまご意見を受け付けできません。しばらくしてから、もう一度お試しください。"
ERR_FEEDBACK_FULL = "ただいまご意見を保存できません。お手数ですが、時間をおいてもう一度お試しください。"
ERR_STAFF_RATE = "トークンの誤りが続いたため、しばらく受け付けを停止しています。少し時間をおいてお試しください。"
ERR_STAFF_AUTH = "職員用のトークンが必要です。正しいトークンを入力してください。"
