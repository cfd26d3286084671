"""Passage vectors by content: the local cache under ``index/cache/``, then the shipped file in ``data/embeddings/``,
then the embedder, for what neither holds.

Both caches are keyed by the sha256 of the passage text within one embedder's file, so a changed passage (or a new
report) embeds only its own rows. Vectors taken from the shipped file are copied into the local cache, so later
builds do not read the shipped file again.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from assistant.retrieval.embed import Embedder
from assistant.retrieval.shipped import load_shipped, passage_key

Progress = Callable[[int, int], None]  # (passages done, total)


def _cache_path(index_dir: Path, embedder_name: str) -> Path:
    digest = hashlib.sha1(embedder_name.encode("utf-8")).hexdigest()[:12]
    return index_dir / "cache" / f"embeddings-{digest}.sqlite"


def _read_local(db: sqlite3.Connection, keys: Sequence[str], dimension: int) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        q = f"SELECT key, dim, vec FROM vectors WHERE key IN ({','.join('?' * len(chunk))})"
        for key, dim, blob in db.execute(q, chunk):
            if dim == dimension:
                found[key] = np.frombuffer(blob, dtype=np.float32)
    return found


def embed_with_cache(
    texts: Sequence[str],
    embedder: Embedder,
    index_dir: Path,
    progress: Progress | None = None,
    data_dir: Path | None = None,
) -> tuple[np.ndarray, int]:
    """Embed ``texts`` as passages, reusing vectors of texts embedded before (here, or shipped in ``data_dir``).
    Returns (vectors, embedded now)."""
    path = _cache_path(index_dir, embedder.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = [passage_key(t) for t in texts]
    db = sqlite3.connect(path)
    try:
        db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, dim INTEGER, vec BLOB)")
        found = _read_local(db, keys, embedder.dimension)
        if data_dir is not None and len(found) < len(set(keys)):
            shipped = load_shipped(data_dir, embedder.name, embedder.dimension)
            taken = [(k, shipped[k]) for k in dict.fromkeys(keys) if k not in found and k in shipped]
            db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?,?,?)",
                [(k, embedder.dimension, v.astype(np.float32).tobytes()) for k, v in taken],
            )
            found.update(taken)
        missing = sorted({k: i for i, k in enumerate(keys) if k not in found}.items(), key=lambda kv: kv[1])
        base, total = len(keys) - len(missing), len(keys)
        if progress:
            progress(base, total)
        if missing:
            new = embedder.embed_passages(
                [texts[i] for _, i in missing], progress=(lambda k: progress(base + k, total)) if progress else None
            )
            rows = [(k, embedder.dimension, new[j].astype(np.float32).tobytes()) for j, (k, _) in enumerate(missing)]
            db.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?,?)", rows)
            for j, (k, _) in enumerate(missing):
                found[k] = new[j].astype(np.float32)
        db.commit()
    finally:
        db.close()
    matrix = np.vstack([found[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, embedder.dimension))
    return matrix, len(missing)
