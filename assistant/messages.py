"""Every Japanese sentence a user reads, in one place so its wording is reviewed together."""

from __future__ import annotations

EXAMPLE_QUESTIONS = (
    "高齢者の詐欺対策は？",
    "子どもの見守りの取組みを教えて",
    "令和5年度のCoCoパトロールの回数は？",
    "防犯カメラの設置について知りたい",
    "空き家の対策は？",
)

SCOPE = "このアシスタントは、小金井市防犯指針に基づく取組みの報告書（{years}）についてお答えします。"
LEAD = "「{topic}」について、市では主に次の取組みを行っています。"
LEAD_WITH_YEARS = "「{topic}」について、{years}の主な取組みは次のとおりです。"
LEAD_DEPARTMENT = "「{topic}」を担当している課は次のとおりです。"
LEAD_TREND = "「{topic}」について、{label}（{unit}）の年度ごとの数値は次のとおりです。"
TREND_SUMMARY = "{label}は、{first_year}の{first}から{last_year}の{last}へと{direction}。"
TREND_GAPS = "{years}は報告書がないため、数値がありません。"
LEAD_NEW = "{years}に新しく報告された取組み（前の年度の報告になかったもの）は次のとおりです。"
NEW_NONE = "{years}に新しく報告された取組みは見つかりませんでした。"
NEW_RULE = "「新しい取組み」は、同じ施策の前の年度の報告に同じ（数値の違いを除いて、ほぼ同じ）記載がないものです。"
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
ERR_STAFF_AUTH = "職員用のトークンが必要です。正しいトークンを入力してください。"
