"""A build is verified file by file at load, a read-only index serves, and a good index serves without data/."""

from __future__ import annotations

import errno
import json
import stat
from pathlib import Path

import faiss
import httpx
import numpy as np
import pytest
from conftest import DATA_DIR, BuildFn
from served import serve_env, served

from assistant.config import Settings
from assistant.retrieval import index as index_module
from assistant.retrieval.index import IndexError_, current_build, load_index
from assistant.service import open_assistant

QUESTION = "高齢者の詐欺対策は？"


def test_manifest_records_every_built_file(index_copy: Path) -> None:
    build = current_build(index_copy)
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    files = {p.relative_to(build).as_posix() for p in build.rglob("*") if p.is_file()}
    assert set(manifest["built_files"]) == files - {"manifest.json", "relevance.json"}
    assert {"vectors.faiss", "corpus.sqlite", "data/synonyms.tsv", "data/relevance_calibration.tsv"} <= files


def test_rows_reordered_in_place_are_found_damaged(index_copy: Path) -> None:
    build = current_build(index_copy)
    path = build / "vectors.faiss"
    size = path.stat().st_size
    flat = faiss.read_index(str(path))
    rows = faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * flat.d).reshape(flat.ntotal, flat.d).copy()
    reordered = faiss.IndexFlatIP(flat.d)
    reordered.add(np.ascontiguousarray(rows[::-1]))
    faiss.write_index(reordered, str(path))
    assert path.stat().st_size == size and faiss.read_index(str(path)).ntotal == flat.ntotal  # loads as before
    with pytest.raises(IndexError_) as info:
        load_index(index_copy, "fake:64")
    message = str(info.value)
    assert "damaged" in message and "vectors.faiss" in message and "assistant ingest --force" in message


def test_a_missing_built_file_is_named(index_copy: Path) -> None:
    (current_build(index_copy) / "data" / "synonyms.tsv").unlink()
    with pytest.raises(IndexError_, match=r"damaged \(data/synonyms.tsv"):
        load_index(index_copy, "fake:64")


def test_an_up_to_date_index_never_opens_the_lock_for_writing(
    index_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = open

    def read_only_open(file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wax+") and Path(file).parent.is_relative_to(index_copy):
            raise OSError(errno.EROFS, "Read-only file system", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(index_module, "open", read_only_open, raising=False)
    settings = Settings(data_dir=DATA_DIR, index_dir=index_copy, embedder="fake")
    a = open_assistant(settings, build=True)
    assert a.build is not None and not a.build.rebuilt and a.data_error is None
    assert a.searcher.search(QUESTION, top_k=3).hits


def test_a_good_index_serves_without_data(index_copy: Path, tmp_path: Path) -> None:
    with_data = open_assistant(Settings(data_dir=DATA_DIR, index_dir=index_copy, embedder="fake"), build=True)
    without = open_assistant(Settings(data_dir=tmp_path / "gone", index_dir=index_copy, embedder="fake"), build=True)
    assert without.data_error and "no report files" in without.data_error
    expected = [h.bullet_id for h in with_data.searcher.search(QUESTION, top_k=10).hits]
    assert [h.bullet_id for h in without.searcher.search(QUESTION, top_k=10).hits] == expected
    assert without.gate == with_data.gate


def _read_only(tree: Path) -> None:
    for p in [tree, *tree.rglob("*")]:
        mode = p.stat().st_mode
        p.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _writable(tree: Path) -> None:
    for p in [tree, *tree.rglob("*")]:
        p.chmod(p.stat().st_mode | stat.S_IWUSR)


# Root ignores permission bits; without these two capabilities it is held to them like any user.
AS_A_USER = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--")


@pytest.mark.slow
@pytest.mark.parametrize("data", ["data", "no data"])
def test_the_server_serves_a_read_only_index(build: BuildFn, tmp_path: Path, take_snapshot, data: str) -> None:
    index_dir = tmp_path / "index"
    build(DATA_DIR, index_dir)
    before = take_snapshot(index_dir)
    _read_only(index_dir)
    data_dir = DATA_DIR if data == "data" else tmp_path / "no-data"
    try:
        # The bits bite: a rebuild (another embedder) in the same index is refused.
        env = serve_env(DATA_DIR, index_dir) | {"ASSISTANT_EMBEDDER": "fake:32"}
        with served(env, tmp_path / "probe.log", AS_A_USER) as probe:
            refused = httpx.get(f"{probe}/api/health", timeout=10).json()
        assert refused["status"] == "error", refused
        with served(serve_env(data_dir, index_dir), tmp_path / "server.log", AS_A_USER) as origin:
            health = httpx.get(f"{origin}/api/health", timeout=10)
            assert health.status_code == 200, health.text
            assert (health.json()["data_error"] is None) == (data == "data")
            r = httpx.post(f"{origin}/api/ask", json={"question": QUESTION}, timeout=30)
            assert r.status_code == 200 and r.json()["citations"]
    finally:
        _writable(index_dir)
    assert take_snapshot(index_dir) == before
