"""Question → a short Japanese answer with numbered citations. Deterministic, offline, no LLM.

The answer is built only from verbatim bullets (extraction typos corrected for display): a lead sentence
that answers what was asked (a figure, a comparison, "the reports do not mention it"), then the activities
grouped by measure, each ending with a citation marker. One composer per :class:`~assistant.answer.question.Intent`.
"""

from assistant.answer.context import Context
from assistant.answer.planner import answer, answer_question
from assistant.answer.question import Role, Turn
from assistant.answer.records import Answer, AnswerGroup, AnswerItem, Citation, Coverage, Occurrence
from assistant.answer.select import Headlines, select_hits
from assistant.tuning import MAX_GROUPS, MAX_ITEMS, MAX_ITEMS_PER_GROUP, NEAR_DUPLICATE, RELATIVE_CUT, SEARCH_DEPTH

__all__ = [
    "MAX_GROUPS",
    "MAX_ITEMS",
    "MAX_ITEMS_PER_GROUP",
    "NEAR_DUPLICATE",
    "RELATIVE_CUT",
    "SEARCH_DEPTH",
    "Answer",
    "AnswerGroup",
    "AnswerItem",
    "Citation",
    "Context",
    "Coverage",
    "Headlines",
    "Occurrence",
    "Role",
    "Turn",
    "answer",
    "answer_question",
    "select_hits",
]
