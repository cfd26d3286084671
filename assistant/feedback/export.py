"""Feedback as CSV (UTF-8 with BOM, for Excel) and JSON, for the staff page and `assistant feedback export`.

Every cell is user text or derived from it, so a CSV cell that a spreadsheet would read as a formula
(starting with =, +, -, @, tab or CR) is prefixed with ' : the file opens as text, never as a formula.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from assistant.domain.spreadsheet import csv_bytes, neutralise
from assistant.feedback.store import FeedbackItem

COLUMNS = (
    "id",
    "created_at",
    "rating",
    "coverage",
    "question",
    "resolved_question",
    "comment",
    "measure_ids",
    "bullet_ids",
    "index_build",
    "handled_at",
    "handled_note",
)


def safe_cell(value: object) -> str:
    return neutralise("" if value is None else str(value))


def item_dict(item: FeedbackItem) -> dict[str, object]:
    return {
        "id": item.id,
        "created_at": item.created_at,
        "rating": item.rating.value,
        "coverage": item.coverage.value,
        "question": item.question,
        "resolved_question": item.resolved_question,
        "comment": item.comment,
        "measure_ids": list(item.measure_ids),
        "bullet_ids": list(item.bullet_ids),
        "index_build": item.index_build,
        "handled": item.handled_at is not None,
        "handled_at": item.handled_at,
        "handled_note": item.handled_note,
    }


def to_csv(items: Iterable[FeedbackItem]) -> bytes:
    def row(item: FeedbackItem) -> list[str]:
        d = item_dict(item)
        d["measure_ids"] = " ".join(item.measure_ids)
        d["bullet_ids"] = " ".join(str(i) for i in item.bullet_ids)
        return [safe_cell(d[c]) for c in COLUMNS]

    return csv_bytes(COLUMNS, (row(i) for i in items))


def to_json(items: Iterable[FeedbackItem]) -> bytes:
    return json.dumps({"items": [item_dict(i) for i in items]}, ensure_ascii=False, indent=1).encode("utf-8")
