"""What every JSON request model shares (api/schemas.py, feedback/schemas.py): no unknown field, integers and
booleans that are what the schema says (``"5"`` and ``true`` are not integers, ``0`` is not a boolean), and valid
Unicode in every text, list items included.

A lone surrogate (``"\\ud800"`` in a JSON string) is valid JSON but no text: encoding it to UTF-8 raises deep in
the tokenizer, the store or the response. It is refused here, as a 422 naming the field, before any code sees it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


def first_surrogate(text: str) -> int | None:
    """The position of the first lone surrogate of ``text`` (U+D800–U+DFFF), or None."""
    for i, ch in enumerate(text):
        if "\ud800" <= ch <= "\udfff":
            return i
    return None


def _check(value: Any) -> None:
    if isinstance(value, str):
        at = first_surrogate(value)
        if at is not None:
            raise ValueError(f"invalid Unicode: a lone surrogate at character {at}")
    elif isinstance(value, list | tuple):
        for item in value:
            _check(item)


class RequestModel(BaseModel):
    """A request body: unknown fields refused, every text valid Unicode. Integers and booleans are declared
    ``StrictInt`` / ``StrictBool`` field by field: FastAPI validates the parsed JSON in Python mode, where a
    model-wide ``strict`` would also refuse an enum given as its string value."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _valid_unicode(cls, value: Any) -> Any:
        _check(value)
        return value
