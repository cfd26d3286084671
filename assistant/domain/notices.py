"""Typed notices: what a response tells the client about how its question was handled.

A notice is raised wherever the condition is found (the searcher, the token bounds) and collected per request:
:func:`collecting` opens a collection for the current thread's context, :func:`note` adds to it, and nothing
happens when no collection is open (the CLI, tests calling the searcher directly).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum


class Notice(StrEnum):
    UNKNOWN_YEAR = "unknown_year"  # the question names a fiscal year no report covers; nothing is answered
    QUESTION_TRUNCATED = "question_truncated"  # only the start of a long question was searched (token bounds)


_collected: ContextVar[set[Notice] | None] = ContextVar("notices", default=None)


@contextmanager
def collecting() -> Iterator[set[Notice]]:
    """Collect the notices raised in this context (one request) into the yielded set."""
    found: set[Notice] = set()
    token = _collected.set(found)
    try:
        yield found
    finally:
        _collected.reset(token)


def note(notice: Notice) -> None:
    found = _collected.get()
    if found is not None:
        found.add(notice)


def ordered(notices: set[Notice] | tuple[Notice, ...] | list[Notice]) -> list[Notice]:
    """Declaration order, so responses are deterministic."""
    return [n for n in Notice if n in set(notices)]
