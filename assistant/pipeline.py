"""data/ → corpus → index, and adding next year's report: the one place that writes data/ and index/ together.

Above ingest/ (reading reports) and retrieval/ (building the index), below the service and the CLI.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from assistant.domain.corpus import Corpus, merge_reports
from assistant.domain.model import Report
from assistant.domain.normalize import Corrections, load_corrections
from assistant.ingest.addition import check_no_ties, check_report_name, plan_addition
from assistant.ingest.reports import load_reports, report_paths
from assistant.ingest.storage import storage_error
from assistant.retrieval.embed import Embedder
from assistant.retrieval.embedding_cache import embed_with_cache
from assistant.retrieval.index import BuildResult, build_index, passages
from assistant.retrieval.shipped import SHIPPED_EMBEDDERS, covers, write_shipped

log = logging.getLogger("assistant.pipeline")


def ingest(
    data_dir: Path,
    index_dir: Path,
    *,
    embedder: Embedder,
    tokenizer: Callable[[str], list[str]],
    sudachi_mode: str,
    add: Path | None = None,
    replace: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    force: bool = False,
    ship_embeddings: bool = False,
) -> tuple[Corpus, BuildResult]:
    """Parse ``data_dir`` (plus ``add``, a new report, which replaces data/``replace`` if given), build the index,
    and only then commit ``add`` to data/ (and remove ``replace``).

    ``ship_embeddings`` (the CLI's ingest): also bring ``data/embeddings/`` up to date for the default embedder,
    so that the repository ships the vectors of its reports (:mod:`assistant.retrieval.shipped`).

    Nothing on disk changes unless every file parses, ``add`` replaces only what ingest/addition.py allows, and
    the whole index is built. Failing to write (disk full, permissions, a file in the way) raises
    :class:`~assistant.ingest.storage.StorageError`, a one-line message.
    """
    for stale in data_dir.glob(".*.tmp"):  # left by a copy that was killed midway
        stale.unlink(missing_ok=True)
    corrections = load_corrections(data_dir)
    paths = report_paths(data_dir)
    if add is not None:
        check_report_name(add, data_dir)
        others = [p for p in paths if p.name != add.name]  # a report of the same name is replaced by it
        existing = load_reports(others, corrections) if others else []
        new = load_reports([add], corrections)[0]
        plan_addition(existing, new, replace)  # refuses an overlap it does not supersede
        reports = [r for r in existing if r.file != replace] + [new]
    else:
        reports = load_reports(paths, corrections)
    check_no_ties(reports)
    corpus = merge_reports(reports, corrections)
    try:
        result = _build_and_commit(
            corpus, reports, data_dir, index_dir, corrections, embedder, tokenizer, sudachi_mode, add, progress, force
        )
        if add is not None and replace is not None:  # after the new report is in data/ and in the index
            (data_dir / replace).unlink(missing_ok=True)
        if ship_embeddings:
            ship(corpus, load_corrections(data_dir), data_dir, index_dir, embedder)
    except (OSError, sqlite3.Error) as e:
        raise storage_error(e, index_dir) from None
    return corpus, result


def _build_and_commit(
    corpus: Corpus,
    reports: list[Report],
    data_dir: Path,
    index_dir: Path,
    corrections: Corrections,
    embedder: Embedder,
    tokenizer: Callable[[str], list[str]],
    sudachi_mode: str,
    add: Path | None,
    progress: Callable[[int, int], None] | None,
    force: bool,
) -> BuildResult:
    result = build_index(
        corpus,
        {r.file: r.checksum for r in reports},
        index_dir=index_dir,
        data_dir=data_dir,
        corrections=corrections,
        embedder=embedder,
        tokenizer=tokenizer,
        sudachi_mode=sudachi_mode,
        progress=progress,
        force=force,
    )
    if add is not None and add.resolve() != (data_dir / add.name).resolve():
        # The index already includes the new report; if we crash before this copy completes, the next
        # start sees data/ and the index disagree and rebuilds from data/ alone.
        tmp = data_dir / f".{add.name}.tmp"
        shutil.copyfile(add, tmp)
        os.replace(tmp, data_dir / add.name)
    return result


def ship(corpus: Corpus, corrections: Corrections, data_dir: Path, index_dir: Path, embedder: Embedder) -> bool:
    """Rewrite ``data/embeddings/`` if it does not hold exactly the corpus's passages; True if it was written.

    Runs after a build, so every vector comes from the local cache: nothing is embedded again.
    """
    if embedder.name not in SHIPPED_EMBEDDERS:
        return False
    texts = passages(corpus, corrections)
    if covers(data_dir, embedder.name, embedder.dimension, texts):
        return False
    vectors, _ = embed_with_cache(texts, embedder, index_dir, None, data_dir)
    try:
        write_shipped(data_dir, embedder.name, texts, vectors)
    except OSError as e:  # a read-only data/: the index is built and serves; only the next fresh clone embeds
        log.warning("could not update %s/embeddings (%s); the index is built", data_dir, e.strerror or e)
        return False
    return True
