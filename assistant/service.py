"""Open the assistant once: settings → embedder, tokenizer, index, searcher. Shared by the CLI and the API."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from .config import Settings
from .embed import Embedder, load_embedder
from .index import BuildResult, SearchIndex, load_index
from .ingest import ingest
from .normalize import Corrections, load_corrections
from .parse import ParseError
from .search import Searcher
from .tokenize import SudachiTokenizer, SynonymTable, load_synonyms

log = logging.getLogger("assistant")


@dataclass
class Assistant:
    """Everything a request needs, loaded once and shared read-only."""

    settings: Settings
    searcher: Searcher
    build: BuildResult | None  # None when serving an existing index because data/ failed to parse
    data_error: str | None = None

    @property
    def index(self) -> SearchIndex:
        return self.searcher.index


def make_tokenizer(settings: Settings) -> SudachiTokenizer:
    return SudachiTokenizer(mode=settings.sudachi_mode)  # type: ignore[arg-type]


def make_searcher(
    index: SearchIndex, embedder: Embedder, tokenizer: SudachiTokenizer, settings: Settings, corrections: Corrections
) -> Searcher:
    synonyms: SynonymTable = load_synonyms(settings.data_dir / "synonyms.tsv")
    return Searcher(index, embedder, tokenizer, synonyms, corrections)


def open_assistant(
    settings: Settings,
    *,
    build: bool = True,
    progress: Callable[[int, int], None] | None = None,
    embedder: Embedder | None = None,
) -> Assistant:
    """Bring the index up to date with data/ (unless ``build`` is False) and load it.

    A report in data/ that does not parse never takes the service down: the last good index keeps
    being served and the error is reported (health endpoint, log).
    """
    embedder = embedder or load_embedder(settings.embedder)
    tokenizer = make_tokenizer(settings)
    result: BuildResult | None = None
    data_error = None
    if build:
        try:
            _, result = ingest(
                settings.data_dir,
                settings.index_dir,
                embedder=embedder,
                tokenizer=tokenizer,
                sudachi_mode=settings.sudachi_mode,
                progress=progress,
            )
        except ParseError as e:
            data_error = str(e)
            log.error("data/ does not parse, serving the previous index: %s", e)
    index = load_index(settings.index_dir, embedder.name)
    corrections = load_corrections(settings.data_dir)
    return Assistant(settings, make_searcher(index, embedder, tokenizer, settings, corrections), result, data_error)
