"""The shipped embedding cache (data/embeddings/): used when it checks out, refused (and never served) otherwise,
and the committed file covers the committed reports."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.domain.corpus import merge_reports
from assistant.domain.normalize import load_corrections
from assistant.ingest.reports import load_reports, report_paths
from assistant.retrieval.embed import FakeEmbedder, Progress, Vectors
from assistant.retrieval.embedding_cache import embed_with_cache
from assistant.retrieval.index import passages
from assistant.retrieval.shipped import (
    SHIPPED_EMBEDDERS,
    passage_key,
    read_manifest,
    read_shipped,
    shipped_paths,
    write_shipped,
)
from assistant.retrieval.tokenize import SudachiTokenizer

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["防犯パトロールを実施した。", "自動通話録音機を貸与した。", "防犯カメラを設置した。", "青パトで巡回した。"]


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting the passages it was asked to embed."""

    def __init__(self) -> None:
        super().__init__(64)
        self.embedded: list[str] = []

    def embed_passages(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors:
        self.embedded.extend(texts)
        return super().embed_passages(texts, progress)


@pytest.fixture
def shipped_data(tmp_path: Path) -> Path:
    """A data folder with a shipped file for TEXTS, written from the fake embedder's true vectors."""
    data = tmp_path / "data"
    write_shipped(data, "fake:64", TEXTS, FakeEmbedder(64).embed_passages(TEXTS))
    return data


def test_a_fresh_index_embeds_nothing_the_shipped_file_holds(shipped_data: Path, tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    vectors, embedded = embed_with_cache(TEXTS, embedder, tmp_path / "index", data_dir=shipped_data)
    assert embedded == 0 and embedder.embedded == []
    fresh = FakeEmbedder(64).embed_passages(TEXTS)
    assert np.allclose(vectors, fresh, atol=2e-3)  # float16 rounding, nothing more
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_a_changed_passage_is_embedded_alone(shipped_data: Path, tmp_path: Path) -> None:
    changed = [*TEXTS[:2], "防犯カメラを増設した。", TEXTS[3]]
    embedder = CountingEmbedder()
    vectors, embedded = embed_with_cache(changed, embedder, tmp_path / "index", data_dir=shipped_data)
    assert (embedded, embedder.embedded) == (1, ["防犯カメラを増設した。"])
    assert np.allclose(vectors[2], FakeEmbedder(64).embed_passages(changed[2:3])[0])


def _tamper_vectors(data: Path) -> None:
    vectors_path, _ = shipped_paths(data, "fake:64")
    raw = bytearray(vectors_path.read_bytes())
    raw[0:128], raw[128:256] = raw[128:256], raw[0:128]  # two rows swapped: same size, every value plausible
    vectors_path.write_bytes(bytes(raw))


def _tamper_keys(data: Path) -> None:
    _, manifest_path = shipped_paths(data, "fake:64")
    m = json.loads(manifest_path.read_text(encoding="utf-8"))
    m["keys"][0], m["keys"][1] = m["keys"][1], m["keys"][0]  # rows now claimed by the wrong passages
    manifest_path.write_text(json.dumps(m), encoding="utf-8")


def _other_version(data: Path) -> None:
    _, manifest_path = shipped_paths(data, "fake:64")
    m = json.loads(manifest_path.read_text(encoding="utf-8"))
    m["embedder_version"] = "0"
    manifest_path.write_text(json.dumps(m), encoding="utf-8")


def _truncate(data: Path) -> None:
    vectors_path, _ = shipped_paths(data, "fake:64")
    vectors_path.write_bytes(vectors_path.read_bytes()[:-2])


@pytest.mark.parametrize("tamper", [_tamper_vectors, _tamper_keys, _other_version, _truncate])
def test_a_changed_shipped_file_is_refused_in_one_line_and_rebuilt(
    tamper: object, shipped_data: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert callable(tamper)
    tamper(shipped_data)
    embedder = CountingEmbedder()
    with caplog.at_level(logging.WARNING, logger="assistant.retrieval.shipped"):
        vectors, embedded = embed_with_cache(TEXTS, embedder, tmp_path / "index", data_dir=shipped_data)
    assert embedded == len(TEXTS) and embedder.embedded == TEXTS  # nothing of the file was served
    assert np.array_equal(vectors, FakeEmbedder(64).embed_passages(TEXTS))
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1 and "\n" not in refusals[0].getMessage()


def test_another_embedder_does_not_read_the_file(shipped_data: Path, tmp_path: Path) -> None:
    embedder = FakeEmbedder(32)
    with pytest.raises(FileNotFoundError):
        read_shipped(shipped_data, embedder.name, embedder.dimension)
    _, embedded = embed_with_cache(TEXTS, embedder, tmp_path / "index", data_dir=shipped_data)
    assert embedded == len(TEXTS)


def test_cli_ingest_writes_the_shipped_file_only_when_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tokenizer: SudachiTokenizer
) -> None:
    import shutil

    from assistant import pipeline

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("embeddings"))
    monkeypatch.setattr(pipeline, "SHIPPED_EMBEDDERS", ("fake:64",))

    def ingest(embedder: CountingEmbedder) -> None:
        pipeline.ingest(
            data, tmp_path / "index", embedder=embedder, tokenizer=tokenizer, sudachi_mode="search",
            ship_embeddings=True,
        )  # fmt: skip

    first = CountingEmbedder()
    ingest(first)
    vectors_path, manifest_path = shipped_paths(data, "fake:64")
    assert read_manifest(manifest_path).rows == len(first.embedded) > 300
    written = manifest_path.stat().st_mtime_ns, vectors_path.stat().st_mtime_ns

    ingest(CountingEmbedder())  # up to date: not rewritten
    assert (manifest_path.stat().st_mtime_ns, vectors_path.stat().st_mtime_ns) == written

    shutil.rmtree(tmp_path / "index")  # a fresh clone of that data/: nothing embedded
    fresh = CountingEmbedder()
    ingest(fresh)
    assert fresh.embedded == []


def test_the_committed_file_covers_the_committed_reports() -> None:
    """data/embeddings/ must hold a vector for every passage of data/'s reports, for the default embedder."""
    data = ROOT / "data"
    corrections = load_corrections(data)
    texts = passages(merge_reports(load_reports(report_paths(data), corrections), corrections), corrections)
    (name,) = SHIPPED_EMBEDDERS
    fix = (
        f"the shipped embeddings for {name} do not match data/ ({{}}). Whoever changes a report, a correction or "
        "the passage template regenerates them: run `assistant ingest --force` (default embedder) and commit "
        "data/embeddings/"
    )
    vectors_path, manifest_path = shipped_paths(data, name)
    assert manifest_path.exists(), fix.format(f"{manifest_path.name} is missing")
    manifest = read_manifest(manifest_path)
    shipped = read_shipped(data, name, manifest.dimension)  # raises ShippedRefused if it does not check out
    missing = [t for t in texts if passage_key(t) not in shipped]
    assert not missing, fix.format(f"{len(missing)} of {len(texts)} passages have no vector, e.g. {missing[0][:60]}")
    assert manifest.keys == [passage_key(t) for t in texts], fix.format("rows not in the passages' order")
    assert vectors_path.stat().st_size == len(texts) * manifest.dimension * 2


def test_a_read_only_data_folder_does_not_fail_the_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tokenizer: SudachiTokenizer, caplog: pytest.LogCaptureFixture
) -> None:
    import errno
    import shutil

    from assistant import pipeline

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("embeddings"))
    monkeypatch.setattr(pipeline, "SHIPPED_EMBEDDERS", ("fake:64",))

    def read_only(*args: object) -> Path:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(pipeline, "write_shipped", read_only)
    with caplog.at_level(logging.WARNING, logger="assistant.pipeline"):
        _, result = pipeline.ingest(
            data, tmp_path / "index", embedder=CountingEmbedder(), tokenizer=tokenizer, sudachi_mode="search",
            ship_embeddings=True,
        )  # fmt: skip
    assert result.rebuilt and (tmp_path / "index" / "CURRENT").exists()
    assert any("Read-only file system" in r.getMessage() for r in caplog.records)
